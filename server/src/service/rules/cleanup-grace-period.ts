import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'cleanup-grace-period', severity: 'warning', description: "a cleanup phase without grace_period or under 1 release", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
