import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { processMemory, sleep } from './util';

/** A message between the bench and one of its child processes (a worker or the SMTP sink). */
export interface ChildMessage {
  type: string;
  id?: number;
  [field: string]: unknown;
}

/**
 * A child process of the bench, run from TypeScript source with tsx, spoken to over IPC. Each one is its own
 * process so that its memory is its own (figure 4) and it does not share the measuring process's event loop.
 */
export class BenchChild {
  private nextId = 1;
  private readonly waiting = new Map<number, (message: ChildMessage) => void>();
  private exited = false;
  private readonly exit: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exit = new Promise((resolve) => {
      child.once('exit', (code) => {
        this.exited = true;
        for (const reply of this.waiting.values()) reply({ type: 'exited' });
        this.waiting.clear();
        resolve(code);
      });
    });
    child.on('message', (message: ChildMessage) => {
      if (message.id === undefined) return;
      const reply = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      reply?.(message);
    });
  }

  /** Forks `script` (a .ts file in bench/) and waits for its `ready` message. */
  static async start(
    name: string,
    script: string,
    environment: Record<string, string>,
    timeoutMs = 120_000,
    nodeOptions: string[] = [],
  ): Promise<{ child: BenchChild; ready: ChildMessage }> {
    const child = fork(path.join(__dirname, script), [], {
      execArgv: ['--import', 'tsx', ...nodeOptions],
      env: { ...process.env, ...environment },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = new BenchChild(name, child);
    const ready = await new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (message: ChildMessage) => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        resolve(message);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited with code ${String(code)} before it was ready`));
      });
    });
    return { child: handle, ready };
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Sends a request and waits for the reply with the same id. */
  request(message: ChildMessage, timeoutMs = 30_000): Promise<ChildMessage> {
    if (this.exited) return Promise.reject(new Error(`${this.name} has exited`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name} did not answer ${message.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        if (reply.type === 'exited') reject(new Error(`${this.name} exited`));
        else if (reply.type === 'error') reject(new Error(`${this.name}: ${String(reply.message)}`));
        else resolve(reply);
      });
      this.child.send({ ...message, id });
    });
  }

  /** RSS of the child process itself, from /proc. */
  memory(): { rss: number; peakRss: number } | undefined {
    return processMemory(this.pid);
  }

  /** Asks the child to stop, and kills it (by its pid) if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.exited) return;
    try {
      this.child.send({ type: 'stop' });
    } catch {
      // the channel is already closed: the child is on its way out
    }
    const stopped = await Promise.race([this.exit.then(() => true), sleep(graceMs).then(() => false)]);
    if (!stopped && !this.exited) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
  }
}

/** The child side: answers requests with `handler`, and replies `error` when it throws. */
export function serveRequests(handler: (message: ChildMessage) => Promise<Record<string, unknown>> | Record<string, unknown>): void {
  process.on('message', (message: ChildMessage) => {
    Promise.resolve()
      .then(() => handler(message))
      .then(
        (reply) => process.send?.({ type: 'reply', ...reply, id: message.id }),
        (error: unknown) => process.send?.({ type: 'error', message: error instanceof Error ? error.message : String(error), id: message.id }),
      );
  });
}

/** The parent of a child process went away: the child must not outlive it. */
export function exitWithParent(): void {
  process.on('disconnect', () => process.exit(0));
}
