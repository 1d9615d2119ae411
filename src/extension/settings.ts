// The extension's settings, read through one function so they are parsed (and their bad
// values replaced by defaults) without VS Code: unit-tested in test/extension/settings.test.ts.
import { GRAPH_DIRECTIONS, type GraphDirection } from '../graph/direction';
import type { FlowPolicy } from '../protocol/messages';
import type { LaunchOptions } from '../runner/launch';
import type { InlinePlacement } from './snapshot-lookup';

export type CapturePolicy = 'all' | 'last' | 'first';

/** Where a script runs: the workspace folder (as a terminal there would run it) or the script's own folder. */
export type RunDirectory = 'workspace' | 'script';

export interface GradlensSettings {
  /** 0 means no limit. */
  readonly timeoutSeconds: number;
  readonly memoryLimitMb: number;
  readonly capturePolicy: CapturePolicy;
  /** Whether captures record the backward pass's flow (what each node received and sent). */
  readonly captureFlow: FlowPolicy;
  readonly inlineGradients: boolean;
  readonly inlinePlacement: InlinePlacement;
  /** The interpreter for .py scripts; empty: the Python extension's choice, else `python3`. */
  readonly pythonPath: string;
  /** Arguments every run passes to its script. */
  readonly scriptArgs: readonly string[];
  readonly runDirectory: RunDirectory;
  /** Hits recorded per capture point (breakpoint of a .py run). */
  readonly capturePointsMaxHits: number;
  /** How the graph view stands: leaves on top (torchviz) or the root on top (agtree2dot). */
  readonly graphDirection: GraphDirection;
}

export const DEFAULT_SETTINGS: GradlensSettings = {
  timeoutSeconds: 120,
  memoryLimitMb: 4096,
  capturePolicy: 'last',
  captureFlow: 'auto',
  inlineGradients: true,
  inlinePlacement: 'creation',
  pythonPath: '',
  scriptArgs: [],
  runDirectory: 'workspace',
  capturePointsMaxHits: 20,
  graphDirection: 'leaves-top',
};

/**
 * The webview collapses and expands module groups itself, so the runner sends the whole
 * graph up to this size (its own default of 2,000 would collapse it before the view sees it).
 */
export const VIEW_MAX_NODES = 50_000;

/** Reads `gradlens.*` keys (relative to the `gradlens` section) with `get`, falling back to defaults. */
export function parseSettings(get: (key: string) => unknown): GradlensSettings {
  const timeout = get('run.timeoutSeconds');
  const memory = get('run.memoryLimitMb');
  const policy = get('capture.policy');
  const flow = get('capture.flow');
  const inline = get('inlineGradients.enabled');
  const placement = get('inlineGradients.placement');
  const python = get('python.path');
  const args = get('run.args');
  const dir = get('run.directory');
  const maxHits = get('capturePoints.maxHits');
  const direction = get('graph.direction');
  return {
    timeoutSeconds:
      typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0
        ? timeout
        : DEFAULT_SETTINGS.timeoutSeconds,
    memoryLimitMb:
      typeof memory === 'number' && Number.isFinite(memory) && memory >= 64
        ? Math.floor(memory)
        : DEFAULT_SETTINGS.memoryLimitMb,
    capturePolicy:
      policy === 'all' || policy === 'last' || policy === 'first'
        ? policy
        : DEFAULT_SETTINGS.capturePolicy,
    captureFlow:
      flow === 'auto' || flow === 'always' || flow === 'never'
        ? flow
        : DEFAULT_SETTINGS.captureFlow,
    inlineGradients: typeof inline === 'boolean' ? inline : DEFAULT_SETTINGS.inlineGradients,
    inlinePlacement:
      placement === 'creation' || placement === 'use'
        ? placement
        : DEFAULT_SETTINGS.inlinePlacement,
    pythonPath: typeof python === 'string' ? python.trim() : DEFAULT_SETTINGS.pythonPath,
    scriptArgs:
      Array.isArray(args) && args.every((a) => typeof a === 'string')
        ? args
        : DEFAULT_SETTINGS.scriptArgs,
    runDirectory: dir === 'script' || dir === 'workspace' ? dir : DEFAULT_SETTINGS.runDirectory,
    capturePointsMaxHits:
      typeof maxHits === 'number' && Number.isInteger(maxHits) && maxHits >= 1
        ? maxHits
        : DEFAULT_SETTINGS.capturePointsMaxHits,
    graphDirection: GRAPH_DIRECTIONS.includes(direction as GraphDirection)
      ? (direction as GraphDirection)
      : DEFAULT_SETTINGS.graphDirection,
  };
}

/** Where and how a run starts, beyond the settings: found by the host for each run. */
export interface RunPlace {
  /** The run's working directory (see RunDirectory). */
  readonly cwd: string;
  /** The interpreter for a .py script. */
  readonly python?: string;
  /** The script's arguments for this run (default: the setting's). */
  readonly args?: readonly string[];
}

/**
 * The runner options a run of `script` gets under these settings; `captureAt` asks for one
 * backward() in full (the first is always captured too), whatever the policy.
 */
export function launchOptions(
  script: string,
  s: GradlensSettings,
  place: RunPlace,
  stopAfter?: { file: string; line: number; cell?: number },
  captureAt?: number,
): LaunchOptions {
  return {
    script,
    cwd: place.cwd,
    args: [...(place.args ?? s.scriptArgs)],
    python: place.python,
    timeoutMs: s.timeoutSeconds > 0 ? s.timeoutSeconds * 1000 : undefined,
    maxMemoryMb: s.memoryLimitMb,
    // "Run backward" needs the graph of the call it stops after, whatever the policy.
    captureAt:
      stopAfter !== undefined
        ? 'all'
        : (captureAt ?? (s.capturePolicy === 'first' ? 1 : s.capturePolicy)),
    maxNodes: VIEW_MAX_NODES,
    flow: s.captureFlow,
    stopAfter,
  };
}
