/**
 * The rehearsal: a plan run, phase by phase, on a real PostgreSQL (an Engine:
 * PGlite in a child process, or a server's scratch schema), with what did not
 * hold reported as findings at the plan's ranges (`rehearse-*` ids, see
 * findings.ts) and the figures as a report (the JSON's `rehearsal` object).
 *
 * The order is the spec's (sql-and-rehearsal.md, "migplan rehearse"): current
 * schema and seed, the target schema in a second schema; per phase its `sql`
 * (each statement timed, rewrites and locks recorded), the application's
 * writes, the backfill by key batches with its idempotency and restart proven,
 * the checks run and shown able to fail, the `rollback_sql` run and compared;
 * the end state against the target; extrapolation to the declared volumes.
 *
 * It speaks only the Engine interface and the language service's model (the
 * SQL values, PostgreSQL's parser): no transport, no process, no terminal.
 */
import { performance } from 'node:perf_hooks';
import type { PlanDocument, Phase } from '../service/parsing/plan';
import { parseCondition } from '../service/parsing/values';
import { quoteIdent } from '../service/sql/catalog';
import { operationsOf, LOCKS, type Lock } from '../service/sql/operations';
import { parseSql, type SqlStatement } from '../service/sql/parser';
import { hasSqlDialect, sqlReportAt, sqlValues, type SqlFiles, type SqlValue } from '../service/sql/sqlValues';
import type { BackfillReport, CatalogDifference, CheckReport, Diagnostic, PhaseReport, RehearsalReport, Severity, Span, StatementReport } from '../service/types';
import { describeUrl } from './pgEngine';

export type { BackfillReport, CheckReport, Extrapolation, PhaseReport, RehearsalReport, StatementReport } from '../service/types';
import { diffCatalogs, snapshotCatalog, type DbCatalog } from './catalog';
import { EngineError, type Engine, type Row } from './engine';
import { REHEARSE_RULES, type RehearseRule } from './findings';

export interface Finding {
  rule: RehearseRule;
  severity: Severity;
  span: Span;
  message: string;
  detail?: string;
}

export interface Progress {
  phase?: string;
  step: string;
  batch?: { k: number; n: number; rowsPerS?: number; msLeft?: number };
}

export interface RehearseOptions {
  files?: SqlFiles;
  /** Overrides `rehearsal.rows`. */
  rows?: number;
  onProgress?: (p: Progress) => void;
  /** The batch the restart proof stops after is drawn from this seed (default: fixed, for repeatable runs). */
  seed?: number;
  signal?: AbortSignal;
}

export const DEFAULT_ROWS = 10_000;

/** Why a plan cannot be rehearsed at all (a usage problem: exit 2). */
export class RehearsalRefused extends Error {}

interface Stmt {
  value: SqlValue;
  st: SqlStatement;
  /** The statement's text, as sent. */
  text: string;
  /** UTF-16 offset in the value's text where `text` starts. */
  at: number;
  params: Set<number>;
}

type Json = Record<string, unknown>;

function walkJson(v: unknown, fn: (key: string, body: unknown) => void): void {
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (Array.isArray(x)) for (const y of x) stack.push(y);
    else if (x && typeof x === 'object') {
      for (const [k, y] of Object.entries(x as Json)) {
        fn(k, y);
        stack.push(y);
      }
    }
  }
}

/** The `$n` a statement uses. */
function paramsOf(stmt: unknown): Set<number> {
  const out = new Set<number>();
  walkJson(stmt, (k, body) => {
    if (k === 'ParamRef' && body && typeof body === 'object') {
      const n = (body as Json).number;
      if (typeof n === 'number') out.add(n);
    }
  });
  return out;
}

const rank = (l: string | null): number => (l ? LOCKS.indexOf(l as Lock) : -1);

function errText(err: unknown): string {
  return err instanceof Error ? err.message.replace(/\s*[\r\n]+\s*/g, ' ') : String(err);
}

const fmtMs = (ms: number): string => (ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);

/**
 * Names a plan's SQL gives to relations in another schema (`public.users`,
 * `other.t`): a rehearsal on a server runs inside its own schema and refuses
 * them before anything runs, as it refuses changing `search_path`.
 */
export function foreignSchemaUses(plan: PlanDocument, files?: SqlFiles): Array<{ value: SqlValue; name: string; span: Span }> {
  const out: Array<{ value: SqlValue; name: string; span: Span }> = [];
  for (const v of sqlValues(plan, files)) {
    if (v.text === undefined) continue;
    const parse = parseSql(v.text);
    if (!parse) continue;
    for (const st of parse.statements) {
      walkJson(st.stmt, (k, body) => {
        if (!body || typeof body !== 'object') return;
        const b = body as Json;
        // A relation (a RangeVar, bare where a statement's field holds one, wrapped elsewhere).
        if (typeof b.relname === 'string' && typeof b.schemaname === 'string' && !['pg_catalog', 'information_schema'].includes(b.schemaname)) {
          const loc = typeof b.location === 'number' ? parse.offsetOfByte(b.location) : st.start;
          out.push({ value: v, name: `${b.schemaname}.${String(b.relname)}`, span: sqlReportAt(v, loc, loc + 1, '').span });
        }
        if (k === 'VariableSetStmt' && typeof b.name === 'string' && b.name.toLowerCase() === 'search_path') {
          out.push({ value: v, name: 'search_path', span: sqlReportAt(v, st.start, st.end, '').span });
        }
      });
    }
  }
  return out;
}

/**
 * Why a linted plan cannot be rehearsed, said in one line after `shown` (the
 * plan's name), or undefined: it cannot be read, it has no SQL dialect, or,
 * on a server, its SQL names another schema or sets search_path. The CLI and
 * the editor's child process refuse with it.
 */
