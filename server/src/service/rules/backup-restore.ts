import { defineRule } from '../rule';

// PLACEHOLDER: to be written.
export const rule = defineRule({
  meta: { id: 'backup-restore', severity: 'warning', description: "no backup_restore_tested date", rationale: 'PLACEHOLDER', fixable: false },
  check() {},
});
