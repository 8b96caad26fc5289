import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'unused-ignore', severity: 'warning', description: "a migplan-ignore comment that silences nothing", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
