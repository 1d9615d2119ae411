// Messages the host posts to a page that has not loaded its script yet. VS Code holds them
// until the page's document is written, then delivers them once it has loaded or 200 ms after
// the write, whichever comes first: with a script that takes longer to arrive, they come before
// its listener. A few lines inline in the page's head keep them until the script takes them, so
// the host sends a run's graph without waiting for the page's 'ready'.
// No DOM, no `vscode`: the host and the page import it.

/** The global holding the messages that came before the page's script, until it takes them. */
export const EARLY_MESSAGES_GLOBAL = 'gradlensEarlyMessages';

/** The inline script (fixed text, run with the page's nonce) that keeps them. */
export const EARLY_MESSAGES_SCRIPT =
  `window.${EARLY_MESSAGES_GLOBAL}=[];` +
  `addEventListener('message',function(e){var q=window.${EARLY_MESSAGES_GLOBAL};if(q)q.push(e.data)});`;
