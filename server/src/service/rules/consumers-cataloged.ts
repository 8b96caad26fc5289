import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'consumers-cataloged', severity: 'error', description: "consumers absent or empty, or a consumer without migration_path", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
