import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'yaml-syntax', severity: 'error', description: "the YAML does not parse", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
