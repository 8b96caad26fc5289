/**
 * The outline (document symbols) and folding ranges of a plan.
 */
import { isScalar } from 'yaml';
import type { PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import { trimEndOffset } from '../parsing/text';
import type { Span } from '../types';
import { entrySpan, itemSpan, oneLine, plural, scalarDisplay } from './shared';
import type { ServiceFoldingRange, ServiceSymbol, SymbolKind } from './types';

// ------------------------------------------------------------------ symbols

function symbol(name: string, kind: SymbolKind, span: Span, selectionSpan: Span, children: ServiceSymbol[] = [], detail?: string): ServiceSymbol {
  // A selection must lie inside the symbol's span (LSP), and a name must not be empty.
  const sel: Span = selectionSpan[0] >= span[0] && selectionSpan[1] <= span[1] ? selectionSpan : [span[0], span[0]];
  const s: ServiceSymbol = { name: name.trim() === '' ? '(unnamed)' : name, kind, span, selectionSpan: sel, children };
  if (detail !== undefined && detail !== '') s.detail = detail;
  return s;
}

/** A short display of a value: the scalar on one line, `N items` for a list. */
function valueDetail(v: PNode): string | undefined {
  const s = scalarDisplay(v);
  if (s !== undefined) return oneLine(s, 60);
  if (v.isSeq) return `${v.items().length} item${v.items().length === 1 ? '' : 's'}`;
  return undefined;
}

/** A map entry as a symbol (its children: the entries of a nested map, or the items of a list). */
function entrySymbol(plan: PlanDocument, key: string, v: PNode, kind: SymbolKind, children: ServiceSymbol[] = [], detail = valueDetail(v)): ServiceSymbol {
  return symbol(key, kind, entrySpan(plan, v), v.keySpan ?? entrySpan(plan, v), children, detail);
}

/** The item's name: the text of one of its keys, or `#N`. */
function itemName(item: PNode, index: number, ...keys: string[]): string {
  for (const k of keys) {
    const t = scalarDisplay(item.get(k));
    if (t !== undefined && t.trim() !== '') return oneLine(t, 80);
  }
  return `#${index + 1}`;
}

/** An item of a list of maps as a symbol, selected at its first key. */
function itemSymbol(plan: PlanDocument, item: PNode, name: string, detail?: string, children: ServiceSymbol[] = []): ServiceSymbol {
  const span = itemSpan(plan, item);
  return symbol(name, 'item', span, item.firstKeySpan ?? span, children, detail);
}

/** A nested map is a section, a list a list, anything else a field. */
function kindOfValue(v: PNode): SymbolKind {
  return v.isMap ? 'section' : v.isSeq ? 'list' : 'field';
}

/** A nested map's entries as symbols. */
/** Nested fields, down to the maps written in place: an alias is a leaf (it may point at its own ancestor). */
function fields(plan: PlanDocument, map: PNode, depth = 0): ServiceSymbol[] {
  return map.entries().map(([k, v]) => {
    const inPlace = v.node === v.src;
    return entrySymbol(plan, k, v, kindOfValue(v), inPlace && depth < 32 && v.isMap ? fields(plan, v, depth + 1) : []);
  });
}

function listSymbol(plan: PlanDocument, key: string, v: PNode, items: (item: PNode, index: number) => ServiceSymbol): ServiceSymbol {
  const list = v.isSeq ? v.items().map(items) : [];
  return entrySymbol(plan, key, v, 'list', list);
}

function contextSymbol(plan: PlanDocument, v: PNode): ServiceSymbol {
  const children = v.entries().map(([k, c]) => {
    if (k === 'changes' && c.isSeq)
      return listSymbol(plan, k, c, (ch, i) => {
        const kind = ch.get('kind')?.text();
        const table = ch.get('table')?.text();
        const name = [kind, table].filter((x) => x !== undefined).join(' ') || `#${i + 1}`;
        return itemSymbol(plan, ch, name, ch.get('column')?.text());
      });
    if (k === 'data_volume' && c.isSeq) return listSymbol(plan, k, c, (dv, i) => itemSymbol(plan, dv, itemName(dv, i, 'table'), rowsDetail(dv)));
    return entrySymbol(plan, k, c, kindOfValue(c), c.isMap ? fields(plan, c) : []);
  });
  return entrySymbol(plan, 'context', v, 'section', children, undefined);
}

function rowsDetail(dv: PNode): string | undefined {
  const rows = dv.get('rows')?.num();
  return rows !== undefined ? plural(rows, 'row') : undefined;
}

const PHASE_HEAD = new Set(['id', 'kind', 'title']);

function phaseSymbol(plan: PlanDocument, item: PNode, index: number): ServiceSymbol {
  if (!item.isMap) return symbol(`#${index + 1}`, 'phase', itemSpan(plan, item), itemSpan(plan, item), [], 'not a mapping');
  const id = item.get('id');
  const idText = scalarDisplay(id);
  const kind = scalarDisplay(item.get('kind'));
  const name = `${idText !== undefined && idText.trim() !== '' ? idText : `#${index + 1}`}${kind !== undefined && kind.trim() !== '' ? ` (${kind})` : ''}`;
  const children: ServiceSymbol[] = [];
  for (const [k, v] of item.entries()) {
    if (PHASE_HEAD.has(k)) continue;
    if (k === 'checks' && v.isSeq) children.push(listSymbol(plan, k, v, (c, i) => itemSymbol(plan, c, itemName(c, i, 'name'), c.get('expect')?.text())));
    else if (k === 'triggers' && v.isSeq) children.push(listSymbol(plan, k, v, (t, i) => itemSymbol(plan, t, itemName(t, i, 'when'), t.get('action')?.text())));
    else children.push(entrySymbol(plan, k, v, kindOfValue(v), v.isMap ? fields(plan, v) : []));
  }
  const span = itemSpan(plan, item);
  const sel = id?.src?.range && id.node === id.src ? id.span : (item.firstKeySpan ?? span);
  return symbol(name, 'phase', span, sel, children, item.get('title')?.text());
}

/** The outline: every top-level key, phases and consumers by name, with the phases' sections below them. */
export function documentSymbols(plan: PlanDocument): ServiceSymbol[] {
  const root = plan.root;
  if (!root) return [];
  return root.entries().map(([k, v]) => {
    switch (k) {
      case 'context':
        return v.isMap ? contextSymbol(plan, v) : entrySymbol(plan, k, v, 'section');
      case 'assessment':
        return entrySymbol(plan, k, v, 'section', v.isMap ? fields(plan, v) : [], undefined);
      case 'consumers':
        return symbol(k, 'section', entrySpan(plan, v), v.keySpan ?? entrySpan(plan, v), v.isSeq ? v.items().map((c, i) => itemSymbol(plan, c, itemName(c, i, 'name'), c.get('kind')?.text())) : []);
      case 'phases':
        return symbol(k, 'section', entrySpan(plan, v), v.keySpan ?? entrySpan(plan, v), v.isSeq ? v.items().map((p, i) => phaseSymbol(plan, p, i)) : [], v.isSeq ? `${v.items().length} phases` : undefined);
      default:
        return entrySymbol(plan, k, v, kindOfValue(v), v.isMap ? fields(plan, v) : []);
    }
  });
}

// ------------------------------------------------------------------ folding

/**
 * Folding ranges: every map entry, list item and block scalar that spans
 * lines, and runs of two or more comment lines. Without a tree (the root is
 * not a mapping), folds by indentation.
 */
export function foldingRanges(plan: PlanDocument): ServiceFoldingRange[] {
  const byStart = new Map<number, ServiceFoldingRange>();
  const add = (r: ServiceFoldingRange): void => {
    if (r.endLine <= r.startLine) return;
    const old = byStart.get(r.startLine);
    if (!old || old.endLine < r.endLine) byStart.set(r.startLine, r);
  };
  const lastLine = (span: Span): number => plan.lines.lineOf(Math.max(span[0], trimEndOffset(plan.text, span[0], span[1]) - 1));
  const fold = (span: Span): void => add({ startLine: plan.lines.lineOf(span[0]), endLine: lastLine(span) });
  const visit = (n: PNode, depth: number): void => {
    if (depth > 64 || n.node !== n.src) return;
    if (n.isMap) {
      for (const [, v] of n.entries()) {
        if (!v.keySpan) continue;
        const end = v.src && v.src.range ? scalarEnd(v) : v.keySpan[1];
        fold([v.keySpan[0], end]);
        visit(v, depth + 1);
      }
    } else if (n.isSeq) {
      for (const it of n.items()) {
        if (!it.src?.range) continue;
        fold([it.dashOffset ?? it.span[0], scalarEnd(it)]);
        visit(it, depth + 1);
      }
    }
  };
  if (plan.root) visit(plan.root, 0);
  else indentationFolds(plan, add);
  commentFolds(plan, add);
  return [...byStart.values()].sort((a, b) => a.startLine - b.startLine);
}

/** The end of a node's own text (a block scalar without its trailing line breaks). */
function scalarEnd(n: PNode): number {
  const src = n.src;
  if (isScalar(src) && src.range) return src.range[1];
  return n.span[1];
}

function commentFolds(plan: PlanDocument, add: (r: ServiceFoldingRange) => void): void {
  let start = -1;
  const n = plan.lines.lineCount;
  for (let line = 0; line <= n; line++) {
    const isComment = line < n && plan.lines.lineText(line).trimStart().startsWith('#');
    if (isComment && start < 0) start = line;
    if (!isComment && start >= 0) {
      if (line - 1 > start) add({ startLine: start, endLine: line - 1, kind: 'comment' });
      start = -1;
    }
  }
}

/** Folds by indentation: a line and the more-indented lines after it. */
function indentationFolds(plan: PlanDocument, add: (r: ServiceFoldingRange) => void): void {
  const n = plan.lines.lineCount;
  const indentOf = (line: number): number | undefined => {
    const t = plan.lines.lineText(line);
    if (t.trim() === '' || t.trimStart().startsWith('#')) return undefined;
    return t.length - t.trimStart().length;
  };
  const stack: Array<{ line: number; indent: number; last: number }> = [];
  for (let line = 0; line < n; line++) {
    const ind = indentOf(line);
    if (ind === undefined) continue;
    while (stack.length > 0 && stack[stack.length - 1].indent >= ind) {
      const top = stack.pop()!;
      add({ startLine: top.line, endLine: top.last });
    }
    for (const s of stack) s.last = line;
    stack.push({ line, indent: ind, last: line });
  }
  for (const top of stack) add({ startLine: top.line, endLine: top.last });
}
