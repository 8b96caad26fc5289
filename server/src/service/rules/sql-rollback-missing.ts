import { defineRule } from '../linting/rule';
import { irreversibleFrom, phaseRef } from '../sql/planSql';
import { hasSqlDialect } from '../sql/sqlValues';

export const rule = defineRule({
  meta: {
    id: 'sql-rollback-missing',
    severity: 'error',
    description: 'With `context.dialect: postgresql`, a phase before the point of no return has `sql` but no `rollback_sql` that undoes it.',
    rationale:
      'A phase that changes the schema must be undone by SQL as exact as the SQL that did it, written and reviewed before the phase runs, not improvised during the incident that calls for it. ' +
      'Before the point of no return undoing is supposed to be cheap; `rollback_sql` is what makes it so, and what `migplan rehearse` runs to prove it restores the schema.',
    fixable: false,
  },
  check(ctx) {
    if (!hasSqlDialect(ctx.plan)) return;
    const until = irreversibleFrom(ctx.plan);
    for (const phase of ctx.plan.phases) {
      if (until !== undefined && phase.index >= until) continue;
      const sql = phase.node.get('sql');
      if (!sql || (sql.str() !== undefined && sql.str()!.trim() === '') || phase.node.get('rollback_sql') !== undefined) continue;
      ctx.report({
        span: sql.keySpan ?? sql.reportSpan,
        message: `${phaseRef(phase).replace(/^p/, 'P')} runs SQL but has no \`rollback_sql\` to undo it.`,
        detail:
          'It comes before the point of no return, so undoing it must be cheap and exact. Write the statements that take the schema back to where the phase found it in `rollback_sql` (for an added column: `ALTER TABLE … DROP COLUMN …`).',
        data: { phase: phase.id },
      });
    }
  },
});
