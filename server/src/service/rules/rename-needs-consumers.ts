import type { RawEdit } from '../linting/fixes';
import type { PNode } from '../parsing/node';
import { defineRule } from '../linting/rule';
import { blankSeparated, consumerStub, fillEmptyList, spaceLikeSiblings, writtenInPlace } from '../linting/templates';

/** Change kinds that alter a column: what reads the column breaks. */
const COLUMN_KINDS = new Set(['rename-column', 'drop-column', 'change-type', 'split-column', 'merge-columns']);
/** Change kinds that alter a table or what queries rely on: what reads the table breaks. */
const TABLE_KINDS = new Set(['rename-table', 'drop-table', 'split-table', 'merge-tables', 'drop-relationship', 'drop-index']);

/** Root keys that come after `consumers` in a plan. */
const AFTER_CONSUMERS = ['assessment', 'phases', 'point_of_no_return'];

/** A string or a list of strings, as a list. */
function names(node: PNode | undefined): string[] {
  const s = node?.text();
  if (s !== undefined) return [s.trim()];
  return (node?.strings() ?? []).map((x) => x.trim()).filter((x) => x !== '');
}

/** What a change alters: the tables it needs covered, and the columns of them (none: the whole table). */
function altered(change: PNode, kind: string, table: string): { tables: string[]; columns: string[] } {
  if (COLUMN_KINDS.has(kind)) {
    const prefix = `${table.toLowerCase()}.`;
    const columns = [...names(change.get('column')), ...names(change.get('from'))].map((c) => (c.toLowerCase().startsWith(prefix) ? c.slice(prefix.length) : c));
    return { tables: [table], columns: [...new Set(columns.map((c) => c.toLowerCase()))] };
  }
  // Merged tables are read under their old names until cleanup: those are what must be covered.
  const from = kind === 'merge-tables' ? names(change.get('from')) : [];
  return { tables: from.length > 0 ? from : [table], columns: [] };
}

export const rule = defineRule({
  meta: {
    id: 'rename-needs-consumers',
    severity: 'warning',
    description:
      'A change that alters a column or a table (rename, drop, type change, split, merge) has no consumer listing that table, or that column (`table.column`), in its `tables`.',
    rationale:
      'Renaming, dropping, retyping, splitting or merging something breaks everything that reads it, and those readers are rarely all in the service being changed. ' +
      "The method's push-back is: what reads it, which caches, API contracts, event payloads and ETL jobs? " +
      'A consumer counts for a column when it lists the whole table or that very column: one that reads `users.email` says nothing about who reads `users.name`.',
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
    /** Whether some consumer lists the table, or (for a column change) the table or one of the columns. */
    const covered = (table: string, columns: readonly string[]): boolean => {
      const t = table.toLowerCase();
      if (listed.includes(t)) return true;
      if (columns.length === 0) return listed.some((e) => e.startsWith(`${t}.`));
      return columns.some((c) => listed.includes(`${t}.${c}`));
    };
    const reported = new Set<string>();

    for (const change of changes.items()) {
      const kind = change.get('kind')?.str();
      if (kind === undefined || (!COLUMN_KINDS.has(kind) && !TABLE_KINDS.has(kind))) continue;
      const tableNode = change.get('table');
      const table = tableNode?.text()?.trim();
      if (tableNode === undefined || table === undefined) continue;
      const { tables, columns } = altered(change, kind, table);
      for (const t of tables) {
        if (covered(t, columns)) continue;
        const what = columns.length > 0 ? `'${t}' or ${columns.map((c) => `'${t}.${c}'`).join(' or ')}` : `'${t}'`;
        const key = `${t.toLowerCase()} ${columns.join(',')}`;
        if (reported.has(key)) continue;
        reported.add(key);
        let edit: RawEdit;
        if (consumers === undefined) {
          // Where a plan writes it: after `context` (which holds the change), before what follows.
          edit = edits.insertEntry(root, 'consumers', [consumerStub(t)], { after: ['context'], before: AFTER_CONSUMERS });
          edit = spaceLikeSiblings(plan, edit, blankSeparated(plan, root.entries().map(([, v]) => v.keySpan?.[0] ?? v.span[0])));
        } else if (consumers.items().length === 0) {
          edit = fillEmptyList(edits, consumers, [consumerStub(t)]);
        } else {
          edit = edits.insertItem(consumers, consumerStub(t));
        }
        // Through an alias (`consumers: *list`) the list is written elsewhere: no edit in place.
        const fixable = consumers === undefined || writtenInPlace(consumers);
        const subject = columns.length > 0 ? `${t}.${columns[0]}${columns.length > 1 ? ', …' : ''}` : t;
        ctx.report({
          span: tableNode.reportSpan,
          message: `No consumer lists ${columns.length > 0 ? `'${subject}'` : `'${t}'`}, which the \`${kind}\` change alters.`,
          detail:
            `A ${kind.replace(/-.*/, '')} breaks whatever reads the old shape, and no consumer in \`consumers\` lists ${what} in its \`tables\`. ` +
            'What reads it: which services, queries, caches, API contracts, event payloads and ETL jobs? ' +
            `Catalog each under \`consumers\` with \`tables: [${t}]\` (or the columns it reads) and its migration path.`,
          ...(fixable ? { fix: { title: `Add a consumer stub for '${t}'`, edits: [edit] } } : {}),
          data: { table: t, columns },
        });
      }
    }
  },
});
