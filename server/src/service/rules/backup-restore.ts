import { assessmentOf } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';

export const rule = defineRule({
  meta: {
    id: 'backup-restore',
    severity: 'warning',
    description: 'The assessment has no `backup_restore_tested` date.',
    rationale:
      'Past the point of no return, the only way back is a restore from backup. ' +
      'The method asks that a restore (not only a backup) was tested recently, because backups that were never restored fail in ways nobody finds out about until they are needed.',
    fixable: false,
  },
  check(ctx) {
    const a = assessmentOf(ctx.plan);
    if (a.state === 'invalid') return;
    if (a.state === 'map' && a.node.get('backup_restore_tested') !== undefined) return; // a non-date is the schema's
    ctx.report({
      span: a.state === 'map' ? a.node.missingSpan : a.span,
      message:
        `The ${a.state === 'map' ? 'assessment' : 'plan'} does not say when a restore from backup was last tested: past the point of no return a restore is the only rollback, and an untested one may not work. ` +
        'Restore a recent backup, check it, and record the date as `assessment.backup_restore_tested`.',
    });
  },
});
