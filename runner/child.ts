/**
 * Child processes of a run (server, generators, browser host): spawn with tsx, request/reply
 * over IPC (the convention of core/child-ipc.ts, which every child's main() uses), and kill
 * every one of them on success, failure, Ctrl-C or our own exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ReplyError } from '../core/child-ipc.ts';
import { PushbenchError } from '../core/errors.ts';

const TSX_LOADER = import.meta.resolve('tsx');
const live = new Set<ChildHandle>();

export interface ChildMessage {
  type: string;
  id?: number;
  [key: string]: unknown;
}

/**
 * A request the child answered with an error (core/child-ipc.ts ReplyError): the child's code,
 * message and problems, the message prefixed with the child's name.
 */
export class ChildRequestError extends Error {
  readonly code: string;
  readonly problems: string[];
  /** The child's own message, without the name. */
  readonly detail: string;
  constructor(child: string, error: unknown) {
    const e =
      error && typeof error === 'object' ? (error as Partial<ReplyError>) : { message: String(error) };
    const detail = typeof e.message === 'string' ? e.message : String(error);
    super(`${child}: ${detail}`);
    this.name = 'ChildRequestError';
    this.code = typeof e.code === 'string' ? e.code : 'PB_INTERNAL';
    this.problems = Array.isArray(e.problems) ? e.problems.map(String) : [];
    this.detail = detail;
  }
}

/**
 * One child process speaking our IPC convention (`{type, id}` requests, `{type:'reply', id}`
 * answers). `ToChild`: the messages send() takes (a child's own request type).
 */
export class ChildHandle<ToChild extends { type: string } = ChildMessage> extends EventEmitter {
  readonly name: string;
  readonly proc: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private nextId = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private expectedExit = false;
  /** Run after this child is SIGKILLed on a synchronous exit path (killAllChildrenSync): its own children. */
  onKilledSync: (() => void) | undefined;
  /** The latest message of each type: waitFor() also sees one that came before it was called. */
  private readonly latest = new Map<string, ChildMessage>();

  constructor(name: string, entry: string | URL, env: Record<string, string> = {}) {
    super();
    this.name = name;
    const file = entry instanceof URL ? fileURLToPath(entry) : entry;
    this.proc = spawn(process.execPath, ['--import', TSX_LOADER, file], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...env },
    });
    live.add(this);
    this.proc.on('message', (msg: ChildMessage) => this.onMessage(msg));
    this.exited = new Promise((resolve) => {
      this.proc.once('exit', (code, signal) => {
        live.delete(this);
        this.exitInfo = { code, signal };
        const err = this.exitError();
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        if (!this.expectedExit) this.emit('crash', err);
        resolve(this.exitInfo);
      });
    });
    this.proc.on('error', (err) => this.emit('crash', err));
  }

  /** How this child ended, as the error its pending and later requests get. */
  private exitError(): PushbenchError {
    const { code, signal } = this.exitInfo ?? { code: null, signal: null };
    return new PushbenchError('PB_CHILD_CRASHED', `${this.name} exited (code ${code}, signal ${signal})`);
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  private onMessage(msg: ChildMessage): void {
    if (msg && msg.type === 'reply' && typeof msg.id === 'number') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new ChildRequestError(this.name, msg.error));
      else p.resolve(msg.result);
      return;
    }
    this.emit('message', msg);
    if (msg && typeof msg.type === 'string') {
      this.latest.set(msg.type, msg);
      this.emit(`msg:${msg.type}`, msg);
    }
  }

  /** Send a message (no answer expected). */
  send(msg: ToChild): void {
    if (this.alive && this.proc.connected) this.proc.send(msg);
  }

  /** Send `{type, id, ...payload}` and wait for `{type:'reply', id}` (default 10 s). */
  request<T = unknown>(type: string, payload: object = {}, timeoutMs = 10_000): Promise<T> {
    if (this.exitInfo) return Promise.reject(this.exitError());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new PushbenchError(
            'PB_CHILD_TIMEOUT',
            `${this.name} did not answer "${type}" within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      // A child whose channel already closed is exiting: its exit rejects this request.
      if (this.proc.connected) this.proc.send({ type, id, ...payload });
    });
  }

  /** Resolve with the message of `type` (one already received counts); reject on timeout or exit. */
  waitFor<T extends ChildMessage = ChildMessage>(type: string, timeoutMs = 15_000): Promise<T> {
    const already = this.latest.get(type);
    if (already) return Promise.resolve(already as T);
    if (!this.alive) {
      return Promise.reject(
        new PushbenchError('PB_CHILD_CRASHED', `${this.name} exited before sending "${type}"`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const onMsg = (msg: T) => {
        cleanup();
        resolve(msg);
      };
      const onExit = () => {
        cleanup();
        reject(new PushbenchError('PB_CHILD_CRASHED', `${this.name} exited before sending "${type}"`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new PushbenchError('PB_CHILD_TIMEOUT', `${this.name} sent no "${type}" within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off(`msg:${type}`, onMsg);
        this.proc.off('exit', onExit);
      };
      this.on(`msg:${type}`, onMsg);
      this.proc.once('exit', onExit);
    });
  }

  /** Ask politely (IPC message, then SIGTERM), then SIGKILL after `graceMs`. Resolves when gone. */
  async stop(graceMs = 3_000, message?: ToChild): Promise<void> {
    this.expectedExit = true;
    if (!this.alive) return;
    if (message) this.send(message);
    else this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Mark the coming exit as expected (no 'crash' event). */
  expectExit(): void {
    this.expectedExit = true;
  }
}

/** Every child still running. */
export function liveChildren(): ChildHandle[] {
  return [...live];
}

/** Kill every child now (SIGKILL): for exit paths that cannot wait. */
export function killAllChildrenSync(): void {
  for (const c of [...live]) {
    try {
      c.proc.kill('SIGKILL');
    } catch {
      // already gone
    }
    c.onKilledSync?.();
  }
}

/** Stop every child politely, in parallel. */
export async function stopAllChildren(graceMs = 2_000): Promise<void> {
  await Promise.all([...live].map((c) => c.stop(graceMs)));
}

process.once('exit', killAllChildrenSync);
