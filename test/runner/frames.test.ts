// The channel's framing on its own: frames split anywhere, garbage around them, lines over the
// limit, and a stream that ends mid-frame.
import { describe, expect, it } from 'vitest';
import { FrameReader, encodeFrame, type FrameProblem } from '../../src/protocol/frames';

function read(
  chunks: (string | Buffer)[],
  max?: number,
): { frames: unknown[]; problems: FrameProblem[] } {
  const frames: unknown[] = [];
  const problems: FrameProblem[] = [];
  const r = new FrameReader(
    { frame: (v) => frames.push(v), problem: (p) => problems.push(p) },
    max,
  );
  for (const c of chunks) r.push(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  r.end();
  return { frames, problems };
}

describe('FrameReader', () => {
  it('reads frames split at every byte', () => {
    const bytes = Buffer.concat([encodeFrame({ a: 1, s: 'é\n"x"' }), encodeFrame([1, 2])]);
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(read(chunks)).toEqual({ frames: [{ a: 1, s: 'é\n"x"' }, [1, 2]], problems: [] });
  });

  it('skips garbage before a frame on the same line, and lines without a frame', () => {
    const r = read(['junk', encodeFrame({ ok: true }), 'more junk\n', encodeFrame(2)]);
    expect(r.frames).toEqual([{ ok: true }, 2]);
    expect(r.problems.map((p) => [p.kind, p.bytes])).toEqual([
      ['garbage', 4],
      ['garbage', 9],
    ]);
  });

  it('reports a frame that is not JSON and goes on', () => {
    const r = read(['\x1eGL1 {"type":\n', encodeFrame('next')]);
    expect(r.frames).toEqual(['next']);
    expect(r.problems[0].kind).toBe('json');
  });

  it('drops a line over the limit without keeping it, then reads the next frame', () => {
    const r = read(['\x1eGL1 "', 'x'.repeat(50), 'y'.repeat(50), '"\n', encodeFrame('after')], 64);
    expect(r.frames).toEqual(['after']);
    expect(r.problems).toEqual([{ kind: 'oversize', bytes: 107 }]);
  });

  it('says when the stream ends inside a frame', () => {
    expect(read(['\x1eGL1 {"a"']).problems).toEqual([{ kind: 'truncated', bytes: 9 }]);
  });
});
