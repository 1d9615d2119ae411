// Big messages travel from the runner child in a file its frame names (frame-spill.ts): the
// file round-trips and is removed, names that are no spill's are refused and left alone, and
// the 10,000-node RNN's snapshot arrives whole that way from a real child.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isSpilledFrame, readSpilled, spill } from '../../src/runner/frame-spill';
import { launchRunner } from '../../src/runner/launch';
import { ROOT, ensureBuilt } from './helpers';

beforeAll(ensureBuilt);

describe('a spilled message', () => {
  it('is read back as it was written, and its file is gone after', () => {
    const message = { type: 'graph/snapshot', nodes: Array.from({ length: 3 }, (_, i) => i) };
    const frame = spill(JSON.stringify(message));
    expect(frame).not.toBeNull();
    expect(isSpilledFrame(frame)).toBe(true);
    expect(readSpilled(frame!)).toEqual(message);
    expect(existsSync(path.dirname(frame!.spilled))).toBe(false);
  });

  it('a frame naming any other file is refused, and the file stays', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gradlens-not-a-spill-'));
    try {
      const file = path.join(dir, 'message.json');
      writeFileSync(file, '{}');
      expect(() => readSpilled({ spilled: file })).toThrow(/not a spill file/);
      const sneaky = path.join(
        tmpdir(),
        'gradlens-frame-x',
        '..',
        path.basename(dir),
        'message.json',
      );
      expect(() => readSpilled({ spilled: sneaky })).toThrow(/not a spill file/);
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('only a frame of that one field is a spill', () => {
    expect(isSpilledFrame({ spilled: '/tmp/x' })).toBe(true);
    expect(isSpilledFrame({ type: 'graph/snapshot', spilled: '/tmp/x' })).toBe(false);
    expect(isSpilledFrame({ spilled: 1 })).toBe(false);
  });

  it("the 10,000-node RNN's snapshot arrives whole from the runner", async () => {
    const r = await launchRunner({
      script: path.join(ROOT, 'examples', 'unrolled-rnn.ts'),
      maxNodes: 50_000,
      timeoutMs: 120_000,
    }).done;
    expect(r.errors).toEqual([]);
    expect(r.snapshots).toHaveLength(1);
    expect(r.snapshots[0].collapsed).toBe(false);
    expect(r.snapshots[0].nodes.length).toBeGreaterThan(9_000);
  }, 180_000);
});
