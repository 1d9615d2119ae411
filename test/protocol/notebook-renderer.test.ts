// The renderer and the host check each other's messages: only a well-formed direction answer
// changes how saved graph outputs stand, and only a request gets one.
import { describe, expect, it } from 'vitest';
import { directionIn, isDirectionRequest } from '../../src/protocol/notebook-renderer';

describe('notebook renderer messages', () => {
  it('reads the direction of a direction message', () => {
    expect(directionIn({ type: 'gradlens/direction', direction: 'root-top' })).toBe('root-top');
    expect(directionIn({ type: 'gradlens/direction', direction: 'leaves-top' })).toBe('leaves-top');
  });

  it.each([
    null,
    'root-top',
    {},
    { type: 'gradlens/direction' },
    { type: 'gradlens/direction', direction: 'sideways' },
    { type: 'gradlens/direction', direction: 1 },
    { type: 'gradlens/theme', direction: 'root-top' },
  ])('ignores %j', (m) => {
    expect(directionIn(m)).toBeNull();
  });

  it('answers only a direction request', () => {
    expect(isDirectionRequest({ type: 'gradlens/direction?' })).toBe(true);
    expect(isDirectionRequest({ type: 'gradlens/direction' })).toBe(false);
    expect(isDirectionRequest(null)).toBe(false);
    expect(isDirectionRequest('gradlens/direction?')).toBe(false);
  });
});
