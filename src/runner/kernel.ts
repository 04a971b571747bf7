/**
 * A tslab kernel in a child process, spoken to over ZeroMQ with our own small Jupyter client (wire.ts).
 *
 * Why our own client: the maintained JavaScript clients (@jupyterlab/services) talk to a Jupyter *server* over
 * WebSockets, not to a kernel over ZeroMQ, and the old ZeroMQ clients (jmp, spawnteract) are built on the zeromq 5
 * callback API. The part we need is small: a DEALER for shell and control, a SUB for iopub.
 *
 * Lifecycle: `startKernel` spawns `node <tslab>/bin/tslab kernel --config-path <file>` in the notebook's
 * directory, then repeats kernel_info_request until both the shell reply and an iopub status arrive (so no early
 * iopub message is lost to the PUB/SUB "slow joiner" race), and removes the connection file (tslab read it at
 * start-up; nothing is left behind if this process is killed later). `shutdown` asks politely on the control
 * channel, then SIGTERM, then SIGKILL. Every live kernel is also killed synchronously when this process exits, and
 * the kernel ends itself when this process is gone (parent-watchdog.ts). A second preload (fault-report.ts)
 * reports errors raised outside any cell's own code, which `lateFaults` collects when no cell is listening.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as zmq from 'zeromq';
import { newConnectionInfo, type ConnectionInfo } from './connection.js';
import { decodeMessage, encodeMessage, newHeader, type JupyterMessage } from './wire.js';
import { FAULT_MIME } from '../notebook/mime.js';

export interface StartKernelOptions {
  /** Working directory of the kernel (the notebook's folder, as Jupyter does). */
  cwd: string;
  /** Give up starting after this many ms. Default 60 000. */
  startTimeoutMs?: number;
}

export type ExecuteStatus = 'ok' | 'error' | 'aborted' | 'timeout' | 'died';

export interface ExecuteOutcome {
  status: ExecuteStatus;
  /** msg_id of the execute_request: later messages for this cell carry it as their parent. */
  requestId: string;
  executionCount: number | null;
  /** header.date of the execute_reply, when one came. */
  replyDate?: string;
  /** Why the kernel died, when status is 'died'. */
  detail?: string;
}

export interface ExecuteOptions {
  /** Per-cell timeout; the cell is interrupted (SIGINT, which tslab turns into an interrupt) when it expires. */
  timeoutMs: number;
  /** Every iopub message whose parent is this request, in order. */
  onMessage: (msg: JupyterMessage) => void;
}

const live = new Set<TslabKernel>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort against orphans: 'exit' handlers must be synchronous, so SIGKILL whatever is still alive.
  process.on('exit', () => {
    for (const k of live) k.killNow();
  });
}

/** Kernels started by this process and not yet shut down. */
export function liveKernels(): readonly TslabKernel[] {
  return [...live];
}

