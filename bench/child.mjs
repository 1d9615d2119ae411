// Runs workloads for one Node peer and prints the result as one marked JSON line (libraries
// such as tfjs print to stdout too, so the marker finds it).
//   node --expose-gc bench/child.mjs <peer id> <workload> '<params json>'
// runs one workload in this fresh process;
//   node --expose-gc bench/child.mjs --in-one-process <peer id> '[["W1", params], ...]' <pause ms>
// runs them one after another in this one process, as a long training script or a notebook
// session does, pausing between them with the event loop free, with the resident size at
// each one's start and end and its peak while it ran.
// The peer's engine settings (PEERS[].env) arrive in this process's environment, set by run.mjs.
import { PEERS, RESULT_MARK } from './config.mjs';
import { peakRssMB, resetPeakRss, rssMB } from './timing.mjs';

async function loadPeer(id) {
  const impl = PEERS.find((p) => p.id === id && p.kind === 'node')?.impl;
  if (impl === 'gradlens') return import('./peers/gradlens.mjs');
  if (impl === 'tfjs-cpu' || impl === 'tfjs-wasm') {
    const tfjs = await import('./peers/tfjs.mjs');
    await tfjs.init(impl.slice('tfjs-'.length));
    return tfjs;
  }
  throw new Error(`unknown peer ${id}`);
}

async function runOne(mod, peer, workload, params) {
  const run = mod.workloads[workload];
  if (run === undefined) throw new Error(`${peer} has no workload ${workload}`);
  return run(params);
}

async function inOneProcess(peer, list, pauseMs) {
  const mod = await loadPeer(peer);
  const results = {};
  for (const [workload, params] of list) {
    if (Object.keys(results).length > 0) await new Promise((r) => setTimeout(r, pauseMs));
    // Each workload's peak is its own: the high-water mark starts again from here.
    const peakReset = resetPeakRss();
    const startMB = rssMB();
    const metrics = await runOne(mod, peer, workload, params);
    results[workload] = {
      metrics,
      rss: { startMB, endMB: rssMB(), peakMB: peakReset ? peakRssMB() : null },
    };
  }
  return { ok: true, version: mod.version, results };
}

const args = process.argv.slice(2);
let result;
try {
  if (args[0] === '--in-one-process') {
    result = await inOneProcess(args[1], JSON.parse(args[2]), Number(args[3] ?? '0'));
  } else {
    const [peer, workload, json] = args;
    const mod = await loadPeer(peer);
    const metrics = await runOne(mod, peer, workload, JSON.parse(json));
    result = { ok: true, version: mod.version, metrics, peakRssMB: peakRssMB() };
  }
} catch (e) {
  result = { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
}
process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`);
