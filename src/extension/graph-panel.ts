// The graph view: one webview panel beside the editor, restored after a reload by a serializer
// (the webview keeps its last payload with setState, so restoring needs no re-run).
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import {
  isFromWebview,
  type ExportFormat,
  type FromWebview,
  type GraphPayload,
  runningText,
  type RestoredGraph,
  type ToWebview,
} from '../protocol/graph-view';
import type { GradcheckResult } from '../protocol/gradcheck';
import { assertNever, type GraphSnapshot } from '../protocol/messages';
import { uriPaths } from '../protocol/paths';
import { graphFiles, nodesAtLine, restoredNodes, type LocatedNodes } from './graph-lines';
import { notebookCellDocument } from './notebook/editor';
import { mayReveal } from './reveal-policy';
import { snapshotGzip } from './snapshot-gzip';
import { readSettings } from './runs';
import { ELK_SOURCE_FILE, ELK_SOURCE_META } from '../protocol/elk-source';
import { FAST_WORKER_FILE } from '../protocol/fast-worker-start';
import { webviewHtml, type WebviewHtmlInput } from './webview-html';

/** The page's scripts and stylesheet, written into its HTML. */
type PageAssets = Pick<WebviewHtmlInput, 'headScripts' | 'script' | 'style'>;

export const GRAPH_VIEW_TYPE = 'gradlens.graph';
/** Context key: the paths of the files the graph shown has nodes from (for Reveal in Graph). */
const GRAPH_FILES_KEY = 'gradlens.graphFiles';

export interface GraphPanelHandlers {
  /** The user asked for another captured backward() (toolbar picker). */
  pickBackward(): void;
  showOutput(): void;
  /** Run `file` again (the view's Re-run after a failure). */
  rerun(file: string): void;
  /** Stop the run of `file` going on (the view's Stop while it says the script runs). */
  stopRun(file: string): void;
  /** Run `file` again to capture its backward() #`backward` in full, and show it. */
  captureFull(file: string, backward: number): void;
  /** Check the gradients of the graph shown (`shown`) below `node` with finite differences. */
  gradcheck(shown: GraphPayload | null, node: string | null): Promise<GradcheckResult>;
  log(line: string): void;
  /** The page painted a graph (for the command-to-paint timing). */
  painted?(m: Extract<FromWebview, { type: 'painted' }>): void;
}