export function rehearsalRefusal(linted: { plan: PlanDocument; diagnostics: readonly Diagnostic[] }, shown: string, onServer: boolean, files?: SqlFiles): { kind: 'unreadable' | 'no-dialect' | 'other-schema'; message: string } | undefined {
  const { plan } = linted;
  if (!plan.root || plan.broken) return { kind: 'unreadable', message: `${shown}: the plan cannot be read (${linted.diagnostics.find((d) => d.rule === 'yaml-syntax')?.message ?? 'YAML errors'})` };
  if (!hasSqlDialect(plan)) return { kind: 'no-dialect', message: `${shown}: nothing to rehearse: the plan has no context.dialect: postgresql (and so no SQL)` };
  if (onServer) {
    const foreign = foreignSchemaUses(plan, files);
    if (foreign.length > 0) {
      const at = plan.lines.rangeOf(foreign[0].span).start;
      const what = foreign[0].name === 'search_path' ? 'sets search_path' : `names ${foreign[0].name}`;
      return { kind: 'other-schema', message: `${shown}:${at.line + 1}:${at.character + 1}: the plan ${what}; on a server the rehearsal runs only inside its own scratch schema, so names must be unqualified` };
    }
  }
  return undefined;
}

/** The one line saying that the engine could not be opened (naming the server's URL, without its password). */
export function openFailure(url: string | undefined, err: unknown): string {
  const msg = errText(err);
  return url !== undefined && !msg.includes(describeUrl(url)) ? `cannot rehearse on ${describeUrl(url)}: ${msg}` : msg;
}

/** A rehearsal's findings as diagnostics of the plan, as lint gives them. */
export function findingDiagnostics(plan: PlanDocument, findings: readonly Finding[]): Diagnostic[] {
  return findings.map((f) => ({ rule: f.rule, severity: f.severity, message: f.message, ...(f.detail ? { detail: f.detail } : {}), range: plan.lines.rangeOf(f.span) }));
}

/** Runs the rehearsal. Throws RehearsalRefused for a plan it cannot start on; every other problem is a finding. */
export async function rehearse(plan: PlanDocument, engine: Engine, options: RehearseOptions = {}): Promise<{ findings: Finding[]; report: RehearsalReport }> {
  return new Rehearsal(plan, engine, options).run();
}

class Rehearsal {
  private readonly findings: Finding[] = [];
  /** SQL values whose syntax error was reported (once). */
  private readonly unparsed = new Set<string>();
  private readonly values: SqlValue[];
  private readonly rows: number;
  private readonly report: RehearsalReport;
  private readonly progress: (p: Progress) => void;
  private random: number;

  constructor(
    private readonly plan: PlanDocument,
    private readonly engine: Engine,
    private readonly options: RehearseOptions,
  ) {
    this.values = sqlValues(plan, options.files);
    const declared = plan.root?.get('rehearsal')?.get('rows')?.num();
    this.rows = Math.max(1, Math.floor(options.rows ?? (declared !== undefined && declared > 0 ? declared : DEFAULT_ROWS)));
    this.progress = options.onProgress ?? (() => undefined);
    this.random = options.seed ?? 20_261_207;
    this.report = {
      engine: engine.kind,
      server_version: engine.serverVersion,
      rows: this.rows,
      ms: 0,
      phases: [],
      target_schema: { matches: null, differences: [] },
      extrapolations: [],
      notes: [],
    };
  }

  // ------------------------------------------------------------ plumbing

  private find(rule: RehearseRule, span: Span, message: string, detail?: string): void {
    this.findings.push({ rule, severity: REHEARSE_RULES[rule].severity, span, message, ...(detail ? { detail } : {}) });
  }

  private checkAbort(): void {
    if (this.options.signal?.aborted) throw new RehearsalRefused('the rehearsal was cancelled');
  }

  private nextRandom(n: number): number {
    this.random = (this.random * 1103515245 + 12345) & 0x7fffffff;
    return this.random % n;
  }

  private value(kind: SqlValue['kind'], phaseIndex?: number): SqlValue | undefined {
    return this.values.find((v) => v.kind === kind && v.phaseIndex === phaseIndex);
  }

  /** The statements of a value, or undefined after reporting why they cannot run (a syntax error: the lint says where). */
  private statements(v: SqlValue | undefined): Stmt[] | undefined {
    if (!v || v.text === undefined) return undefined;
    const parse = parseSql(v.text);
    if (!parse) throw new RehearsalRefused("PostgreSQL's parser is not loaded");
    if (parse.error) {
      if (this.unparsed.has(v.id)) return undefined;
      this.unparsed.add(v.id);
      const at = parse.error.position;
      this.find('rehearse-sql', sqlReportAt(v, at, at + 1, parse.error.message).span, `This SQL does not parse: ${parse.error.message}`);
      return undefined;
    }
    return parse.statements.map((st) => {
      const raw = v.text!.slice(st.start, st.end);
      const lead = raw.length - raw.trimStart().length;
      return { value: v, st, text: raw.trim(), at: st.start + lead, params: paramsOf(st.stmt) };
    });
  }

  private spanOf(s: Stmt): Span {
    return sqlReportAt(s.value, s.at, s.at + s.text.length, '').span;
  }

  private lineOf(s: Stmt): number {
    return this.plan.lines.rangeOf(this.spanOf(s)).start.line + 1;
  }

  /** Reports a failed statement at the server's position inside it, when it gives one. */
  private failed(s: Stmt, err: unknown, rule: RehearseRule = 'rehearse-sql', what = 'failed'): void {
    const pos = err instanceof EngineError && err.position !== undefined ? err.position - 1 : undefined;
    const span = pos !== undefined && pos >= 0 && pos < s.text.length ? sqlReportAt(s.value, s.at + pos, s.at + pos + 1, '').span : this.spanOf(s);
    this.find(rule, span, `This statement ${what} on PostgreSQL ${this.engine.serverVersion}: ${errText(err)}`.slice(0, 300));
  }

  private async q(sql: string, params?: readonly unknown[]): Promise<Row[]> {
    return (await this.engine.query(sql, params)).rows;
  }

