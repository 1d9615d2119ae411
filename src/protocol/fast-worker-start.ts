// Where the graph view's layout worker without ELK comes from: a script of its own (see
// webview/build.mjs) that the host writes into the page's head, before the page's script,
// which starts the worker from a Blob of its source and leaves it in a global. The worker
// boots while the page's script is parsed: a window's first graph reaches the page as its
// script starts (src/protocol/early-messages.ts), and its layout no longer waits for that boot.
// No DOM, no `vscode`: the host and the page import it.

/** The file in dist/webview that starts the worker and sets FAST_WORKER_GLOBAL to it. */
export const FAST_WORKER_FILE = 'graph-fast-worker.js';
/** The global it sets. */
export const FAST_WORKER_GLOBAL = 'gradlensFastWorker';
/**
 * The global holding its starter of more such workers: a cancelled layout ends the worker,
 * and the page's script has no source of its own to start the next one from.
 */
export const FAST_WORKER_START_GLOBAL = 'gradlensStartFastWorker';
