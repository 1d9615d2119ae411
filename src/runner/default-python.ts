// The interpreter used when none is chosen. Windows installs Python as `python` (and `py`);
// its `python3` is often only the Store's installer stub.
export function defaultPython(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'python' : 'python3';
}
