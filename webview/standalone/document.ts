// The standalone graph page as one HTML document: the snapshot and the page script inline, so
// it opens anywhere (a notebook output's frame, JupyterLab, Colab, a file in a browser).
// python/gradlens/show.py writes the same document with the snapshot gzipped.

import type { GraphDirection } from '../../src/graph/direction';

/** The id of the element holding the snapshot (JSON, or base64 of gzipped JSON). */
export const SNAPSHOT_ELEMENT = 'gl-snapshot';

export interface DocumentOptions {
  title: string;
  /** CSS declarations for the root element: the theme's --vscode-* variables, when known. */
  rootStyle?: string;
  /** The graph's vertical direction (the gradlens.graph.direction setting), when known. */
  direction?: GraphDirection;
}

/**
 * @example
 * frame.srcdoc = standaloneDocument(JSON.stringify(snapshot), pageSource, { title: 'P' });
 */
export function standaloneDocument(
  snapshotJson: string,
  pageScript: string,
  options: DocumentOptions,
): string {
  const style = options.rootStyle ? ` style="${escapeHtml(options.rootStyle)}"` : '';
  const direction = options.direction ? ` data-direction="${options.direction}"` : '';
  return `<!DOCTYPE html>
<html lang="en"${style}${direction}><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title></head>
<body>
<script type="application/json" id="${SNAPSHOT_ELEMENT}">${inScript(snapshotJson)}</script>
<script>${inScript(pageScript)}</script>
</body></html>
`;
}

/** Text that cannot end the script element it sits in. */
function inScript(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
