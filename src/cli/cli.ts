// `gradlens run SCRIPT`: runs a user's script through the runner, streams its output, and
// writes the captured graph and training record. Every failure ends with a message that
// says what happened and a non-zero exit code; nothing here waits on the child forever.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { launchRunner, type RunResult } from '../runner/launch';
import type { GraphSnapshot, RunError } from '../protocol/messages';
import { USAGE, UsageError, parseRunArgs, type RunArgs } from './args';
import { monitorCsv, monitorHtml, monitorJson } from './monitor';
import { strideNote } from '../protocol/stride-note';
import { renderGraph, type GraphFormat } from './render';
import { explainLines } from '../explain/text';
import { lineWhere } from '../protocol/where';
import { checkGradients, gradcheckLines } from './gradcheck';
import { fileName } from '../protocol/paths';

function say(text: string): void {
  process.stderr.write(`gradlens: ${text}\n`);
}

function describe(e: RunError): string {
  switch (e.kind) {
    case 'syntax':
      // Which of a notebook's cells: the message alone cannot say.
      return e.location?.cell === undefined ? e.message : `${e.message} (${lineWhere(e.location)})`;
    case 'exception':
      return `the script threw:\n${e.stack ?? e.message}`;
    case 'timeout':
    case 'memory':
    case 'protocol':
    case 'crash':
    case 'no-backward':
    case 'launch':
      return e.message;
  }
}

function pick(result: RunResult, at: number | null): GraphSnapshot | null {
  if (at !== null) return result.snapshots.find((s) => s.index === at) ?? null;
  return result.snapshots.reduce<GraphSnapshot | null>(
    (best, s) => (best === null || s.index >= best.index ? s : best),
    null,
  );
}

function write(file: string, text: string): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(file, text);
}

/** Prints the steps of the asked backward (--at N), else of the last one whose flow was recorded; true on failure. */
function explain(result: RunResult, args: RunArgs): boolean {
  const snapshot =
    args.at !== null
      ? pick(result, args.at)
      : (pick(
          { ...result, snapshots: result.snapshots.filter((s) => s.flowRecorded === true) },
          null,
        ) ?? pick(result, null));
  if (snapshot === null) {
    say('nothing to explain: no backward() was captured');
    return true;
  }
  process.stdout.write(`${explainLines(snapshot, fileName(args.script)).join('\n')}\n`);
  return snapshot.flowRecorded !== true;
}

async function run(args: RunArgs): Promise<number> {
  const handle = launchRunner(
    {
      script: args.script,
      cwd: process.cwd(),
      args: args.scriptArgs,
      python: args.python,
      timeoutMs: args.timeoutMs ?? undefined,
      maxMemoryMb: args.maxMemoryMb ?? undefined,
      captureAt: args.at ?? 'last',
      maxNodes: args.maxNodes,
      savedTensors: args.savedTensors,
      flow: args.flow,
    },
    {
      // A notice is said when it comes, among the script's own output: the run goes on.
      onMessage: (m) => {
        if (m.type === 'run/notice') say(`note: ${m.notice.message}`);
      },
      onStdout: (t) => process.stdout.write(t),
      onStderr: (t) => process.stderr.write(t),
    },
  );
  const stop = (): void => handle.cancel();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const result = await handle.done;
  if (result.cancelled) say('interrupted: the script was stopped; writing what was captured');
  let failed = !result.ok;
  for (const e of result.errors) say(describe(e));

  const snapshot = pick(result, args.at);
  if (snapshot !== null) {
    for (const a of snapshot.anomalies)
      say(
        `${a.kind === 'nan' ? 'NaN' : 'Inf'} in ${a.where === 'grad' ? 'gradients' : 'values'} of backward() #${snapshot.index}: ${a.message}`,
      );
    if (snapshot.anomalies.length > 0) failed = true;
  }
  const anyAnomaly = result.snapshots.find((s) => s.anomalies.length > 0 && s !== snapshot);
  if (anyAnomaly !== undefined) {
    say(
      `NaN/Inf at backward() #${anyAnomaly.index}: ${anyAnomaly.anomalies[0].message} (see it with --at ${anyAnomaly.index})`,
    );
    failed = true;
  }
  if (args.explain) failed = explain(result, args) || failed;
  if (args.gradcheck) {
    if (snapshot === null) {
      say('--gradcheck: no backward() was captured');
      failed = true;
    } else {
      const check = await checkGradients(snapshot, {
        script: args.script,
        cwd: process.cwd(),
        args: args.scriptArgs,
        timeoutMs: args.timeoutMs ?? undefined,
        maxMemoryMb: args.maxMemoryMb ?? undefined,
        python: args.python,
      });
      process.stdout.write(`${gradcheckLines(check).join('\n')}\n`);
      failed = check.outcome !== 'agree' || failed;
      // The JSON (and HTML) graph written below carries it.
      snapshot.gradcheck = check;
    }
  }
  if (args.graph !== null) {
    if (snapshot === null) {
      failed = true;
      if (args.at !== null && result.backwardCount > 0)
        say(
          `--at ${args.at}: the script called backward() ${result.backwardCount} time(s); no graph written`,
        );
      else if (result.backwardCount === 0)
        say(`no graph written to ${args.graph}: no backward() happened`);
      else say(`no graph was captured; nothing written to ${args.graph}`);
    } else {
      const format = path.extname(args.graph).slice(1).toLowerCase() as GraphFormat;
      write(
        args.graph,
        await renderGraph(
          snapshot,
          format,
          `${fileName(args.script)}: backward() #${snapshot.index}`,
          args.direction,
        ),
      );
      const fns = snapshot.nodes.filter((n) => n.kind === 'function').length;
      const notes = [
        snapshot.collapsed
          ? 'collapsed by module: the graph was over the size limit (--max-nodes)'
          : '',
        snapshot.detail === 'light' ? 'leaf values and gradients as at the end of the run' : '',
      ].filter(Boolean);
      say(
        `wrote the graph of backward() #${snapshot.index} (${fns} function nodes) to ${args.graph}${notes.length ? ` — ${notes.join('; ')}` : ''}`,
      );
    }
  }
  if (args.monitor !== null) {
    if (result.metrics.length === 0) {
      say(`no training record written to ${args.monitor}: no backward() on a scalar happened`);
      failed = true;
    } else {
      const ext = path.extname(args.monitor).slice(1).toLowerCase();
      const note = strideNote(result.metricStride, result.metricWidth);
      const text =
        ext === 'csv'
          ? monitorCsv(result.metrics)
          : ext === 'html'
            ? monitorHtml(result.metrics, `${fileName(args.script)}: training record`, note)
            : monitorJson(result.metrics);
      write(args.monitor, text);
      say(
        `wrote ${result.metrics.length} training steps to ${args.monitor}${note === null ? '' : ` (${note})`}`,
      );
    }
  }
  return result.cancelled ? 130 : failed ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const command = argv.at(0);
  const rest = argv.slice(1);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'run') {
    say(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
  let args: RunArgs;
  try {
    args = parseRunArgs(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      say(`${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  return run(args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    say(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 70;
  },
);
