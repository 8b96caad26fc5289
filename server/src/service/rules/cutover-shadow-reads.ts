import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'cutover-shadow-reads', severity: 'warning', description: "shadow_reads is not true", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
