/**
 * SQL highlighting inside plans, tokenized by the engine and grammars of the
 * real VS Code (vscode-textmate and vscode-oniguruma from the VS Code server's
 * own node_modules, its built-in YAML and SQL grammars). The truth it is held
 * to is the language service's: every character of a SQL value the service
 * reads (block and plain scalars) is in an embedded SQL scope, and every line
 * outside them is tokenized exactly as VS Code's YAML grammar alone would.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { lint } from '../../server/src/service/linting/lint';
import { loadSqlParser } from '../../server/src/service/sql/parser';
import { sqlValues } from '../../server/src/service/sql/sqlValues';
import { ROOT, VSCODE_DIR, ensureVsCodeServer } from '../../scripts/e2e/vscode';

/** The little of vscode-textmate this test uses. */
interface Token {
  startIndex: number;
  endIndex: number;
  scopes: string[];
}
interface LineResult {
  tokens: Token[];
  ruleStack: unknown;
}
interface Grammar {
  tokenizeLine(line: string, stack: unknown): LineResult;
}
interface TextMate {
  INITIAL: unknown;
  Registry: new (options: { onigLib: Promise<unknown>; loadGrammar(scope: string): Promise<unknown> }) => { loadGrammar(scope: string): Promise<Grammar | null> };
  parseRawGrammar(content: string, file: string): unknown;
}
interface Oniguruma {
  loadWASM(data: ArrayBuffer): Promise<void>;
  OnigScanner: new (patterns: string[]) => unknown;
  OnigString: new (s: string) => unknown;
}

const EXAMPLE = path.join(ROOT, 'examples', 'split-user-name-postgres.migplan.yaml');

let migplan: Grammar;
let yaml: Grammar;

/** Each line's tokens: [text, scopes without the root scope]. */
function tokenize(grammar: Grammar, text: string): Array<Array<{ text: string; start: number; scopes: string[] }>> {
  const tm = textmate();
  let stack = tm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes.slice(1) }));
  });
}

/** A module of the VS Code build (not a dependency of migplan: the editor's own copy is the one to test with). */
function fromVsCode(name: string): unknown {
  return createRequire(path.join(VSCODE_DIR, 'package.json'))(name);
}

let tmModule: TextMate | undefined;
function textmate(): TextMate {
  tmModule ??= fromVsCode('vscode-textmate') as TextMate;
  return tmModule;
}

const embedded = (scopes: readonly string[]): boolean => scopes.some((s) => s === 'meta.embedded.block.sql' || s === 'meta.embedded.line.sql');

/**
 * The lines (0-based) holding SQL, and its non-space characters as [line, column], as the service
 * reads them; and the lines of their keys (`sql: |`), whose scopes are the grammar's own.
 */
function sqlTruth(text: string): { lines: Set<number>; keys: Set<number>; chars: Array<[number, number]> } {
  const { plan } = lint(text);
  const lines = new Set<number>();
  const keys = new Set<number>();
  const chars: Array<[number, number]> = [];
  for (const v of sqlValues(plan, undefined)) {
    if (v.source.kind !== 'inline' || !v.source.offsets || v.text === undefined) continue;
    const first = text[v.node.span[0]];
    if (first === '"' || first === "'") continue; // quoted scalars stay YAML strings
    const key = v.node.keySpan;
    if (key) keys.add(plan.lines.positionAt(key[0]).line);
    for (let i = 0; i < v.text.length; i++) {
      if (/\s/.test(v.text[i]!)) continue;
      const pos = plan.lines.positionAt(v.source.offsets[i]!);
      lines.add(pos.line);
      chars.push([pos.line, pos.character]);
    }
  }
  return { lines, keys, chars };
}

function scopesAt(tokens: ReturnType<typeof tokenize>, line: number, character: number): string[] {
  const t = tokens[line]?.find((x) => x.start <= character && character < x.start + x.text.length);
  return t?.scopes ?? [];
}

/** Asserts the grammar marks exactly the service's SQL, and leaves every other line as YAML has it. */
function assertAgrees(text: string): { sqlLines: number } {
  const ours = tokenize(migplan, text);
  const theirs = tokenize(yaml, text);
  const truth = sqlTruth(text);
  assert.ok(truth.chars.length > 0, 'the plan has SQL');
  for (const [line, character] of truth.chars) {
    assert.ok(embedded(scopesAt(ours, line, character)), `line ${line + 1}:${character + 1} ${JSON.stringify(text.split('\n')[line])} is SQL`);
  }
  ours.forEach((tokens, line) => {
    // A blank line shows nothing: it belongs to whatever comes next, which a line-by-line grammar cannot know.
    if (truth.lines.has(line) || text.split('\n')[line]!.trim() === '') return;
    const at = `line ${line + 1} ${JSON.stringify(text.split('\n')[line])}`;
    assert.ok(!tokens.some((t) => embedded(t.scopes)), `${at} is not SQL`);
    if (truth.keys.has(line)) return;
    // The root scope differs (source.migplan, source.yaml); nothing under it may.
    assert.deepEqual(
      tokens.map((t) => [t.text, t.scopes.join(' ')]),
      theirs[line]!.map((t) => [t.text, t.scopes.join(' ')]),
      `${at} is tokenized as YAML alone would`,
    );
  });
  return { sqlLines: truth.lines.size };
}

