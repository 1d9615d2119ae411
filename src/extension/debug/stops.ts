// Follows gradlens debug sessions: at every stop, reads the tensors in scope from the paused
// process through the debug adapter (stackTrace, scopes, variables, then one `evaluate` of
// the inspection API; for Python, stackTrace and one `evaluate` of gradlens.inspect) and
// updates the graph view. The inline values and hover providers ask
// this class for the inspection of the frame they are shown for.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { GraphPayload } from '../../protocol/graph-view';
import { parseInspection, type Inspection } from '../../runner/debug/protocol';
import { GRADLENS_FLAG } from './config';
import { inspectExpression, type ScopeVariable } from './expressions';
import { changeText, diffInspections } from './present';
import {
  PYTHON_EVALUATE_OPTIONS,
  PYTHON_INSPECT_EXPRESSION,
  isPythonDebugType,
} from './python-config';

export interface DebugStopsDeps {
  showGraph(payload: GraphPayload): void;
  log(line: string): void;
}

/** One stop of one thread: inspections are cached per frame until the thread runs again. */
export interface Stop {
  readonly session: vscode.DebugSession;
  readonly threadId: number;
  readonly n: number;
  /** performance.now() when the adapter reported the stop. */
  readonly at: number;
  readonly frames: Map<number, Promise<Inspection | null>>;
  topFrame?: { id: number; file: string | null; line: number };
  /** Resolved inspection of the top frame, for providers that must not wait. */
  top?: Inspection | null;
}

interface DapStackFrame {
  id: number;
  line: number;
  source?: { path?: string };
}
interface DapScope {
  name: string;
  variablesReference: number;
  expensive?: boolean;
  presentationHint?: string;
}

/** A frame's source path; remote hosts (code-server) report it as a URI. */
function framePath(p: string | undefined): string | null {
  if (p === undefined) return null;
  return /^[a-z][\w+.-]+:\/\//i.test(p) ? vscode.Uri.parse(p).fsPath : p;
}

export function isGradlensSession(s: vscode.DebugSession | undefined): boolean {
  for (let x = s; x !== undefined; x = x.parentSession)
    if ((x.configuration as Record<string, unknown>)[GRADLENS_FLAG] === true) return true;
  return false;
}

export class DebugStops implements vscode.Disposable {
  private current: Stop | null = null;
  private count = 0;
  private last = new Map<string, Inspection>();
  private readonly changed = new vscode.EventEmitter<Stop | null>();
  /** Fires when a stop's top inspection is in, and with null when the program runs again. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly deps: DebugStopsDeps) {}

  get stop(): Stop | null {
    return this.current;
  }

  /** The debug adapter reported `stopped` for a gradlens session. */
  onStopped(session: vscode.DebugSession, threadId: number): void {
    const stop: Stop = {
      session,
      threadId,
      n: ++this.count,
      at: performance.now(),
      frames: new Map(),
    };
    this.current = stop;
    void this.refresh(stop).catch((e: unknown) =>
      this.deps.log(`debug: inspecting stop ${stop.n} failed: ${(e as Error).message}`),
    );
  }

  onContinued(session: vscode.DebugSession): void {
    if (this.current?.session.id !== session.id) return;
    this.current = null;
    this.changed.fire(null);
  }

  onEnded(session: vscode.DebugSession): void {
    this.last.delete(session.id);
    this.onContinued(session);
  }

  /** The inspection of a frame of the current stop (cached; the process is paused). */
  inspectFrame(stop: Stop, frameId: number): Promise<Inspection | null> {
    let p = stop.frames.get(frameId);
    if (p === undefined) {
      p = this.inspect(stop.session, frameId);
      stop.frames.set(frameId, p);
    }
    return p;
  }

  /** Another frame was picked in the Call Stack view: show its graph. */
  async showFrame(session: vscode.DebugSession, frameId: number): Promise<void> {
    const stop = this.current;
    if (stop === null || stop.session.id !== session.id || stop.topFrame?.id === frameId) return;
    const inspection = await this.inspectFrame(stop, frameId);
    if (inspection !== null && this.current === stop)
      this.publish(stop, inspection, stop.topFrame?.file ?? null, null, false);
  }

