// The standalone page's look in VS Code: html.ts's page keeps its own light colours elsewhere
// (a browser, JupyterLab); inside VS Code (the root carries --vscode-* variables) the bar, the
// details and the drawing follow the theme, as the graph view does (media/graph-view.css).

/** Set on the root when the --vscode-* variables are there. */
export const VSCODE_CLASS = 'gl-vscode';

export const THEME_CSS = `
#bar button,#gl-export,#gl-reset{font:inherit;padding:2px 8px;cursor:pointer}
#gl-note{color:#666;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#details .gl-collapse{display:block;margin-top:8px;font:inherit;cursor:pointer}
.gl-group{cursor:zoom-in}
.gl-frame-toggle{cursor:pointer}
.gl-frame-toggle:hover .gl-frame-label{text-decoration:underline}
.gl-message{margin:16px;font:13px ui-monospace,Menlo,Consolas,monospace;color:#a1260d;white-space:pre-wrap}
.${VSCODE_CLASS} body{background:var(--vscode-editor-background);color:var(--vscode-editor-foreground)}
.${VSCODE_CLASS} #bar{background:var(--vscode-sideBar-background,var(--vscode-editor-background));border-bottom-color:var(--vscode-panel-border,var(--vscode-widget-border,transparent))}
.${VSCODE_CLASS} #gl-note{color:var(--vscode-descriptionForeground)}
.${VSCODE_CLASS} #bar input{color:var(--vscode-input-foreground);background:var(--vscode-input-background);border:1px solid var(--vscode-input-border,transparent)}
.${VSCODE_CLASS} #bar button,.${VSCODE_CLASS} #details button{color:var(--vscode-button-secondaryForeground,var(--vscode-button-foreground));background:var(--vscode-button-secondaryBackground,var(--vscode-button-background));border:1px solid var(--vscode-button-border,transparent)}
.${VSCODE_CLASS} #details{background:var(--vscode-editorHoverWidget-background,var(--vscode-editorWidget-background));color:var(--vscode-editorHoverWidget-foreground,var(--vscode-foreground));border-color:var(--vscode-editorHoverWidget-border,var(--vscode-widget-border))}
.${VSCODE_CLASS} .gl-message{color:var(--vscode-errorForeground)}
.${VSCODE_CLASS}{--gl-bg:var(--vscode-editor-background);--gl-fg:var(--vscode-editor-foreground);--gl-box:var(--vscode-editorWidget-background,var(--gl-bg));--gl-border:var(--vscode-contrastBorder,var(--vscode-editorWidget-border,var(--vscode-descriptionForeground)))}
.${VSCODE_CLASS} #canvas svg .gl-bg{fill:var(--gl-bg)}
.${VSCODE_CLASS} #canvas svg .gl-header,.${VSCODE_CLASS} #canvas svg .gl-port-label{fill:var(--vscode-descriptionForeground)}
.${VSCODE_CLASS} #canvas svg .gl-edge{stroke:var(--gl-fg);opacity:.75}
.${VSCODE_CLASS} #canvas svg marker path{fill:var(--gl-fg)}
.${VSCODE_CLASS} #canvas svg .gl-node>rect:first-of-type,.${VSCODE_CLASS} #canvas svg .gl-proxy rect{fill:var(--gl-box);stroke:var(--gl-border)}
.${VSCODE_CLASS} #canvas svg .gl-leaf>rect:first-of-type{fill:color-mix(in srgb,var(--vscode-charts-blue,#3794ff) 28%,var(--gl-bg))}
.${VSCODE_CLASS} #canvas svg .gl-output>rect:first-of-type{fill:color-mix(in srgb,var(--vscode-charts-green,#89d185) 28%,var(--gl-bg))}
.${VSCODE_CLASS} #canvas svg .gl-accumulate>rect:first-of-type{fill:color-mix(in srgb,var(--vscode-descriptionForeground) 18%,var(--gl-bg))}
.${VSCODE_CLASS} #canvas svg .gl-saved>rect:first-of-type{fill:color-mix(in srgb,var(--vscode-charts-orange,#d18616) 28%,var(--gl-bg))}
.${VSCODE_CLASS} #canvas svg .gl-group>rect:first-of-type{fill:color-mix(in srgb,var(--vscode-charts-purple,#b180d7) 22%,var(--gl-bg));stroke:var(--vscode-textLink-foreground)}
.${VSCODE_CLASS} #canvas svg .gl-flagged>rect:first-of-type{fill:color-mix(in srgb,var(--vscode-errorForeground,#f14c4c) 22%,var(--gl-bg));stroke:var(--vscode-errorForeground,#f14c4c)}
.${VSCODE_CLASS} #canvas svg .gl-node text,.${VSCODE_CLASS} #canvas svg .gl-proxy text{fill:var(--gl-fg)}
.${VSCODE_CLASS} #canvas svg .gl-node text.gl-nan{fill:var(--vscode-errorForeground,#f14c4c)}
.${VSCODE_CLASS} #canvas svg .gl-port{fill:var(--gl-fg);stroke:var(--gl-fg)}
.${VSCODE_CLASS} #canvas svg .gl-frame{fill:color-mix(in srgb,var(--vscode-charts-purple,#b180d7) 22%,var(--gl-bg));fill-opacity:.45;stroke:var(--vscode-textLink-foreground)}
.${VSCODE_CLASS} #canvas svg .gl-frame-label{fill:var(--gl-fg);stroke:var(--gl-bg)}
.${VSCODE_CLASS} #canvas svg .gl-chevron{stroke:var(--gl-fg)}
.${VSCODE_CLASS} .gl-node.gl-match>rect:first-of-type,.${VSCODE_CLASS} .gl-node.gl-selected>rect:first-of-type{stroke:var(--vscode-focusBorder);stroke-width:3}
`;

/** A theme message from the frame's parent (the notebook renderer): --vscode-* variables. */
export interface ThemeMessage {
  type: 'gradlens/theme';
  variables: Record<string, string>;
}

/** The message's variables when it is a well-formed theme message, else null. */
export function themeVariables(data: unknown): Record<string, string> | null {
  if (typeof data !== 'object' || data === null) return null;
  const m = data as Record<string, unknown>;
  if (m.type !== 'gradlens/theme' || typeof m.variables !== 'object' || m.variables === null)
    return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.variables as Record<string, unknown>)) {
    if (!k.startsWith('--vscode-') || typeof v !== 'string') return null;
    out[k] = v;
  }
  return out;
}

/** Puts the variables on the root and the theme class with them (none: the page's own look). */
export function applyTheme(root: HTMLElement, variables: Record<string, string>): void {
  for (let i = root.style.length - 1; i >= 0; i--) {
    const name = root.style.item(i);
    if (name.startsWith('--vscode-')) root.style.removeProperty(name);
  }
  for (const [k, v] of Object.entries(variables)) root.style.setProperty(k, v);
  markTheme(root);
}

/** The theme class, when the root carries VS Code's variables. */
export function markTheme(root: HTMLElement): void {
  let any = false;
  for (let i = 0; i < root.style.length && !any; i++)
    any = root.style.item(i).startsWith('--vscode-');
  root.classList.toggle(VSCODE_CLASS, any);
}