describe('SQL highlighting inside plans (VS Code grammars)', () => {
  before(async () => {
    await ensureVsCodeServer(() => undefined);
    await loadSqlParser();
    const onig = fromVsCode('vscode-oniguruma') as Oniguruma;
    const wasm = fs.readFileSync(path.join(VSCODE_DIR, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await onig.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const files = new Map<string, string>([['source.migplan', path.join(ROOT, 'syntaxes', 'migplan.tmLanguage.json')]]);
    for (const ext of ['yaml', 'sql']) {
      const dir = path.join(VSCODE_DIR, 'extensions', ext, 'syntaxes');
      for (const f of fs.readdirSync(dir)) {
        const scope = (JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { scopeName?: string }).scopeName;
        if (scope && !files.has(scope)) files.set(scope, path.join(dir, f));
      }
    }
    const tm = textmate();
    const registry = new tm.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new onig.OnigScanner(p), createOnigString: (s: string) => new onig.OnigString(s) }),
      loadGrammar: (scope) => {
        const file = files.get(scope);
        return Promise.resolve(file ? tm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file) : null);
      },
    });
    const [m, y] = await Promise.all([registry.loadGrammar('source.migplan'), registry.loadGrammar('source.yaml')]);
    assert.ok(m && y, 'grammars load');
    migplan = m;
    yaml = y;
  });

  it('marks every SQL value of the complete example, and nothing else', () => {
    const { sqlLines } = assertAgrees(fs.readFileSync(EXAMPLE, 'utf8'));
    assert.ok(sqlLines > 40, `${sqlLines} lines of SQL`);
  });

  it('ends a block at the next key, in maps and in list items, and keeps blank lines and comments in it', () => {
    const text = [
      'migplan: 1',
      'context:',
      '  dialect: postgresql',
      '  current_schema: |',
      '    CREATE TABLE users (id bigint PRIMARY KEY);',
      '',
      '    -- the orders table',
      '    CREATE TABLE orders (id bigint);',
      '  engine: PostgreSQL 16',
      'phases:',
      '  - id: expand',
      '    kind: dual-write',
      '    sql: |-',
      '      ALTER TABLE users ADD COLUMN x int;',
      '    checks:',
      '      - query: >-',
      '          SELECT count(*) AS n',
      '          FROM users',
      '        expect: n = 0',
      '      - name: one line',
      '        query: SELECT count(*) AS m FROM users WHERE x IS NULL # a YAML comment',
      '        expect: m = 0',
      '    rollback_sql: ALTER TABLE users DROP COLUMN x;',
      '  - id: backfill',
      '    kind: backfill',
      '    upsert: |2',
      '        UPDATE users SET x = 1 WHERE id >= $1 AND id < $2 AND x IS NULL',
      '    resume: From the last id',
      'summary: done',
      '',
    ].join('\n');
    assertAgrees(text);
    const tokens = tokenize(migplan, text);
    const keyword = (line: number, word: string): string[] => {
      const t = tokens[line]!.find((x) => x.text === word);
      assert.ok(t, `${word} on line ${line + 1}`);
      return t.scopes;
    };
    assert.ok(keyword(4, 'CREATE').some((s) => s.startsWith('keyword.') && s.endsWith('.sql')));
    assert.ok(tokens[6]!.some((t) => t.scopes.some((s) => s.startsWith('comment.') && s.endsWith('.sql'))), 'a SQL comment in the block');
    assert.ok(keyword(20, 'query').includes('entity.name.tag.yaml'));
    assert.ok(tokens[20]!.some((t) => t.text.includes('a YAML comment') && t.scopes.some((s) => s.startsWith('comment.') && s.endsWith('.yaml'))));
  });

  it('leaves quoted values, the file form and other keys as YAML', () => {
    const text = [
      'migplan: 1',
      'context:',
      '  dialect: postgresql',
      'phases:',
      '  - id: expand',
      '    kind: dual-write',
      '    sql: "ALTER TABLE users ADD COLUMN x int"',
      "    rollback_sql: 'ALTER TABLE users DROP COLUMN x'",
      '    steps:',
      '      - sql: is a word here',
      '  - id: backfill',
      '    kind: backfill',
      '    upsert: {file: sql/upsert.sql}',
      '    resume: SELECT is not SQL here',
      '',
    ].join('\n');
    const ours = tokenize(migplan, text);
    const theirs = tokenize(yaml, text);
    ours.forEach((tokens, line) => {
      if (line === 9) return; // `- sql:` as a map in a list of steps is SQL by its key, as the grammar cannot know the parent
      assert.ok(!tokens.some((t) => embedded(t.scopes)), `line ${line + 1}`);
      assert.deepEqual(tokens.map((t) => [t.text, t.scopes.join(' ')]), theirs[line]!.map((t) => [t.text, t.scopes.join(' ')]), `line ${line + 1}`);
    });
  });
});
