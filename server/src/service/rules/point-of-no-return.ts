import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'point-of-no-return', severity: 'error', description: "point_of_no_return missing, unknown, or too early", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
