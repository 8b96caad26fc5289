import type { RawEdit } from '../linting/fixes';
import { insertPhaseKey, joinList, mergeInsertions } from '../linting/phaseKinds';
import { placeholderWhy } from '../linting/placeholders';
import { defineRule } from '../linting/rule';
import { hasSqlDialect } from '../sql/sqlValues';
import { isEmpty, phaseLabel } from '../linting/ruleHelpers';
import { IDEMPOTENT_TODO } from '../linting/templates';

const UPSERT_TEMPLATE = 'TODO: the idempotent write, such as INSERT ... ON CONFLICT (id) DO UPDATE ...';
const RESUME_TEMPLATE = 'TODO: how a restart continues, such as from the last committed id recorded after each batch';

/** An INSERT that adds rows again when it is run again: no conflict handling, no anti-join. */
function plainInsert(sql: string): boolean {
  if (!/^\s*(?:WITH\b[\s\S]*?\)\s*)?INSERT\s+INTO\b/i.test(sql)) return false;
  return !/\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\b|\bNOT\s+EXISTS\b|\bEXCEPT\b|\bNOT\s+IN\b|\bIS\s+NULL\b|\bINSERT\s+IGNORE\b|\bREPLACE\s+INTO\b/i.test(sql);
}

export const rule = defineRule({
  meta: {
    id: 'backfill-idempotent',
    severity: 'error',
    description:
      'A backfill phase lacks `idempotent: true`, an `upsert` (the idempotent write) or a `resume` (how a restart continues), or claims `idempotent: true` next to an upsert that is a plain `INSERT` (no `ON CONFLICT`, no `NOT EXISTS`).',
    rationale:
      'A backfill over a large table will be interrupted: a deploy, a throttle, a failed batch. ' +
      'The method asks that it can be rerun from any point without duplicating or clobbering rows, which takes an idempotent write (an upsert or a guarded UPDATE) and a recorded position to resume from. ' +
      'Writing both down makes "just restart it" a safe answer at 3 a.m.; a claim of idempotency next to an INSERT that adds the rows again is the opposite of safe.',
    fixable: true,
  },
  phaseContext: (plan) => (hasSqlDialect(plan) ? 'sql' : ''),
  checkPhase(phase, ctx) {
    if (phase.kind !== 'backfill') return;
    const node = phase.node;
    const missing: string[] = [];
    const edits: RawEdit[] = [];
    let onlyFalse = false;

    // A non-boolean `idempotent` is the schema's (or, a placeholder, the placeholder rule's): treated as absent, not reported.
    const idem = node.get('idempotent');
    if (idem === undefined) {
      missing.push('`idempotent: true`');
      edits.push(insertPhaseKey(ctx.edits, phase, 'idempotent', IDEMPOTENT_TODO));
    } else if (idem.bool() === false) {
      missing.push('`idempotent: true` (it is marked false)');
      edits.push(ctx.edits.replaceValue(idem, IDEMPOTENT_TODO));
      onlyFalse = true;
    }

    for (const [key, what, template] of [
      ['upsert', 'an `upsert` (the idempotent write)', UPSERT_TEMPLATE],
      ['resume', 'a `resume` (how a restart continues)', RESUME_TEMPLATE],
    ] as const) {
      const v = node.get(key);
      if (v === undefined) {
        missing.push(what);
        edits.push(insertPhaseKey(ctx.edits, phase, key, template));
      } else if (isEmpty(v)) {
        missing.push(what.replace(/^an? /, 'a non-empty '));
        edits.push(ctx.edits.replaceValue(v, template));
      }
    }
    if (missing.length > 0) {
      onlyFalse = onlyFalse && missing.length === 1;
      ctx.report({
        span: onlyFalse ? idem!.reportSpan : node.missingSpan,
        message: `${phaseLabel(phase)} is not shown to be idempotent and restartable.`,
        detail:
          `It lacks ${joinList(missing)}. ` +
          'A backfill gets interrupted and rerun; without an idempotent write and a way to resume, a rerun duplicates or overwrites rows. ' +
          'Make the write safe to repeat, say how a restart continues, and then mark the phase `idempotent: true` (the quick fix leaves that claim to you).',
        fix: {
          title: onlyFalse ? 'Replace idempotent: false with a placeholder' : 'Add idempotent, upsert and resume placeholders',
          edits: mergeInsertions(edits),
        },
      });
      return;
    }

    // The claim against the write it is about. With a dialect, PostgreSQL's parser reads the upsert (sql-upsert).
    const upsert = node.get('upsert');
    const sql = upsert?.str();
    if (!hasSqlDialect(ctx.plan) && idem?.bool() === true && upsert && sql !== undefined && placeholderWhy(sql, 'text') === undefined && plainInsert(sql)) {
      ctx.report({
        span: upsert.reportSpan,
        message: `${phaseLabel(phase)} claims idempotent: true, but its upsert is a plain INSERT.`,
        detail:
          'Run twice, an `INSERT ... SELECT` without conflict handling adds every row of the batch again (or fails on the key), so a restart duplicates data or stops the backfill. ' +
          'Write it as `INSERT ... ON CONFLICT (key) DO UPDATE` / `DO NOTHING`, or select only the rows not there yet (`WHERE NOT EXISTS (...)`).',
        related: [{ span: idem.reportSpan, message: 'The idempotency claim' }],
        data: { upsert: sql },
      });
    }
  },
});
