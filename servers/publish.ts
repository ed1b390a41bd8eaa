/**
 * `POST /publish` — body `{ "to"?: id, "data": string }` (JSON, ≤ publishBodyLimitBytes)
 * → 202 `{"seq": N}`. Over the limit → 413 PB_BODY_TOO_LARGE; bad body → 400 PB_BAD_BODY;
 * a content type other than application/json → 415 PB_UNSUPPORTED_MEDIA_TYPE.
 */
import type { FastifyInstance } from 'fastify';
import { PushbenchError } from '../core/errors.ts';
import type { ServerContext } from './context.ts';
import { parseQuery } from './validate.ts';

function checkBody(body: unknown): { data: string; to?: string } {
  const problems: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PushbenchError('PB_BAD_BODY', 'expected a JSON object', [
      'body: expected {"to"?: id, "data": string}',
    ]);
  }
  const b = body as Record<string, unknown>;
  if (typeof b.data !== 'string')
    problems.push(`data: expected a string, got ${JSON.stringify(b.data ?? null)}`);
  let to: string | undefined;
  if (b.to !== undefined) {
    try {
      to = parseQuery({ client: b.to }).client;
    } catch {
      problems.push('to: expected 1-64 characters of [A-Za-z0-9_.:-]');
    }
  }
  for (const key of Object.keys(b))
    if (key !== 'data' && key !== 'to') problems.push(`${key}: unknown field`);
  if (problems.length) throw new PushbenchError('PB_BAD_BODY', problems.join('; '), problems);
  return { data: b.data as string, to };
}

/** Register POST /publish. */
export function publishRoute(app: FastifyInstance, ctx: ServerContext): void {
  app.post(
    '/publish',
    {
      bodyLimit: ctx.options.publishBodyLimitBytes,
      // Only JSON is read: any other content type is 415 before the body is parsed.
      onRequest: async (req) => {
        if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
          throw new PushbenchError(
            'PB_UNSUPPORTED_MEDIA_TYPE',
            `expected application/json, got ${JSON.stringify((req.headers['content-type'] ?? '').slice(0, 100))}`,
          );
        }
      },
    },
    async (req, reply) => {
      if (ctx.shuttingDown) throw new PushbenchError('PB_SHUTTING_DOWN');
      const { data, to } = checkBody(req.body);
      const env = ctx.source.publish(data, to === undefined ? {} : { to });
      return reply.code(202).send({ seq: env.seq });
    },
  );
}
