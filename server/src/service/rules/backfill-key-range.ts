import { defineRule } from '../linting/rule';
import { hasSqlDialect } from '../sql/sqlValues';
import { phaseLabel } from '../linting/ruleHelpers';

/** An upsert written as SQL (prose such as "copy in batches" is not judged). */
const SQL_START = /^\s*(?:WITH|UPDATE|INSERT|MERGE|DELETE)\b/i;
/** A bound on the walked key: batch parameters, a BETWEEN, or a comparison. */
const KEY_RANGE = /\$\d|(?<![:\w]):[a-z_]\w*|\bBETWEEN\b|[<>]=?/i;
const LIMIT = /\bLIMIT\b|\bFETCH\s+FIRST\b|\bTOP\s*\(?\d/i;

export const rule = defineRule({
  meta: {
    id: 'backfill-key-range',
    severity: 'warning',
    description: "A backfill's SQL `upsert` picks its rows without a key range (`WHERE id >= $1 AND id < $2`): by `LIMIT`, or not in batches at all.",
    rationale:
      'A batch picked by `WHERE new_col IS NULL LIMIT 5000` scans the table from the start each time, past every row already done: the batches slow down as the backfill goes, and a restart cannot say where it stopped. ' +
      'One statement over the whole table holds its locks and its transaction for hours and builds replication lag. ' +
      'The method walks the key in ranges, one committed batch after another, so that each batch costs the same and a restart continues from the last committed key.',
    fixable: false,
  },
  // With a dialect, PostgreSQL's parser reads the upsert and sql-upsert judges its key range.
  phaseContext: (plan) => (hasSqlDialect(plan) ? 'sql' : ''),
  checkPhase(phase, ctx) {
    if (phase.kind !== 'backfill' || hasSqlDialect(ctx.plan)) return;
    const upsert = phase.node.get('upsert');
    const text = upsert?.str();
    if (!upsert || text === undefined || !SQL_START.test(text) || KEY_RANGE.test(text)) return;
    const limited = LIMIT.test(text);
    ctx.report({
      span: upsert.reportSpan,
      message: limited
        ? `${phaseLabel(phase)} picks its batches by LIMIT, with no key range.`
        : `${phaseLabel(phase)} runs its upsert over the whole table, not in key ranges.`,
      detail:
        (limited
          ? 'Each batch scans the table from the start past the rows already done, so batches slow down as the backfill proceeds, and a restart cannot say where it stopped. '
          : 'One statement over every row holds its locks and its transaction for the whole backfill and builds replication lag; it cannot be throttled or resumed. ') +
        'Bound the key of each batch, such as `WHERE id >= $1 AND id < $2`, and walk it in `batch_size` steps.',
    });
  },
});
