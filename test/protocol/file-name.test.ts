import { expect, it } from 'vitest';
import { fileNameOf } from '../../src/protocol/file-name';
import { runningText } from '../../src/protocol/graph-view';
import { fileName } from '../../src/protocol/paths';

const PATHS = [
  '/home/me/my work/train.py',
  '/tmp/gradlens-ws-abc/view_loop.ts',
  '/home/me/odd\\name.ts',
  'C:\\Users\\me\\train.py',
  'c:/work/src/net.ts',
  'D:\\mixed/dirs\\model.py',
  '\\\\server\\share\\runs\\loop.ts',
  'train.py',
];

it("names a file as the host's path module does, for POSIX and Windows paths", () => {
  for (const p of PATHS) expect(fileNameOf(p), p).toBe(fileName(p));
  expect(fileNameOf('C:\\Users\\me\\train.py')).toBe('train.py');
  // On POSIX a backslash is part of the name.
  expect(fileNameOf('/home/me/odd\\name.ts')).toBe('odd\\name.ts');
});

it('says a run goes on by the file name alone, as editor tabs do', () => {
  expect(runningText('/tmp/gradlens-ws-abc/view_loop.ts')).toBe('Running view_loop.ts…');
  expect(runningText('C:\\work\\train.py')).toBe('Running train.py…');
});