  private async inTransaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.engine.query('BEGIN');
    try {
      return await fn();
    } finally {
      await this.engine.query('ROLLBACK').catch(() => undefined);
    }
  }

  /** The relfilenode of every table and materialized view of the schema. */
  private async fileNodes(): Promise<Map<string, string>> {
    const rows = await this.q(
      `SELECT c.relname AS name, c.relfilenode::text AS node FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'm', 'p')`,
      [this.engine.schema],
    );
    return new Map(rows.map((r) => [String(r.name), String(r.node)]));
  }

  /** Runs one statement with its parameters; rejects as the engine does. */
  private async runStatement(s: Stmt, params: readonly unknown[] = []): Promise<{ affected?: number }> {
    const used = params.slice(0, Math.max(0, ...s.params));
    const r = await this.engine.query(s.text, used.length ? used : undefined);
    return { affected: r.affectedRows };
  }

  /**
   * Runs a statement of a phase's sql: in a transaction, to read the locks it
   * holds before it commits; alone when PostgreSQL refuses it in one
   * (`CONCURRENTLY`: its lock then from PostgreSQL's documented levels).
   */
  private async runTimed(s: Stmt): Promise<StatementReport & { ok: boolean; scanned: string[] }> {
    const before = await this.fileNodes();
    const scanned: string[] = [];
    let lock: Lock | null = null;
    let ms = 0;
    let ok = true;
    try {
      await this.engine.query('BEGIN');
      try {
        const scansBefore = await this.scans();
        const t = performance.now();
        await this.runStatement(s);
        ms = performance.now() - t;
        const scansAfter = await this.scans();
        for (const [name, n] of scansAfter) if (n > (scansBefore.get(name) ?? 0)) scanned.push(name);
        const held = await this.q(
          `SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND n.nspname = $1 AND c.relkind IN ('r', 'p', 'm')`,
          [this.engine.schema],
        );
        for (const r of held) if (rank(r.mode as Lock) > rank(lock)) lock = r.mode as Lock;
        await this.engine.query('COMMIT');
      } catch (err) {
        await this.engine.query('ROLLBACK').catch(() => undefined);
        if (!(err instanceof EngineError && err.code === '25001')) throw err;
        // Cannot run inside a transaction block: run it as written, alone.
        const t2 = performance.now();
        await this.runStatement(s);
        ms = performance.now() - t2;
        for (const op of operationsOf(s.st.stmt)) if (rank(op.lock) > rank(lock)) lock = op.lock;
      }
    } catch (err) {
      ok = false;
      this.failed(s, err);
    }
    const after = await this.fileNodes();
    const rewrote = [...before].filter(([name, node]) => after.has(name) && after.get(name) !== node).map(([name]) => name);
    return { line: this.lineOf(s), ms: Number(ms.toFixed(2)), rewrote, lock, ok, scanned };
  }

  /** The sequential scans of each table of the schema in this transaction so far (a statement's own scans: the difference). */
  private async scans(): Promise<Map<string, number>> {
    const rows = await this.q(`SELECT relname AS name, seq_scan::int AS n FROM pg_stat_xact_user_tables WHERE schemaname = $1`, [this.engine.schema]);
    return new Map(rows.map((r) => [String(r.name), Number(r.n)]));
  }

  /** Runs statements one by one; reports the first failure and stops there. */
  private async runAll(stmts: readonly Stmt[], params: readonly unknown[] = [], rule: RehearseRule = 'rehearse-sql'): Promise<boolean> {
    for (const s of stmts) {
      try {
        await this.runStatement(s, params);
      } catch (err) {
        this.failed(s, err, rule);
        return false;
      }
    }
    return true;
  }

  // ------------------------------------------------------------ the run

  async run(): Promise<{ findings: Finding[]; report: RehearsalReport }> {
    const t0 = performance.now();
    const schema = this.engine.schema;
    const declaredMajor = /postgres(?:ql)?\s*(\d+)/i.exec(this.plan.root?.get('context')?.strAt('engine') ?? '')?.[1];
    const major = this.engine.serverVersion.split('.')[0];
    if (this.engine.kind === 'pglite') this.report.notes.push(`Figures are PGlite's (PostgreSQL ${this.engine.serverVersion} compiled to WebAssembly, in a child process): they compare phases and batch sizes, not production times; rehearse with --database on a production-like server for those.`);
    if (declaredMajor && declaredMajor !== major) this.report.notes.push(`The plan's engine is PostgreSQL ${declaredMajor}; this rehearsal ran on PostgreSQL ${this.engine.serverVersion}: behaviour that differs between them was not rehearsed.`);

    this.progress({ step: 'current schema' });
    const current = this.statements(this.value('current_schema'));
    if (!current) throw new RehearsalRefused('the plan has no context.current_schema to rehearse from');
    if (!(await this.runAll(current))) return this.done(t0);
    const originalColumns = await this.columnsOf(schema);

    // The target schema, in its own schema, for the comparison at the end.
    let target: DbCatalog | undefined;
    const targetStmts = this.statements(this.value('target_schema'));
    if (targetStmts) {
      const ts = await this.engine.targetSchema();
      await this.engine.query(`SET search_path TO ${quoteIdent(ts)}`);
      try {
        if (await this.runAll(targetStmts)) target = await snapshotCatalog(this.engine, ts);
      } finally {
        await this.engine.query(`SET search_path TO ${quoteIdent(schema)}`);
      }
    }

    this.progress({ step: 'seed' });
    if (!(await this.seed())) return this.done(t0);

    const phases = this.plan.phases;
    const firstCleanup = phases.find((p) => p.kind === 'cleanup')?.index ?? Infinity;
    const writes = this.statements(this.value('writes'));
    const newColumns = this.newColumns();
    let stopped = false;
    for (const phase of phases) {
      this.checkAbort();
      const pr = await this.phase(phase, phase.index < firstCleanup ? writes : undefined, newColumns, originalColumns);
      this.report.phases.push(pr.report);
      if (pr.stop) {
        stopped = true;
        break;
      }
    }

    if (target && !stopped) {
      this.progress({ step: 'target schema' });
      const actual = await snapshotCatalog(this.engine, schema);
      const differences = diffCatalogs(actual, target);
      this.report.target_schema = { matches: differences.length === 0, differences };
      for (const d of differences) this.find('rehearse-target-schema', this.targetSpan(d), d.message);
    }
    return this.done(t0);
  }

  private done(t0: number): { findings: Finding[]; report: RehearsalReport } {
    this.report.ms = Math.round(performance.now() - t0);
    this.findings.sort((a, b) => a.span[0] - b.span[0] || a.rule.localeCompare(b.rule));
    return { findings: this.findings, report: this.report };
  }

  /** The plan's seed with `$1` = rows, or rows generated from the current schema. */
  private async seed(): Promise<boolean> {
    const v = this.value('seed');
    if (v) {
      const stmts = this.statements(v);
      if (!stmts) return false;
      for (const s of stmts) {
        if ([...s.params].some((n) => n !== 1)) {
          this.find('rehearse-seed', this.spanOf(s), 'The seed uses a parameter other than $1 (the number of rows)');
          return false;
        }
      }
      return this.runAll(stmts, [this.rows], 'rehearse-seed');
    }
    return this.generateSeed();
  }

  /** Rows for every table of the current schema, parents before children, from the live catalog. */
  private async generateSeed(): Promise<boolean> {
    const cat = await snapshotCatalog(this.engine, this.engine.schema);
    const current = this.statements(this.value('current_schema')) ?? [];
    const createOf = (table: string): Span => {
      const s = current.find((x) => {
        const body = (x.st.stmt as Json).CreateStmt as Json | undefined;
        const rel = body?.relation as Json | undefined;
        return typeof rel?.relname === 'string' && rel.relname === table;
      });
      return s ? this.spanOf(s) : this.value('current_schema')!.node.keySpan ?? this.value('current_schema')!.node.reportSpan;
    };
    const fks = new Map<string, Array<{ cols: string[]; parent: string; parentCols: string[] }>>();
    for (const t of cat.tables) {
      for (const c of t.constraints) {
        if (c.type !== 'f') continue;
        const m = /^FOREIGN KEY \(([^)]*)\) REFERENCES ([^\s(]+)\s*\(([^)]*)\)/.exec(c.definition);
        if (!m) continue;
        const parent = m[2].replace(/^.*\./, '').replace(/"/g, '');
        const list = fks.get(t.name) ?? [];
        list.push({ cols: m[1].split(',').map((x) => x.trim().replace(/"/g, '')), parent, parentCols: m[3].split(',').map((x) => x.trim().replace(/"/g, '')) });
        fks.set(t.name, list);
      }
    }
    const order: string[] = [];
    const visiting = new Set<string>();
    const visit = (name: string): void => {
      if (order.includes(name) || visiting.has(name)) return;
      visiting.add(name);
      for (const fk of fks.get(name) ?? []) if (fk.parent !== name) visit(fk.parent);
      order.push(name);
    };
    for (const t of cat.tables) visit(t.name);
    for (const name of order) {
      const t = cat.tables.find((x) => x.name === name)!;
      const exprs: string[] = [];
      const cols: string[] = [];
      for (const col of t.columns) {
        const fk = (fks.get(name) ?? []).find((f) => f.cols.includes(col.name));
        let e: string | undefined;
        if (fk) e = `1 + (g - 1) % $1`;
        else if (col.identity || col.generated || (col.default && /nextval/i.test(col.default))) continue;
        else e = generatedValue(col.type);
        if (e === undefined) {
          if (!col.notNull || col.default) continue;
          this.find('rehearse-seed', createOf(name), `Rows for ${name} cannot be generated (column ${col.name} is ${col.type}): give rehearsal.seed`);
          return false;
        }
        cols.push(quoteIdent(col.name));
        exprs.push(`(${e})::${col.type}`);
      }
      const sql = `INSERT INTO ${quoteIdent(name)} (${cols.join(', ')}) SELECT ${exprs.join(', ')} FROM generate_series(1, $1) AS g`;
      try {
        await this.engine.query(sql, [this.rows]);
      } catch (err) {
        this.find('rehearse-seed', createOf(name), `Rows for ${name} could not be generated: ${errText(err)}`.slice(0, 300), 'Give `rehearsal.seed`: statements that fill the current schema, with $1 the number of rows.');
        return false;
      }
    }
    return true;
  }

  /** Every column of every table of a schema: table → columns. */
  private async columnsOf(schema: string): Promise<Map<string, string[]>> {
    const rows = await this.q(
      `SELECT c.relname AS t, a.attname AS col FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum`,
      [schema],
    );
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(String(r.t), [...(out.get(String(r.t)) ?? []), String(r.col)]);
    return out;
  }

  /** A checksum of the given columns of a table (of those that still exist), in key order. */
  private async checksum(table: string, columns?: readonly string[]): Promise<string> {
    const have = (await this.columnsOf(this.engine.schema)).get(table);
    if (!have) return 'no table';
    const cols = (columns ?? have).filter((c) => have.includes(c));
    if (cols.length === 0) return 'no columns';
    const row = `ROW(${cols.map(quoteIdent).join(', ')})::text`;
    const r = await this.q(`SELECT count(*)::int AS n, md5(coalesce(string_agg(${row}, '|' ORDER BY ${row}), '')) AS h FROM ${quoteIdent(table)}`);
    return `${r[0].n}:${r[0].h}`;
  }

  /** The columns the backfill's upsert writes: "the new columns" the checks are tested on. */
  private newColumns(): { table: string; columns: string[]; readsOther?: string } | undefined {
    for (const phase of this.plan.phases) {
      if (phase.kind !== 'backfill') continue;
      const s = this.statements(this.valueQuiet('upsert', phase.index))?.[0];
      if (!s) continue;
      const shape = upsertShape(s.st.stmt);
      if (shape) return { table: shape.table, columns: shape.columns, ...(shape.source && shape.source !== shape.table ? { readsOther: shape.source } : {}) };
    }
    return undefined;
  }

  private valueQuiet(kind: SqlValue['kind'], phaseIndex?: number): SqlValue | undefined {
    const v = this.value(kind, phaseIndex);
    return v && v.text !== undefined && parseSql(v.text)?.error === undefined ? v : undefined;
  }

  // ------------------------------------------------------------ one phase

  private async phase(
    phase: Phase,
    writes: Stmt[] | undefined,
    newColumns: ReturnType<Rehearsal['newColumns']>,
    originalColumns: Map<string, string[]>,
  ): Promise<{ report: PhaseReport; stop: boolean }> {
    const t0 = performance.now();
    const id = phase.id ?? `#${phase.index + 1}`;
    const report: PhaseReport = { id, ms: 0, statements: [], checks: [] };
    const finish = (stop: boolean): { report: PhaseReport; stop: boolean } => {
      report.ms = Math.round(performance.now() - t0);
      return { report, stop };
    };
    this.progress({ phase: id, step: 'sql' });
    const before = await snapshotCatalog(this.engine, this.engine.schema);
    const sql = this.statements(this.value('sql', phase.index));
    if (this.value('sql', phase.index) && !sql) return finish(true);
    for (const s of sql ?? []) {
      const r = await this.runTimed(s);
      const { ok, scanned, ...st } = r;
      report.statements.push(st);
      if (!ok) return finish(true);
      this.rewriteFinding(phase, s, st, scanned);
    }
    if (writes && !(await this.runAll(writes))) return finish(true);

    if (phase.kind === 'backfill') {
      const b = await this.backfill(phase, writes);
      if (b === 'stop') return finish(true);
      if (b) report.backfill = b;
    }

    this.progress({ phase: id, step: 'checks' });
    const checks = await this.checks(phase, newColumns);
    report.checks = checks.reports;
    if (checks.tested !== undefined) report.checks_tested = checks.tested;

    const rb = this.value('rollback_sql', phase.index);
    if (rb) {
      this.progress({ phase: id, step: 'rollback' });
      report.rollback = await this.rollback(phase, rb, before, sql ?? [], originalColumns);
    }
    return finish(false);
  }

  private rewriteFinding(phase: Phase, s: Stmt, st: StatementReport, scanned: readonly string[]): void {
    const blocksWrites = rank(st.lock) >= rank('ShareLock');
    const tables = new Set([...st.rewrote, ...scanned]);
    if (!blocksWrites || tables.size === 0) return;
    for (const table of tables) {
      const declared = this.declaredRows(table);
      const ex = declared !== undefined ? (st.ms * declared) / this.rows : undefined;
      if (ex !== undefined) this.report.extrapolations.push({ phase: phase.id ?? '', table, what: 'rewrite', rows: declared!, ms: Math.round(ex), line: st.line });
      const how = st.rewrote.includes(table) ? 'rewrote' : 'scanned';
      this.find(
        'rehearse-rewrite',
        this.spanOf(s),
        `This statement ${how} ${table} under ${st.lock}: ${fmtMs(st.ms)} at ${this.rows.toLocaleString('en-US')} rows${ex !== undefined ? `, about ${fmtMs(ex)} at the declared ${declared!.toLocaleString('en-US')}` : ''}`,
        `Writes to ${table} wait for the whole statement. Use the form that does not block (CONCURRENTLY, NOT VALID then VALIDATE, a CHECK before SET NOT NULL), or plan the time as downtime.`,
      );
    }
  }

  private declaredRows(table: string): number | undefined {
    for (const item of this.plan.root?.get('context')?.get('data_volume')?.items() ?? []) {
      if (item.strAt('table')?.replace(/^public\./, '') === table) {
        const n = item.get('rows')?.num();
        if (n !== undefined && n > 0) return n;
      }
    }
    return undefined;
  }

  // ------------------------------------------------------------ backfill

  private async backfill(phase: Phase, writes: Stmt[] | undefined): Promise<BackfillReport | 'stop' | undefined> {
    const uv = this.value('upsert', phase.index);
    const stmts = this.statements(uv);
    if (!uv || !stmts || stmts.length === 0) return uv ? 'stop' : undefined;
    const upsert = stmts[0];
    const shape = upsertShape(upsert.st.stmt);
    const table = shape?.source ?? shape?.table;
    const written = shape?.table;
    if (!table || !written) return undefined;
    const batchSize = Math.max(1, Math.floor(phase.node.get('batch_size')?.num() ?? 1000));
    const keyCol = (phase.node.strAt('key') ?? (await this.primaryKey(table)) ?? 'id').replace(/^.*\./, '');
    const id = phase.id ?? '';
    const usesBounds = upsert.params.has(1) || upsert.params.has(2);

    // Batch bounds: every batch_size-th key, in order; the last batch ends past the largest key.
    const bounds: Array<[unknown, unknown]> = [];
    if (usesBounds) {
      const keys = await this.q(`SELECT ${quoteIdent(keyCol)}::text AS k FROM ${quoteIdent(table)} ORDER BY ${quoteIdent(keyCol)}`).catch((err: unknown) => {
        this.find('rehearse-sql', this.spanOf(upsert), `The backfill's key ${table}.${keyCol} cannot be read: ${errText(err)}`.slice(0, 300));
        return undefined;
      });
      if (!keys) return 'stop';
      // The last batch ends past the largest key: max + 1, for the key types that have it (integers, numeric, date).
      const past = await this.q(`SELECT (max(${quoteIdent(keyCol)}) + 1)::text AS k FROM ${quoteIdent(table)}`).catch(() => undefined);
      if (!past && keys.length > 0) {
        this.find('rehearse-sql', this.spanOf(upsert), `The backfill's key ${table}.${keyCol} has no "max + 1" to end the last batch with: rehearsal walks integer, numeric and date keys`, 'Walk the backfill by an integer key (the primary key, or a bigserial added for it), or rehearse this backfill by hand.');
        return 'stop';
      }
      const end = past?.[0]?.k ?? null;
      for (let i = 0; i < keys.length; i += batchSize) bounds.push([keys[i].k, i + batchSize < keys.length ? keys[i + batchSize].k : end]);
    }
    const maxRounds = Math.max(2, 2 * Math.ceil(this.rows / batchSize));

    // One pass: every batch in order (or, without bounds, the statement until it changes no row).
    const pass = async (opts: { stopAfter?: number; writes?: Stmt[]; timed?: boolean }): Promise<{ ms: number; rows: number; batches: number; stalled: boolean }> => {
      let ms = 0;
      let rows = 0;
      let batches = 0;
      if (usesBounds) {
        for (const [k, b] of bounds.entries()) {
          this.checkAbort();
          const t = performance.now();
          const r = await this.runStatement(upsert, b);
          const took = performance.now() - t;
          ms += took;
          rows += r.affected ?? 0;
          batches++;
          if (opts.timed) {
            const rate = rows / Math.max(ms / 1000, 1e-6);
            this.progress({ phase: id, step: 'backfill', batch: { k: k + 1, n: bounds.length, rowsPerS: Math.round(rate), msLeft: Math.round((ms / (k + 1)) * (bounds.length - k - 1)) } });
          }
          if (opts.writes && k < bounds.length - 1) for (const w of opts.writes) await this.runStatement(w);
          if (opts.stopAfter !== undefined && k >= opts.stopAfter) break;
        }
        return { ms, rows, batches, stalled: false };
      }
      for (let round = 0; round < maxRounds; round++) {
        this.checkAbort();
        const t = performance.now();
        const r = await this.runStatement(upsert);
        ms += performance.now() - t;
        batches++;
        rows += r.affected ?? 0;
        if (opts.timed) this.progress({ phase: id, step: 'backfill', batch: { k: round + 1, n: maxRounds } });
        if (!r.affected) return { ms, rows, batches, stalled: false };
        if (opts.stopAfter !== undefined && round >= opts.stopAfter) return { ms, rows, batches, stalled: false };
      }
      return { ms, rows, batches, stalled: true };
    };

    let idempotent: boolean;
    let restartable: boolean;
    try {
      // Restartable: the uninterrupted run against a run stopped after a random batch and started again from the first.
      this.progress({ phase: id, step: 'backfill: restart proof' });
      const whole = await this.inTransaction(async () => {
        await pass({});
        return this.checksum(written);
      });
      const stopAfter = this.nextRandom(Math.max(1, usesBounds ? bounds.length : 2));
      const restarted = await this.inTransaction(async () => {
        await pass({ stopAfter });
        await pass({});
        return this.checksum(written);
      });
      restartable = whole === restarted;
      if (!restartable) {
        this.find('rehearse-not-restartable', this.spanOf(upsert), `Stopped after batch ${stopAfter + 1} and started again from the first, the backfill leaves ${written} unlike an uninterrupted run`, 'A restart after a crash must not change the result: derive every value from the source row, not from the rows already written, a sequence or the clock.');
      }
    } catch (err) {
      this.failed(upsert, err);
      return 'stop';
    }

    // The run that counts: timed, with the application's writes between batches.
    this.progress({ phase: id, step: 'backfill' });
    let run;
    try {
      run = await pass({ writes, timed: true });
    } catch (err) {
      this.failed(upsert, err);
      return 'stop';
    }
    if (run.stalled) {
      this.find('rehearse-backfill-stalls', this.spanOf(upsert), `The upsert still changed rows after ${maxRounds} runs: the backfill does not end`, 'Without $1/$2 bounds, each run must shrink what is left (`WHERE new_column IS NULL`), so that a run finally changes no row.');
    }

    // Idempotent: every batch again (no writes) leaves the table as it was, and raises no error.
    try {
      this.progress({ phase: id, step: 'backfill: idempotency proof' });
      idempotent = await this.inTransaction(async () => {
        const a = await this.checksum(written);
        await pass({});
        return a === (await this.checksum(written));
      });
    } catch (err) {
      idempotent = false;
      this.find('rehearse-not-idempotent', this.spanOf(upsert), `Run again over rows it already did, the upsert fails: ${errText(err)}`.slice(0, 300));
    }
    if (idempotent === false && !this.findings.some((f) => f.rule === 'rehearse-not-idempotent' && f.span[0] === this.spanOf(upsert)[0])) {
      this.find('rehearse-not-idempotent', this.spanOf(upsert), `Run again over every batch, the upsert changes ${written}: it is not idempotent`, 'A batch retried after a timeout runs twice: write the value from the source (SET x = f(source)), guard with `WHERE x IS NULL` or ON CONFLICT, never x = x + 1.');
    }

    const rate = run.rows / Math.max(run.ms / 1000, 1e-6);
    const declared = this.declaredRows(table);
    if (declared !== undefined && run.rows > 0) this.report.extrapolations.push({ phase: id, table, what: 'backfill', rows: declared, ms: Math.round((declared / rate) * 1000) });
    return { table, batches: run.batches, rows: run.rows, ms: Math.round(run.ms), rows_per_s: Math.round(rate), idempotent, restartable };
  }

  private async primaryKey(table: string): Promise<string | undefined> {
    const r = await this.q(
      `SELECT a.attname AS col FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]
        WHERE i.indisprimary AND n.nspname = $1 AND c.relname = $2 AND i.indnatts = 1`,
      [this.engine.schema, table],
    );
    return r[0] ? String(r[0].col) : undefined;
  }

  // ------------------------------------------------------------ checks

  private checkItems(phase: Phase): Array<{ name: string; query?: SqlValue; expect?: string; expectSpan: Span }> {
    const out: Array<{ name: string; query?: SqlValue; expect?: string; expectSpan: Span }> = [];
    phase.node.get('checks')?.items().forEach((item, j) => {
      if (!item.isMap) return;
      const query = this.values.find((v) => v.kind === 'query' && v.phaseIndex === phase.index && v.path[3] === j);
      const e = item.get('expect');
      out.push({ name: item.strAt('name') ?? `check ${j + 1}`, query, expect: e?.str(), expectSpan: e?.reportSpan ?? item.reportSpan });
    });
    return out;
  }

  /** Runs the checks with a query; true when all held. Reports failures when `report`. */
  private async evaluate(items: ReturnType<Rehearsal['checkItems']>, report: boolean): Promise<{ all: boolean; results: Array<{ value: Row | null; passed: boolean }> }> {
    let all = true;
    const results: Array<{ value: Row | null; passed: boolean }> = [];
    for (const c of items) {
      if (!c.query) continue;
      const stmts = this.statements(c.query);
      if (!stmts || stmts.length === 0) {
        all = false;
        results.push({ value: null, passed: false });
        continue;
      }
      let row: Row | null;
      try {
        const rows = (await this.engine.query(stmts[stmts.length - 1].text)).rows;
        row = rows[0] ?? null;
      } catch (err) {
        if (report) this.failed(stmts[stmts.length - 1], err);
        all = false;
        results.push({ value: null, passed: false });
        continue;
      }
      const verdict = judge(c.expect, row);
      if (!verdict.passed) {
        all = false;
        if (report) this.find('rehearse-check-failed', c.expectSpan, `Check "${c.name}" does not hold: ${verdict.why}`.slice(0, 300));
      }
      results.push({ value: row, passed: verdict.passed });
    }
    return { all, results };
  }

  private async checks(phase: Phase, newColumns: ReturnType<Rehearsal['newColumns']>): Promise<{ reports: CheckReport[]; tested?: boolean }> {
    const items = this.checkItems(phase);
    const withQuery = items.filter((c) => c.query);
    if (withQuery.length === 0) return { reports: [] };
    const first = await this.evaluate(items, true);
    const reports: CheckReport[] = withQuery.map((c, i) => ({ name: c.name, value: first.results[i]?.value ?? null, passed: first.results[i]?.passed ?? false, catches: { wrong_value: null, missing_row: null } }));
    const testable = ['dual-write', 'backfill', 'verification', 'custom'].includes(phase.kind ?? '');
    if (!testable || !first.all || !newColumns) return { reports };

    const { table, columns, readsOther } = newColumns;
    const have = (await this.columnsOf(this.engine.schema)).get(table) ?? [];
    const cols = columns.filter((c) => have.includes(c));
    if (cols.length === 0) return { reports, tested: false };
    const missed: string[] = [];
    let tested = false;
    for (const col of cols) {
      const caught = await this.inTransaction(async () => {
        const type = String((await this.q(`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2`, [`${quoteIdent(this.engine.schema)}.${quoteIdent(table)}`, col]))[0]?.t ?? 'text');
        await this.engine.query(`ALTER TABLE ${quoteIdent(table)} DISABLE TRIGGER USER`);
        const changed = await this.engine.query(
          `UPDATE ${quoteIdent(table)} SET ${quoteIdent(col)} = ${wrongValue(quoteIdent(col), type)} WHERE ctid = (SELECT ctid FROM ${quoteIdent(table)} WHERE ${cols.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ')} LIMIT 1)`,
        );
        if (!changed.affectedRows) return undefined;
        return !(await this.evaluate(items, false)).all;
      }).catch(() => undefined);
      if (caught === undefined) continue;
      tested = true;
      reports.forEach((r) => (r.catches.wrong_value = (r.catches.wrong_value ?? true) && caught));
      if (!caught) missed.push(`a wrong ${table}.${col}`);
    }
    if (tested) for (const r of reports) r.catches.wrong_value = missed.length === 0;
    if (readsOther) {
      const caught = await this.inTransaction(async () => {
        await this.engine.query(`ALTER TABLE ${quoteIdent(table)} DISABLE TRIGGER USER`);
        const changed = await this.engine.query(`DELETE FROM ${quoteIdent(table)} WHERE ctid = (SELECT ctid FROM ${quoteIdent(table)} LIMIT 1)`);
        if (!changed.affectedRows) return undefined;
        return !(await this.evaluate(items, false)).all;
      }).catch(() => undefined);
      if (caught !== undefined) {
        tested = true;
        for (const r of reports) r.catches.missing_row = caught;
        if (!caught) missed.push(`a row missing from ${table}`);
      }
    }
    if (missed.length > 0) {
      const key = phase.node.get('checks')?.keySpan ?? phase.node.reportSpan;
      this.find('rehearse-check-blind', key, `These checks pass with ${missed.join(' and ')}: they cannot catch what they are for`, 'A check must fail on the data it guards: compare the new columns with the source (count the rows where they differ), and count rows on both sides where the backfill writes another table.');
    }
    return { reports, tested };
  }

  // ------------------------------------------------------------ rollback

  private async rollback(phase: Phase, rb: SqlValue, before: DbCatalog, forward: Stmt[], originalColumns: Map<string, string[]>): Promise<{ ran: boolean; restores: boolean | null }> {
    const stmts = this.statements(rb);
    if (!stmts) return { ran: false, restores: null };
    const tables = [...originalColumns.keys()];
    const sums = async (): Promise<Map<string, string>> => new Map(await Promise.all(tables.map(async (t) => [t, await this.checksum(t, originalColumns.get(t))] as [string, string])));
    const dataBefore = await sums();
    const judgeAfter = async (): Promise<boolean> => {
      const after = await snapshotCatalog(this.engine, this.engine.schema);
      const diffs = diffCatalogs(after, before);
      const dataAfter = await sums();
      const lost = tables.filter((t) => dataAfter.get(t) !== dataBefore.get(t) && dataAfter.get(t) !== 'no table');
      const span = sqlReportAt(rb, 0, rb.text?.length ?? 0, '').span;
      for (const d of diffs) this.find('rehearse-rollback', span, `After the rollback, ${d.message.replace(/target schema/g, 'state before the phase')}`.slice(0, 300));
      for (const t of lost) this.find('rehearse-rollback', span, `The rollback changes the data of ${t}'s original columns`, 'Rolling back must leave the data the application reads as it was before the phase.');
      return diffs.length === 0 && lost.length === 0;
    };
    // In a transaction, and rolled back afterwards: the rehearsal goes on from the state the phase left.
    let needsOwnRun = false;
    const inTxn = await this.inTransaction(async () => {
      for (const s of stmts) {
        try {
          await this.runStatement(s);
        } catch (err) {
          if (err instanceof EngineError && err.code === '25001') {
            needsOwnRun = true;
            return undefined;
          }
          this.failed(s, err, 'rehearse-rollback', 'of the rollback failed');
          return false;
        }
      }
      return judgeAfter();
    });
    if (!needsOwnRun) return { ran: true, restores: inTxn ?? null };
    // A statement that cannot run in a transaction (CONCURRENTLY): run the rollback as written, then the phase's sql again.
    for (const s of stmts) {
      try {
        await this.runStatement(s);
      } catch (err) {
        this.failed(s, err, 'rehearse-rollback', 'of the rollback failed');
        return { ran: true, restores: false };
      }
    }
    const restores = await judgeAfter();
    for (const s of forward) {
      try {
        await this.runStatement(s);
      } catch (err) {
        this.failed(s, err, 'rehearse-sql', `failed when run again after the rollback (phase ${phase.id ?? phase.index + 1})`);
        break;
      }
    }
    return { ran: true, restores };
  }

  // ------------------------------------------------------------ target schema

  /** Where a target-schema difference goes: the line that declares it, else the `target_schema` key. */
  private targetSpan(d: CatalogDifference): Span {
    const v = this.value('target_schema')!;
    const key = v.node.keySpan ?? v.node.reportSpan;
    if (d.problem === 'extra' || !v.text) return key;
    const parse = parseSql(v.text);
    if (!parse) return key;
    for (const st of parse.statements) {
      const body = (st.stmt as Json).CreateStmt as Json | undefined;
      const rel = body?.relation as Json | undefined;
      const index = (st.stmt as Json).IndexStmt as Json | undefined;
      const lead = v.text.slice(st.start, st.end).search(/\S/);
      const whole = sqlReportAt(v, st.start + Math.max(0, lead), st.end, '').span;
      if (d.kind === 'index' && index && d.name !== undefined && index.idxname === d.name) return whole;
      if (d.kind === 'index' && d.name !== undefined && statementsName(parse.statements, d.name)) continue;
      if (!rel || rel.relname !== d.table) continue;
      if (d.kind === 'column' && d.name) {
        for (const elt of (body!.tableElts as unknown[]) ?? []) {
          const cd = (elt as Json).ColumnDef as Json | undefined;
          if (cd?.colname === d.name && typeof cd.location === 'number') {
            const at = parse.offsetOfByte(cd.location);
            return sqlReportAt(v, at, at + d.name.length, '').span;
          }
        }
      }
      return whole;
    }
    return key;
  }
}

