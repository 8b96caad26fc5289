/**
 * The JSON Schemas (schemas/*.schema.json) and the `schema` rule beyond its
 * fixtures: agreement with values.ts and the spec, editor annotations, the
 * config schema, and "one problem, one diagnostic".
 */
import assert from 'node:assert/strict';
import Ajv, { type ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { lint } from '../server/src/service/linting/lint';
import { PHASE_KINDS } from '../server/src/service/parsing/plan';
import { RULES } from '../server/src/service/rules';
import { suggest } from '../server/src/service/rules/schema';
import { CONFIG_SCHEMA, getConfigValidator, getPlanValidator, PLAN_SCHEMA, type JsonSchema } from '../server/src/service/parsing/schemaValidator';
import type { Diagnostic } from '../server/src/service/types';
import { PATTERNS } from '../server/src/service/parsing/values';
import { EXAMPLES, ROOT, formatRange, read } from './helpers';

const EXAMPLE = read(path.join(EXAMPLES, 'split-user-name.migplan.yaml'));

/** Every subschema with the JSON-pointer-like path that leads to it. */
function* subschemas(schema: JsonSchema, at = '#'): Generator<[string, JsonSchema]> {
  yield [at, schema];
  for (const [k, v] of Object.entries(schema.properties ?? {})) if (typeof v === 'object') yield* subschemas(v, `${at}/properties/${k}`);
  if (schema.items) yield* subschemas(schema.items, `${at}/items`);
  if (typeof schema.additionalProperties === 'object') yield* subschemas(schema.additionalProperties, `${at}/additionalProperties`);
  if (schema.propertyNames) yield* subschemas(schema.propertyNames, `${at}/propertyNames`);
  for (const key of ['anyOf', 'allOf'] as const) {
    const list = schema[key] ?? [];
    for (let i = 0; i < list.length; i++) yield* subschemas(list[i], `${at}/${key}/${i}`);
  }
  if (schema.if) yield* subschemas(schema.if, `${at}/if`);
  if (schema.then) yield* subschemas(schema.then, `${at}/then`);
}

/** The schema under a path of property names (`*` for items). */
function at(schema: JsonSchema, ...segs: string[]): JsonSchema {
  let s: JsonSchema | undefined = schema;
  for (const seg of segs) {
    const next: JsonSchema | boolean | undefined = seg === '*' ? s?.items : s?.properties?.[seg];
    assert.ok(typeof next === 'object', `no schema at ${segs.join('.')}`);
    s = next;
  }
  return s!;
}

function schemaDiags(text: string): Diagnostic[] {
  return lint(text).diagnostics.filter((d) => d.rule === 'schema');
}

function summary(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.rule} ${formatRange(d.range)}`);
}

/** A minimal valid plan with one phase (lines are given without the 4-space phase indentation). */
function planWithPhase(phaseLines: string[]): string {
  return ['migplan: 1', 'title: t', 'owner: o', 'phases:', ...phaseLines.map((l, i) => (i === 0 ? `  - ${l}` : `    ${l}`))].join('\n') + '\n';
}

describe('plan schema', () => {
  it('passes the example plan', () => {
    assert.deepEqual(summary(schemaDiags(EXAMPLE)), []);
    assert.equal(getPlanValidator()(lint(EXAMPLE).plan.json), true);
  });

  it('compiles with ajv in strict mode, and the precompiled validators agree with a fresh compile on every fixture', () => {
    const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
    for (const keyword of ['markdownDescription', 'defaultSnippets']) ajv.addKeyword({ keyword });
    const fresh = ajv.compile(PLAN_SCHEMA);
    assert.doesNotThrow(() => ajv.compile(CONFIG_SCHEMA));
    const errorsOf = (v: ValidateFunction, data: unknown): string[] => {
      v(data);
      return (v.errors ?? []).map((e) => `${e.instancePath} ${e.keyword} ${e.message}`).sort();
    };
    const fixtures = fs.readdirSync(path.join(ROOT, 'test', 'rules'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.migplan.yaml'));
    assert.ok(fixtures.length > 50);
    for (const f of fixtures) {
      const data = lint(fs.readFileSync(path.join(ROOT, 'test', 'rules', f), 'utf8')).plan.json;
      if (data === undefined) continue;
      assert.deepEqual(errorsOf(getPlanValidator(), data), errorsOf(fresh, data), f);
    }
  });

  it('has its id, title and description', () => {
    assert.equal(PLAN_SCHEMA.$id, 'https://migplan.dev/schemas/migplan.schema.json');
    assert.equal(PLAN_SCHEMA.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.ok(PLAN_SCHEMA.title && PLAN_SCHEMA.description);
  });

  it('uses exactly the value patterns of values.ts', () => {
    const known = new Set<string>(Object.values(PATTERNS));
    const used = new Set<string>();
    for (const [where, s] of subschemas(PLAN_SCHEMA)) {
      if (s.pattern === undefined) continue;
      assert.ok(known.has(s.pattern), `${where}: pattern ${s.pattern} is not one of values.ts PATTERNS`);
      used.add(s.pattern);
    }
    assert.deepEqual([...used].sort(), [...known].sort(), 'every pattern of values.ts is used by the schema');
    const expected: Array<[string[], keyof typeof PATTERNS]> = [
      [['context', 'data_volume', '*', 'size'], 'size'],
      [['context', 'downtime', 'window'], 'duration'],
      [['context', 'rollback_requirements', 'max_revert_time'], 'duration'],
      [['assessment', 'baseline', 'p50'], 'duration'],
      [['assessment', 'baseline', 'p99'], 'duration'],
      [['assessment', 'duration_estimate', 'duration'], 'duration'],
      [['assessment', 'duration_estimate', 'measured_on'], 'date'],
      [['assessment', 'backup_restore_tested'], 'date'],
      [['phases', '*', 'id'], 'phaseId'],
      [['phases', '*', 'throttle', 'max_replica_lag'], 'duration'],
      [['phases', '*', 'soak'], 'duration'],
      [['phases', '*', 'latency_budget'], 'percentage'],
    ];
    for (const [p, name] of expected) {
      const s = at(PLAN_SCHEMA, ...p);
      assert.equal(s.type, 'string', p.join('.'));
      assert.equal(s.pattern, PATTERNS[name], p.join('.'));
    }
    const grace = at(PLAN_SCHEMA, 'phases', '*', 'grace_period');
    assert.deepEqual(grace.anyOf?.map((a) => a.pattern).sort(), [PATTERNS.releaseSpan, PATTERNS.duration].sort());
  });

  it('has a description and a markdownDescription on every property', () => {
    for (const [name, schema] of [['migplan', PLAN_SCHEMA], ['migplanrc', CONFIG_SCHEMA]] as const) {
      let count = 0;
      for (const [where, s] of subschemas(schema)) {
        if (where.includes('/then') || where.includes('/if')) continue; // the kind-specific switches
        for (const [key, prop] of Object.entries(s.properties ?? {})) {
          assert.ok(typeof prop === 'object', `${name} ${where}/properties/${key} is a boolean schema`);
          assert.ok(prop.description && prop.description.trim().length > 5, `${name} ${where}/properties/${key} has no description`);
          assert.ok(prop.markdownDescription && prop.markdownDescription.trim().length > 10, `${name} ${where}/properties/${key} has no markdownDescription`);
          count++;
        }
      }
      assert.ok(count > 10, `${name}: only ${count} properties found`);
    }
  });

  it('requires exactly the keys the spec lists', () => {
    const required = new Map<string, string[]>();
    for (const [where, s] of subschemas(PLAN_SCHEMA)) {
      if (s.required && !where.includes('/if')) required.set(where, [...s.required].sort());
    }
    assert.deepEqual(Object.fromEntries(required), {
      '#': ['migplan', 'owner', 'phases', 'title'],
      '#/properties/context/properties/changes/items': ['kind', 'table'],
      '#/properties/context/properties/data_volume/items': ['table'],
      '#/properties/consumers/items': ['kind', 'name'],
      '#/properties/assessment/properties/duration_estimate': ['basis', 'duration'],
      '#/properties/phases/items': ['id', 'kind'],
      '#/properties/phases/items/properties/checks/items': ['expect', 'name'],
      '#/properties/phases/items/properties/triggers/items': ['action', 'when'],
      // A SQL value written as `{file: path}` (with context.dialect), wherever SQL goes.
      ...Object.fromEntries(
        [
          'context/properties/current_schema',
          'context/properties/target_schema',
          'rehearsal/properties/seed',
          'rehearsal/properties/writes',
          'phases/items/properties/sql',
          'phases/items/properties/upsert',
          'phases/items/properties/checks/items/properties/query',
          'phases/items/properties/rollback_sql',
        ].map((p) => [`#/properties/${p}/anyOf/1`, ['file']]),
      ),
    });
  });

  it('closes every mapping of the format', () => {
    for (const [where, s] of subschemas(PLAN_SCHEMA)) {
      if (s.type === 'object') assert.equal(s.additionalProperties, false, `${where} accepts unknown keys`);
    }
    assert.deepEqual(at(PLAN_SCHEMA, 'phases', '*', 'kind').enum, [...PHASE_KINDS]);
    const ramp = at(PLAN_SCHEMA, 'phases', '*', 'ramp', '*');
    assert.deepEqual([ramp.type, ramp.exclusiveMinimum, ramp.maximum], ['number', 0, 100]);
    assert.equal(at(PLAN_SCHEMA, 'migplan').const, 1);
  });

  it('offers snippets for every phase kind, checks, triggers and consumers, and they are valid', () => {
    const fill = (v: unknown): unknown => {
      if (typeof v === 'string') {
        return v
          .replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1')
          .replace(/\$\{\d+:([^}]*)\}/g, '$1')
          .replace(/\\\$/g, '$');
      }
      if (Array.isArray(v)) return v.map(fill);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k), fill(x)]));
      return v;
    };
    const phaseSnippets = at(PLAN_SCHEMA, 'phases', '*').defaultSnippets ?? [];
    const kinds = phaseSnippets.map((s) => (s.body as { kind?: string }).kind);
    assert.deepEqual([...kinds].sort(), [...PHASE_KINDS].sort());
    for (const p of ['checks', 'triggers']) assert.ok(at(PLAN_SCHEMA, 'phases', '*', p, '*').defaultSnippets?.length, `${p} snippets`);
    const consumerSnippets = at(PLAN_SCHEMA, 'consumers', '*').defaultSnippets ?? [];
    assert.ok(consumerSnippets.length > 0);
    for (const s of [...phaseSnippets, ...consumerSnippets]) assert.ok(s.label && s.description, 'snippet label and description');
    const plan = {
      migplan: 1,
      title: 't',
      owner: 'o',
      consumers: consumerSnippets.map((s) => fill(s.body)),
      phases: phaseSnippets.map((s) => fill(s.body)),
    };
    const validate = getPlanValidator();
    assert.equal(validate(plan), true, JSON.stringify(validate.errors));
    for (const s of PLAN_SCHEMA.defaultSnippets ?? []) assert.equal(validate(fill(s.body)), true, `${s.label}: ${JSON.stringify(validate.errors)}`);
  });
});

