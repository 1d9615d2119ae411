// A minimal Debug Adapter Protocol client over a child's stdio (Content-Length framing), for
// tests that drive a real debug adapter as VS Code would.
import { spawn, type ChildProcess } from 'node:child_process';

export interface DapMessage {
  type: 'request' | 'response' | 'event';
  seq: number;
  command?: string;
  event?: string;
  request_seq?: number;
  success?: boolean;
  message?: string;
  body?: Record<string, unknown>;
}

export class DapClient {
  private readonly child: ChildProcess;
  private buffer = Buffer.alloc(0);
  private seq = 1;
  private readonly pending = new Map<number, (m: DapMessage) => void>();
  private readonly waiters: { event: string; resolve: (m: DapMessage) => void }[] = [];
  /** Every event received, in order. */
  readonly events: DapMessage[] = [];
  stderr = '';

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.drain();
    });
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
  }

  private drain(): void {
    for (;;) {
      const end = this.buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(
        /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1],
      );
      if (this.buffer.length < end + 4 + length) return;
      const m = JSON.parse(
        this.buffer.subarray(end + 4, end + 4 + length).toString(),
      ) as DapMessage;
      this.buffer = this.buffer.subarray(end + 4 + length);
      if (m.type === 'response' && m.request_seq !== undefined) {
        this.pending.get(m.request_seq)?.(m);
        this.pending.delete(m.request_seq);
      } else if (m.type === 'event') {
        this.events.push(m);
        const i = this.waiters.findIndex((w) => w.event === m.event);
        if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
      }
    }
  }

  /** Sends a request; resolves with its response (rejects when the adapter refuses it). */
  request(command: string, args: object = {}): Promise<DapMessage> {
    const seq = this.seq++;
    const text = JSON.stringify({ type: 'request', seq, command, arguments: args });
    this.child.stdin?.write(`Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    return new Promise((resolve, reject) => {
      this.pending.set(seq, (m) => {
        if (m.success === true) resolve(m);
        else reject(new Error(`${command}: ${m.message ?? 'failed'}`));
      });
    });
  }

  /** The next event of this name not yet waited for (one already received counts). */
  nextEvent(event: string): Promise<DapMessage> {
    const i = this.events.findIndex((e) => e.event === event && !this.taken.has(e));
    if (i >= 0) {
      this.taken.add(this.events[i]);
      return Promise.resolve(this.events[i]);
    }
    return new Promise((resolve) =>
      this.waiters.push({
        event,
        resolve: (m) => {
          this.taken.add(m);
          resolve(m);
        },
      }),
    );
  }
  private readonly taken = new Set<DapMessage>();

  kill(): void {
    this.child.kill();
  }
}
