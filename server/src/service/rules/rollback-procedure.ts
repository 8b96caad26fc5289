import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'rollback-procedure', severity: 'error', description: "a phase has no rollback", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
