/**
 * Robustness over real SQL nobody here wrote: every `.sql` file Debian's
 * PostgreSQL server package installs under /usr/share/postgresql/
 * (information_schema.sql, system_views.sql, system_functions.sql, the
 * extension scripts, ...) goes through PostgreSQL's parser and through the
 * whole lint inside plans: named by `context.current_schema: {file: …}`
 * (and by a phase's `sql`, with CR and CRLF line breaks);
 * inlined as a phase's `sql:` literal block (LF and CRLF) and as a
 * double-quoted scalar; and in every SQL key of one plan at once. No rule may
 * fail internally, every range must be inside the text it points into (the
 * plan, or the file of a related location), and a syntax error must be at the
 * place PostgreSQL names. The whole takes a few seconds (159 files, 2 cores).
 *
 * The package is required, not optional: without it the test fails and says
 * how to get it (`apt-get install postgresql`, which .ci/run must do too).
 * MIGPLAN_PG_SHARE overrides where the files are looked for.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { before, describe, it } from 'node:test';
import { lint, type LintResult } from '../../server/src/service/linting/lint';
import { loadSqlParser, parseSql, sqlParserState } from '../../server/src/service/sql/parser';
import type { SqlFiles } from '../../server/src/service/sql/sqlValues';
import type { Diagnostic, Range } from '../../server/src/service/types';

const SHARE = process.env.MIGPLAN_PG_SHARE ?? '/usr/share/postgresql';

/** The .sql files under `dir`, sorted (empty when there is no such folder). */
function sqlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name.endsWith('.sql')) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

const FILES = sqlFilesUnder(SHARE);

/**
 * The extension scripts start with a psql meta-command that stops the script
 * when it is fed to psql instead of run by CREATE EXTENSION:
 *   \echo Use "CREATE EXTENSION foo" to load this file. \quit
 * It is not SQL. The file plan keeps it (the parser must reject it without
 * crashing, and sql-syntax reports it inside the file); the inline plan drops
 * these lines, so that the rules get the statements themselves to read.
 */
function withoutMetaCommands(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\\/.test(l))
    .join('\n');
}

/** Up to 8 table names the SQL creates, alters or indexes: listed in `data_volume`, so the table-aware rules read the statements on them too. */
function tablesIn(sql: string): string[] {
  const out = new Set<string>();
  for (const m of sql.matchAll(/\b(?:CREATE\s+(?:UNLOGGED\s+)?TABLE|ALTER\s+TABLE(?:\s+ONLY)?|\bON)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)/gi)) {
    const t = m[1].toLowerCase();
    if (!/^(only|if|table|conflict|delete|update|insert|commit|schema|function)$/.test(t)) out.add(t);
    if (out.size >= 8) break;
  }
  return [...out];
}

/** YAML values (what follows `key: `) of the SQL keys a plan may have. */
interface Slots {
  currentSchema?: string;
  targetSchema?: string;
  seed?: string;
  writes?: string;
  /** A dual-write phase's. */
  sql?: string;
  rollbackSql?: string;
  /** A backfill phase's. */
  upsert?: string;
  query?: string;
}

/**
 * A plan with the dialect, its SQL keys written as given, `data_volume`
 * listing `tables`: a dual-write phase (its `sql`, `rollback_sql`), a
 * backfill phase when it has an upsert or a check query, and a cleanup
 * phase (the point of no return).
 */