  private async refresh(stop: Stop): Promise<void> {
    const t0 = performance.now();
    const trace = (await stop.session.customRequest('stackTrace', {
      threadId: stop.threadId,
      startFrame: 0,
      levels: 1,
    })) as { stackFrames: DapStackFrame[] };
    const frame = trace.stackFrames.at(0);
    if (frame === undefined || this.current !== stop) return;
    stop.topFrame = { id: frame.id, file: framePath(frame.source?.path), line: frame.line };
    this.deps.log(
      `debug: stop ${stop.n}: stackTrace ${(performance.now() - t0).toFixed(0)} ms (stop reported ${(t0 - stop.at).toFixed(0)} ms ago)`,
    );
    const inspection = await this.inspectFrame(stop, frame.id);
    stop.top = inspection;
    if (this.current !== stop) return;
    if (inspection !== null) this.publish(stop, inspection, stop.topFrame.file, frame.line, true);
    this.changed.fire(stop);
  }

  private publish(
    stop: Stop,
    inspection: Inspection,
    file: string | null,
    line: number | null,
    top: boolean,
  ): void {
    const prev = this.last.get(stop.session.id) ?? null;
    const change = diffInspections(prev, inspection);
    if (top) this.last.set(stop.session.id, inspection);
    const where =
      file === null ? 'paused' : `${path.basename(file)}${line === null ? '' : `:${line}`}`;
    const what =
      inspection.graph === null
        ? 'no tensor in scope has autograd history'
        : changeText(change, prev === null);
    this.deps.showGraph({
      title: `${where}: debug stop ${stop.n} (${what})`,
      file: file ?? '',
      index: 0,
      count: 1,
      source: { kind: 'debug', stop: stop.n },
      snapshot: inspection.graph,
    });
    this.deps.log(
      `debug: stop ${stop.n} at ${where}: ${inspection.tensors.length} tensors, ${inspection.graph?.nodes.length ?? 0} graph nodes, graph posted ${(performance.now() - stop.at).toFixed(0)} ms after the stop${inspection.truncated ? ' (limits cut the answer short)' : ''}`,
    );
  }

  private inspect(session: vscode.DebugSession, frameId: number): Promise<Inspection | null> {
    return isPythonDebugType(session.type)
      ? this.inspectPython(session, frameId)
      : this.inspectScript(session, frameId);
  }

  /** One evaluate: the helper in the debuggee finds the frame's tensors itself, without repr(). */
  private async inspectPython(
    session: vscode.DebugSession,
    frameId: number,
  ): Promise<Inspection | null> {
    const t0 = performance.now();
    const r = (await session.customRequest('evaluate', {
      expression: PYTHON_INSPECT_EXPRESSION,
      frameId,
      ...PYTHON_EVALUATE_OPTIONS,
    })) as { result: string };
    const t1 = performance.now();
    const parsed = r.result === 'null' ? null : parseInspection(r.result);
    this.deps.log(
      `debug: frame ${frameId}: evaluate ${(t1 - t0).toFixed(0)} ms (${r.result.length} chars), parse ${(performance.now() - t1).toFixed(0)} ms`,
    );
    return parsed;
  }

  private async inspectScript(
    session: vscode.DebugSession,
    frameId: number,
  ): Promise<Inspection | null> {
    const t0 = performance.now();
    const { scopes } = (await session.customRequest('scopes', { frameId })) as {
      scopes: DapScope[];
    };
    // The global scope is large and holds no user tensors worth a look per stop.
    const wanted = scopes.filter(
      (s) => s.expensive !== true && !/^global$/i.test(s.name) && s.variablesReference !== 0,
    );
    const lists = await Promise.all(
      wanted.map(
        (s) =>
          session.customRequest('variables', {
            variablesReference: s.variablesReference,
          }) as Thenable<{ variables: ScopeVariable[] }>,
      ),
    );
    const vars = lists.flatMap((r) => r.variables);
    const t1 = performance.now();
    const expression = inspectExpression(vars);
    // `copy` hands strings back whole and without side-effect restrictions on the call.
    const r = (await session.customRequest('evaluate', {
      expression,
      frameId,
      context: 'copy',
    })) as { result: string };
    let text = r.result;
    if (text.startsWith('"') || text.startsWith("'"))
      text = JSON.parse(text.startsWith("'") ? `"${text.slice(1, -1)}"` : text) as string;
    const t2 = performance.now();
    const parsed = text === 'null' ? null : parseInspection(text);
    this.deps.log(
      `debug: frame ${frameId}: scopes and variables ${(t1 - t0).toFixed(0)} ms, evaluate ${(t2 - t1).toFixed(0)} ms (${text.length} chars), parse ${(performance.now() - t2).toFixed(0)} ms`,
    );
    return parsed;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