export class GraphPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  /**
   * The page was just given its HTML and not hidden since: messages go to it at once, without
   * waiting for its 'ready' (VS Code holds them until its document is written, and its head
   * keeps them until its script listens: src/protocol/early-messages.ts).
   */
  private fresh = false;
  /** When this extension created the panel, until its page first said 'ready' (for the Output's timing). */
  private createdAt: number | null = null;
  private pending: ToWebview[] = [];
  /**
   * What the view shows: a graph or a failed run. A page rebuilt after its tab was hidden
   * restores small graphs from its saved state but not big ones (see KEEP_MAX_NODES in the
   * page) nor failures: those are sent again.
   */
  private last: GraphPayload | Extract<ToWebview, { type: 'graph/failed' }> | null = null;
  /** The graph a page restored after a window reload, while no graph was sent since. */
  private restored: RestoredGraph | null = null;
  /** The run going on since the last graph or failure: a page rebuilt meanwhile must say so too. */
  private running: Extract<ToWebview, { type: 'graph/running' }> | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private assets: PageAssets | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: GraphPanelHandlers,
  ) {
    this.disposables.push(
      vscode.commands.registerCommand(
        'gradlens.revealInGraph',
        (target?: unknown, line?: unknown) => this.revealInGraph(target, line),
      ),
      // The graph on screen stands the other way at once: it is laid out again.
      vscode.workspace.onDidChangeConfiguration((e) => {
        const last = this.last;
        if (
          e.affectsConfiguration('gradlens.graph.direction') &&
          last !== null &&
          !('type' in last)
        )
          this.post(showMessage({ ...last, requestedAt: undefined }));
      }),
      vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
        deserializeWebviewPanel: (panel) => {
          this.adopt(panel);
          return Promise.resolve();
        },
      }),
    );
  }

  /** Shows a graph, creating the panel beside the active editor if needed. */
  show(payload: GraphPayload): void {
    this.ensurePanel();
    this.setLast(payload);
    this.post(
      showMessage(payload.requestedAt === undefined ? payload : { ...payload, sentAt: Date.now() }),
    );
  }

  /**
   * Opens the view as a run starts, so its page and layout worker load while the script runs
   * rather than after it: the first graph of a window paints that much sooner. True when the
   * page shows the run in place of a graph, with its Stop; false when a graph stays on screen
   * and only its footer says that the run goes on.
   */
  showRunning(file: string): boolean {
    this.running = { type: 'graph/running', file };
    this.ensurePanel();
    this.post(this.running);
    const graphShown = (this.last !== null && !('type' in this.last)) || this.restored !== null;
    return !graphShown;
  }

  /** A run of `file` gave no graph: the view says why, in place of the graph. */
  showFailure(file: string, message: string): void {
    if (this.panel === undefined) return;
    const failed = { type: 'graph/failed', file, message } as const;
    this.setLast(failed);
    this.post(failed);
  }

  /** What the view shows (no run goes on then); the editors of the graph's files offer Reveal in Graph. */
  private setLast(last: typeof this.last): void {
    this.last = last;
    this.restored = null;
    this.running = null;
    this.offerReveal();
  }

  /** The graph shown, as Reveal in Graph reads it: the last one sent, or one a reloaded page restored. */
  private shown(): { file: string; title: string; nodes: LocatedNodes } | null {
    if (this.last !== null && !('type' in this.last))
      return { ...this.last, nodes: this.last.snapshot as GraphSnapshot };
    if (this.restored !== null) return { ...this.restored, nodes: restoredNodes(this.restored) };
    return null;
  }

  /** The editors of the graph's files offer Reveal in Graph. */
  private offerReveal(): void {
    const shown = this.shown();
    const files =
      shown === null ? [] : graphFiles(shown.file, shown.nodes).flatMap((f) => uriPaths(f));
    void vscode.commands.executeCommand('setContext', GRAPH_FILES_KEY, files);
  }

  /**
   * Reveal in Graph: selects and centres the nodes of the graph shown that a source line
   * created. `target` is a file (the editor's context menu), a path with a 1-based `line`
   * (the hover's link), or nothing (the active editor's cursor).
   */
  private revealInGraph(target: unknown, line: unknown): void {
    const editor = vscode.window.activeTextEditor;
    let file: string | undefined;
    let at: number | undefined;
    if (typeof target === 'string' && typeof line === 'number' && Number.isInteger(line)) {
      file = target;
      at = line;
    } else if (editor !== undefined) {
      file = target instanceof vscode.Uri ? target.fsPath : editor.document.uri.fsPath;
      at = editor.selection.active.line + 1;
    }
    const shown = this.panel === undefined ? null : this.shown();
    if (file === undefined || at === undefined || shown === null || this.panel === undefined) {
      void this.offerToRun(file);
      return;
    }
    const ids = nodesAtLine(shown.nodes, file, at);
    if (ids.length === 0) {
      void vscode.window.showInformationMessage(
        `Gradlens: line ${String(at)} created no node of the graph shown (${shown.title}).`,
      );
      return;
    }
    this.panel.reveal(undefined, true);
    this.post({ type: 'graph/select', ids });
  }

  /** No graph to reveal in: say so, with the run that makes one a click away. */
  private async offerToRun(file: string | undefined): Promise<void> {
    const run = 'Visualize Graph';
    const choice = await vscode.window.showInformationMessage(
      'Gradlens: no graph is shown. Run Gradlens: Visualize Graph first.',
      run,
    );
    if (choice === run)
      await vscode.commands.executeCommand(
        'gradlens.visualize',
        file === undefined ? undefined : vscode.Uri.file(file),
      );
  }

  private mayReveal(file: string): boolean {
    const shown = this.last !== null && !('type' in this.last) ? this.last : null;
    return mayReveal(file, {
      script: this.last?.file ?? null,
      // The host built this payload from a validated snapshot; only the page sees it as unknown.
      snapshot: (shown?.snapshot as GraphSnapshot | undefined) ?? null,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    });
  }

  requestExport(format: ExportFormat): void {
    if (this.panel !== undefined) this.post({ type: 'export/request', format });
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  private ensurePanel(): void {
    if (this.panel !== undefined) {
      this.panel.reveal(undefined, true);
      return;
    }
    this.createdAt = Date.now();
    const panel = vscode.window.createWebviewPanel(
      GRAPH_VIEW_TYPE,
      'Gradlens Graph',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      this.webviewOptions(),
    );
    this.adopt(panel);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel?.dispose();
    this.panel = panel;
    this.ready = false;
    this.fresh = true;
    panel.webview.options = this.webviewOptions();
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'gradlens.svg');
    const asUri = (...p: string[]) =>
      panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, ...p)).toString();
    panel.webview.html = webviewHtml('graph', {
      cspSource: panel.webview.cspSource,
      ...this.pageAssets(),
      lateScripts: [{ name: ELK_SOURCE_META, uri: asUri('dist', 'webview', ELK_SOURCE_FILE) }],
      ...(this.running === null ? {} : { placeholder: runningText(this.running.file) }),
    });
    const subs: vscode.Disposable[] = [];
    subs.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromWebview(m)) void this.onMessage(m);
      }),
      // A hidden webview's page is torn down (no retainContextWhenHidden) and messages posted to
      // it are lost: queue them until the page says 'ready' again after it is shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible && this.panel === panel) this.ready = this.fresh = false;
      }),
      panel.onDidDispose(() => {
        for (const s of subs) s.dispose();
        if (this.panel === panel) {
          this.panel = undefined;
          this.pending = [];
          this.setLast(null);
        }
      }),
    );
  }

  /**
   * The page's scripts and stylesheet, written into its HTML: fetched, they reached a window's
   * first page 0.4-1.4 s after its document (README, "First graph of a window"). Read once.
   */
  private pageAssets(): PageAssets {
    const read = (...p: string[]): string =>
      readFileSync(vscode.Uri.joinPath(this.extensionUri, ...p).fsPath, 'utf8');
    this.assets ??= {
      headScripts: [{ text: read('dist', 'webview', FAST_WORKER_FILE) }],
      script: { text: read('dist', 'webview', 'graph-view.js') },
      style: { text: read('media', 'graph-view.css') },
    };
    return this.assets;
  }

  private post(m: ToWebview): void {
    if (this.panel === undefined) return;
    if (!this.ready && !this.fresh) {
      // The page has not loaded yet; it says 'ready' when its listener is installed.
      if (m.type === 'graph/show' || m.type === 'graph/failed')
        this.pending = this.pending.filter(
          (p) => p.type !== 'graph/show' && p.type !== 'graph/failed',
        );
      this.pending.push(m);
      return;
    }
    void this.panel.webview.postMessage(m);
  }

  private async onMessage(m: FromWebview): Promise<void> {
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        if (this.createdAt !== null)
          this.handlers.log(
            `[gradlens] graph view page ready ${Date.now() - this.createdAt} ms after the view was opened`,
          );
        this.createdAt = null;
        const queued = this.pending;
        this.pending = [];
        // A fresh page already has every message sent since its HTML was set.
        if (this.fresh) {
          this.fresh = false;
          for (const q of queued) this.post(q);
          return;
        }
        if (
          !m.restoredGraph &&
          this.last !== null &&
          !queued.some((q) => q.type === 'graph/show' || q.type === 'graph/failed')
        ) {
          // No command asked for it this time: no command-to-paint time either.
          this.post(
            'type' in this.last ? this.last : showMessage({ ...this.last, requestedAt: undefined }),
          );
        }
        for (const q of queued) this.post(q);
        if (this.running !== null && !queued.includes(this.running)) this.post(this.running);
        return;
      }
      case 'restored':
        // Only a graph the host knows nothing of (the window was reloaded) is taken from the page.
        if (this.last === null) {
          this.restored = m.graph;
          this.offerReveal();
        }
        return;
      case 'reveal':
        if (this.mayReveal(m.file)) await revealLine(m.file, m.line, m.column, m.cell);
        else
          this.handlers.log(
            `[gradlens] the graph view asked to open ${m.file}, which is not a file of the shown run or the workspace: refused`,
          );
        return;
      case 'export':
        await saveExport(m.format, m.data);
        return;
      case 'pickBackward':
        this.handlers.pickBackward();
        return;
      case 'showOutput':
        this.handlers.showOutput();
        return;
      case 'rerun':
        this.handlers.rerun(m.file);
        return;
      case 'stopRun':
        this.handlers.stopRun(m.file);
        return;
      case 'captureFull':
        this.handlers.captureFull(m.file, m.backward);
        return;
      case 'gradcheck': {
        const shown = this.last !== null && !('type' in this.last) ? this.last : null;
        const result = await this.handlers.gradcheck(shown, m.node);
        // A result for a graph no longer shown is dropped.
        if (this.last === shown) this.post({ type: 'graph/gradcheck', result });
        return;
      }
      case 'painted':
        this.handlers.painted?.(m);
        // The page's footer then shows the graph's figures: a graph drawn again while a run
        // goes on (the page was rebuilt) must still say that it runs.
        if (this.running !== null) this.post(this.running);
        return;
      case 'error':
        this.handlers.log(`graph view: ${m.message}`);
        return;
      default:
        assertNever(m, 'graph view message');
    }
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

