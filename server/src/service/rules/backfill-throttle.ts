import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'backfill-throttle', severity: 'warning', description: "no throttle.max_replica_lag or not below the replica-lag trigger", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
