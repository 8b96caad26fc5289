import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'phase-criteria', severity: 'error', description: "a phase lacks entry, steps or exit", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
