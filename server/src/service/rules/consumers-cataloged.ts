import type { RawEdit, YValue } from '../linting/fixes';
import type { PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import type { RuleContext } from '../linting/rule';
import { defineRule } from '../linting/rule';
import { isEmpty, missingRootKeySpan } from '../linting/ruleHelpers';
import { consumerStub, fillEmptyList } from '../linting/templates';

const PATH_TODO = 'TODO: how it moves to the new shape';

/** The first table named by `context.changes`, for the stub consumer. */
function firstChangedTable(plan: PlanDocument): string | undefined {
  for (const c of plan.root?.get('context')?.get('changes')?.items() ?? []) {
    const t = c.get('table')?.text()?.trim();
    if (t) return t;
  }
  return undefined;
}

function stub(plan: PlanDocument): { [key: string]: YValue } {
  // Who reads the tables, how and when they move: only the author knows; the stub says so.
  return { ...consumerStub(firstChangedTable(plan) ?? 'TODO_table'), name: 'TODO: service or job', migration_path: PATH_TODO };
}

/** Where a missing `consumers` list goes: before assessment/phases. */
const CONSUMERS_PLACE = { before: ['assessment', 'phases', 'point_of_no_return'] };

/** Inserts a `consumers:` block list before assessment/phases, with a blank line after it when the section above ends with one. */
function insertConsumers(ctx: RuleContext, root: PNode): RawEdit {
  const edit = ctx.edits.insertEntry(root, 'consumers', [stub(ctx.plan)], CONSUMERS_PLACE);
  const { lines } = ctx.plan;
  const line = lines.lineOf(edit.span[0]);
  const insertedBefore = edit.span[0] === lines.lineStart(line) && edit.text.endsWith('\n');
  if (insertedBefore && line > 0 && lines.lineText(line - 1).trim() === '') return { span: edit.span, text: edit.text + ctx.edits.style.eol };
  return edit;
}


export const rule = defineRule({
  meta: {
    id: 'consumers-cataloged',
    severity: 'error',
    description: 'The plan has no `consumers` (or an empty list), or a consumer has no `migration_path`.',
    rationale:
      'Schema changes break the code nobody remembered: the nightly report, the ETL extract, the cache keyed on the old shape, the event payload a partner parses. ' +
      'The method catalogs every service, job, query, report, ETL, cache, index, API and event that reads or writes the affected tables, and for each says how it moves to the new shape, before any data moves.',
    fixable: true,
  },
  check(ctx) {
    const root = ctx.plan.root;
    if (!root) return;
    const consumers = root.get('consumers');
    if (consumers === undefined) {
      ctx.report({
        // Where the fix inserts it: below the section it follows (usually `context`).
        span: missingRootKeySpan(root, CONSUMERS_PLACE),
        message:
          'The plan catalogs no downstream consumers: services, jobs, reports, ETL, caches, indexes, APIs and events that use the affected tables break at cutover or cleanup when nobody planned their move. ' +
          'Add a `consumers` list naming each one with its `migration_path`.',
        fix: { title: 'Add a consumers list with a stub consumer', edits: [insertConsumers(ctx, root)] },
      });
      return;
    }
    if (isEmpty(consumers)) {
      ctx.report({
        span: consumers.reportSpan,
        message:
          'The consumers list is empty: every service, job, report, ETL, cache, index, API or event that reads or writes the affected tables has to be listed with how it moves to the new shape. ' +
          'If truly nothing else uses them, list the one application that does.',
        fix: { title: 'Add a stub consumer', edits: [consumers.isFlow && consumers.keySpan && !root.isFlow ? fillEmptyList(ctx.edits, consumers, [stub(ctx.plan)]) : ctx.edits.insertItem(consumers, stub(ctx.plan))] },
      });
      return;
    }
    consumers.items().forEach((c, i) => {
      if (!c.isMap) return; // the schema's
      const path = c.get('migration_path');
      if (path !== undefined && !isEmpty(path)) return; // present (a non-string is the schema's)
      const name = c.get('name')?.text()?.trim();
      const label = name !== undefined ? `Consumer '${name}'` : `Consumer #${i + 1}`;
      ctx.report({
        span: path ? path.reportSpan : c.missingSpan,
        message:
          `${label} ${path ? 'has an empty migration_path' : 'has no migration_path'}: knowing it uses the tables is half the work; without a plan for how it moves to the new shape it breaks at cutover or cleanup. ` +
          'Add a `migration_path` saying how and in which release it changes.',
        fix: {
          title: 'Add a migration_path placeholder',
          edits: [path ? ctx.edits.replaceValue(path, PATH_TODO) : ctx.edits.insertEntry(c, 'migration_path', PATH_TODO, { after: ['name', 'kind', 'access', 'tables'] })],
        },
      });
    });
  },
});
