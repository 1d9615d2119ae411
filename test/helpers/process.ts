import { readFileSync } from 'node:fs';

// Whether a process still exists (signal 0 checks without sending anything).
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the process is gone within `ms` (a killed process lingers until its parent reaps it). */
export async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (alive(pid) && !isZombie(pid)) {
    if (Date.now() > until) return false;
    await new Promise((res) => setTimeout(res, 50));
  }
  return true;
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
