import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'integrity-check', severity: 'error', description: "a phase has no checks, or a check's expect is not a condition", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
