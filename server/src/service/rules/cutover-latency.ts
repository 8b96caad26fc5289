import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'cutover-latency', severity: 'warning', description: "latency_budget missing or over 10%, or no baseline P99", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
