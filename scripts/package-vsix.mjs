// Packages the extension with its production dependencies into a .vsix for this machine's
// platform: esbuild, which the runner loads at run time to transpile user scripts, ships a
// native binary, so the package says which platform it is for (`vsce --target`) and VS Code
// refuses it elsewhere instead of failing at the first run. scripts/package-all.mjs packages
// every other platform too.
// Usage: node scripts/package-vsix.mjs [out.vsix]   (used by `npm run package`, `npm start`, the e2e setup)
import { ROOT, runVsce } from './package-vsce.mjs';

/** VS Code's target names are Node's platform and arch joined (linux-x64, darwin-arm64, win32-x64, ...). */
await runVsce(ROOT, `${process.platform}-${process.arch}`, process.argv[2]);