function tslabBin(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('tslab/package.json')), 'bin', 'tslab');
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TslabKernel {
  readonly pid: number;
  readonly startMs: number;
  private readonly session = crypto.randomUUID();
  private readonly shell = new zmq.Dealer({ linger: 0 });
  private readonly control = new zmq.Dealer({ linger: 0 });
  private readonly iopub = new zmq.Subscriber({ linger: 0 });
  private readonly replies = new Map<string, (msg: JupyterMessage) => void>();
  private readonly listeners = new Map<string, (msg: JupyterMessage) => void>();
  private readonly exited: Promise<void>;
  private exitInfo: string | null = null;
  private stderrTail = '';
  private closed = false;
  private readonly executeIds = new Set<string>();
  private readonly faults: { requestId: string; fault: Record<string, unknown> }[] = [];

  private constructor(
    private readonly child: ChildProcess,
    private readonly conn: ConnectionInfo,
    private readonly tmpDir: string,
    startMs: number,
  ) {
    this.pid = child.pid ?? -1;
    this.startMs = startMs;
    const keep = (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = signal ? `signal ${signal}` : `exit code ${code}`;
        live.delete(this);
        resolve();
      });
    });
  }

  /** Output the kernel process wrote outside any cell (startup errors, tslab's own "unexpected error" lines). */
  get processOutput(): string {
    return this.stderrTail;
  }

  get hasExited(): boolean {
    return this.exitInfo !== null;
  }

  static async start(options: StartKernelOptions): Promise<TslabKernel> {
    const t0 = Date.now();
    const conn = await newConnectionInfo();
    const tmp = mkdtempSync(join(tmpdir(), 'rlrepro-kernel-'));
    const file = join(tmp, 'connection.json');
    writeFileSync(file, JSON.stringify(conn), { mode: 0o600 });
    const preload = (name: string) => ['--import', new URL(`./${name}`, import.meta.url).href];
    const child = spawn(process.execPath, [...preload('parent-watchdog.js'), ...preload('fault-report.js'), tslabBin(), 'kernel', '--config-path', file], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RLREPRO_KERNEL_PARENT: String(process.pid) },
    });
    const kernel = new TslabKernel(child, conn, tmp, t0);
    live.add(kernel);
    installExitHook();
    try {
      await kernel.connect(options.startTimeoutMs ?? 60_000);
    } catch (e) {
      await kernel.shutdown();
      throw e;
    }
    rmSync(tmp, { recursive: true, force: true });
    return kernel;
  }

  private async connect(timeoutMs: number): Promise<void> {
    const addr = (port: number) => `tcp://127.0.0.1:${port}`;
    this.shell.connect(addr(this.conn.shell_port));
    this.control.connect(addr(this.conn.control_port));
    this.iopub.connect(addr(this.conn.iopub_port));
    this.iopub.subscribe();
    void this.pump(this.shell, (m) => this.onReply(m));
    void this.pump(this.control, (m) => this.onReply(m));
    void this.pump(this.iopub, (m) => this.onIopub(m));

    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitInfo) {
        throw new Error(`tslab kernel exited during startup (${this.exitInfo}):\n${this.stderrTail.trim()}`);
      }
      let sawIopub = false;
      const req = this.request(this.shell, 'kernel_info_request', {});
      this.listeners.set(req.msgId, () => (sawIopub = true));
      const reply = await Promise.race([req.reply, sleep(1000).then(() => null)]);
      if (reply) {
        // The reply can beat the iopub status; give the status a moment to arrive.
        for (let i = 0; i < 20 && !sawIopub; i++) await sleep(25);
      }
      this.listeners.delete(req.msgId);
      this.replies.delete(req.msgId);
      if (reply && sawIopub) return;
    }
    throw new Error(`tslab kernel did not answer within ${Math.round(timeoutMs / 1000)} s:\n${this.stderrTail.trim()}`);
  }

  private async pump(socket: zmq.Dealer | zmq.Subscriber, handle: (m: JupyterMessage) => void): Promise<void> {
    try {
      for await (const frames of socket) {
        let msg: JupyterMessage;
        try {
          msg = decodeMessage(this.conn.key, frames);
        } catch (e) {
          // A message we cannot verify is dropped, but loudly: it would mean a second party on our ports.
          process.stderr.write(`rlrepro: dropped a kernel message: ${(e as Error).message}\n`);
          continue;
        }
        handle(msg);
      }
    } catch {
      // The socket was closed: the loop ends.
    }
  }

  private onReply(msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    const resolve = id ? this.replies.get(id) : undefined;
    if (resolve && id) {
      this.replies.delete(id);
      resolve(msg);
    }
  }

  private onIopub(msg: JupyterMessage): void {
    const id = msg.parent_header.msg_id;
    const listener = id ? this.listeners.get(id) : undefined;
    if (listener) listener(msg);
    else if (id && this.executeIds.has(id) && msg.header.msg_type === 'display_data') {
      // tslab sends output produced after a cell finished with that cell's header: keep the faults among it.
      const fault = (msg.content['data'] as Record<string, unknown> | undefined)?.[FAULT_MIME];
      if (fault && typeof fault === 'object') this.faults.push({ requestId: id, fault: fault as Record<string, unknown> });
    }
  }

  /** Faults reported for cells that had finished (in arrival order); each is returned once. */
  takeLateFaults(): { requestId: string; fault: Record<string, unknown> }[] {
    return this.faults.splice(0);
  }

  /**
   * Waits until the kernel has answered a request sent now, plus a moment for iopub, so output of callbacks that
   * were already due (a zero-delay timer of the last cell) has arrived before the caller looks at it.
   */
  async settle(timeoutMs = 2000): Promise<void> {
    if (this.closed || this.exitInfo) return;
    const req = this.request(this.shell, 'kernel_info_request', {});
    await Promise.race([req.reply, this.exited, sleep(timeoutMs)]);
    this.replies.delete(req.msgId);
    await sleep(100);
  }

  private request(
    socket: zmq.Dealer,
    msgType: string,
    content: unknown,
  ): { msgId: string; reply: Promise<JupyterMessage> } {
    const header = newHeader(msgType, this.session);
    const reply = new Promise<JupyterMessage>((resolve) => this.replies.set(header.msg_id, resolve));
    const frames = encodeMessage(this.conn.key, { header, parent_header: {}, metadata: {}, content });
    void socket.send(frames).catch(() => undefined);
    return { msgId: header.msg_id, reply };
  }

  /**
   * Runs `code` and resolves when both the execute_reply and the iopub `idle` status for it have arrived (outputs
   * may trail the reply). tslab sends status 'error' without name, message or traceback: the caller builds the error
   * from the stderr stream it received through `onMessage`.
   */
  async execute(code: string, options: ExecuteOptions): Promise<ExecuteOutcome> {
    if (this.closed || this.exitInfo) {
      return { status: 'died', requestId: '', executionCount: null, detail: `kernel is not running (${this.exitInfo ?? 'closed'})` };
    }
    let idle!: () => void;
    const sawIdle = new Promise<void>((r) => (idle = r));
    const req = this.request(this.shell, 'execute_request', {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: true,
    });
    this.executeIds.add(req.msgId);
    this.listeners.set(req.msgId, (msg) => {
      options.onMessage(msg);
      if (msg.header.msg_type === 'status' && msg.content['execution_state'] === 'idle') idle();
    });
    const died = this.exited.then(() => 'died' as const);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), options.timeoutMs)));
    try {
      const first = await Promise.race([req.reply, died, timedOut]);
      if (first === 'died') {
        const tail = this.stderrTail.trim();
        return { status: 'died', requestId: req.msgId, executionCount: null, detail: tail ? `${this.exitInfo}; kernel output:\n${tail}` : `${this.exitInfo}` };
      }
      if (first === 'timeout') {
        // tslab maps SIGINT to an interrupt of the running cell; give it a few seconds to answer.
        this.child.kill('SIGINT');
        await Promise.race([req.reply, died, sleep(5000)]);
        await Promise.race([sawIdle, sleep(500)]);
        return { status: 'timeout', requestId: req.msgId, executionCount: null };
      }
      await Promise.race([sawIdle, died, sleep(2000)]);
      const status = first.content['status'];
      const count = first.content['execution_count'];
      return {
        status: status === 'ok' ? 'ok' : status === 'abort' || status === 'aborted' ? 'aborted' : 'error',
        requestId: req.msgId,
        executionCount: typeof count === 'number' ? count : null,
        replyDate: first.header.date,
      };
    } finally {
      clearTimeout(timer);
      this.listeners.delete(req.msgId);
      this.replies.delete(req.msgId);
    }
  }

  /** Asks the kernel to exit, then escalates to SIGTERM and SIGKILL; always closes our sockets. Idempotent. */
  async shutdown(graceMs = 2000): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      if (!this.exitInfo) {
        const req = this.request(this.control, 'shutdown_request', { restart: false });
        await Promise.race([req.reply, this.exited, sleep(graceMs)]);
        this.replies.delete(req.msgId);
        // tslab closes its sockets on shutdown but a notebook's timers can keep node alive: signal it.
        if (!this.exitInfo) this.child.kill('SIGTERM');
        await Promise.race([this.exited, sleep(graceMs)]);
        if (!this.exitInfo) this.child.kill('SIGKILL');
        await Promise.race([this.exited, sleep(graceMs)]);
      }
      this.shell.close();
      this.control.close();
      this.iopub.close();
      rmSync(this.tmpDir, { recursive: true, force: true });
    }
    live.delete(this);
  }

  /** Synchronous SIGKILL, for process 'exit' handlers. */
  killNow(): void {
    if (!this.exitInfo) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/** Starts a tslab kernel; see {@link TslabKernel}. */
export function startKernel(options: StartKernelOptions): Promise<TslabKernel> {
  return TslabKernel.start(options);
}
