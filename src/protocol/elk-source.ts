// Where the graph view finds the source of its ELK layout worker: a script of its own, loaded
// beside the page's (see webview/build.mjs), so the page starts without parsing it first.
// No DOM, no `vscode`: the host and the page import it.

/** The file in dist/webview that sets ELK_SOURCE_GLOBAL to the worker's bundled source. */
export const ELK_SOURCE_FILE = 'graph-elk-worker.js';
/** The id of the page's script element that loads it. */
export const ELK_SOURCE_SCRIPT_ID = 'elk-worker-source';
/** The global it sets. */
export const ELK_SOURCE_GLOBAL = 'gradlensElkWorkerSource';