describe('config schema (.migplanrc.json)', () => {
  it('lists exactly the rule catalog', () => {
    const rules = CONFIG_SCHEMA.properties?.rules as JsonSchema;
    const ids = RULES.map((r) => r.meta.id);
    assert.deepEqual(rules.propertyNames?.enum, ids);
    assert.deepEqual(Object.keys(rules.properties ?? {}), ids);
    assert.equal(CONFIG_SCHEMA.additionalProperties, false);
    assert.equal(CONFIG_SCHEMA.$id, 'https://migplan.dev/schemas/migplanrc.schema.json');
  });

  it('accepts a valid config and rejects bad ones', () => {
    const validate = getConfigValidator();
    const good = { $schema: 'https://migplan.dev/schemas/migplanrc.schema.json', rules: { 'cutover-soak': 'error', 'backup-restore': 'off', schema: 'warning', 'duplicate-id': 'info' } };
    assert.equal(validate(good), true, JSON.stringify(validate.errors));
    assert.equal(validate({}), true);
    assert.equal(validate({ rules: {} }), true);
    for (const bad of [{ rules: { 'cutover-soke': 'off' } }, { rules: { 'cutover-soak': 'fatal' } }, { rules: { 'cutover-soak': false } }, { rule: {} }, { rules: [] }, []]) {
      assert.equal(validate(bad), false, JSON.stringify(bad));
    }
  });
});

