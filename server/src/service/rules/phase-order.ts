import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'phase-order', severity: 'warning', description: "phase kinds out of order", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
