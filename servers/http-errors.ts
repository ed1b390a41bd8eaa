/**
 * Every HTTP error answer is `{"error":{"code","message","problems"?}}` with a code
 * from core/errors.ts: PushbenchErrors as they are, fastify's own errors mapped
 * (body too large → 413 PB_BODY_TOO_LARGE, unparsable body → 400 PB_BAD_BODY),
 * unknown routes → 404 PB_NOT_FOUND, anything else 500 PB_INTERNAL. Never a stack trace.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { PushbenchError } from '../core/errors.ts';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Map anything thrown in a route to a PushbenchError. */
export function toPushbenchError(err: unknown): PushbenchError {
  if (err instanceof PushbenchError) return err;
  const e = err as Partial<FastifyError>;
  if (e.statusCode === 413) return new PushbenchError('PB_BODY_TOO_LARGE', e.message);
  if (e.statusCode === 503) return new PushbenchError('PB_SHUTTING_DOWN');
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return new PushbenchError('PB_BAD_BODY', e.message);
  }
  return new PushbenchError('PB_INTERNAL');
}

/** Install the error and not-found handlers. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err, _req, reply) => {
    const pe = toPushbenchError(err);
    reply.code(pe.status).type(JSON_TYPE).send(pe.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const pe = new PushbenchError('PB_NOT_FOUND', `${req.method} ${req.url.split('?')[0]}`);
    reply.code(pe.status).type(JSON_TYPE).send(pe.toJSON());
  });
}