function plan(o: Slots, tables: readonly string[]): string {
  const line = (indent: number, key: string, v: string | undefined): string => (v === undefined ? '' : `${' '.repeat(indent)}${key}: ${v}\n`);
  const volume = tables.length > 0 ? `  data_volume:\n${tables.map((t) => `    - table: ${JSON.stringify(t)}\n      rows: 50000000\n`).join('')}` : '';
  const rehearsal = o.seed !== undefined || o.writes !== undefined ? `rehearsal:\n  rows: 1000\n${line(2, 'seed', o.seed)}${line(2, 'writes', o.writes)}` : '';
  const backfill =
    o.upsert !== undefined || o.query !== undefined
      ? '  - id: backfill\n    kind: backfill\n    steps: [Run the upsert]\n    batch_size: 5000\n    key: id\n    idempotent: true\n' +
        line(4, 'upsert', o.upsert) +
        (o.query !== undefined ? `    checks:\n      - name: real\n        query: ${o.query}\n        expect: n = 0\n` : '')
      : '';
  return (
    'migplan: 1\ntitle: Real SQL\nowner: data-platform (Ann Lee)\n' +
    'context:\n  dialect: postgresql\n' +
    line(2, 'current_schema', o.currentSchema) +
    line(2, 'target_schema', o.targetSchema) +
    volume +
    rehearsal +
    'phases:\n  - id: expand\n    kind: dual-write\n    steps: [Apply the SQL]\n' +
    line(4, 'sql', o.sql) +
    line(4, 'rollback_sql', o.rollbackSql) +
    backfill +
    '  - id: cleanup\n    kind: cleanup\n    steps: [Drop what is left]\npoint_of_no_return: cleanup\n'
  );
}

/**
 * `text` as a literal block scalar under a key at indentation `keyIndent`:
 * with an explicit indentation indicator (a first line that starts with
 * spaces would set the indentation otherwise), each non-empty line indented
 * by two more than the key.
 */
function literalBlock(text: string, keyIndent: number): string {
  const pad = ' '.repeat(keyIndent + 2);
  return '|2\n' + text.split('\n').map((l) => (l === '' ? '' : pad + l)).join('\n');
}

/** Lines as the LSP counts them. */
function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function rangeProblem(lines: readonly string[], r: Range): string | undefined {
  for (const p of [r.start, r.end]) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character)) return 'not integers';
    if (p.line < 0 || p.line >= lines.length) return `line ${p.line} outside 0..${lines.length - 1}`;
    if (p.character < 0 || p.character > lines[p.line].length) return `character ${p.character} outside 0..${lines[p.line].length} of line ${p.line}`;
  }
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) return 'start after end';
  return undefined;
}

const fmt = (r: Range): string => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;

/** What is wrong with a lint's diagnostics: rules that failed, ranges outside the plan or outside the file a related location is in. */
function problems(planText: string, diagnostics: readonly Diagnostic[], fileTexts: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  const lines = lspLines(planText);
  for (const d of diagnostics) {
    if (/failed internally/.test(d.message)) out.push(`${d.rule}: ${d.message} ${d.detail ?? ''}`);
    const own = rangeProblem(lines, d.range);
    if (own) out.push(`${d.rule} ${fmt(d.range)}: ${own}`);
    for (const rel of d.related ?? []) {
      // A related location in a file has its range in that file; else in the plan.
      if (rel.file === undefined) {
        const p = rangeProblem(lines, rel.range);
        if (p) out.push(`${d.rule} related ${fmt(rel.range)}: ${p}`);
        continue;
      }
      const text = fileTexts.get(rel.file);
      if (text === undefined) out.push(`${d.rule} related location in a file the plan did not read: ${rel.file}`);
      else {
        const q = rangeProblem(lspLines(text), rel.range);
        if (q) out.push(`${d.rule} related ${rel.file} ${fmt(rel.range)}: ${q}`);
      }
    }
    for (const e of d.data?.fix?.edits ?? []) {
      const p = rangeProblem(lines, e.range);
      if (p) out.push(`${d.rule} fix edit ${fmt(e.range)}: ${p}`);
    }
  }
  return out;
}

/**
 * The SQL files as the plan reads them: a name as written is a path under
 * SHARE; `virtual` files (absolute path → text) are served from memory.
 * `texts` collects what was read, for the ranges of related locations.
 */
function shareFiles(texts: Map<string, string>, virtual: ReadonlyMap<string, string> = new Map()): SqlFiles {
  return {
    resolve: (written) => {
      const absolute = path.resolve(SHARE, written);
      return path.relative(SHARE, absolute).startsWith('..') ? { error: `is outside ${SHARE}` } : { absolute };
    },
    read: (absolute) => {
      const v = virtual.get(absolute);
      if (v !== undefined) {
        texts.set(absolute, v);
        return { text: v };
      }
      try {
        const text = fs.readFileSync(absolute, 'utf8');
        texts.set(absolute, text);
        return { text };
      } catch (err) {
        return { error: (err as Error).message };
      }
    },
  };
}

