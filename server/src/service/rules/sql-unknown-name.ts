import { defineRule } from '../linting/rule';
import { sqlReportAt } from '../sql/sqlValues';
import { timelineOf } from '../sql/timeline';
import { sqlValueLabel } from './sql-syntax';

export const rule = defineRule({
  meta: {
    id: 'sql-unknown-name',
    severity: 'error',
    description:
      'With `context.dialect: postgresql`, a table or column that a statement, upsert, check query, rollback or seed uses and that does not exist at that point of the plan (in `current_schema`, or made by an earlier phase\'s `sql`), or a name a statement creates that already exists there.',
    rationale:
      'A check of the dual-write phase cannot read a column that only cleanup creates, and a rollback cannot drop what its phase never added: such SQL fails the moment it runs, in production, mid-migration. ' +
      'migplan builds the schema at every point of the plan from `current_schema` and each phase\'s `sql`, in order, without a database, and reads every name against the schema where it is used. ' +
      'A table the plan reads but does not change still belongs in `current_schema`: the rehearsal builds its database from it.',
    fixable: false,
  },
  check(ctx) {
    const { findings } = timelineOf(ctx.plan, ctx.files);
    for (const f of findings) {
      const phase = f.value.phaseIndex !== undefined ? ctx.plan.phases.find((p) => p.index === f.value.phaseIndex) : undefined;
      const label = sqlValueLabel(f.value, phase ? (phase.id !== undefined ? `'${phase.id}'` : `#${phase.index + 1}`) : undefined);
      const at = sqlReportAt(f.value, f.start, f.end, f.message);
      const uses = f.value.kind === 'writes' ? 'use' : 'uses';
      const where = 'Names are read against the schema at this point of the plan: `current_schema`, then each earlier phase\'s `sql` in order.';
      const report = (message: string, detail: string): void =>
        ctx.report({ span: at.span, ...(at.related ? { related: at.related } : {}), message, detail, data: { sql: f.value.id, name: f.name } });
      if (f.kind === 'refused') report(`${label}: ${lower(f.message)}`, `${f.message} PostgreSQL refuses the statement. ${where}`);
      else if (f.kind === 'table') report(`${label} ${uses} table ${f.name}, which does not exist there.`, `${f.message} ${where} Add the table to \`current_schema\` if it exists today, create it in an earlier phase, or fix the name.`);
      else
        report(
          `${label} ${uses} column ${f.table !== undefined ? `${f.table}.` : ''}${f.name}, which does not exist there.`,
          `${f.message} ${where} Create the column in an earlier phase (or move this SQL to a phase after the one that creates it), or fix the name.`,
        );
    }
  },
});

function lower(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}
