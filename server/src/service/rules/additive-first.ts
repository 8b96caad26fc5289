import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'additive-first', severity: 'warning', description: "a step before cleanup drops or renames", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