function quoteYaml(s: string): string {
  return JSON.stringify(s);
}

describe(`real SQL: the .sql files under ${SHARE}`, () => {
  const timings: Array<{ file: string; ms: number }> = [];
  /** Diagnostics per rule over all the plans, reported at the end (what the rules found to say about real SQL). */
  const byRule = new Map<string, number>();
  let started = 0;

  before(async () => {
    await loadSqlParser();
    assert.equal(sqlParserState().state, 'ready', `the SQL parser did not load: ${sqlParserState().failure ?? ''}`);
    started = performance.now();
  });

  it('the PostgreSQL server package is installed', () => {
    assert.ok(
      FILES.length > 0,
      `No .sql files under ${SHARE}: this test reads the SQL that Debian's PostgreSQL server package installs there. ` +
        "Install Debian's `postgresql` package (`apt-get install postgresql`; the CI script .ci/run must install it too), or point MIGPLAN_PG_SHARE at a folder of PostgreSQL's share/*.sql files.",
    );
  });

  for (const file of FILES) {
    const rel = path.relative(SHARE, file);
    it(rel, () => {
      const t0 = performance.now();
      const raw = fs.readFileSync(file, 'utf8');
      const sql = withoutMetaCommands(raw);
      const found: string[] = [];

      // (1) The parser, on the file as it is and without its meta-commands: an answer, never a throw.
      for (const [what, text] of [['as installed', raw], ['without meta-commands', sql]] as const) {
        try {
          const p = parseSql(text);
          assert.ok(p, 'the parser is loaded');
          for (const s of p.statements) if (!(s.start >= 0 && s.start <= s.end && s.end <= text.length)) found.push(`parseSql (${what}): statement at ${s.start}..${s.end} outside 0..${text.length}`);
          if (p.error && !(p.error.position >= 0 && p.error.position <= text.length)) found.push(`parseSql (${what}): error position ${p.error.position} outside 0..${text.length}`);
        } catch (err) {
          found.push(`parseSql (${what}) threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        }
      }

      const tables = tablesIn(sql);
      /** Lints a plan and adds what is wrong with the result to `found`. */
      const check = (label: string, text: string, files?: SqlFiles, fileTexts: ReadonlyMap<string, string> = new Map()): LintResult | undefined => {
        try {
          const r = lint(text, files ? { files } : {});
          found.push(...problems(text, r.diagnostics, fileTexts).map((p) => `${label}: ${p}`));
          const yaml = r.diagnostics.filter((d) => d.rule === 'yaml-syntax' || d.rule === 'schema');
          if (yaml.length > 0) found.push(`${label}: the plan does not read as one (the test's own mistake): ${yaml[0].message}`);
          for (const d of r.diagnostics) byRule.set(d.rule, (byRule.get(d.rule) ?? 0) + 1);
          return r;
        } catch (err) {
          found.push(`${label}: lint threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
          return undefined;
        }
      };

      // (2) Named by current_schema as a file, as installed (its meta-commands are for sql-syntax to report, in the file).
      const fileTexts = new Map<string, string>();
      const named = check(`{file: ${rel}}`, plan({ currentSchema: `{file: ${quoteYaml(rel)}}` }, tables), shareFiles(fileTexts), fileTexts);
      if (raw !== sql) {
        const metaLine = raw.split('\n').findIndex((l) => l.startsWith('\\'));
        if (!named?.diagnostics.some((d) => d.rule === 'sql-syntax' && d.related?.some((x) => x.file === file && x.range.start.line === metaLine)))
          found.push(`{file: ${rel}}: no sql-syntax diagnostic with the file's first meta-command line (${metaLine + 1}) as its related location`);
      }

      // (2b) Without its meta-commands, with CR and with CRLF line breaks, named by the phase's sql (the rules report
      // in the file there: every related location must be on a line of the file as the editor counts them).
      for (const [eol, name] of [['\r', 'cr'], ['\r\n', 'crlf']] as const) {
        const texts = new Map<string, string>();
        const virtual = new Map([[`${file}.${name}`, sql.replace(/\n/g, eol)]]);
        check(`{file: ${rel}} (${name})`, plan({ currentSchema: `{file: ${quoteYaml(`${rel}.${name}`)}}`, sql: `{file: ${quoteYaml(`${rel}.${name}`)}}` }, tables), shareFiles(texts, virtual), texts);
      }

      // (3) Inlined as the sql of a phase (a literal block), without the meta-commands; and with CRLF line breaks.
      // Where the SQL does not parse, sql-syntax is at the place PostgreSQL names, line for line.
      const error = parseSql(sql)?.error;
      const expectAt = (label: string, r: LintResult | undefined): void => {
        if (!r || !error) return;
        const before = sql.slice(0, error.position).split('\n');
        const first = r.plan.text.split(/\r?\n/).findIndex((l) => l.startsWith('    sql: '));
        const want = `${first + before.length}:${6 + before[before.length - 1].length}`;
        const got = r.diagnostics.filter((d) => d.rule === 'sql-syntax').map((d) => `${d.range.start.line}:${d.range.start.character}`);
        if (!got.includes(want)) found.push(`${label}: sql-syntax at ${got.join(', ') || 'nowhere'}, not at ${want} where PostgreSQL places "${error.message}"`);
      };
      const inline = plan({ sql: literalBlock(sql, 4) }, tables);
      expectAt('inline sql', check('inline sql', inline));
      expectAt('inline sql, CRLF', check('inline sql, CRLF', inline.replace(/\n/g, '\r\n')));

      // As one double-quoted scalar (JSON's escapes are YAML's), as installed: sql-syntax at the escaped character.
      const quoted = check('double-quoted sql', plan({ sql: JSON.stringify(raw) }, tables));
      const rawError = parseSql(raw)?.error;
      if (quoted && rawError) {
        const want = JSON.stringify(raw[rawError.position] ?? '').slice(1, 2);
        const at = quoted.diagnostics.filter((d) => d.rule === 'sql-syntax').map((d) => quoted.plan.text[quoted.plan.lines.offsetAt(d.range.start)]);
        if (!at.includes(want)) found.push(`double-quoted sql: sql-syntax at ${JSON.stringify(at)}, not at ${JSON.stringify(want)} where PostgreSQL places "${rawError.message}"`);
      }

      // (4) The same SQL in every SQL key of a plan at once (schemas, rehearsal, sql and rollback_sql, upsert, check query).
      check(
        'every key',
        plan(
          {
            currentSchema: literalBlock(sql, 2),
            targetSchema: literalBlock(sql, 2),
            seed: literalBlock(sql, 2),
            writes: literalBlock(sql, 2),
            sql: literalBlock(sql, 4),
            rollbackSql: literalBlock(sql, 4),
            upsert: literalBlock(sql, 4),
            query: literalBlock(sql, 8),
          },
          tables,
        ),
      );
      timings.push({ file: rel, ms: performance.now() - t0 });
      assert.deepEqual(found, []);
    });
  }

  it('took a reasonable time', (t) => {
    const total = performance.now() - started;
    const slowest = [...timings].sort((a, b) => b.ms - a.ms).slice(0, 3);
    t.diagnostic(`${FILES.length} files in ${(total / 1000).toFixed(1)} s; slowest: ${slowest.map((s) => `${s.file} ${s.ms.toFixed(0)} ms`).join(', ')}`);
    t.diagnostic(`diagnostics by rule: ${[...byRule].sort((a, b) => b[1] - a[1]).map(([r, n]) => `${r} ${n}`).join(', ')}`);
    assert.ok(total < 60_000, `${(total / 1000).toFixed(1)} s for ${FILES.length} files`);
  });
});
