import { describe, expect, it } from 'vitest';
import { countText } from '../../src/graph/count-text';

describe('countText', () => {
  it("writes counts as toLocaleString('en-US') does", () => {
    for (const n of [0, 7, 999, 1000, 9600, 12345, 1_000_000, 123_456_789])
      expect(countText(n)).toBe(n.toLocaleString('en-US'));
    expect(countText(9600)).toBe('9,600');
  });
});
