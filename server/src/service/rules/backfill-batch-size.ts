import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'backfill-batch-size', severity: 'warning', description: "batch_size missing or outside 1,000-10,000", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
