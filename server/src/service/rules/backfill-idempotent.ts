import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'backfill-idempotent', severity: 'error', description: "a backfill lacking idempotent/upsert/resume", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
