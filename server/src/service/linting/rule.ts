import type { Edits, RawFix } from './fixes';
import type { Phase, PlanDocument } from '../parsing/plan';
import type { SqlFiles } from '../sql/sqlValues';
import type { LintConfig, Range, RuleMeta, Span } from '../types';

export interface RawRelated {
  span: Span;
  message: string;
  /** In another file (a SQL file the plan names): its absolute path and the range there; `span` is then unused. */
  file?: { path: string; range: Range };
}

export interface Report {
  span: Span;
  /** One sentence naming the thing and the problem, at most 100 characters, ending with a full stop. */
  message: string;
  /** Why it matters and what to do. */
  detail?: string;
  fix?: RawFix;
  related?: RawRelated[];
  /** Rule-specific details carried in the diagnostic's `data`. */
  data?: Record<string, unknown>;
}

export interface RuleContext {
  plan: PlanDocument;
  /** What the lint runs under (severities, settings, the day dates are judged against). */
  config: LintConfig;
  /** How `{file: path}` SQL values are read (none: they are reported as unreadable). */
  files?: SqlFiles;
  /** Builders for fixes that keep the file's own layout. */
  edits: Edits;
  report(r: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Runs on a plan whose root is a mapping and whose YAML parsed. */
  check?(ctx: RuleContext): void;
  /**
   * Runs on each phase that is a mapping, for what a phase shows by itself:
   * its reports may depend only on the phase's own text, its index, the
   * plan's layout (fixes written in its style) and `phaseContext`. Lint
   * reuses them for a phase an edit left alone (see lint.ts).
   */
  checkPhase?(phase: Phase, ctx: RuleContext): void;
  /**
   * What else in the plan a phase's reports depend on, as a string: they are
   * made again, not reused, when it changes.
   */
  phaseContext?(plan: PlanDocument): string;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
