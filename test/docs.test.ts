/** The catalog's parity: every rule file registered, documented, with current generated docs. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { generateDocs } from '../scripts/ruleDocs';
import { CHECKLIST } from '../server/src/service/rendering/checklist';
import { RULES, RULES_BY_ID } from '../server/src/service/rules';
import { loadSqlParser } from '../server/src/service/sql/parser';
import { ROOT } from './helpers';

const RULES_DIR = path.join(ROOT, 'server', 'src', 'service', 'rules');

describe('rule catalog parity', () => {
  // The SQL rules' examples are linted with PostgreSQL's parser.
  before(async () => {
    await loadSqlParser();
  });

  it('registers every rule file, and every registered rule has its own file', () => {
    const files = fs.readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.slice(0, -3)).sort();
    assert.deepEqual(files, RULES.map((r) => r.meta.id).sort());
  });

  it('has complete metadata for every rule', () => {
    for (const r of RULES) {
      const { id, description, rationale } = r.meta;
      assert.match(id, /^[a-z][a-z0-9-]*$/);
      assert.ok(description.length > 10 && !description.includes('\n'), `${id}: description must be one line`);
      assert.ok(rationale.length > 40, `${id}: rationale missing`);
      assert.doesNotMatch(`${description} ${rationale}`, /PLACEHOLDER/, `${id}: still a placeholder`);
    }
    assert.equal(RULES_BY_ID.size, RULES.length, 'duplicate rule ids');
  });

  it('maps every checklist item to existing rules', () => {
    assert.equal(CHECKLIST.length, 7);
    for (const item of CHECKLIST) for (const r of item.rules) assert.ok(RULES_BY_ID.has(r), `${item.label}: unknown rule ${r}`);
  });

  it('has generated docs that are up to date (run `npm run docs`)', () => {
    const docs = generateDocs();
    for (const [rel, text] of docs) {
      const file = path.join(ROOT, rel);
      assert.ok(fs.existsSync(file), `${rel} is missing`);
      assert.equal(fs.readFileSync(file, 'utf8'), text, `${rel} is stale`);
    }
    const onDisk = fs.readdirSync(path.join(ROOT, 'docs', 'rules')).map((f) => `docs/rules/${f}`);
    for (const f of onDisk) assert.ok(docs.has(f), `${f} documents no rule`);
  });
});

describe('architecture', () => {
  const dir = path.join(ROOT, 'server', 'src', 'service');
  const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('generated'));
  /** The layer of a service file: its folder (`parsing`, `linting`, `rules`, `sql`, `features`, `rendering`), or `.` for the shared types. */
  const layerOf = (file: string): string => (file.includes(path.sep) ? file.split(path.sep)[0] : '.');
  /** The service files a file imports, as paths relative to the service (schemas and packages left out). */
  const importsOf = (f: string): string[] =>
    [...fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/from '(\.[^']+)'/g)]
      .map((m) => path.relative(dir, path.resolve(dir, path.dirname(f), m[1])))
      .filter((p) => !p.startsWith('..'));

  it('keeps the language service free of the transport, the editor and I/O', () => {
    assert.ok(files.length > 30);
    for (const f of files) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const m of src.matchAll(/from '([^']+)'/g)) {
        const i = m[1];
        const inside = i.startsWith('.') && !path.relative(dir, path.resolve(dir, path.dirname(f), i)).startsWith('..');
        const schema = i.startsWith('.') && path.resolve(dir, path.dirname(f), i).startsWith(path.join(ROOT, 'schemas') + path.sep);
        assert.ok(inside || schema || i === 'yaml' || i === 'ajv', `service/${f} imports '${i}'`);
      }
    }
  });

  it('shows its layers as folders, each using only the layers below it', () => {
    const layers = new Set(files.map(layerOf));
    assert.deepEqual([...layers].sort(), ['.', 'features', 'linting', 'parsing', 'rendering', 'rules', 'sql']);
    assert.deepEqual(files.filter((f) => layerOf(f) === '.'), ['types.ts'], 'only the shared types at the top');
    // Reading the plan knows nothing of what judges, edits or shows it; the SQL layer nothing of the editor or the preview.
    const below: Record<string, readonly string[]> = {
      parsing: ['.', 'parsing', 'generated'],
      sql: ['.', 'parsing', 'linting', 'sql'],
      rendering: ['.', 'parsing', 'linting', 'rules', 'sql', 'rendering'],
    };
    for (const f of files) {
      const allowed = below[layerOf(f)];
      if (!allowed) continue;
      for (const i of importsOf(f)) assert.ok(allowed.includes(i.split(path.sep)[0].replace(/\.ts$/, '') === 'types' ? '.' : i.split(path.sep)[0]), `service/${f} (layer ${layerOf(f)}) imports ${i}`);
    }
  });
});