async function revealLine(
  file: string,
  line: number,
  column: number,
  cell?: number,
): Promise<void> {
  // A notebook's node: the line of its cell, in the notebook editor.
  const doc =
    cell === undefined
      ? await vscode.workspace.openTextDocument(vscode.Uri.file(file))
      : await notebookCellDocument(file, cell);
  const pos = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  const editor = await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.One,
    selection: new vscode.Range(pos, pos),
  });
  editor.revealRange(
    new vscode.Range(pos, pos),
    vscode.TextEditorRevealType.InCenterIfOutsideViewport,
  );
}

const EXPORT_FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  svg: { 'SVG image': ['svg'] },
  png: { 'PNG image': ['png'] },
  dot: { 'Graphviz DOT': ['dot', 'gv'] },
};

async function saveExport(format: ExportFormat, data: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const defaultUri = folder ? vscode.Uri.joinPath(folder, `autograd-graph.${format}`) : undefined;
  const target = await vscode.window.showSaveDialog({
    defaultUri,
    filters: EXPORT_FILTERS[format],
  });
  if (target === undefined) return;
  // PNG travels as a data: URL (binary cannot cross postMessage as text otherwise).
  const bytes =
    format === 'png'
      ? Buffer.from(data.slice(data.indexOf(',') + 1), 'base64')
      : Buffer.from(data, 'utf8');
  await vscode.workspace.fs.writeFile(target, bytes);
  void vscode.window.showInformationMessage(
    `Gradlens: saved ${vscode.workspace.asRelativePath(target)}`,
  );
}

/** The snapshot travels as gzipped JSON bytes (see snapshotGzip and readGzipJson). */
function showMessage(payload: GraphPayload): ToWebview {
  const { snapshot, ...rest } = payload;
  return {
    type: 'graph/show',
    payload: { ...rest, direction: readSettings().graphDirection },
    snapshotGzip: snapshotGzip(snapshot as GraphSnapshot),
  };
}
