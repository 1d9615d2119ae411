// Pause, resume and stop for a running script, as the monitor offers them. Pause and resume go
// through the runner's own channel (the child stops at its next tensor op or backward and
// waits), so they work on every OS; stopping uses the handle's cancel(), which ends the
// child's whole process tree, paused or not. The child's `hello` (its pid) tells that it can
// take requests. No `vscode` here.

/** What the monitor needs from a run handle (the runner's RunHandle fits). */
export interface StoppableRun {
  cancel(): void;
  readonly done: Promise<unknown>;
  /** Asks the child to stop at its next op; false when it cannot take the request. */
  pause(): boolean;
  resume(): boolean;
}

export type ControlState = 'running' | 'paused' | 'ended';

export class RunControl {
  private pid: number | null = null;
  private state: ControlState = 'running';

  constructor(private readonly run: StoppableRun) {
    void run.done.then(
      () => (this.state = 'ended'),
      () => (this.state = 'ended'),
    );
  }

  /** The child's pid, from its `hello` message: from then on it takes requests. */
  setPid(pid: number): void {
    if (Number.isInteger(pid) && pid > 0) this.pid = pid;
  }

  get status(): ControlState {
    return this.state;
  }

  /** Asks the child to pause; returns false (and changes nothing) when it cannot. */
  pause(): boolean {
    if (this.state !== 'running' || this.pid === null || !this.run.pause()) return false;
    this.state = 'paused';
    return true;
  }

  resume(): boolean {
    if (this.state !== 'paused' || !this.run.resume()) return false;
    this.state = 'running';
    return true;
  }

  /** Ends the child (paused or not); the run's `done` still settles with what it captured. */
  stop(): void {
    if (this.state !== 'ended') this.run.cancel();
  }
}
