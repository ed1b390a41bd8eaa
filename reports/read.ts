/**
 * Read a results.json for the report with errors a user can act on: missing file, not JSON,
 * wrong schema id, no runs array. A folder argument means the results.json inside it.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PushbenchError } from '../core/errors.ts';
import { RESULTS_SCHEMA_ID, type Results } from '../core/types.ts';

/** Resolve `file` (a results.json or a folder holding one) to a file path. */
async function resolveResultsPath(file: string): Promise<string> {
  if (!file) throw new PushbenchError('PB_BAD_OPTION', 'results: expected a path to a results.json');
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'no such file' : `cannot read (${err.code})`;
    throw new PushbenchError('PB_BAD_OPTION', `${file}: ${why}`);
  });
  return info.isDirectory() ? path.join(file, 'results.json') : file;
}

/** Read and check a results file; throws PushbenchError PB_BAD_OPTION naming the file and the rule. */
export async function readResultsFile(file: string): Promise<Results> {
  const resolved = await resolveResultsPath(file);
  const text = await readFile(resolved, 'utf8').catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'no such file' : `cannot read (${err.code})`;
    throw new PushbenchError('PB_BAD_OPTION', `${resolved}: ${why}`);
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new PushbenchError('PB_BAD_OPTION', `${resolved}: not valid JSON (${(err as Error).message})`);
  }
  return checkResults(data, resolved);
}

/** Check the shape the report relies on: schema id and a runs array (fields inside runs may be partial). */
export function checkResults(data: unknown, source: string): Results {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new PushbenchError(
      'PB_BAD_OPTION',
      `${source}: expected a JSON object with "schema": "${RESULTS_SCHEMA_ID}"`,
    );
  }
  const o = data as Record<string, unknown>;
  const problems: string[] = [];
  if (o.schema !== RESULTS_SCHEMA_ID) {
    problems.push(
      `schema: expected "${RESULTS_SCHEMA_ID}", got ${o.schema === undefined ? 'nothing' : JSON.stringify(o.schema)}`,
    );
  }
  if (!Array.isArray(o.runs)) problems.push('runs: expected an array');
  if (problems.length)
    throw new PushbenchError('PB_BAD_OPTION', `${source}: not a pushbench results file`, problems);
  return data as Results;
}
