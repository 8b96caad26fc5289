/**
 * Shared types of the language service. These mirror the LSP shapes
 * (0-based lines, UTF-16 characters) without importing any transport.
 */

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Offsets into the (BOM-stripped) text: [start, end). */
export type Span = readonly [number, number];

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  /** What the edit does, phrased as a command: "Insert 'exit' criteria". */
  title: string;
  edits: TextEdit[];
  /** True where there is one right answer (LSP `isPreferred`). */
  preferred?: boolean;
}

export interface RelatedInformation {
  range: Range;
  message: string;
  /** The absolute path of another file the range is in (a SQL file a plan names); the plan itself when absent. */
  file?: string;
}

export interface DiagnosticData {
  fix?: Fix;
  /** Free-form, rule-specific details (e.g. the missing key). */
  [key: string]: unknown;
}

export interface Diagnostic {
  rule: string;
  severity: Severity;
  /** One sentence naming the thing and the problem (at most 100 characters). */
  message: string;
  /** The rest: why it matters and what to do. */
  detail?: string;
  range: Range;
  data?: DiagnosticData;
  related?: RelatedInformation[];
}

export interface RuleMeta {
  /** Stable id, also the diagnostic code. */
  id: string;
  severity: Severity;
  /** One line: what the rule checks. */
  description: string;
  /** Why the method asks for it. */
  rationale: string;
  /** Whether the rule offers a quick fix. */
  fixable: boolean;
}

/** What a lint runs under: per-rule severities and settings, as in `.migplanrc.json`. */
export interface LintConfig {
  rules?: Record<string, SeveritySetting>;
  /** How old a restore test may be (a duration such as `180d`); default 180d. */
  maxRestoreTestAge?: string;
  /**
   * The day dates are judged against (`YYYY-MM-DD`), for reproducible runs;
   * default: today. Not read from files: the CLI and the server take it from
   * the environment variable MIGPLAN_TODAY.
   */
  today?: string;
}

// ------------------------------------------------------------ rehearsal
// The result of `migplan rehearse` (its JSON's `rehearsal` object): made by the rehearsal runner, read by the
// renderer, the CLI and the editor.

export interface CatalogDifference {
  kind: 'table' | 'column' | 'index' | 'constraint' | 'trigger';
  table: string;
  /** The column, index, constraint or trigger (the target's name when both have one); absent for a table. */
  name?: string;
  /** missing: the target has it, the database lacks it; extra: the database has it, the target does not. */
  problem: 'missing' | 'extra' | 'different';
  expected?: string;
  actual?: string;
  /** One line, for a person. */
  message: string;
}

export interface StatementReport {
  /** 1-based line in the plan. */
  line: number;
  ms: number;
  rewrote: string[];
  /** The strongest lock it took on a table of the rehearsal, when it took one. */
  lock: string | null;
}

export interface CheckReport {
  name: string;
  value: Record<string, unknown> | null;
  passed: boolean;
  /** Whether the phase's checks together caught each injected change; null when it was not made. */
  catches: { wrong_value: boolean | null; missing_row: boolean | null };
}

export interface BackfillReport {
  table: string;
  batches: number;
  rows: number;
  ms: number;
  rows_per_s: number;
  idempotent: boolean | null;
  restartable: boolean | null;
}

export interface PhaseReport {
  id: string;
  ms: number;
  statements: StatementReport[];
  backfill?: BackfillReport;
  checks: CheckReport[];
  /** null: the checks were not tested against injected changes (no row had its new columns filled, or nothing to test). */
  checks_tested?: boolean;
  rollback?: { ran: boolean; restores: boolean | null };
}

export interface Extrapolation {
  phase: string;
  table: string;
  what: 'backfill' | 'rewrite';
  rows: number;
  ms: number;
  line?: number;
}

export interface RehearsalReport {
  engine: 'pglite' | 'postgres';
  server_version: string;
  rows: number;
  ms: number;
  phases: PhaseReport[];
  target_schema: { matches: boolean | null; differences: CatalogDifference[] };
  extrapolations: Extrapolation[];
  /** Sentences the reader should see beside the figures (the engine, the version). */
  notes: string[];
}
