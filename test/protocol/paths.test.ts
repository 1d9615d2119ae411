import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  fileName,
  fileUrlToPath,
  flavourOf,
  isAbsolutePath,
  isInside,
  pathKey,
  samePath,
  uriPaths,
  type PathFlavour,
} from '../../src/protocol/paths';

it('tells a path its flavour from its root', () => {
  expect(flavourOf('C:\\Users\\me\\train.py')).toBe('win32');
  expect(flavourOf('d:/work/a.ts')).toBe('win32');
  expect(flavourOf('\\\\server\\share\\a.ts')).toBe('win32');
  expect(flavourOf('/home/me/train.py')).toBe('posix');
  expect(flavourOf('relative\\a.ts')).toBe('posix');
});

// The same rules through Node's own two path modules: what each says is a path of its kind.
describe.each([
  { flavour: 'posix', p: path.posix, root: '/home/me/my work' },
  { flavour: 'win32', p: path.win32, root: 'C:\\Users\\me\\my work' },
] satisfies { flavour: PathFlavour; p: path.PlatformPath; root: string }[])(
  '$flavour paths',
  ({ flavour, p, root }) => {
    const script = p.join(root, 'src', 'train.ts');

    it('are absolute when rooted', () => {
      expect(isAbsolutePath(script, flavour)).toBe(true);
      expect(isAbsolutePath(p.join('src', 'train.ts'), flavour)).toBe(false);
    });

    it('are the same file through . and .. segments', () => {
      expect(samePath(p.join(root, 'lib', '..', 'src', '.', 'train.ts'), script, flavour)).toBe(
        true,
      );
      expect(samePath(p.join(root, 'src', 'other.ts'), script, flavour)).toBe(false);
    });

    it('are inside a folder only below it', () => {
      expect(isInside(script, root, flavour)).toBe(true);
      expect(isInside(root, root, flavour)).toBe(false);
      expect(isInside(p.join(root, '..', 'elsewhere.ts'), root, flavour)).toBe(false);
      expect(isInside(`${root}2${p.sep}a.ts`, root, flavour)).toBe(false);
      expect(isInside(p.join(root, '..foo', 'a.ts'), p.join(root), flavour)).toBe(true);
    });

    it('name their file', () => {
      expect(fileName(script, flavour)).toBe('train.ts');
    });
  },
);

it('compares Windows paths without case or separator differences, POSIX ones exactly', () => {
  expect(samePath('C:\\Users\\Me\\My Work\\a.ts', 'c:/users/me/my work/A.ts')).toBe(true);
  expect(pathKey('c:\\A\\b.ts')).toBe(pathKey('C:/a/B.ts'));
  expect(samePath('/home/me/A.ts', '/home/me/a.ts')).toBe(false);
  expect(isInside('c:\\Users\\me\\ws\\a.ts', 'C:\\Users\\me\\WS')).toBe(true);
  expect(isInside('D:\\ws\\a.ts', 'C:\\ws')).toBe(false);
});

it('turns file URLs into paths of their own flavour', () => {
  expect(fileUrlToPath('file:///C:/Users/me/my%20work/a.ts')).toBe('C:\\Users\\me\\my work\\a.ts');
  expect(fileUrlToPath('file:///c:/a.ts')).toBe('c:\\a.ts');
  expect(fileUrlToPath('file:///home/me/my%20work/a.ts')).toBe('/home/me/my work/a.ts');
});

it('gives the URI paths VS Code may give a file, drive letters in either case', () => {
  expect(uriPaths('C:\\Users\\me\\my work\\a.ts')).toEqual([
    '/C:/Users/me/my work/a.ts',
    '/c:/Users/me/my work/a.ts',
  ]);
  expect(uriPaths('\\\\server\\share\\a.ts')).toEqual(['/share/a.ts']);
  expect(uriPaths('/home/me/a.ts')).toEqual(['/home/me/a.ts']);
});
