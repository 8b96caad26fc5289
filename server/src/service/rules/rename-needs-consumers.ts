import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'rename-needs-consumers', severity: 'warning', description: "a rename/drop change whose table no consumer lists", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
