import type { RawEdit } from '../linting/fixes';
import type { PNode } from '../parsing/node';
import { defineRule } from '../linting/rule';
import { isEmpty, missingRootKeySpan } from '../linting/ruleHelpers';
import { writtenInPlace, blankSeparated, CONTEXT_FIELDS, CONTEXT_KEY_ORDER, contextFieldTemplate, contextSkeleton, spaceLikeSiblings, type ContextField } from '../linting/templates';

/** How messages name each field, and why the method gathers it. */
const FIELDS: Readonly<Record<ContextField, { what: string; why: string; fill: string }>> = {
  current_schema: {
    what: 'the current schema',
    why: 'the tables, columns, relationships, indexes and constraints of today are what the rollout starts from',
    fill: 'Describe them in `current_schema`.',
  },
  target_schema: {
    what: 'the target schema',
    why: 'the end state is what every phase works towards',
    fill: 'Describe it in `target_schema`.',
  },
  data_volume: {
    what: 'the data volume',
    why: 'rows and size per affected table decide batch sizes and how long the backfill runs',
    fill: 'List `{table, rows, size, growth}` per affected table under `data_volume`.',
  },
  downtime: {
    what: 'the downtime tolerance',
    why: 'whether the rollout must stay online decides whether a maintenance window is an option',
    fill: 'State it as `downtime: {zero_downtime: true}` (or false with a `window` duration).',
  },
  rollback_requirements: {
    what: 'the rollback requirements',
    why: 'how fast a revert must be, and whether data loss is acceptable, is what every rollback procedure is measured against',
    fill: 'State them as `rollback_requirements: {max_revert_time: 5m, data_loss_acceptable: false}` with your own values.',
  },
};

/** Root keys that come after `context` in a plan. */
const AFTER_CONTEXT = ['consumers', 'assessment', 'phases', 'point_of_no_return'];

/** The tables the plan's changes touch, in order, each once. */
function changedTables(context: PNode): string[] {
  const out: string[] = [];
  for (const change of context.get('changes')?.items() ?? []) {
    const t = change.get('table')?.text()?.trim();
    if (t !== undefined && !out.includes(t)) out.push(t);
  }
  return out;
}

export const rule = defineRule({
  meta: {
    id: 'context-missing',
    severity: 'warning',
    description: "A `context` field of the method's five (current_schema, target_schema, data_volume, downtime, rollback_requirements) is absent or empty.",
    rationale:
      'The phased-rollout method starts by gathering context: the schema today and the one wanted, how much data moves, how much downtime is tolerated and how fast a rollback must be. ' +
      'Every later decision (batch sizes, whether a window is allowed, which rollback is good enough) is judged against these facts. ' +
      'Writing them into the plan lets reviewers check the phases against them.',
    fixable: true,
  },
  check(ctx) {
    const { plan, edits } = ctx;
    const root = plan.root!;
    const context = root.get('context');
    if (context === undefined) {
      const before = AFTER_CONTEXT.find((k) => root.has(k));
      const place = before ? { before: [before] } : {};
      const edit = edits.insertEntry(root, 'context', contextSkeleton(), place);
      ctx.report({
        // Where the fix inserts it: below the section it follows.
        span: missingRootKeySpan(root, place),
        message:
          'The plan has no `context`: the method gathers the current schema, the target schema, the data volume, the downtime tolerance and the rollback requirements before anything starts, and the phases are judged against them. ' +
          'Add a `context` section with current_schema, target_schema, data_volume, downtime and rollback_requirements.',
        fix: { title: 'Insert a context section', edits: [spaceLikeSiblings(plan, edit, blankSeparated(plan, rootStarts(root)))] },
        data: { missing: [...CONTEXT_FIELDS] },
      });
      return;
    }
    // `context:` left empty (null) or not a mapping is the schema's to report.
    if (!context.isMap) return;
    // Through an alias (`context: *ctx`) the map is written elsewhere: no edit in place.
    const inPlace = writtenInPlace(context);
    const tables = changedTables(context);
    for (const field of CONTEXT_FIELDS) {
      const value = context.get(field);
      if (value !== undefined && !isEmpty(value)) continue;
      const { what, why, fill } = FIELDS[field];
      const template = contextFieldTemplate(field, tables);
      let edit: RawEdit;
      if (value === undefined) {
        const i = CONTEXT_KEY_ORDER.indexOf(field);
        edit = edits.insertEntry(context, field, template, { after: CONTEXT_KEY_ORDER.slice(0, i), before: CONTEXT_KEY_ORDER.slice(i + 1) });
      } else {
        edit = edits.replaceValue(value, template);
      }
      ctx.report({
        span: value === undefined ? context.missingSpan : value.reportSpan,
        message: `The context ${value === undefined ? 'does not state' : 'leaves empty'} ${what} (\`${field}\`).`,
        detail: `The method gathers it before anything starts: ${why}. ${fill}`,
        ...(value !== undefined || inPlace ? { fix: { title: `Insert \`${field}\` into the context`, edits: [edit] } } : {}),
        data: { missing: [field] },
      });
    }
  },
});

function rootStarts(root: PNode): number[] {
  return root.entries().map(([, v]) => v.keySpan?.[0] ?? v.span[0]);
}
