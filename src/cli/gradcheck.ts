// `gradlens run script.ts --gradcheck`: the leaves' gradients of the first backward(), as the
// run recorded them, against central differences: the script runs again in float64 with one
// leaf element moved by +h and by -h (src/runner/gradcheck-child.ts), twice per element
// checked, and (f(x + h) - f(x - h)) / 2h is compared with the recorded gradient. Reruns are
// whole runs of the script, so at most MAX_ELEMENTS elements are checked, and the script must
// compute the same thing each time (seeded randomness).
import { decodeNum, type GraphNode, type GraphSnapshot } from '../protocol/messages';
import { launchRunner, type LaunchOptions } from '../runner/launch';
import {
  GRADCHECK_ENV,
  GRADCHECK_MARK,
  type GradcheckReport,
  type GradcheckRequest,
} from '../runner/gradcheck-child';

/** Elements checked at most, over all leaves (each costs two runs of the script). */
export const MAX_ELEMENTS = 16;
const H = 1e-6;
const RTOL = 1e-3;

export interface GradcheckResult {
  lines: string[];
  /** True when some element disagreed or the check could not be done. */
  failed: boolean;
}

interface Checked {
  label: string;
  recorded: number;
  numerical: number;
}

/** What a rerun takes from the CLI's run. */
type RunOf = Pick<LaunchOptions, 'script' | 'cwd' | 'args' | 'timeoutMs' | 'maxMemoryMb'>;

/** Checks the leaves of `snapshot` (which must be backward() #1 of the run). */
export async function gradcheck(snapshot: GraphSnapshot, run: RunOf): Promise<GradcheckResult> {
  const fail = (why: string): GradcheckResult => ({
    lines: [`gradcheck: ${why}`],
    failed: true,
  });
  if (snapshot.index !== 1)
    return fail(
      `checks the first backward() (leaves are moved where the script first uses them): run with --at 1`,
    );
  const leaves = snapshot.nodes.filter((n) => n.kind === 'leaf');
  const base = await rerun(run, { at: 1, leaf: -1, index: 0, delta: 0 });
  if (base.loss === null)
    return fail('backward() #1 was called on a tensor of more than one element');
  if (base.leaves.length !== leaves.length || base.leaves.includes(-1))
    return fail(
      'the rerun did not reach the same leaves: does the script compute the same each time?',
    );
  const byId = new Map(snapshot.nodes.map((n) => [n.id, n]));
  const picks = elementsToCheck(leaves, byId);
  const checked: Checked[] = [];
  for (const p of picks) {
    const leaf = base.leaves[p.leaf];
    const up = await rerun(run, { at: 1, leaf, index: p.index, delta: H });
    const down = await rerun(run, { at: 1, leaf, index: p.index, delta: -H });
    if (up.loss === null || down.loss === null) return fail('a rerun gave no output value');
    checked.push({
      label: p.label,
      recorded: p.recorded,
      numerical: (up.loss - down.loss) / (2 * H),
    });
  }
  return report(checked, base.dtype, 1 + 2 * picks.length);
}

function report(checked: Checked[], dtype: string, runs: number): GradcheckResult {
  const scale = Math.max(1, ...checked.map((c) => Math.abs(c.numerical)));
  const bad = checked.filter(
    (c) =>
      !(Math.abs(c.numerical - c.recorded) <= RTOL * Math.max(Math.abs(c.numerical), 1e-2 * scale)),
  );
  const lines = [
    `gradcheck of backward() #1: recorded leaf gradients vs central differences in ${dtype} (h = ${String(H)}), ${String(runs)} runs of the script`,
    ...checked.map(
      (c) =>
        `  ${c.label}: recorded ${digits(c.recorded)}, numerical ${digits(c.numerical)}, ${bad.includes(c) ? 'DISAGREE' : 'ok'}`,
    ),
    bad.length === 0
      ? `all ${String(checked.length)} checked gradients agree (relative tolerance ${String(RTOL)})`
      : `${String(bad.length)} of ${String(checked.length)} checked gradients disagree`,
  ];
  if (dtype !== 'float64')
    lines.push('note: the output stayed float32 in the rerun, so the differences are coarse');
  return { lines, failed: bad.length > 0 };
}

/** Seven significant digits: enough to see float32's precision. */
function digits(x: number): string {
  return String(Number(x.toPrecision(7)));
}

interface Element {
  /** Position of the leaf among the snapshot's leaves. */
  leaf: number;
  index: number;
  label: string;
  recorded: number;
}

/** Up to MAX_ELEMENTS elements, shared out over the leaves, whose recorded gradient is exact. */
function elementsToCheck(leaves: GraphNode[], byId: Map<string, GraphNode>): Element[] {
  const each = Math.max(1, Math.floor(MAX_ELEMENTS / Math.max(1, leaves.length)));
  const picks: Element[] = [];
  leaves.forEach((leaf, k) => {
    const acc = leaf.attachedTo === null ? undefined : byId.get(leaf.attachedTo);
    // This backward's own gradient (what reached AccumulateGrad), else the leaf's .grad.
    const grad = acc?.flow?.gradOutputs[0] ?? leaf.grad;
    const values = grad?.values;
    if (grad === null || values === undefined) return;
    const name = leaf.name === '' ? `leaf ${String(k + 1)}` : leaf.name;
    for (let i = 0; i < Math.min(each, values.length) && picks.length < MAX_ELEMENTS; i++)
      picks.push({
        leaf: k,
        index: i,
        label: elementLabel(name, grad.shape, i),
        recorded: decodeNum(values[i]),
      });
  });
  return picks;
}

/** `w[1, 2]` for the flat index 6 of a 4-wide matrix; the bare name for a scalar. */
function elementLabel(name: string, shape: readonly number[], flat: number): string {
  if (shape.length === 0) return name;
  const at: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    at.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return `${name}[${at.join(', ')}]`;
}

/** One rerun of the script as `req` says; its report, read field by field. */
async function rerun(run: RunOf, req: GradcheckRequest): Promise<GradcheckReport> {
  let out = '';
  // The child reads the request from its environment, which it takes from this process's.
  process.env[GRADCHECK_ENV] = JSON.stringify(req);
  try {
    await launchRunner(
      { ...run, flow: 'never' },
      {
        onStdout: (t) => {
          out += t;
        },
      },
    ).done;
  } finally {
    Reflect.deleteProperty(process.env, GRADCHECK_ENV);
  }
  const line = out.split('\n').find((l) => l.startsWith(GRADCHECK_MARK));
  if (line === undefined)
    throw new Error('gradcheck: the rerun of the script ended before its backward()');
  return validateReport(JSON.parse(line.slice(GRADCHECK_MARK.length)));
}

function validateReport(v: unknown): GradcheckReport {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new Error('gradcheck report: not an object');
  const { loss, dtype, leaves } = o;
  if (loss !== null && typeof loss !== 'number')
    throw new Error('gradcheck report.loss: not a number');
  if (typeof dtype !== 'string') throw new Error('gradcheck report.dtype: not a string');
  if (!Array.isArray(leaves) || !leaves.every((x) => Number.isInteger(x)))
    throw new Error('gradcheck report.leaves: not a list of integers');
  return { loss, dtype, leaves: leaves as number[] };
}
