import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'ignore-reason', severity: 'warning', description: "a migplan-ignore comment without a reason", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
