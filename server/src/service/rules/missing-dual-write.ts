import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'missing-dual-write', severity: 'error', description: "no dual-write phase", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
