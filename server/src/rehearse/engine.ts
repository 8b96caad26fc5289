/**
 * What a rehearsal runs its SQL on: PostgreSQL embedded (PGlite, in a child
 * process) or a server given by URL (inside a scratch schema). The rehearsal
 * runner (runner.ts) speaks only this interface, so one code path serves both
 * and the same rehearsal gives the same findings on either.
 */

/** A row as PostgreSQL returns it: column name to value (text for numeric and date types, as pg and PGlite give them parsed). */
export type Row = Record<string, unknown>;

export interface QueryResult {
  rows: Row[];
  /** Rows a DML statement changed (INSERT/UPDATE/DELETE), when the engine reports it. */
  affectedRows?: number;
  /** Column names, in order. */
  fields: string[];
}

/** A statement PostgreSQL refused: its message and, when it gives one, the 1-based character position in the statement. */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly position?: number,
    /** PostgreSQL's SQLSTATE, when known. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface Engine {
  readonly kind: 'pglite' | 'postgres';
  /** PostgreSQL's version, as `SHOW server_version` gives it (e.g. `17.4`). */
  readonly serverVersion: string;
  /**
   * The schema the rehearsal runs in, first and alone on `search_path`: a
   * scratch schema `migplan_rehearsal_<12 hex>` on a server, `public` in
   * PGlite's new in-memory database.
   */
  readonly schema: string;
  /**
   * Creates (once) the second scratch schema, for the target schema, and
   * returns its name; `search_path` is left as it is.
   */
  targetSchema(): Promise<string>;
  /**
   * Runs one statement, with `$1`, `$2`… bound to `params`. Outside an
   * explicit transaction it commits on its own, as psql's autocommit does, so
   * that statements which cannot run in a transaction block (`CREATE INDEX
   * CONCURRENTLY`) run as written. Rejects with EngineError when PostgreSQL
   * refuses it.
   */
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>;
  /** Runs a script of several statements without parameters (the plan's DDL), each committing on its own. */
  exec(sql: string): Promise<void>;
  /** Releases everything: the child process, the scratch schemas and the connection. Safe to call twice. */
  close(): Promise<void>;
}
