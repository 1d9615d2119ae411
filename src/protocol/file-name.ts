// A script's file name as editor tabs show it, for the webviews too, which cannot use Node's
// path module (src/protocol/paths.ts serves host, runner and CLI). A Windows path (drive letter
// or `\\server\`) ends at either separator; a POSIX one only at `/`, as `\` may be part of a name.
const WINDOWS_ROOT = /^(?:[A-Za-z]:[\\/]|\\\\)/;

/** `train.py` of `/work/train.py` and of `C:\work\train.py`. */
export function fileNameOf(file: string): string {
  const end = WINDOWS_ROOT.test(file)
    ? Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'))
    : file.lastIndexOf('/');
  return file.slice(end + 1);
}
