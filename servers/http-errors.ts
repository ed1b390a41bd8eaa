/**
 * Every HTTP error answer is `{"error":{"code","message","problems"?}}` with a code
 * from core/errors.ts: PushbenchErrors as they are, fastify's own errors mapped
 * (body too large → 413 PB_BODY_TOO_LARGE, unparsable body → 400 PB_BAD_BODY),
 * unknown routes → 404 PB_NOT_FOUND, anything else 500 PB_INTERNAL. Never a stack trace.
 * Errors Node's HTTP parser raises before fastify sees a request (clientErrorHandler): a
 * request not received within requestTimeoutMs → 408 PB_REQUEST_TIMEOUT, headers over Node's
 * limit → 431 PB_HEADERS_TOO_LARGE, anything unparsable → 400 PB_BAD_REQUEST; then the
 * connection closes.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance } from 'fastify';
import { PushbenchError } from '../core/errors.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Map anything thrown in a route to a PushbenchError. */
export function toPushbenchError(err: unknown): PushbenchError {
  if (err instanceof PushbenchError) return err;
  const e = err as Partial<FastifyError>;
  if (e.statusCode === 413) return new PushbenchError('PB_BODY_TOO_LARGE', e.message);
  if (e.statusCode === 415)
    return new PushbenchError('PB_UNSUPPORTED_MEDIA_TYPE', 'expected application/json');
  // The router's own: a path parameter over maxParamLength, or a path that is not valid %-encoding.
  if (e.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return new PushbenchError('PB_URI_TOO_LONG', 'a path segment is over 1,000 characters');
  if (e.code === 'FST_ERR_BAD_URL')
    return new PushbenchError('PB_BAD_REQUEST', 'the path is not a valid URL component');
  if (e.statusCode === 503) return new PushbenchError('PB_SHUTTING_DOWN');
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return new PushbenchError('PB_BAD_BODY', e.message);
  }
  return new PushbenchError('PB_INTERNAL');
}

/** fastify's frameworkErrors: errors the router raises before any route (414, bad %-encoding). */
export function frameworkErrors(
  err: FastifyError,
  _req: unknown,
  reply: import('fastify').FastifyReply,
): void {
  const pe = toPushbenchError(err);
  reply.code(pe.status).type(JSON_TYPE).send(pe.toJSON());
}

/** Install the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, _req, reply) => {
    const pe = toPushbenchError(err);
    reply.code(pe.status).type(JSON_TYPE).send(pe.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    // The path is echoed at most 200 characters long (a 10 KB path is not sent back).
    const p = req.url.split('?')[0];
    const pe = new PushbenchError(
      'PB_NOT_FOUND',
      `${req.method} ${p.length > 200 ? `${p.slice(0, 200)}…` : p}`,
    );
    reply.code(pe.status).type(JSON_TYPE).send(pe.toJSON());
  });
}

/** The raw HTTP/1.1 answer for an error on a socket fastify never routed; the socket is then closed. */
export function rawErrorResponse(pe: PushbenchError): string {
  const body = JSON.stringify(pe.toJSON());
  const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[
    pe.status
  ];
  return (
    `HTTP/1.1 ${pe.status} ${reason ?? 'Error'}\r\nContent-Type: ${JSON_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

/** fastify's clientErrorHandler: parser errors and request timeouts in the error shape. */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const pe =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new PushbenchError(
          'PB_REQUEST_TIMEOUT',
          'the request headers and body must arrive within requestTimeoutMs',
        )
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new PushbenchError('PB_HEADERS_TOO_LARGE', 'request line and headers over 16 KiB')
        : new PushbenchError('PB_BAD_REQUEST', err.code ?? 'unparsable');
  if (socket.writable) socket.end(rawErrorResponse(pe));
  // Whatever the client still sends is not read: free the socket shortly after the answer.
  setTimeout(() => socket.destroy(), 1_000).unref();
}

/**
 * The Origin check of WebSocket upgrades (wsAllowedOrigins, docs/servers.md): true when the
 * list is empty, the request has no Origin (not a browser), the Origin is listed, or it is
 * the server's own origin (its Host header, as for the demo page).
 */
export function originAllowed(
  allowed: readonly string[],
  origin: string | undefined,
  host: string | undefined,
): boolean {
  if (allowed.length === 0 || origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && host !== undefined && u.host === host;
  } catch {
    return false;
  }
}
