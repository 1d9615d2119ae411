// The extension host's warm-up of a graph's read: its snapshot must take the path a run's
// takes (a frame read, checked field by field and copied for the view), or it warms nothing.
import { expect, it } from 'vitest';
import { encodeFrame } from '../../src/protocol/frames';
import { validateSnapshot } from '../../src/protocol/messages';
import { readGraphFrame, warmGraphRead, warmSnapshot } from '../../src/extension/warm-graph-read';

it('reads its own snapshot as a run snapshot: valid, with every edge inside it', () => {
  const snapshot = warmSnapshot(500);
  expect(validateSnapshot(JSON.parse(JSON.stringify(snapshot)))).toEqual(snapshot);
  const functions = snapshot.nodes.filter((n) => n.kind === 'function');
  expect(functions.length).toBeGreaterThanOrEqual(500);
  // Edges reach back through the steps, as a recurrent net's do.
  expect(functions.at(-1)!.id).toBe(`n${functions.length - 1}`);
  expect(functions[0].next).toEqual([
    { id: 'n12', inputNr: 0 },
    { id: 'n1', inputNr: 0 },
  ]);
  expect(readGraphFrame(encodeFrame({ type: 'graph/snapshot', snapshot }))).toBeGreaterThan(1000);
});

it('says when a frame does not read as a snapshot', () => {
  const done = encodeFrame({ type: 'run/done', backwardCount: 1, durationMs: 5 });
  expect(() => readGraphFrame(done)).toThrow('warm-up frame: read as run/done');
});

it('stops before its next snapshot once a run has begun', async () => {
  let asked = 0;
  await warmGraphRead(() => ++asked > 1);
  expect(asked).toBe(2);
  let runs = 0;
  await warmGraphRead(() => (runs++, false));
  expect(runs).toBe(4);
});
