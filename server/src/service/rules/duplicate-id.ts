import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'duplicate-id', severity: 'error', description: "two phases share an id", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