/** Whether one of the statements creates an index of that name. */
function statementsName(statements: readonly SqlStatement[], name: string): boolean {
  return statements.some((st) => ((st.stmt as Json).IndexStmt as Json | undefined)?.idxname === name);
}

/** An SQL expression giving another value of a column's type than `col` holds. */
function wrongValue(col: string, type: string): string {
  const t = type.toLowerCase();
  if (/^(smallint|integer|bigint|numeric|real|double precision|decimal)/.test(t)) return `${col} + 1`;
  if (t === 'boolean') return `NOT ${col}`;
  if (/^(timestamp|date|time)/.test(t)) return `${col} + interval '1 day'`;
  if (t === 'uuid') return `md5(${col}::text)::uuid`;
  if (t === 'jsonb' || t === 'json') return `jsonb_build_object('migplan', 'wrong', 'was', ${col})::${t}`;
  if (/^(text|character|varchar|citext)/.test(t)) return `(CASE WHEN ${col}::text = 'x' THEN 'y' ELSE 'x' END)::${type}`;
  return `(CASE WHEN ${col}::text = 'x' THEN 'y' ELSE 'x' END)::${type}`;
}

/** A generated value of a type for row `g`, or undefined when there is no obvious one. */
function generatedValue(type: string): string | undefined {
  const t = type.toLowerCase();
  if (/^(smallint)/.test(t)) return `g % 32000`;
  if (/^(integer|bigint|numeric|real|double precision|decimal)/.test(t)) return 'g';
  if (t === 'boolean') return 'g % 2 = 0';
  if (/^timestamp/.test(t)) return `timestamp '2026-01-01' - g * interval '1 minute'`;
  if (t === 'date') return `date '2026-01-01' - (g % 3650)`;
  if (t === 'uuid') return 'md5(g::text)::uuid';
  if (t === 'jsonb' || t === 'json') return `json_build_object('n', g)`;
  if (/^(text|character varying|varchar|citext)/.test(t)) return `'v' || g`;
  if (/^character\(/.test(t)) return `left(g::text, 1)`;
  return undefined;
}

/** What an upsert writes (table, columns) and the table its rows come from. */
export function upsertShape(stmt: unknown): { table: string; columns: string[]; source?: string } | undefined {
  const s = stmt as Json;
  const rel = (x: unknown): string | undefined => {
    const r = (x as Json | undefined)?.relname;
    return typeof r === 'string' ? r : undefined;
  };
  if (s.UpdateStmt) {
    const u = s.UpdateStmt as Json;
    const table = rel(u.relation);
    if (!table) return undefined;
    const columns = ((u.targetList as unknown[]) ?? []).map((t) => ((t as Json).ResTarget as Json | undefined)?.name).filter((n): n is string => typeof n === 'string');
    return { table, columns, source: table };
  }
  if (s.InsertStmt) {
    const i = s.InsertStmt as Json;
    const table = rel(i.relation);
    if (!table) return undefined;
    const columns = ((i.cols as unknown[]) ?? []).map((t) => ((t as Json).ResTarget as Json | undefined)?.name).filter((n): n is string => typeof n === 'string');
    let source: string | undefined;
    const select = (i.selectStmt as Json | undefined)?.SelectStmt as Json | undefined;
    const from = ((select?.fromClause as unknown[]) ?? [])[0] as Json | undefined;
    if (from?.RangeVar) source = rel(from.RangeVar);
    return { table, columns, ...(source ? { source } : {}) };
  }
  return undefined;
}

/** Whether a check's `expect` holds on its query's row. */
export function judge(expect: string | undefined, row: Row | null): { passed: boolean; why: string } {
  if (!row) return { passed: false, why: 'its query returned no row' };
  const c = expect !== undefined ? parseCondition(expect) : undefined;
  if (!c) return { passed: false, why: `its expect ${JSON.stringify(expect ?? '')} is not a condition on the query's columns` };
  const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : typeof v === 'boolean' ? Number(v) : undefined);
  if (!(c.metric in row)) return { passed: false, why: `the query returns ${Object.keys(row).join(', ') || 'no column'}, not ${c.metric}` };
  const left = num(row[c.metric]);
  let right: number | undefined;
  if (c.otherMetric !== undefined) right = num(row[c.otherMetric]);
  else if (c.value && (c.value.unit === undefined || c.value.unit === 'rows')) right = c.value.number;
  if (left === undefined || right === undefined) return { passed: false, why: `${c.metric} = ${String(row[c.metric])} cannot be compared with ${expect}` };
  const ok = { '>': left > right, '>=': left >= right, '<': left < right, '<=': left <= right, '=': left === right, '==': left === right, '!=': left !== right }[c.op];
  return { passed: ok, why: `${c.metric} is ${left}, expected ${expect}` };
}
