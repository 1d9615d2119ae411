// Keeping the host's allocator from handing freed large storage back to the system between
// training steps. A storage over a kilobyte gets a backing store of its own from the host's
// allocator: glibc's malloc under Node on Linux. glibc serves a large block from a fresh
// mapping until a block that large has been freed once, then from its heap; but it gives the
// top of its heap back to the system as soon as more than twice the largest block freed so far
// is free there. A 1024x1024 matmul's forward and backward make three 4 MB arrays that die
// at the same collection: glibc returns the 12 MB (over twice 4 MB), and the next step's
// arrays fault every page in again (about 3,000 page faults a step, each costing far more
// than copying the page). Freeing one block of BLOCK_BYTES once raises both limits for the
// rest of the process (glibc keeps them at the largest block freed so far, up to 32 MiB).
// Other allocators ignore the block.

/**
 * The block freed once: glibc then keeps up to 16 MiB free, what such a step frees and more.
 * Not larger: what it keeps when large products stop stays in the process (a workload run
 * after W4 in the same process peaked 10-40 MB higher with 32 MiB kept, within its spread
 * with 16).
 */
const BLOCK_BYTES = 8 * 2 ** 20;

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
