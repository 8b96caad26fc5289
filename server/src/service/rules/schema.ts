import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'schema', severity: 'error', description: "the file breaks the JSON Schema", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
