import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'rollback-trigger', severity: 'error', description: "a phase has no triggers, or a trigger's when is not a condition", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
