// The monitor page's HTML shell: CSP with a nonce, one bundled script, one stylesheet. Kept
// free of `vscode` so its security properties are unit-tested without VS Code.
import { contentSecurityPolicy, escapeAttr, makeNonce } from '../webview-html';

export interface MonitorHtmlInput {
  /** `webview.cspSource`: the origin VS Code serves local resources from. */
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  /** Fixed only in tests; a fresh random nonce otherwise. */
  readonly nonce?: string;
}

/** The shared CSP without workers; uPlot sets element styles through CSSOM, which CSP allows. */
export function monitorCsp(cspSource: string, nonce: string): string {
  return contentSecurityPolicy(cspSource, nonce, false);
}

export function monitorHtml(input: MonitorHtmlInput): string {
  const nonce = input.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(monitorCsp(input.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(input.styleUri)}">
<title>Training Monitor</title>
</head>
<body>
<div id="monitor" data-gradlens="monitor" data-status="idle" data-rows="0"><p class="empty">Run a script that calls <code>backward()</code> on a loss to see its training here.</p></div>
<script nonce="${nonce}" src="${escapeAttr(input.scriptUri)}"></script>
</body>
</html>`;
}
