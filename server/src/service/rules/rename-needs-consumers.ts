import type { RawEdit } from '../fixes';
import { defineRule } from '../rule';
import { blankSeparated, consumerStub, fillEmptyList, spaceLikeSiblings, writtenInPlace } from '../templates';

/** The change kinds that break what reads the old shape. */
const BREAKING_KINDS = new Set(['rename-column', 'drop-column', 'rename-table', 'drop-table', 'drop-relationship', 'drop-index']);

/** Root keys that come after `consumers` in a plan. */
const AFTER_CONSUMERS = ['assessment', 'phases', 'point_of_no_return'];

export const rule = defineRule({
  meta: {
    id: 'rename-needs-consumers',
    severity: 'warning',
    description: 'A `rename-*` or `drop-*` change touches a table that no consumer lists in its `tables`.',
    rationale:
      'Renaming or dropping something breaks everything that reads it, and those readers are rarely all in the service being changed. ' +
      "The method's push-back is: what reads it, which caches, API contracts, event payloads and ETL jobs? " +
      'A table that no cataloged consumer touches means that question has not been answered yet.',
    fixable: true,
  },
  check(ctx) {
    const { plan, edits } = ctx;
    const root = plan.root!;
    const changes = root.get('context')?.get('changes');
    if (!changes?.isSeq) return;
    const consumers = root.get('consumers');
    // `consumers` present but not a list is the schema's to report: we cannot tell who reads what.
    if (consumers !== undefined && !consumers.isSeq) return;
    const listed: string[] = [];
    for (const c of consumers?.items() ?? []) {
      for (const t of c.get('tables')?.items() ?? []) {
        const s = t.str();
        if (s !== undefined) listed.push(s.trim().toLowerCase());
      }
    }
    const covered = (table: string): boolean => {
      const t = table.toLowerCase();
      return listed.some((e) => e === t || e.startsWith(`${t}.`));
    };

    for (const change of changes.items()) {
      const kind = change.get('kind')?.str();
      if (kind === undefined || !BREAKING_KINDS.has(kind)) continue;
      const tableNode = change.get('table');
      const table = tableNode?.text()?.trim();
      if (tableNode === undefined || table === undefined || covered(table)) continue;
      const verb = kind.startsWith('rename-') ? 'a rename' : 'a drop';
      let edit: RawEdit;
      if (consumers === undefined) {
        // Where a plan writes it: after `context` (which holds the change), before what follows.
        edit = edits.insertEntry(root, 'consumers', [consumerStub(table)], { after: ['context'], before: AFTER_CONSUMERS });
        edit = spaceLikeSiblings(plan, edit, blankSeparated(plan, root.entries().map(([, v]) => v.keySpan?.[0] ?? v.span[0])));
      } else if (consumers.items().length === 0) {
        edit = fillEmptyList(edits, consumers, [consumerStub(table)]);
      } else {
        edit = edits.insertItem(consumers, consumerStub(table));
      }
      // Through an alias (`consumers: *list`) the list is written elsewhere: no edit in place.
      const fixable = consumers === undefined || writtenInPlace(consumers);
      ctx.report({
        span: tableNode.reportSpan,
        message:
          `The \`${kind}\` change on '${table}' has no consumer listing '${table}' in its \`tables\`: ${verb} breaks whatever reads the old shape. ` +
          'What reads it: which services, queries, caches, API contracts, event payloads and ETL jobs? ' +
          `Catalog each under \`consumers\` with \`tables: [${table}]\` and its migration path.`,
        ...(fixable ? { fix: { title: `Add a consumer stub for '${table}'`, edits: [edit] } } : {}),
        data: { table },
      });
    }
  },
});
