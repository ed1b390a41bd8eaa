/**
 * Check a results.json against core/results.schema.json (pushbench/results@1): every
 * problem as `path: rule`, none when valid. Used by tests and by outside tools' checks.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const schema = JSON.parse(readFileSync(new URL('./results.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Problems of `data` against the results schema ([] when valid). */
export function resultsProblems(data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)'}: ${e.message}`,
  );
}
