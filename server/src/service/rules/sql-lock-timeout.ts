import { defineRule } from '../linting/rule';
import { affectedTables, opReport, parsedValues, phaseRef, statementsWithOps } from '../sql/planSql';
import { sqlInsertion } from '../sql/sqlValues';

/** What the quick fix sets: long enough for a catalog change, short enough that a queue behind it does not become an outage. */
const TIMEOUT = "SET lock_timeout = '2s';";

export const rule = defineRule({
  meta: {
    id: 'sql-lock-timeout',
    severity: 'warning',
    description: "With `context.dialect: postgresql`, a phase's SQL takes an ACCESS EXCLUSIVE lock on a table the plan is about with no `SET lock_timeout` before it.",
    rationale:
      'Even an instant catalog change (`ADD COLUMN` without a default, a rename) needs an ACCESS EXCLUSIVE lock, and waits for it behind any long query on the table; while it waits, every new read and write of the table queues behind it. ' +
      'A `lock_timeout` makes the statement give up after a few seconds instead of taking the table down: it can be retried when the long query has finished.',
    fixable: true,
  },
  check(ctx) {
    const affected = affectedTables(ctx.plan);
    // A phase's own SQL (a rollback run in an incident should not give up on a lock it can wait for).
    for (const p of parsedValues(ctx, ['sql'])) {
      let timeout = false;
      for (const { statement, ops } of statementsWithOps(p.parse)) {
        if (ops.some((o) => o.kind === 'set-lock-timeout')) timeout = true;
        const op = ops.find((o) => o.lock === 'AccessExclusiveLock' && o.table !== undefined && affected.has(o.table));
        if (timeout || !op) continue;
        let at = statement.start;
        while (at < p.value.text!.length && /\s/.test(p.value.text![at])) at++;
        const edit = sqlInsertion(ctx.plan, p.value, at, TIMEOUT, true) ?? sqlInsertion(ctx.plan, p.value, at, `${TIMEOUT} `);
        ctx.report({
          ...opReport(p, statement, op, 'takes an ACCESS EXCLUSIVE lock'),
          message: `The SQL of ${phaseRef(p.phase)} locks ${op.table} with no lock_timeout set before.`,
          detail:
            'The statement needs an ACCESS EXCLUSIVE lock: behind a long query it waits, and every read and write of the table queues behind it until it gets it. ' +
            `Set \`lock_timeout\` first (\`${TIMEOUT}\`), and retry the statement when it times out.`,
          ...(edit ? { fix: { title: `Insert ${TIMEOUT}`, edits: [edit], preferred: true } } : {}),
          data: { table: op.table },
        });
        break; // one finding per SQL value: one SET covers the statements after it
      }
    }
  },
});
