// CPU seconds of a process's descendants from /proc (Linux), for the benches that measure what a
// browser's processes spend (bench/progress-cpu.mjs, bench/graph-page-open.ts).
import { readFileSync, readdirSync } from 'node:fs';

const TICKS = 100; // clock ticks a second in /proc/PID/stat

/** CPU seconds of every process below `pid` (not `pid` itself). */
export function treeCpu(pid) {
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(name), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICKS });
    } catch {
      // ended meanwhile
    }
  }
  const below = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, s] of stats) {
      if (below.has(s.ppid) && !below.has(p)) {
        below.add(p);
        grew = true;
      }
    }
  }
  let cpu = 0;
  for (const p of below) if (p !== pid) cpu += stats.get(p)?.cpu ?? 0;
  return cpu;
}
