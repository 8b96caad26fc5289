import type { Edits, RawFix } from './fixes';
import type { PlanDocument } from './plan';
import type { RuleMeta, Span } from './types';

export interface RawRelated {
  span: Span;
  message: string;
}

export interface Report {
  span: Span;
  message: string;
  fix?: RawFix;
  related?: RawRelated[];
  /** Rule-specific details carried in the diagnostic's `data`. */
  data?: Record<string, unknown>;
}

export interface RuleContext {
  plan: PlanDocument;
  /** Builders for fixes that keep the file's own layout. */
  edits: Edits;
  report(r: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Runs on a plan whose root is a mapping and whose YAML parsed. */
  check(ctx: RuleContext): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
