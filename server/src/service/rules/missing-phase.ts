import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'missing-phase', severity: 'warning', description: "no verification or no cleanup phase", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
