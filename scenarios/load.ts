/**
 * Scenario files: YAML text → validated, resolved Scenario. Every problem is reported at
 * once as `path: rule (line N)` in a PushbenchError('PB_BAD_SCENARIO') — exit code 2.
 */
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { SCENARIO_DEFAULTS } from '../core/defaults.ts';
import { PushbenchError } from '../core/errors.ts';
import { checkScenario } from './checks.ts';
import { resolveRaw } from './resolve.ts';
import {
  checkShape,
  formatPath,
  ProblemList,
  type ProblemPath,
  SCENARIO_JSON_SCHEMA,
  type Scenario,
} from './schema.ts';

const TOP_KEYS = Object.keys(SCENARIO_JSON_SCHEMA.properties);

export { applyOverrides, overridesFromFlags, type ScenarioOverrides } from './overrides.ts';

/** Validate and resolve raw input (parsed YAML or JSON); throws PB_BAD_SCENARIO listing every problem. */
export function resolveScenario(raw: unknown, source: string): Scenario {
  const problems = new ProblemList();
  const scenario = collect(raw, source, problems);
  if (problems.items.length) {
    // No lines to sort by: the schema's order of top-level keys, then array index.
    const rank = (path: ProblemPath) => [
      TOP_KEYS.indexOf(String(path[0])),
      typeof path[1] === 'number' ? path[1] : -1,
    ];
    problems.items.sort((a, b) => {
      const [ra, rb] = [rank(a.path), rank(b.path)];
      return ra[0] - rb[0] || ra[1] - rb[1];
    });
    throw new PushbenchError('PB_BAD_SCENARIO', source, problems.format());
  }
  return scenario;
}

/** The scenario with every default: what `pushbench run` without a file runs. */
export function defaultScenario(): Scenario {
  return resolveScenario({}, SCENARIO_DEFAULTS.name);
}

/** Read, parse, validate and resolve a scenario file. */
export async function loadScenario(file: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new PushbenchError('PB_BAD_SCENARIO', file, [`${file}: cannot read the file (${reason})`]);
  }
  return parseScenario(text, file);
}

/** Parse YAML text (`source` names it in messages and gives the default name). */
export function parseScenario(text: string, source: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'YAML';
      return `${where}: YAML syntax error: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new PushbenchError('PB_BAD_SCENARIO', source, problems);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 }); // throws on alias bombs
  } catch (err) {
    throw new PushbenchError('PB_BAD_SCENARIO', source, [`YAML: ${(err as Error).message}`]);
  }
  const problems = new ProblemList();
  const scenario = collect(raw, source, problems);
  if (problems.items.length) {
    const located = problems.items.map((p) => ({
      text: `${formatPath(p.path)}: ${p.rule}`,
      line: lineOf(doc.contents, p.path, lineCounter),
    }));
    located.sort((a, b) => a.line - b.line);
    const lines = located.map(({ text, line }) => (line > 0 ? `${text} (line ${line})` : text));
    throw new PushbenchError('PB_BAD_SCENARIO', source, lines);
  }
  return scenario;
}

function collect(raw: unknown, source: string, problems: ProblemList): Scenario {
  checkShape(raw, problems);
  const scenario = resolveRaw(raw, nameFromSource(source), problems);
  checkScenario(scenario, problems);
  return scenario;
}

/** "scenarios/silent-drop.yaml" → "silent-drop" (made safe for file names). */
function nameFromSource(source: string): string {
  const stem = basename(source, extname(source))
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 64);
  return /^[A-Za-z0-9]/.test(stem) ? stem : SCENARIO_DEFAULTS.name;
}

/** Line of the deepest node on `path` (a key's own line for mapping entries); 0 when unknown. */
function lineOf(root: Node | null, path: ProblemPath, lineCounter: LineCounter): number {
  let node: unknown = root;
  let offset = (root as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === seg);
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg]) {
      node = node.items[seg];
      offset = (node as Node).range?.[0] ?? offset;
    } else break;
  }
  return offset === undefined ? 0 : lineCounter.linePos(offset).line;
}