describe('schema rule', () => {
  it('reports `shadow_reads: maybe` once, at the value, and nothing else reports it', () => {
    const text = EXAMPLE.replace('shadow_reads: true', 'shadow_reads: maybe');
    assert.notEqual(text, EXAMPLE);
    const { diagnostics } = lint(text);
    assert.deepEqual(diagnostics.map((d) => `${d.rule} ${formatRange(d.range)}`), ['schema 137:19-137:24']);
    assert.match(diagnostics[0].message, /`shadow_reads` must be true or false, not 'maybe'/);
  });

  it('reports an empty `entry:` (null) once, at its key, and nothing else reports it', () => {
    const lines = EXAMPLE.split('\n');
    const i = lines.indexOf('      - Dual-write exit criteria met');
    assert.equal(lines[i - 1], '    entry:');
    lines.splice(i, 1);
    const { diagnostics } = lint(lines.join('\n'));
    assert.deepEqual(diagnostics.map((d) => `${d.rule} ${formatRange(d.range)}`), [`schema ${i}:5-${i}:10`]);
  });

  it('reports a kind-specific key on every other known kind, and never on its own kind or a phase of no kind', () => {
    const samples: Record<string, string> = { backfill: 'batch_size: 5000', cutover: 'soak: 24h', verification: 'sign_off: Dana', cleanup: 'grace_period: 2 releases' };
    for (const [owner, line] of Object.entries(samples)) {
      for (const kind of [...PHASE_KINDS, 'no-such-kind', undefined]) {
        const text = planWithPhase(['id: p', ...(kind ? [`kind: ${kind}`] : []), line]);
        const ds = schemaDiags(text);
        const key = line.split(':')[0];
        if (kind === owner) assert.deepEqual(summary(ds), [], `${key} on ${kind}`);
        else if (kind === undefined) assert.deepEqual(ds.map((d) => d.data?.key), ['kind'], `${key} on a phase without kind`);
        else if (kind === 'no-such-kind') assert.deepEqual(ds.map((d) => d.data?.keyword), ['enum'], `${key} on an invalid kind`);
        else {
          assert.deepEqual(summary(ds), [`schema 7:5-7:${5 + key.length}`], `${key} on ${kind}`);
          assert.match(ds[0].message, new RegExp(`'${key}' is a ${owner} key; phase 'p' is a ${kind} phase`));
        }
      }
    }
  });

  it('does not report the value under a key of the wrong kind a second time', () => {
    const ds = schemaDiags(planWithPhase(['id: p', 'kind: cutover', 'batch_size: lots', 'throttle:', '  max_replica_lag: 5 seconds']));
    assert.deepEqual(summary(ds), ['schema 7:5-7:15', 'schema 8:5-8:13']);
  });

  it('maps keys with / and ~ (JSON pointer escapes) to their place', () => {
    const ds = schemaDiags(planWithPhase(['id: p', 'kind: custom', 'a/b~c: 1', 'checks:', '  - name: n', '    expect: x = 0', '    "x/y": 1']));
    assert.deepEqual(summary(ds), ['schema 7:5-7:10', 'schema 11:9-11:14']);
    assert.match(ds[0].message, /Unknown key 'a\/b~c' in phase 'p'/);
  });

  it('reports a value reached through an alias once', () => {
    const text = ['migplan: 1', 'title: t', 'owner: o', 'phases:', '  - id: a', '    kind: cutover', '    soak: &soak 1 day', '  - id: b', '    kind: cutover', '    soak: *soak', ''].join('\n');
    const ds = schemaDiags(text);
    assert.deepEqual(summary(ds), ['schema 7:17-7:22']);
  });

  it('collapses the errors of one value into one diagnostic', () => {
    // grace_period: both alternatives fail; kind: type and enum both fail.
    const ds = schemaDiags(planWithPhase(['id: p', 'kind: 5', 'grace_period: a while']));
    assert.deepEqual(summary(ds), ['schema 6:11-6:12', 'schema 7:19-7:26']);
    assert.match(ds[1].message, /'a while' is not a release span or a duration/);
  });

  it('reports a missing key once when an unknown key is its misspelling', () => {
    const ds = schemaDiags(['migplan: 1', 'titel: t', 'owner: o', 'phases: []', ''].join('\n'));
    assert.deepEqual(summary(ds), ['schema 2:1-2:6']);
    assert.match(ds[0].message, /did you mean 'title'\?/);
    assert.equal(ds[0].data?.fix?.preferred, true);
  });

  it('places a missing phase id first and a missing kind after the id', () => {
    const { plan, diagnostics } = lint(planWithPhase(['title: T', 'steps: [a]']));
    const fixes = diagnostics.filter((d) => d.rule === 'schema').map((d) => d.data?.fix?.edits[0]);
    assert.equal(fixes.length, 2);
    assert.deepEqual(fixes.map((e) => e && plan.lines.offsetAt(e.range.start)), [plan.text.indexOf('title: T'), plan.text.indexOf('title: T')]);
    assert.ok(fixes.every((e) => e !== undefined && /^(id: phase-1|kind: custom)\n {4}$/.test(e.newText)), JSON.stringify(fixes));
  });

  it('suggests close names only', () => {
    assert.equal(suggest('cutovr', PHASE_KINDS), 'cutover');
    assert.equal(suggest('dual_write', PHASE_KINDS), 'dual-write');
    assert.equal(suggest('Backfill', PHASE_KINDS), 'backfill');
    assert.equal(suggest('soka', ['soak', 'flag', 'ramp']), 'soak');
    assert.equal(suggest('entry_criteria', ['entry', 'exit', 'steps']), 'entry');
    assert.equal(suggest('rollout', PHASE_KINDS), undefined);
    assert.equal(suggest('foo', ['id', 'kind', 'title']), undefined);
  });

  it('stays silent on an unparsable or non-mapping plan (the engine reports those)', () => {
    for (const text of ['', '- a\n- b\n', 'just text\n', 'a: [\n']) {
      assert.ok(lint(text).diagnostics.filter((d) => d.rule === 'schema').length <= 1, JSON.stringify(text));
    }
  });
});
