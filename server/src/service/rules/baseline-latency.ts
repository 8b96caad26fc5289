import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'baseline-latency', severity: 'warning', description: "assessment.baseline lacks P50 or P99", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
