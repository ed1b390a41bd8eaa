/**
 * The one IPC convention of pushbench's child processes (the server child servers/main.ts, the
 * generator runner/generator.ts, the browser host runner/browser-host.ts; the parent side is
 * runner/child.ts ChildHandle), and the one main() they share:
 *
 * - a request `{type, id, ...params}` is answered by `{type:'reply', id, result}` or
 *   `{type:'reply', id, error: {code, message, problems?}}`;
 * - a message without `id` is one-way, in either direction (`start`, `progress`, `listening`, …);
 * - the child exits 0 when its IPC channel disconnects (the parent died) and on SIGTERM, after
 *   its shutdown; SIGINT (a terminal's Ctrl-C reaches the whole group) is left to the runner
 *   when there is an IPC channel, and stops the child when there is none.
 */
import { PushbenchError } from './errors.ts';

export interface ChildRequest {
  type: string;
  id?: number | string;
  [key: string]: unknown;
}

/** The error of a failed request, as it crosses the channel. */
export interface ReplyError {
  code: string;
  message: string;
  problems?: string[];
}

export interface ChildReply {
  type: 'reply';
  id: number | string | undefined;
  result?: unknown;
  error?: ReplyError;
}

/** What a request handler can ask for besides its result. */
export interface RequestContext {
  /** Exit with `code` once the reply (result or error) is sent. */
  exitAfterReply(code: number): void;
}

/** Handlers by request type, each seeing its own request type (`R`: the child's requests). */
export type RequestHandlers<R extends { type: string }> = {
  [K in R['type']]?: (req: Extract<R, { type: K }>, ctx: RequestContext) => unknown;
};

export interface ChildMainOptions<R extends { type: string }> {
  /** The child's file, named when it is started without an IPC channel and it needs one. */
  name: string;
  /** Refuse to run without an IPC channel (exit 2). The server child also runs on its own. */
  requireIpc: boolean;
  /** Requests by type: the returned value (or promise) is the reply's result, a throw its error. */
  requests: RequestHandlers<R>;
  /** One-way messages by type: never answered (queued behind the requests when `serial`). */
  messages?: Record<string, (msg: ChildRequest) => void>;
  /** One request at a time in arrival order (a 'start' right behind 'init' waits for it). */
  serial: boolean;
  /** Close everything; the child exits 0 after it (disconnect, SIGTERM, `exitSignals`). */
  shutdown(): Promise<void>;
  /** More signals that shut the child down (the browser host: SIGHUP). */
  exitSignals?: NodeJS.Signals[];
  /** An uncaught exception or unhandled rejection (absent: Node's default, the child dies). */
  onUncaught?(kind: 'uncaught' | 'unhandled-rejection', err: unknown): void;
}

export interface ChildMain {
  /** Send a one-way message to the parent (`then` once it is written, or at once without a channel). */
  send<M extends { type: string }>(msg: M, then?: () => void): void;
  /** Shut down (once), then exit with `code`. */
  exitAfterShutdown(code: number): Promise<void>;
}

/** A thrown value as a reply error (PB_INTERNAL unless it is a PushbenchError). */
export function replyError(err: unknown): ReplyError {
  if (err instanceof PushbenchError)
    return {
      code: err.code,
      message: err.message,
      ...(err.problems.length ? { problems: err.problems } : {}),
    };
  return { code: 'PB_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/** Wire a child process's IPC, signals and exit paths; returns how to send and how to exit. */
export function childMain<R extends { type: string }>(o: ChildMainOptions<R>): ChildMain {
  const requests = o.requests as Record<
    string,
    ((req: ChildRequest, ctx: RequestContext) => unknown) | undefined
  >;
  if (o.requireIpc && !process.send) {
    console.error(`${o.name} is a child process: spawn it with an IPC channel`);
    process.exit(2);
  }
  const send: ChildMain['send'] = (msg, then) => {
    if (process.connected && process.send) process.send(msg, undefined, {}, () => then?.());
    else then?.();
  };
  let shuttingDown: Promise<void> | undefined;
  const exitAfterShutdown = async (code: number): Promise<void> => {
    shuttingDown ??= o.shutdown().catch((err) => console.error(`${o.name}: shutdown:`, err));
    await shuttingDown;
    process.exit(code);
  };

  const answer = async (req: ChildRequest): Promise<void> => {
    let exitCode: number | undefined;
    const ctx: RequestContext = {
      exitAfterReply: (code) => {
        exitCode = code;
      },
    };
    let reply: ChildReply;
    const handler = Object.hasOwn(requests, req.type) ? requests[req.type] : undefined;
    try {
      if (!handler)
        throw new PushbenchError('PB_BAD_OPTION', `${o.name}: unknown request ${JSON.stringify(req.type)}`);
      reply = { type: 'reply', id: req.id, result: await handler(req, ctx) };
    } catch (err) {
      reply = { type: 'reply', id: req.id, error: replyError(err) };
    }
    send(reply, () => {
      if (exitCode !== undefined) process.exit(exitCode);
    });
  };

  const oneWay = (msg: ChildRequest): void => {
    const handle = o.messages && Object.hasOwn(o.messages, msg.type) ? o.messages[msg.type] : undefined;
    if (!handle) {
      console.error(`${o.name}: unknown message ${JSON.stringify(msg.type)}`);
      return;
    }
    try {
      handle(msg);
    } catch (err) {
      console.error(`${o.name}: ${msg.type}:`, err);
    }
  };

  let queue: Promise<void> = Promise.resolve();
  process.on('message', (raw: unknown) => {
    const msg = raw as ChildRequest;
    if (!msg || typeof msg.type !== 'string') return;
    const run = msg.id === undefined ? () => oneWay(msg) : () => answer(msg);
    if (o.serial) queue = queue.then(run);
    else void run();
  });
  process.on('disconnect', () => void exitAfterShutdown(0));
  for (const signal of ['SIGTERM', ...(o.exitSignals ?? [])] as NodeJS.Signals[])
    process.on(signal, () => void exitAfterShutdown(0));
  process.on('SIGINT', () => {
    if (!process.send) void exitAfterShutdown(0);
  });
  const onUncaught = o.onUncaught;
  if (onUncaught) {
    process.on('uncaughtException', (err) => onUncaught('uncaught', err));
    process.on('unhandledRejection', (err) => onUncaught('unhandled-rejection', err));
  }
  return { send, exitAfterShutdown };
}
