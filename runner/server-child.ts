/**
 * A pushbench server as a child process for the engines (capacity probes, Artillery runs):
 * started on 127.0.0.1 port 0 through the runner's ChildHandle, refused unless loopback, and
 * sampled for CPU / RSS / event-loop delay so every engine reports the server's cost the same way.
 */
import { benchPageDir } from '../clients/browser/page-dir.ts';
import { assertLoopbackTarget } from '../core/loopback.ts';
import type { ServerOptions } from '../servers/app.ts';
import type { ServerStats } from '../servers/stats.ts';
import { ChildHandle } from './child.ts';
import { type ServerSample, sampleOf } from './server-figures.ts';

const SERVER_ENTRY = new URL('../servers/main.ts', import.meta.url);

export interface ServerChild {
  child: ChildHandle;
  url: string;
}

/**
 * Spawn `servers/main.ts` with `options` on port 0, serving the browser page too (the server
 * cannot know where it lives: clients/browser/page-dir.ts). Does not wait for it to listen.
 */
export function spawnServerChild(name: string, options: ServerOptions): ChildHandle {
  return new ChildHandle(name, SERVER_ENTRY, {
    PUSHBENCH_SERVER_OPTIONS: JSON.stringify({ port: 0, benchPageDir: benchPageDir(), ...options }),
  });
}

/** Start `servers/main.ts` with `options` (port 0), wait until it listens; loopback only. */
export async function startServerChild(
  name: string,
  options: ServerOptions,
  allowRemote = false,
): Promise<ServerChild> {
  const child = spawnServerChild(name, options);
  try {
    const { url } = await child.waitFor<{ type: string; url: string }>('listening', 20_000);
    assertLoopbackTarget(url, allowRemote);
    return { child, url };
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
}

/** Ask the server child for its process figures (runner/server-figures.ts has the rules). */
export async function sampleCost(server: ChildHandle): Promise<ServerSample> {
  return sampleOf(await server.request<ServerStats>('stats'));
}

export { scenarioServerOptions } from './settings.ts';
