// `gradlens run SCRIPT [options]`: argument parsing with messages that say what to do.
import { GRAPH_DIRECTIONS, type GraphDirection } from '../graph/direction';
import { FLOW_AUTO_MAX_NODES, type FlowPolicy } from '../protocol/messages';
import { defaultPython } from '../runner/default-python';

export interface RunArgs {
  script: string;
  graph: string | null;
  at: number | null;
  monitor: string | null;
  timeoutMs: number | null;
  maxMemoryMb: number | null;
  maxNodes: number;
  savedTensors: boolean;
  /** Record what flowed through each node in backward (--flow, --no-flow; --explain needs it). */
  flow: FlowPolicy;
  /** Print the backward pass step by step. */
  explain: boolean;
  /** Compare the leaves' recorded gradients with finite differences (TS/JS scripts). */
  gradcheck: boolean;
  /** The interpreter for .py scripts. */
  python: string;
  /** Leaves on top (torchviz) or the root on top (agtree2dot) in --graph svg/html. */
  direction: GraphDirection;
  /** What follows `--`: the script's own arguments. */
  scriptArgs: string[];
}

export const USAGE = `usage: gradlens run SCRIPT.(ts|js|mjs|py|ipynb) [options] [-- SCRIPT ARGUMENTS]

  --graph FILE.(svg|html|dot|json)  write the autograd graph of the last backward()
  --at N                            ... of the N-th backward() instead (1-based)
  --monitor FILE.(json|csv|html)    write the training record (loss, gradient norms, lr per step)
  --timeout SECONDS                 stop the script after this long (what was captured is still written)
  --max-memory MB                   cap the script's heap
  --max-nodes N                     collapse larger graphs by module (default 2000)
  --saved-tensors                   show tensors saved for backward
  --explain                         print the backward pass step by step: what each node received
                                    and sent to each input, sums where edges meet, each leaf's .grad
  --flow, --no-flow                 record that flow for every graph, or for none (default: graphs
                                    of up to ${FLOW_AUTO_MAX_NODES.toLocaleString('en')} nodes); --graph FILE.json then holds it
  --gradcheck                       check the leaves' gradients with finite differences: reruns the
                                    script in float64 twice per leaf element (at most 16); .py: one
                                    float64 rerun, custom autograd.Functions also checked on their own
  --python PATH                     the Python interpreter for .py scripts (default: python3 on PATH, python on Windows)
  --direction leaves-top|root-top   --graph svg/html: leaves on top as torchviz draws them (default),
                                    or the root on top as agtree2dot does

The script runs in the current directory, as \`python train.py\` or \`node train.js\` would.`;

export class UsageError extends Error {}

const GRAPH_EXT = ['svg', 'html', 'dot', 'json'];
const MONITOR_EXT = ['json', 'csv', 'html'];

function ext(file: string): string {
  const m = /\.([^./\\]+)$/.exec(file);
  return m === null ? '' : m[1].toLowerCase();
}

function positive(flag: string, v: string | undefined, integer: boolean): number {
  if (v === undefined) throw new UsageError(`${flag} needs a value`);
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(
      `${flag} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(v)}`,
    );
  return n;
}

export function parseRunArgs(argv: string[]): RunArgs {
  const out: RunArgs = {
    script: '',
    graph: null,
    at: null,
    monitor: null,
    timeoutMs: null,
    maxMemoryMb: null,
    maxNodes: 2000,
    savedTensors: false,
    flow: 'auto',
    explain: false,
    gradcheck: false,
    python: defaultPython(),
    direction: 'leaves-top',
    scriptArgs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      out.scriptArgs = argv.slice(i + 1);
      break;
    }
    const [flag, inline] =
      a.startsWith('--') && a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--graph': {
        const f = value();
        if (f === undefined || !GRAPH_EXT.includes(ext(f)))
          throw new UsageError(
            `--graph needs a file ending in ${GRAPH_EXT.map((e) => `.${e}`).join(', ')}`,
          );
        out.graph = f;
        break;
      }
      case '--monitor': {
        const f = value();
        if (f === undefined || !MONITOR_EXT.includes(ext(f)))
          throw new UsageError(
            `--monitor needs a file ending in ${MONITOR_EXT.map((e) => `.${e}`).join(', ')}`,
          );
        out.monitor = f;
        break;
      }
      case '--at':
        out.at = positive('--at', value(), true);
        break;
      case '--timeout':
        out.timeoutMs = positive('--timeout', value(), false) * 1000;
        break;
      case '--max-memory':
        out.maxMemoryMb = positive('--max-memory', value(), false);
        break;
      case '--max-nodes':
        out.maxNodes = positive('--max-nodes', value(), true);
        break;
      case '--saved-tensors':
        out.savedTensors = true;
        break;
      case '--explain':
        out.explain = true;
        break;
      case '--gradcheck':
        out.gradcheck = true;
        break;
      case '--flow':
        out.flow = 'always';
        break;
      case '--no-flow':
        out.flow = 'never';
        break;
      case '--python': {
        const p = value();
        if (p === undefined || p === '')
          throw new UsageError('--python needs the path of a Python interpreter');
        out.python = p;
        break;
      }
      case '--direction': {
        const d = value();
        if (!GRAPH_DIRECTIONS.includes(d as GraphDirection))
          throw new UsageError(
            `--direction is ${GRAPH_DIRECTIONS.join(' or ')}, got ${JSON.stringify(d)}`,
          );
        out.direction = d as GraphDirection;
        break;
      }
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
        if (out.script !== '')
          throw new UsageError(`one script at a time (got ${out.script} and ${a})`);
        out.script = a;
    }
  }
  if (out.script === '')
    throw new UsageError('which script? e.g. gradlens run examples/square-plus-3x.ts');
  if (out.explain && out.flow === 'never')
    throw new UsageError('--explain prints the recorded flow: it cannot be used with --no-flow');
  if (out.gradcheck && out.flow === 'never' && !/\.py$/i.test(out.script))
    throw new UsageError(
      '--gradcheck compares the recorded flow: it cannot be used with --no-flow',
    );
  if (out.gradcheck && /\.ipynb$/i.test(out.script))
    throw new UsageError(
      '--gradcheck checks scripts (.ts, .js, .py), not notebooks: for a notebook use torch.autograd.gradcheck',
    );
  if (!/\.(ts|mts|cts|js|mjs|cjs|py|ipynb)$/i.test(out.script))
    throw new UsageError(`${out.script}: expected a .ts, .js, .mjs, .py or .ipynb file`);
  return out;
}
