/** The catalog's parity: every rule file registered, documented, with current generated docs. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { generateDocs } from '../scripts/ruleDocs';
import { CHECKLIST } from '../server/src/service/checklist';
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
  it('keeps the language service free of the transport, the editor and I/O', () => {
    const dir = path.join(ROOT, 'server', 'src', 'service');
    const files = fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.startsWith('generated'));
    assert.ok(files.length > 30);
    for (const f of files) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      const imports = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const i of imports) {
        assert.ok(i.startsWith('.') || i === 'yaml' || i === 'ajv' || i.startsWith('../../../schemas/'), `service/${f} imports '${i}'`);
      }
    }
  });
});
