// Pause, resume and stop for a running script. The child runs synchronous training loops and
// cannot read IPC mid-loop, so pausing is done by the OS: SIGSTOP freezes the process where it
// stands, SIGCONT lets it go on. The runner's RunHandle has no pid, but the child announces its
// own in the `hello` message, which is what `setPid` takes. Stopping uses the handle's cancel()
// (SIGKILL, which also ends a stopped process). No `vscode` here.

/** What the monitor needs from a run handle (the runner's RunHandle fits). */
export interface StoppableRun {
  cancel(): void;
  readonly done: Promise<unknown>;
  /** The runner's own pause/resume also stop its timeout clock; preferred when present. */
  pause?(): boolean;
  resume?(): boolean;
}

export type ControlState = 'running' | 'paused' | 'ended';

export class RunControl {
  private pid: number | null = null;
  private state: ControlState = 'running';

  constructor(private readonly run: StoppableRun) {
    // Once the child is gone its pid may be reused: never signal it after that.
    void run.done.then(
      () => (this.state = 'ended'),
      () => (this.state = 'ended'),
    );
  }

  /** The child's pid, from its `hello` message. */
  setPid(pid: number): void {
    if (Number.isInteger(pid) && pid > 0) this.pid = pid;
  }

  get status(): ControlState {
    return this.state;
  }

  /** Pausing needs POSIX signals and the child's pid. */
  get canPause(): boolean {
    return this.pid !== null && process.platform !== 'win32' && this.state !== 'ended';
  }

  /** Freezes the child; returns false (and changes nothing) when it cannot. */
  pause(): boolean {
    if (this.state !== 'running' || !this.canPause) return false;
    if (!(this.run.pause ? this.run.pause() : this.signal('SIGSTOP'))) return false;
    this.state = 'paused';
    return true;
  }

  resume(): boolean {
    if (this.state !== 'paused') return false;
    if (!(this.run.resume ? this.run.resume() : this.signal('SIGCONT'))) return false;
    this.state = 'running';
    return true;
  }

  /** Kills the child (paused or not); the run's `done` still settles with what it captured. */
  stop(): void {
    if (this.state === 'ended') return;
    this.run.cancel();
    // SIGKILL ends a stopped process too; SIGCONT only makes sure nothing waits on it.
    if (this.state === 'paused') this.signal('SIGCONT');
  }

  private signal(sig: NodeJS.Signals): boolean {
    if (this.pid === null || this.state === 'ended') return false;
    try {
      process.kill(this.pid, sig);
      return true;
    } catch {
      return false;
    }
  }
}
