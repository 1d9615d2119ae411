// Prints the op table's programs and PyTorch calls as JSON for scripts/gen_fixtures.py:
// `vite-node scripts/export-op-table.ts`. Programs are keyed by their primitive's node name.
import { calls, table } from '../src/engine/ops/table';

const programs: Record<string, unknown[]> = {};
for (const { op, cases } of table) programs[op.name] = [...(programs[op.name] ?? []), ...cases];
const torchCalls = Object.fromEntries(calls.map((c) => [c.name, c.torch]));
process.stdout.write(JSON.stringify({ programs, calls: torchCalls }));
