import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'context-missing', severity: 'warning', description: "a context field of the method's five is absent or empty", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
