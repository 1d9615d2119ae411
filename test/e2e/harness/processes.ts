// The processes of an e2e session, read from /proc (Linux): the extension host, its memory,
// and the runner children still alive.
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** Arguments joined by spaces. */
  readonly cmdline: string;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process ended between the listing and the read, or is not ours to read.
    return null;
  }
}

/** Every process this user can see. */
export function processes(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const cmdline = read(`/proc/${name}/cmdline`);
    if (stat === null || cmdline === null) continue;
    // The command name in parentheses may itself hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    out.push({ pid: Number(name), ppid, cmdline: cmdline.split('\0').join(' ').trim() });
  }
  return out;
}

/** The processes below `root`, at any depth. */
export function descendants(root: number, all = processes()): ProcessInfo[] {
  const below = new Set([root]);
  const out: ProcessInfo[] = [];
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (below.has(p.ppid) && !below.has(p.pid)) {
        below.add(p.pid);
        out.push(p);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * code-server's extension host process below `serverPid`, waiting up to `timeoutMs` for it:
 * the workbench shows before the extension host has started.
 */
export async function extensionHostPid(serverPid: number, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const host = descendants(serverPid).find((p) => p.cmdline.includes('--type=extensionHost'));
    if (host !== undefined) return host.pid;
    if (Date.now() > until) throw new Error(`no extension host below code-server ${serverPid}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resident set size in MB, or null once the process is gone. */
export function rssMb(pid: number): number | null {
  const m = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return m === null ? null : Number(m[1]) / 1024;
}

/**
 * Runner children of the extension installed in `extensionsDir`, wherever they now hang in
 * the process tree (an orphan is adopted by another process): their environment carries the
 * runner's channel, and their command line (Node runner) or PYTHONPATH (Python tracer) the
 * extension's folder. Processes a script forked inherit both, so they count too.
 */
export function runnerProcesses(extensionsDir: string): ProcessInfo[] {
  return processes().filter((p) => {
    const env = read(`/proc/${p.pid}/environ`);
    if (env === null || !`\0${env}`.includes('\0GRADLENS_CHANNEL=')) return false;
    return p.cmdline.includes(extensionsDir) || env.includes(extensionsDir);
  });
}

/** CPU seconds (user and system) a process has used, or null once it is gone. */
function cpuSeconds(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return null;
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5), counted after the command name; clock ticks of 1/100 s.
  return (Number(f[11]) + Number(f[12])) / 100;
}

/**
 * CPU seconds used by the processes below `root` from `start()` to `stop()`, by the group
 * `groupOf` names from a command line. Sampled every 100 ms, so a process that ends between
 * two samples (a runner child) keeps what it had used by the last one.
 */
export function cpuByGroup(
  root: number,
  groupOf: (cmdline: string) => string,
): { stop(): Record<string, number> } {
  const first = new Map<number, number>();
  const last = new Map<number, { group: string; cpu: number }>();
  let initial = true;
  const sample = (): void => {
    for (const p of descendants(root)) {
      const cpu = cpuSeconds(p.pid);
      if (cpu === null) continue;
      // A process started since start() counts whole.
      if (!first.has(p.pid)) first.set(p.pid, initial ? cpu : 0);
      // An ended process not yet reaped has no command line any more: it keeps its group.
      const group = p.cmdline === '' ? last.get(p.pid)?.group : undefined;
      last.set(p.pid, { group: group ?? groupOf(p.cmdline), cpu });
    }
  };
  sample();
  initial = false;
  const timer = setInterval(sample, 100);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      const out: Record<string, number> = {};
      for (const [pid, { group, cpu }] of last)
        out[group] = (out[group] ?? 0) + cpu - (first.get(pid) ?? 0);
      return out;
    },
  };
}
