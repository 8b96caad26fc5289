import { insertPhaseKey } from '../linting/phaseKinds';
import { defineRule } from '../linting/rule';
import { phaseLabel } from '../linting/ruleHelpers';

const MIN = 1000;
const MAX = 10000;
const DEFAULT = 5000;

export const rule = defineRule({
  meta: {
    id: 'backfill-batch-size',
    severity: 'warning',
    description: 'A backfill phase has no `batch_size`, or one outside 1,000–10,000 rows.',
    rationale:
      'The method backfills in bounded batches so that each transaction stays short, locks are brief and replicas keep up. ' +
      'Batches much smaller than 1,000 rows make a large table take days; batches over 10,000 rows hold locks and build replica lag. ' +
      'Writing the size down also lets the rollback triggers say what to do when lag grows (halve it).',
    fixable: true,
  },
  checkPhase(phase, ctx) {
    if (phase.kind !== 'backfill') return;
    const v = phase.node.get('batch_size');
    if (v === undefined) {
      ctx.report({
        span: phase.node.missingSpan,
        message:
          `${phaseLabel(phase)} has no batch_size: an unbounded backfill runs one huge transaction that locks the table and stalls replicas. ` +
          `Add \`batch_size\` between ${MIN.toLocaleString('en-US')} and ${MAX.toLocaleString('en-US')} rows, such as ${DEFAULT}.`,
        fix: { title: `Add batch_size: ${DEFAULT}`, edits: [insertPhaseKey(ctx.edits, phase, 'batch_size', DEFAULT)], preferred: true },
      });
      return;
    }
    // A non-integer batch size is the schema's to report.
    const n = v.num();
    if (n === undefined || !Number.isInteger(n) || (n >= MIN && n <= MAX)) return;
    const why =
      n < MIN
        ? `below ${MIN.toLocaleString('en-US')} rows a large table takes far too many round trips to backfill`
        : `above ${MAX.toLocaleString('en-US')} rows each batch holds locks for long and builds replica lag`;
    ctx.report({
      span: v.reportSpan,
      message:
        `${phaseLabel(phase)} has batch_size ${n}: ${why}. ` +
        `Use a batch size between ${MIN.toLocaleString('en-US')} and ${MAX.toLocaleString('en-US')}, such as ${DEFAULT}.`,
      fix: { title: `Set batch_size to ${DEFAULT}`, edits: [ctx.edits.replaceValue(v, DEFAULT)], preferred: true },
    });
  },
});
