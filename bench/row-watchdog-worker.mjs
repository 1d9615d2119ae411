// The thread of bench/row-watchdog.ts. It waits for the bench's main thread to enter its next
// phase; when a phase overruns its limit it says which phase hung and what the bench's
// processes did for a second (state, CPU, kernel wait channel), ends the processes the bench
// started and then the bench. It runs beside the main thread so that it speaks even when the
// main thread spins without yielding. Linux only (/proc); elsewhere it still ends the bench.
import { readFileSync, readdirSync, writeSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { workerData } from 'node:worker_threads';

/** Slots of the shared Int32Array (kept equal to row-watchdog.ts). */
const PHASE = 0;
const BEAT = 1;
const LABEL_BYTES = 2;
const STOP = 3;

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;
const SAMPLE_MS = 1000;

const { state, label, limitMs, name } = workerData;
const slots = new Int32Array(state);
const labelBytes = new Uint8Array(label);
const host = process.pid;

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Fields of /proc/PID/stat (or a task's) after the command name, or null if it is gone. */
function stat(path) {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

const ticks = (f) => (f === null ? NaN : Number(f[11]) + Number(f[12]));

function read(path, fallback) {
  try {
    return readFileSync(path, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return fallback;
  }
}

/** Bytes the process read and wrote so far, pipes included (/proc/PID/io), or NaN. */
function io(pid) {
  const text = read(`/proc/${pid}/io`, '');
  const field = (key) => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { read: field('rchar'), wrote: field('wchar') };
}

/** The host and every process below it, parents first. */
function processTree() {
  const children = new Map();
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return [host];
  }
  for (const p of pids) {
    const f = stat(`/proc/${p}/stat`);
    if (f === null) continue;
    const ppid = Number(f[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(p)]);
  }
  const tree = [host];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

function describe(phase) {
  const tree = processTree();
  const before = new Map(tree.map((p) => [p, ticks(stat(`/proc/${p}/stat`))]));
  // A process that floods another through a pipe shows here as much as in its CPU.
  const ioBefore = new Map(tree.map((p) => [p, io(p)]));
  const mainBefore = ticks(stat(`/proc/${host}/task/${host}/stat`));
  const beatBefore = Atomics.load(slots, BEAT);
  sleep(SAMPLE_MS);
  const beats = Atomics.load(slots, BEAT) - beatBefore;
  const percent = (t0, t1) => ((t1 - t0) / TICKS_PER_SECOND / (SAMPLE_MS / 1000)) * 100;
  const lines = [
    `${name}: "${phase}" has not finished after ${limitMs / 1000} s; the bench's processes over ${SAMPLE_MS / 1000} s:`,
  ];
  for (const pid of tree) {
    const f = stat(`/proc/${pid}/stat`);
    if (f === null) continue;
    const cpu = percent(before.get(pid), ticks(f)).toFixed(0);
    const wchan = read(`/proc/${pid}/wchan`, '?').replace(/^0?$/, 'none (running)');
    const { read: r1, wrote: w1 } = io(pid);
    const { read: r0, wrote: w0 } = ioBefore.get(pid);
    const kb = (bytes) => (Number.isNaN(bytes) ? '?' : (bytes / 1024).toFixed(0));
    const command = read(`/proc/${pid}/cmdline`, '?').slice(0, 160);
    const who =
      pid === host
        ? `the bench (main thread ${percent(mainBefore, ticks(stat(`/proc/${host}/task/${host}/stat`))).toFixed(0)} % CPU, its event loop turned ${beats} times, about ${SAMPLE_MS / 100} when free)`
        : `parent ${f[1]}, group ${f[2]}`;
    lines.push(
      `  pid ${pid} ${f[0]} ${cpu} % CPU, read ${kb(r1 - r0)} kB, wrote ${kb(w1 - w0)} kB, wait ${wchan}, ${who}: ${command}`,
    );
  }
  return { text: `${lines.join('\n')}\n`, tree };
}

/** Ends what the bench started: each child's process group (a runner child leads its own), then the bench. */
function endAll(tree) {
  for (const pid of tree.slice(1)) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or gone already
      }
    }
  }
  process.kill(host, 'SIGTERM');
}

for (;;) {
  const seen = Atomics.load(slots, PHASE);
  if (Atomics.load(slots, STOP) === 1) break;
  if (Atomics.wait(slots, PHASE, seen, limitMs) !== 'timed-out') continue;
  if (Atomics.load(slots, STOP) === 1) break;
  const phase = new TextDecoder().decode(labelBytes.slice(0, Atomics.load(slots, LABEL_BYTES)));
  const { text, tree } = describe(phase);
  writeSync(2, text);
  endAll(tree);
  break;
}
