/**
 * The messages between the VS Code extension and the rehearsal's child
 * process (child.ts, bundled as dist/rehearseChild.js). Types only: the
 * extension imports this file with `import type`, so nothing of the
 * rehearsal (the parser, the engines, PGlite) is bundled into it.
 */
import type { Range, RehearsalReport, Severity } from '../service/types';
import type { Progress } from './runner';

/** The one message the parent sends: what to rehearse, and where. */
export interface RehearseChildRequest {
  /** The plan's file, for `{file: path}` SQL and the `.migplanrc.json` above it; absent for an untitled plan. */
  planPath?: string;
  /** The plan's text as the editor has it (saved or not). */
  text: string;
  /** Rows to rehearse with (overrides the plan's `rehearsal.rows`). */
  rows?: number;
  /** A PostgreSQL URL: rehearse inside a scratch schema of that server; absent: the embedded PGlite. */
  database?: string;
}

/** A finding, as the language server's diagnostics are (a range in the plan's text). */
export interface RehearseChildDiagnostic {
  rule: string;
  severity: Severity;
  message: string;
  detail?: string;
  range: Range;
}

/** A phase of the plan: its id (as the report and the tree name it: the `id`, else `#n`) and where it is. */
export interface RehearseChildPhase {
  id: string;
  range: Range;
}

export type RehearseChildMessage =
  | ({ type: 'progress' } & Progress)
  | { type: 'result'; diagnostics: RehearseChildDiagnostic[]; report: RehearsalReport; phases: RehearseChildPhase[] }
  | { type: 'error'; message: string };
