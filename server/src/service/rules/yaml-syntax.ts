import { defineRule } from '../linting/rule';

/**
 * Reported by the parser (plan.ts) before any rule runs: each YAML error at its
 * place, plus what the format forbids on top of YAML (custom tags, duplicate
 * keys, a second document, oversized input, alias bombs). The check itself has
 * nothing left to do; this file carries the rule's metadata.
 */
export const rule = defineRule({
  meta: {
    id: 'yaml-syntax',
    severity: 'error',
    description: 'The file is not valid YAML for a plan: a parse error, a duplicate key, a custom tag or a second document.',
    rationale:
      'A plan that does not parse cannot be reviewed or checked, and a YAML mistake can silently change what a plan says (a duplicate key keeps only one of two values). The format is one plain YAML 1.2 document so every tool reads it the same way.',
    fixable: false,
  },
  check() {
    // Parse errors are collected by PlanDocument and reported by the engine.
  },
});
