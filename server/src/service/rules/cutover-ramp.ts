import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'cutover-ramp', severity: 'error', description: "no flag or a bad ramp", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
