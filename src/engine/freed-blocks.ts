// Keeping the host's allocator from handing freed large storage back to the system between
// training steps. A storage over a kilobyte gets a backing store of its own from the host's
// allocator: glibc's malloc under Node on Linux. glibc serves a large block from a fresh
// mapping until a block that large has been freed once, then from its heap; but it gives the
// top of its heap back to the system as soon as more than twice the largest block freed so far
// is free there. A 1024x1024 matmul's forward and backward make three 4 MB arrays that die
// at the same collection: glibc returns the 12 MB, and the next step's arrays fault every
// page in again (about 3,000 page faults a step, each costing more than copying the page).
// Freeing one block of BLOCK_BYTES once, before that happens, raises both limits for the
// rest of the process (glibc keeps them at the largest freed block below 32 MiB), so that the
// heap keeps what a step frees for the next one. Other allocators ignore the block.

/** The block freed once: under glibc's 32 MiB ceiling for the limit, with its header. */
const BLOCK_BYTES = 16 * 2 ** 20;

/**
 * Storages at least this large allocate the block. Smaller ones leave the process as it was:
 * glibc's own limits keep what a step of small layers frees (an MNIST MLP's step at batch 64
 * faults in no pages once warm either way).
 */
export const LARGE_STORAGE_BYTES = 2 ** 20;

let allocated = false;

/**
 * Called for each storage of LARGE_STORAGE_BYTES or more: the first one allocates the block
 * and drops it at once (glibc maps it fresh, so no page of it is touched). It is freed, and
 * the limits raised, at the collection that finds it unreferenced.
 */
export function keepFreedBlocks(): void {
  if (allocated) return;
  allocated = true;
  try {
    new ArrayBuffer(BLOCK_BYTES);
  } catch {
    // A host that refuses the block (short of memory) only keeps its allocator's own limits.
  }
}
