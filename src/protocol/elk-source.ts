// Where the graph view finds the source of its ELK layout worker: a script of its own (see
// webview/build.mjs), which the page loads itself once a first graph is on screen, so that
// neither the page's start nor the run shares the CPU with it.
// No DOM, no `vscode`: the host and the page import it.

/** The file in dist/webview that sets ELK_SOURCE_GLOBAL to the worker's bundled source. */
export const ELK_SOURCE_FILE = 'graph-elk-worker.js';
/** The name of the page's meta element that holds its webview URI. */
export const ELK_SOURCE_META = 'gradlens-elk-worker-source';
/** The global it sets. */
export const ELK_SOURCE_GLOBAL = 'gradlensElkWorkerSource';
