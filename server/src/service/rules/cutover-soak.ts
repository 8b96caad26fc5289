import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'cutover-soak', severity: 'warning', description: "soak missing or under 24h", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
