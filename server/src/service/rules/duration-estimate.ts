import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'duration-estimate', severity: 'warning', description: "no duration_estimate or its basis is staging or guess", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
