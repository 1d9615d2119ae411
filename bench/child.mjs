// Runs one workload for one Node peer in a fresh process and prints its result as one
// marked JSON line (libraries such as tfjs print to stdout too, so the marker finds it).
//   node --expose-gc bench/child.mjs <peer id> <workload> '<params json>'
// The peer's engine settings (PEERS[].env) arrive in this process's environment, set by run.mjs.
import { PEERS, RESULT_MARK } from './config.mjs';
import { peakRssMB } from './timing.mjs';

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

const [peer, workload, json] = process.argv.slice(2);
let result;
try {
  const mod = await loadPeer(peer);
  const run = mod.workloads[workload];
  if (run === undefined) throw new Error(`${peer} has no workload ${workload}`);
  const metrics = await run(JSON.parse(json));
  result = { ok: true, version: mod.version, metrics, peakRssMB: peakRssMB() };
} catch (e) {
  result = { ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
}
process.stdout.write(`\n${RESULT_MARK}${JSON.stringify(result)}\n`);
