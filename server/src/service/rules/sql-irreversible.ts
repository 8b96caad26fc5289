import { cutoverMode } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { affectedTables, irreversibleFrom, opReport, parsedValues, phaseRef, statementsWithOps } from '../sql/planSql';
import type { OperationKind } from '../sql/operations';

/** What cannot be undone without a restore (or breaks what still reads the old shape), in words. */
const IRREVERSIBLE: Partial<Record<OperationKind, string>> = {
  'drop-table': 'drops table',
  'rename-table': 'renames table',
  'drop-column': 'drops column',
  'rename-column': 'renames column',
  'alter-column-type': 'changes the type of column',
  'drop-constraint': 'drops constraint',
  'rename-constraint': 'renames constraint',
  truncate: 'truncates',
  delete: 'deletes rows of',
};

/** What a swap or a tool's cutover is made of: renames, and the constraints that move with them. */
const SWAP_KINDS = new Set<OperationKind>(['rename-table', 'rename-column', 'drop-constraint', 'rename-constraint']);

export const rule = defineRule({
  meta: {
    id: 'sql-irreversible',
    severity: 'error',
    description:
      'With `context.dialect: postgresql`, a phase before the point of no return whose `sql` drops or renames a table, a column or a constraint, changes a column\'s type, or truncates or deletes rows of a table the plan is about.',
    rationale:
      'Before the point of no return every phase must be undone without a restore: the old shape and its data stay until cleanup, for consumers that have not moved and for a rollback that is a flag flip. ' +
      'A DROP, a RENAME, a type change or a DELETE in the SQL of an earlier phase makes that phase the real point of no return, whatever the plan says. ' +
      'Inside a cutover by swap or by a tool, the renames (and the constraints that move with them) are the cutover, done in one short transaction: they are not flagged; dropped tables or columns and deleted rows still are.',
    fixable: false,
  },
  check(ctx) {
    const until = irreversibleFrom(ctx.plan);
    const affected = affectedTables(ctx.plan);
    const ponr = until !== undefined ? ctx.plan.phases.find((p) => p.index === until) : undefined;
    for (const p of parsedValues(ctx, ['sql'])) {
      if (!p.phase || (until !== undefined && p.phase.index >= until)) continue;
      const swap = p.phase.kind === 'cutover' && cutoverMode(p.phase) !== 'flag';
      for (const { statement, ops } of statementsWithOps(p.parse)) {
        for (const op of ops) {
          const verb = IRREVERSIBLE[op.kind];
          if (!verb) continue;
          if ((op.kind === 'truncate' || op.kind === 'delete') && (!op.table || !affected.has(op.table))) continue;
          if (swap && SWAP_KINDS.has(op.kind)) continue;
          const object = op.kind === 'truncate' || op.kind === 'delete' || op.kind.endsWith('-table') ? op.table : op.kind.endsWith('-constraint') ? op.name : `${op.table}.${op.column}`;
          const where = ponr ? `before the point of no return ${phaseRef(ponr).replace('phase ', '')}` : 'and the plan has no point of no return or cleanup phase';
          ctx.report({
            ...opReport(p, statement, op, `${verb} ${object}`),
            message: `The SQL of ${phaseRef(p.phase)} ${verb} ${object ?? '?'}, ${where}.`,
            detail:
              'Until the point of no return the old shape and its data must stay: consumers that have not moved still read them, and undoing the phase must not need a restore. ' +
              (ponr ? `Move it to ${phaseRef(ponr)} (or later), or move the point of no return here and verify before it.` : 'Do it in a cleanup phase, after verification.'),
            data: { op: op.kind, table: op.table },
          });
        }
      }
    }
  },
});
