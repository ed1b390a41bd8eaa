/**
 * The scenario's `target:` (docs/targets.md): a server pushbench did not start, resolved against
 * its profile (clients/profiles/) — paths with {channel} filled in, resume methods, message
 * pointers, the publish URL (absent: observe the server's own stream) — and checked: every
 * problem with its path. `--target`, `--profile` and `--target-pid` re-resolve it (overrides.ts).
 */
import {
  isResumeMethod,
  type MessagePointers,
  PROFILE_NAMES,
  targetProfile,
} from '../clients/profiles/registry.ts';
import { parsePointer } from '../clients/target/message.ts';
import type { ProtocolName } from '../core/types.ts';
import type { ProblemList, ProblemPath } from './schema.ts';

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ScenarioTarget {
  profile: string;
  url: string;
  channel: string;
  /** Per protocol the profile speaks: the path (and query), {channel} filled in, {client} left for the client. */
  paths: Partial<Record<ProtocolName, string>>;
  resume: Partial<Record<ProtocolName, string>>;
  message: MessagePointers;
  /** null: observe the server's own stream (loss from seq gaps). */
  publishUrl: string | null;
  event?: string;
  pid?: number;
  /** The WebSocket heartbeat form: the scenario's `heartbeat.form`, else the profile's. */
  heartbeatForm: 'json' | 'text' | 'protocol' | 'none';
  heartbeatFormGiven: boolean;
  /** The `target:` mapping as written (the CLI flags re-resolve from it). */
  given: Raw;
}

const DEFAULT_CHANNEL = 'bench';

/** Resolve `raw` (the scenario's `target:` value); problems go to `problems` under `target`. */
export function resolveTarget(
  raw: unknown,
  heartbeat: { form: ScenarioTarget['heartbeatForm']; given: boolean },
  problems: ProblemList,
): ScenarioTarget {
  const t = isRecord(raw) ? raw : {};
  const base: ProblemPath = ['target'];
  const profileName = typeof t.profile === 'string' ? t.profile : 'generic';
  const profile = targetProfile(profileName);
  if (!profile) problems.add([...base, 'profile'], `expected one of ${PROFILE_NAMES.join(', ')}`);
  const p = profile ?? targetProfile('generic')!;
  const url = typeof t.url === 'string' ? t.url.replace(/\/+$/, '') : '';
  if (!/^(https?|wss?):\/\/[^/]+/.test(url)) {
    problems.add([...base, 'url'], 'required: a URL such as http://127.0.0.1:8080');
  }
  const channel = typeof t.channel === 'string' && t.channel !== '' ? t.channel : DEFAULT_CHANNEL;
  const fill = (path: string) => path.replaceAll('{channel}', encodeURIComponent(channel));
  const paths: Partial<Record<ProtocolName, string>> = {};
  const resume: Partial<Record<ProtocolName, string>> = {};
  const givenPaths = isRecord(t.paths) ? t.paths : {};
  const givenResume = isRecord(t.resume) ? t.resume : {};
  for (const proto of p.protocols) {
    const path = typeof givenPaths[proto] === 'string' ? (givenPaths[proto] as string) : p.paths[proto];
    if (path !== undefined) {
      if (!path.startsWith('/')) problems.add([...base, 'paths', proto], 'expected a path starting with /');
      paths[proto] = fill(path);
    }
    const method = givenResume[proto] ?? p.resume[proto];
    if (method !== undefined) {
      if (
        typeof method !== 'string' ||
        !isResumeMethod(method) ||
        (method === 'pushbench') !== (p.wire === 'pushbench')
      ) {
        problems.add(
          [...base, 'resume', proto],
          p.wire === 'pushbench'
            ? 'the pushbench profile resumes by its own wire (pushbench)'
            : 'expected none, query:NAME, last-event-id, if-modified-since or last-event-id-query',
        );
      }
      resume[proto] = String(method);
    }
  }
  const message = resolvePointers(t.message, p.message, [...base, 'message'], problems);
  let publishUrl: string | null = null;
  if (t.publish !== undefined) {
    const pub = isRecord(t.publish) ? t.publish : {};
    if (typeof pub.url === 'string') publishUrl = fill(pub.url);
    else if (p.publishPath && url) publishUrl = url + fill(p.publishPath);
    else problems.add([...base, 'publish', 'url'], `required: the ${p.name} profile has no publish path`);
  }
  const pid = t.pid;
  if (pid !== undefined && !(typeof pid === 'number' && Number.isInteger(pid) && pid > 0)) {
    problems.add([...base, 'pid'], 'expected a process id (a whole number ≥ 1)');
  }
  return {
    profile: p.name,
    url,
    channel,
    paths,
    resume,
    message,
    publishUrl,
    ...(p.event || typeof t.event === 'string'
      ? { event: typeof t.event === 'string' ? t.event : p.event }
      : {}),
    ...(typeof pid === 'number' && pid > 0 ? { pid } : {}),
    heartbeatForm: heartbeat.given ? heartbeat.form : p.heartbeatForm,
    heartbeatFormGiven: heartbeat.given,
    given: t,
  };
}

function resolvePointers(
  raw: unknown,
  fallback: MessagePointers,
  base: ProblemPath,
  problems: ProblemList,
): MessagePointers {
  if (raw === undefined) return { ...fallback };
  const m = isRecord(raw) ? raw : {};
  const out: MessagePointers = {
    seq: typeof m.seq === 'string' ? m.seq : '/seq',
    t: typeof m.t === 'string' ? m.t : '/t',
    ...(typeof m.data === 'string' ? { data: m.data } : {}),
  };
  for (const key of ['seq', 't', 'data'] as const) {
    const v = out[key];
    if (v === undefined) continue;
    try {
      parsePointer(v);
    } catch {
      problems.add([...base, key], 'expected a JSON pointer such as /seq ("" or starting with /)');
    }
  }
  return out;
}

/** Scenario checks of a target: the protocols the profile speaks, each with a path. */
export function checkTarget(
  target: ScenarioTarget,
  s: { protocols: ProtocolName[] },
  problems: ProblemList,
): void {
  const profile = targetProfile(target.profile);
  if (!profile) return;
  for (const proto of s.protocols) {
    if (!profile.protocols.includes(proto)) {
      problems.add(
        ['protocols'],
        `the ${profile.name} target profile speaks ${profile.protocols.join(', ')}, not ${proto}`,
      );
    } else if (profile.wire === 'target' && target.paths[proto] === undefined) {
      problems.add(['target', 'paths', proto], `required: a path for ${proto}`);
    }
  }
}

/**
 * What a run against a target cannot do, checked when the run starts (a scenario file may hold
 * both a target and these for pushbench's own servers): addressed messages and browser pages.
 */
export function targetRunProblems(s: {
  target?: ScenarioTarget;
  source: { mode: string };
  browsers: number;
}): string[] {
  if (!s.target) return [];
  const out: string[] = [];
  if (s.source.mode === 'addressed') out.push('source.mode: a target is measured in broadcast mode only');
  if (s.browsers > 0) out.push('browsers: browser pages are not run against a target (use --browsers 0)');
  return out;
}
