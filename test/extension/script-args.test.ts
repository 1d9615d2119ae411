import { expect, test } from 'vitest';
import { joinArguments, splitArguments } from '../../src/extension/script-args';

test('arguments split as a shell splits plain words and quotes', () => {
  expect(splitArguments('  --steps 1   --name "my run" ')).toEqual([
    '--steps',
    '1',
    '--name',
    'my run',
  ]);
  expect(splitArguments(`--path 'a b'\\ c "q\\"uote" ''`)).toEqual([
    '--path',
    'a b c',
    'q"uote',
    '',
  ]);
  expect(splitArguments('')).toEqual([]);
});

test('joined arguments split back to the same list', () => {
  const args = ['--steps', '1', 'my run', "it's", '', 'a"b'];
  expect(splitArguments(joinArguments(args))).toEqual(args);
});
