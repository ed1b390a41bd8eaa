import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Ajv, type AnySchemaObject } from 'ajv';
import { parse } from 'yaml';
import { PROTOCOLS } from '../../core/types.ts';
import { toxicDefinition } from '../../network/spec.ts';
import { defaultScenario, loadScenario, resolveScenario } from '../../scenarios/load.ts';
import { FAULT_KINDS, FAULT_PARAMS } from '../../scenarios/schema.ts';

const schemaUrl = new URL('../../scenarios/scenario.schema.json', import.meta.url);
const schema: AnySchemaObject = JSON.parse(readFileSync(schemaUrl, 'utf8'));
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const readYaml = (name: string): unknown => parse(readFileSync(fixture(name), 'utf8'));

/** A fresh validator, independent of the loader's own instance. */
function compile() {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  return ajv.compile(schema);
}

/** Every (path, sub-schema) of the schema that describes a property, `$ref`s followed. */
function properties(node: AnySchemaObject = schema, path = ''): Array<[string, AnySchemaObject]> {
  const out: Array<[string, AnySchemaObject]> = [];
  const target = node.$ref ? schema.definitions[node.$ref.replace('#/definitions/', '')] : node;
  for (const [key, sub] of Object.entries<AnySchemaObject>(target.properties ?? {})) {
    out.push([`${path}${key}`, sub], ...properties(sub, `${path}${key}.`));
  }
  if (target.items) out.push(...properties(target.items, `${path}[].`));
  return out;
}

describe('scenario.schema.json', () => {
  test('is a valid draft-07 schema that compiles in strict mode', () => {
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    assert.equal(ajv.validateSchema(schema), true, JSON.stringify(ajv.errors));
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.doesNotThrow(compile);
  });

  test('every property has a description, every mapping rejects unknown keys', () => {
    const props = properties();
    assert.ok(props.length > 60, `only ${props.length} properties found`);
    for (const [path, sub] of props) {
      const target = sub.$ref ? schema.definitions[sub.$ref.replace('#/definitions/', '')] : sub;
      assert.ok((sub.description ?? target.description)?.length > 10, `${path} has no description`);
      if ([target.type].flat().includes('object')) {
        assert.equal(target.additionalProperties, false, `${path} accepts unknown keys`);
      }
    }
    assert.equal(schema.additionalProperties, false);
    assert.equal(schema.definitions.fault.additionalProperties, false);
  });

  test('a minimal and a full example validate with the schema and the loader', async () => {
    const validate = compile();
    for (const name of ['minimal.yaml', 'full.yaml']) {
      assert.equal(validate(readYaml(name)), true, `${name}: ${JSON.stringify(validate.errors)}`);
      await assert.doesNotReject(loadScenario(fixture(name)));
    }
  });

  test('the full example uses every property the schema declares', () => {
    const raw = readYaml('full.yaml') as Record<string, unknown>;
    const used = new Set<string>();
    const walk = (value: unknown, path: string) => {
      if (Array.isArray(value)) for (const item of value) walk(item, `${path}[].`);
      else if (value && typeof value === 'object') {
        for (const [key, sub] of Object.entries(value)) {
          used.add(`${path}${key}`);
          if (key !== 'protocols') walk(sub, `${path}${key}.`);
        }
      }
    };
    walk(raw, '');
    const unused = properties()
      .map(([path]) => path)
      .filter((path) => !used.has(path) && !/^clients\./.test(path));
    assert.deepEqual(unused, [], 'add these to fixtures/full.yaml');
  });

  test('the schema rejects what the loader rejects for shape', () => {
    const validate = compile();
    const bad = readYaml('many-problems.yaml');
    assert.equal(validate(bad), false);
    const paths = (validate.errors ?? []).map((e) => e.instancePath);
    for (const p of ['/protocols/1', '/source', '/heartbeat/interval', '/faults/0/for', '/slo/latencyP99']) {
      assert.ok(paths.includes(p), `${p} not flagged by the schema: ${paths.join(', ')}`);
    }
  });

  test("the defaults it states are the loader's defaults", () => {
    const raw: Record<string, unknown> = {};
    for (const [path, sub] of properties()) {
      // source.burst is refused without pattern: burst (it would be ignored), so it is left out
      const skip = path.startsWith('faults') || path === 'clients' || path === 'source.burst';
      if (sub.default === undefined || skip) continue;
      const keys = path.split('.');
      let node = raw;
      for (const key of keys.slice(0, -1)) {
        node[key] ??= {};
        node = node[key] as Record<string, unknown>;
      }
      node[keys.at(-1)!] = sub.default;
    }
    assert.ok(Object.keys(raw).length >= 10);
    assert.deepEqual(resolveScenario({ ...raw, clients: 100 }, 'default'), defaultScenario());
    const fault = { at: '1s', for: '1s', kind: 'blackhole' };
    const faultDefaults = schema.definitions.fault.properties;
    const withDefaults = {
      ...fault,
      clients: faultDefaults.clients.default,
      direction: faultDefaults.direction.default,
    };
    assert.deepEqual(
      resolveScenario({ faults: [withDefaults] }, 'x').faults,
      resolveScenario({ faults: [fault] }, 'x').faults,
    );
  });
});

describe('in sync with the rest of pushbench', () => {
  test('fault kinds: the proxy registry, FAULT_PARAMS and the schema enum agree', () => {
    const schemaKinds = schema.definitions.fault.properties.kind.enum as string[];
    assert.deepEqual([...schemaKinds].sort(), [...FAULT_KINDS].sort());
    assert.deepEqual(Object.keys(FAULT_PARAMS).sort(), [...FAULT_KINDS].sort());
  });

  test('fault parameters: the proxy names them as FAULT_PARAMS maps them, the schema lists them', () => {
    const schemaKeys = Object.keys(schema.definitions.fault.properties);
    for (const kind of FAULT_KINDS) {
      const mapped = Object.values(FAULT_PARAMS[kind]).map((p) => p.key);
      assert.deepEqual(mapped.sort(), Object.keys(toxicDefinition(kind).params).sort(), kind);
      for (const yamlKey of Object.keys(FAULT_PARAMS[kind])) assert.ok(schemaKeys.includes(yamlKey), yamlKey);
    }
    const paramKeys = new Set(FAULT_KINDS.flatMap((k) => Object.keys(FAULT_PARAMS[k])));
    const common = ['at', 'for', 'kind', 'clients', 'direction'];
    assert.deepEqual(schemaKeys.sort(), [...common, ...paramKeys].sort());
  });

  test('protocols: the schema enum is core/types PROTOCOLS', () => {
    assert.deepEqual(schema.definitions.protocol.enum, [...PROTOCOLS]);
    assert.deepEqual(Object.keys(schema.properties.clients.properties), [...PROTOCOLS]);
  });
});
