import { isMap, isPair, isScalar, isSeq, parseAllDocuments, stringify, visit, type Node as YNode, type Pair } from 'yaml';
import type { PNode } from '../parsing/node';
import { MAX_NESTING, nestingBeyond, withoutStackTraces, type PlanDocument } from '../parsing/plan';
import { detectEol, trimEndOffset } from '../parsing/text';
import type { Span, TextEdit } from '../types';

/** An edit in offsets of the plan's text. */
export interface RawEdit {
  span: Span;
  text: string;
}

export interface RawFix {
  title: string;
  edits: RawEdit[];
  preferred?: boolean;
}

/** A value to write into the plan. `Flow` arrays are written inline: `[1, 10, 50, 100]`. */
export type YValue = string | number | boolean | YValue[] | Flow | { [key: string]: YValue };

export class Flow {
  constructor(readonly items: Array<string | number | boolean>) {}
}

export interface Style {
  eol: string;
  /** Indentation step of nested mappings. */
  indent: number;
  /** Whether block sequences are indented under their key (`key:\n  - a`) or not (`key:\n- a`). */
  seqIndent: boolean;
}

const styles = new WeakMap<PlanDocument, Style>();

/** The plan's own layout, read from its first nested mapping and sequence. */
export function styleOf(plan: PlanDocument): Style {
  let s = styles.get(plan);
  if (s) return s;
  s = { eol: detectEol(plan.text), indent: 2, seqIndent: true };
  let foundIndent = false;
  let foundSeq = false;
  const visit = (node: PNode, depth: number): void => {
    if (depth > 3 || (foundIndent && foundSeq)) return;
    for (const [, value] of node.entries()) {
      const keyCol = plan.yamlLines.column(value.keySpan?.[0] ?? 0);
      if (!foundIndent && value.isMap && !value.isFlow && value.firstKeySpan) {
        const d = plan.yamlLines.column(value.firstKeySpan[0]) - keyCol;
        if (d > 0) {
          s!.indent = d;
          foundIndent = true;
        }
      }
      if (value.isSeq && !value.isFlow) {
        const items = value.items();
        const dash = items[0]?.dashOffset;
        if (!foundSeq && dash !== undefined) {
          s!.seqIndent = plan.yamlLines.column(dash) > keyCol;
          foundSeq = true;
        }
        for (const it of items) if (it.isMap) visit(it, depth + 1);
      } else if (value.isMap) visit(value, depth + 1);
    }
  };
  if (plan.root) visit(plan.root, 0);
  styles.set(plan, s);
  return s;
}

/** A scalar as YAML text: plain where that reads back the same, quoted otherwise. */
export function scalarText(v: string | number | boolean): string {
  if (typeof v !== 'string') return String(v);
  const text = stringify(v, { lineWidth: 0 }).trimEnd();
  // On one line, whatever the value holds: a block scalar (`|-` over its lines) would need the
  // indentation of wherever it is written, which this text does not know. JSON's string is YAML's double-quoted one.
  return /[\r\n]/.test(text) ? JSON.stringify(v) : text;
}

/** A scalar inside `[...]` / `{...}`: flow indicators force quotes there. */
function flowScalarText(v: string | number | boolean): string {
  return typeof v === 'string' && /[,[\]{}]/.test(v) ? JSON.stringify(v) : scalarText(v);
}

/** A value written inline. `inFlow`: it sits inside a flow collection already. */
function flowText(v: YValue, inFlow = false): string {
  if (v instanceof Flow) return `[${v.items.map(flowScalarText).join(', ')}]`;
  if (Array.isArray(v)) return `[${v.map((x) => flowText(x, true)).join(', ')}]`;
  if (typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${flowText(x, true)}`).join(', ')} }`;
  return inFlow ? flowScalarText(v) : scalarText(v);
}

function isBlock(v: YValue): v is YValue[] | { [key: string]: YValue } {
  return typeof v === 'object' && !(v instanceof Flow) && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

/** Lines of `key: value` at column `col` (no trailing line break). */
export function entryLines(key: string, value: YValue, col: number, style: Style): string[] {
  const pad = ' '.repeat(col);
  if (!isBlock(value)) return [`${pad}${key}: ${flowText(value)}`];
  if (Array.isArray(value)) {
    const dashCol = col + (style.seqIndent ? style.indent : 0);
    return [`${pad}${key}:`, ...value.flatMap((item) => itemLines(item, dashCol, style))];
  }
  return [`${pad}${key}:`, ...Object.entries(value).flatMap(([k, v]) => entryLines(k, v, col + style.indent, style))];
}

/** Lines of a sequence item `- value` with its dash at column `col`. */
export function itemLines(value: YValue, col: number, style: Style): string[] {
  const pad = ' '.repeat(col);
  if (isBlock(value) && !Array.isArray(value)) {
    const lines = Object.entries(value).flatMap(([k, v]) => entryLines(k, v, col + 2, style));
    return [`${pad}- ${lines[0].trimStart()}`, ...lines.slice(1)];
  }
  if (isBlock(value)) {
    const lines = value.flatMap((item) => itemLines(item, col + 2, style));
    return [`${pad}- ${lines[0].trimStart()}`, ...lines.slice(1)];
  }
  return [`${pad}- ${flowText(value)}`];
}

/** The pair of a map node whose key is `key`. */
function pairOf(map: PNode, key: string): Pair | undefined {
  const n = map.node;
  if (!isMap(n)) return undefined;
  return (n.items as Pair[]).find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
}

/** End offset of the last character of a pair (its value, or its key when the value is empty). */
function pairEnd(plan: PlanDocument, pair: Pair): number {
  const v = pair.value as YNode | null;
  const k = pair.key as YNode | null;
  const start = k?.range?.[0] ?? 0;
  const end = v?.range?.[1] ?? k?.range?.[1] ?? start;
  return trimEndOffset(plan.text, start, end);
}

export interface InsertOptions {
  /** Insert after the last of these keys that is present (in the given order of preference). */
  after?: readonly string[];
  /** Otherwise, before the first of these keys that is present. */
  before?: readonly string[];
}

/**
 * The entry of a block map a new key goes next to, as insertEntry places it: after the present
 * `after` key that comes last, else before the first present `before` key, else after the last
 * entry. Undefined for a flow or empty map (insertEntry adds at the end there).
 */
function anchorPair(map: PNode, opts: InsertOptions): { pair: Pair; side: 'after' | 'before' } | undefined {
  const n = map.node;
  if (!isMap(n) || n.flow || n.items.length === 0) return undefined;
  const pairs = n.items as Pair[];
  // Siblings of one block map do not overlap: the one that ends last is the one listed last.
  const afterPair = opts.after
    ?.map((k) => pairOf(map, k))
    .filter((p): p is Pair => p !== undefined)
    .sort((a, b) => pairs.indexOf(b) - pairs.indexOf(a))[0];
  if (afterPair) return { pair: afterPair, side: 'after' };
  const beforePair = opts.before?.map((k) => pairOf(map, k)).find((p) => p !== undefined);
  if (beforePair) return { pair: beforePair, side: 'before' };
  return { pair: pairs[pairs.length - 1], side: 'after' };
}

/** The key a new entry of `map` goes next to (see anchorPair), for placing what speaks of the missing key. */
export function insertionAnchor(map: PNode, opts: InsertOptions): { key: string; side: 'after' | 'before' } | undefined {
  const anchor = anchorPair(map, opts);
  return anchor && isScalar(anchor.pair.key) ? { key: String(anchor.pair.key.value), side: anchor.side } : undefined;
}

/** Where scalars of more than one line lie in a plan, as written: there a `#` line is text, not a comment. */
interface ScalarRanges {
  /** Multi-line scalars' [start, end), in order (scalars do not nest). */
  multiLine: Span[];
  /** Block scalars' (`|`, `>`) [start, end): their end is past their last line break, trailing lines included. */
  block: Span[];
}

const scalarRangeCache = new WeakMap<PlanDocument, ScalarRanges>();

export function scalarRanges(plan: PlanDocument): ScalarRanges {
  let r = scalarRangeCache.get(plan);
  if (r) return r;
  r = { multiLine: [], block: [] };
  const { text } = plan;
  if (plan.doc) {
    const out = r;
    visit(plan.doc, {
      Scalar(_, node) {
        const range = node.range;
        if (!range || range[1] <= range[0]) return;
        const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
        if (block) out.block.push([range[0], range[1]]);
        if (block || /[\r\n]/.test(text.slice(range[0], range[1]))) out.multiLine.push([range[0], range[1]]);
      },
    });
    out.multiLine.sort((a, b) => a[0] - b[0]);
    out.block.sort((a, b) => a[0] - b[0]);
  }
  scalarRangeCache.set(plan, r);
  return r;
}

/** The last range of `list` (sorted by start) that starts at or before `offset`. */
function lastStartingBy(list: readonly Span[], offset: number): Span | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid][0] <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 ? list[found] : undefined;
}

/** The range of `list` (sorted, not overlapping) that holds `offset`. */
export function rangeHolding(list: readonly Span[], offset: number): Span | undefined {
  const r = lastStartingBy(list, offset);
  return r && offset < r[1] ? r : undefined;
}

/** Whether a line is a comment of the YAML: it starts with `#`, and is not a line of a scalar's text. */
export function isCommentLine(plan: PlanDocument, line: number): boolean {
  const lines = plan.yamlLines;
  if (!lines.lineText(line).trimStart().startsWith('#')) return false;
  return rangeHolding(scalarRanges(plan).multiLine, lines.lineStart(line)) === undefined;
}

/** Whether an offset lies inside a scalar that spans lines (a `#` there is text). */
export function insideMultiLineScalar(plan: PlanDocument, offset: number): boolean {
  return rangeHolding(scalarRanges(plan).multiLine, offset) !== undefined;
}

/**
 * Where new lines go after a node whose last character is at `end`: the end
 * of that line, unless a block scalar's text goes on past it (its trailing
 * lines are content when it keeps them, `|+`, or when they hold spaces beyond
 * its indentation): then after the scalar's last line. The new lines go
 * between `before` and `after`: a line break first at a line's end, last at
 * a line's start.
 */
function insertionAfter(plan: PlanDocument, end: number, eol: string): { at: number; before: string; after: string } {
  const lines = plan.yamlLines;
  const lineEnd = lines.lineEnd(lines.lineOf(end));
  const block = rangeHolding(scalarRanges(plan).block, Math.max(0, end - 1));
  if (block && block[1] > lineEnd + 1) {
    const at = block[1];
    return plan.text[at - 1] === '\n' ? { at, before: '', after: eol } : { at, before: eol, after: '' };
  }
  // A lone CR at the end of the line is text; a line break written right after it would join it
  // (CR LF) and take it out of the value: the new lines go after the line's own break instead, or,
  // on the last line, after a CR LF of their own.
  // In a block scalar, a lone CR ending the text is a line break (the `yaml` package reads `|` over ` 2\r` as
  // `2\n`): a LF after it makes it a CR LF, the same break.
  if (plan.text[lineEnd - 1] === '\r' && !block) {
    const next = lines.lineStart(lines.lineOf(lineEnd) + 1);
    if (next > lineEnd) return { at: next, before: '', after: eol };
    return { at: lineEnd, before: '\r\n', after: '' };
  }
  return { at: lineEnd, before: eol, after: '' };
}

/** Edit kit bound to one plan: every fix is built from these. */
export class Edits {
  constructor(readonly plan: PlanDocument) {}

  get style(): Style {
    return styleOf(this.plan);
  }

  /** Inserts `key: value` into a mapping, in its indentation, after or before sibling keys. */
  insertEntry(map: PNode, key: string, value: YValue, opts: InsertOptions = {}): RawEdit {
    const { plan, style } = this;
    const n = map.node;
    if (!isMap(n) || n.items.length === 0) {
      // `parent:` with nothing under it, or `{}`: write a block under the key.
      const keySpan = map.keySpan;
      if (keySpan && map.isNull) {
        const col = plan.yamlLines.column(keySpan[0]) + style.indent;
        const at = trimEndOffset(plan.text, keySpan[0], map.span[1] > keySpan[1] ? map.span[1] : keySpan[1] + 1);
        return { span: [at, at], text: style.eol + entryLines(key, value, col, style).join(style.eol) };
      }
      const [s, e] = map.span;
      return { span: [s, e], text: `{ ${key}: ${flowText(value)} }` };
    }
    if (n.flow) {
      // Right after the last entry (or the `{`): what follows it, up to the `}`, may be a comment.
      const flowPairs = (n.items as Pair[]).filter((p) => isPair(p));
      const last = flowPairs[flowPairs.length - 1];
      const at = last ? pairEnd(plan, last) : map.resolvedSpan[0] + 1;
      return { span: [at, at], text: `${last ? ', ' : ''}${key}: ${flowText(value, true)}` };
    }
    const pairs = n.items as Pair[];
    const col = plan.yamlLines.column(this.entryStart(pairs[0]));
    const anchor = anchorPair(map, opts)!;
    const beforePair = anchor.side === 'before' ? anchor.pair : undefined;
    const lines = entryLines(key, value, col, style);
    if (beforePair) {
      const keyAt = this.entryStart(beforePair);
      const lineStart = plan.yamlLines.lineStart(plan.yamlLines.lineOf(keyAt));
      if (plan.text.slice(lineStart, keyAt).trim() !== '') {
        // The key shares its line with a `- ` indicator: the new entry takes its place
        // on that line, and the key moves to the next line at the same column.
        return { span: [keyAt, keyAt], text: lines.join(style.eol).slice(col) + style.eol + ' '.repeat(col) };
      }
      // Comments right above a key belong to it and stay with it, except above the
      // document's first key, where they are the file's header and stay on top.
      const fileHeader = map.parent === undefined && beforePair === pairs[0];
      const atWithComments = fileHeader ? lineStart : this.startOfLeadingComments(lineStart);
      return { span: [atWithComments, atWithComments], text: lines.join(style.eol) + style.eol };
    }
    const { at, before, after } = insertionAfter(plan, pairEnd(plan, anchor.pair), style.eol);
    return { span: [at, at], text: before + lines.join(style.eol) + after };
  }

  /** Replaces a value (scalar or collection) with `value`, keeping its key and any comment after it. */
  replaceValue(node: PNode, value: YValue): RawEdit {
    const { plan } = this;
    const y = node.yaml;
    // `key:` with nothing after it (not `~` or `null`, which are a value written, replaced like any).
    const r = y?.range;
    if (node.isNull && node.keySpan && (!r || r[1] === r[0])) {
      const colon = plan.text.indexOf(':', node.keySpan[1]);
      return { span: [colon + 1, colon + 1], text: ` ${flowText(value)}` };
    }
    const lines = plan.yamlLines;
    if ((isMap(y) || isSeq(y)) && !y.flow && node.keySpan) {
      // `key: &anchor # why` over a block collection: the anchor, a tag and the comment stay on the key's line.
      const colon = plan.text.indexOf(':', node.keySpan[1]);
      const end = trimEndOffset(plan.text, colon + 1, node.span[1]);
      const header = plan.text.slice(colon + 1, Math.min(end, lines.lineEnd(lines.lineOf(colon))));
      const m = /^([ \t]*)((?:[&!][^\s#]*[ \t]+)*)([ \t]*#.*)?$/.exec(header);
      const props = m?.[2] ?? '';
      const comment = m?.[3] ?? '';
      return { span: [colon + 1, end], text: ` ${props}${flowText(value)}${comment ? (/^[ \t]/.test(comment) ? comment : ` ${comment}`) : ''}` };
    }
    const [s, trimmed] = node.span;
    // A value made only of characters the trim takes for space (`\f`): the whole of it, as written.
    const e = trimmed > s ? trimEndOffset(plan.text, s, trimmed) : Math.max(s, y?.range?.[1] ?? s);
    if (isScalar(y) && (y.type === 'BLOCK_LITERAL' || y.type === 'BLOCK_FOLDED')) {
      // `soak: > # see INC-4711`: the header's comment stays, after the new value.
      const headerEnd = lines.lineEnd(lines.lineOf(s));
      const header = plan.text.slice(s, headerEnd);
      const comment = /^[|>][0-9+-]*([ \t]+#.*)?$/.exec(header)?.[1] ?? '';
      // The comment is written again whole: the edit takes the header's line to its end (an empty
      // scalar's range stops inside the comment).
      return { span: [s, comment ? Math.max(e, headerEnd) : e], text: flowText(value) + comment };
    }
    return { span: [s, e], text: flowText(value) };
  }

  /** Inserts an item into a sequence before item `index` (or at the end), in its indentation. */
  insertItem(seq: PNode, value: YValue, index?: number): RawEdit {
    const { plan, style } = this;
    const items = seq.items();
    if (seq.isFlow) {
      const [start, end] = seq.resolvedSpan;
      const close = trimEndOffset(plan.text, start, end) - 1;
      if (items.length === 0) return { span: [close, close], text: flowText(value, true) };
      if (index !== undefined && index < items.length) {
        const s = items[index].span[0];
        return { span: [s, s], text: `${flowText(value, true)}, ` };
      }
      // Right after the last item: what follows it, up to the `]`, may be a comment.
      const after = items[items.length - 1].span[1];
      return { span: [after, after], text: `, ${flowText(value, true)}` };
    }
    const first = items[0];
    const dashCol = first?.dashOffset !== undefined ? plan.yamlLines.column(first.dashOffset) : plan.yamlLines.column(seq.keySpan?.[0] ?? 0) + (style.seqIndent ? style.indent : 0);
    const lines = itemLines(value, dashCol, style);
    if (index !== undefined && index < items.length) {
      const it = items[index];
      const at = this.startOfLeadingComments(plan.yamlLines.lineStart(plan.yamlLines.lineOf(it.dashOffset ?? it.span[0])));
      return { span: [at, at], text: lines.join(style.eol) + style.eol };
    }
    const last = items[items.length - 1];
    const endOffset = last ? trimEndOffset(plan.text, last.span[0], last.span[1]) : (seq.keySpan?.[1] ?? 0);
    const { at, before, after } = insertionAfter(plan, endOffset, style.eol);
    return { span: [at, at], text: before + lines.join(style.eol) + after };
  }

  /** Removes a comment: its whole line when alone on it, else from the space before `#`. */
  removeComment(span: Span): RawEdit {
    const { plan } = this;
    const line = plan.yamlLines.lineOf(span[0]);
    const start = plan.yamlLines.lineStart(line);
    if (plan.text.slice(start, span[0]).trim() === '') {
      const next = line + 1 < plan.yamlLines.lineCount ? plan.yamlLines.lineStart(line + 1) : plan.yamlLines.lineEnd(line);
      return { span: [start, next], text: '' };
    }
    let s = span[0];
    while (s > start && (plan.text[s - 1] === ' ' || plan.text[s - 1] === '\t')) s--;
    return { span: [s, plan.yamlLines.lineEnd(line)], text: '' };
  }

  /**
   * Where a block map entry starts: its key, or the tag, anchor or `?` written
   * before the key on the same line (not a list item's `- `).
   */
  private entryStart(pair: Pair): number {
    const { yamlLines: lines, text } = this.plan;
    const keyAt = (pair.key as YNode | null)?.range?.[0] ?? 0;
    const lineStart = lines.lineStart(lines.lineOf(keyAt));
    let i = lineStart;
    for (;;) {
      while (i < keyAt && (text[i] === ' ' || text[i] === '\t')) i++;
      // Skip `- ` indicators of sequence items that hold this map.
      if (text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\t') && i < keyAt) {
        i += 2;
        continue;
      }
      return Math.min(i, keyAt);
    }
  }

  /** Start of the run of comment lines directly above the line starting at `lineStart` (a `#` line of a scalar's text is no comment). */
  private startOfLeadingComments(lineStart: number): number {
    const lines = this.plan.yamlLines;
    let line = lines.lineOf(lineStart);
    while (line > 0 && isCommentLine(this.plan, line - 1)) line--;
    return lines.lineStart(line);
  }
}

/**
 * Applies offset edits to a text (edits must not overlap). Insertions at the
 * same offset land in array order, as LSP clients apply them.
 */
export function applyRawEdits(text: string, edits: RawEdit[]): string {
  const order = edits.map((e, i) => ({ e, i }));
  order.sort((a, b) => b.e.span[0] - a.e.span[0] || b.e.span[1] - a.e.span[1] || b.i - a.i);
  let out = text;
  for (const { e } of order) out = out.slice(0, e.span[0]) + e.text + out.slice(e.span[1]);
  return out;
}

/** LSP text edits to offsets, via the plan's line index. */
export function toRawEdits(plan: PlanDocument, edits: TextEdit[]): RawEdit[] {
  return edits.map((e) => ({ span: [plan.yamlLines.offsetAt(e.range.start), plan.yamlLines.offsetAt(e.range.end)] as const, text: e.newText }));
}

/**
 * A `# migplan-ignore <rule> -- <reason>` comment line above the block node
 * (a map entry or a block list item) that holds `offset`, at that node's
 * indentation: the node the comment then applies to. Undefined when there is
 * no such place: inside a flow collection or a scalar of several lines a
 * comment line would change the value, so it goes above the block node that
 * holds them; and an edit that would change any value or break the YAML is
 * not offered.
 */
export function ignoreCommentEdit(plan: PlanDocument, rule: string, offset: number, reason: string): RawEdit | undefined {
  if (!plan.doc) return undefined;
  const lines = plan.yamlLines;
  // The innermost block node holding the offset that starts its line (after `- ` indicators).
  let best: { start: number; line: number } | undefined;
  visit(plan.doc, {
    Pair(_, pair, path) {
      if (path.some((p) => (isMap(p) || isSeq(p)) && p.flow)) return visit.SKIP;
      const k = pair.key as YNode | null;
      const v = pair.value as YNode | null;
      const start = k?.range?.[0];
      const end = v?.range?.[1] ?? k?.range?.[1];
      if (start === undefined || end === undefined || offset < start || offset >= end) return undefined;
      consider(start);
      return undefined;
    },
    Seq(_, seq, path) {
      if (seq.flow || path.some((p) => (isMap(p) || isSeq(p)) && p.flow)) return visit.SKIP;
      for (const item of seq.items) {
        const r = (item as YNode | null)?.range;
        if (r && offset >= r[0] && offset < r[1]) consider(r[0]);
      }
      return undefined;
    },
  });
  function consider(start: number): void {
    const line = lines.lineOf(start);
    const before = plan.text.slice(lines.lineStart(line), start);
    // The node must be the first on its line (only indentation and `- ` before it).
    if (!/^[ \t]*(?:-[ \t]+)*$/.test(before)) return;
    if (!best || start > best.start) best = { start, line };
  }
  if (!best) return undefined;
  const lineStart = lines.lineStart(best.line);
  const indent = /^[ \t]*/.exec(lines.lineText(best.line))![0];
  const eol = detectEol(plan.text);
  const edit: RawEdit = { span: [lineStart, lineStart], text: `${indent}# migplan-ignore ${rule} -- ${reason}${eol}` };
  return keepsValues(plan, [edit]) ? edit : undefined;
}

/**
 * Whether removing the comment at `span` leaves every value as it was: judged
 * from the lines around it where that is certain, else by reading the plan
 * again (keepsValues), so that a plan of many comments is not read once per
 * comment. A comment matters only where it ends a scalar that the next line of
 * content would otherwise continue (a block scalar's text or kept trailing
 * breaks, a plain scalar's next line), and a line continues a scalar only when
 * it is indented more than the collection holding that scalar.
 */
export function commentRemovalKeepsValues(plan: PlanDocument, span: Span, edit: RawEdit): boolean {
  return commentRemovalIsLocal(plan, span) || keepsValues(plan, [edit]);
}

export function commentRemovalIsLocal(plan: PlanDocument, span: Span): boolean {
  const { doc } = plan;
  if (!doc || doc.errors.length > 0 || doc.warnings.length > 0) return false;
  const lines = plan.yamlLines;
  const line = lines.lineOf(span[0]);
  const content = (l: number): boolean => lines.lineText(l).trim() !== '' && !isCommentLine(plan, l);
  // Lines of content around the comment, looked for within a few lines (a long run of comments is read again instead).
  const LOOK = 64;
  let prev: number | undefined;
  if (plan.text.slice(lines.lineStart(line), span[0]).trim() !== '') prev = line;
  else {
    for (let l = line - 1; l >= line - LOOK && prev === undefined; l--) {
      if (l < 0) return true; // Nothing before the comment: no scalar to end.
      if (content(l)) prev = l;
    }
  }
  if (prev === undefined) return false;
  let next: number | undefined;
  for (let l = line + 1; l <= line + LOOK && next === undefined; l++) {
    if (l >= lines.lineCount) break;
    if (content(l)) next = l;
  }
  if (next === undefined && line + LOOK < lines.lineCount) return false;
  const scalar = multiLineOn(plan, prev);
  for (let l = prev + 1; l <= (next ?? lines.lineCount - 1); l++) if (/^ *\t/.test(lines.lineText(l))) return false;
  if (scalar && /^[|>]/.test(plan.text.slice(scalar[0], scalar[0] + 1))) {
    // A block scalar can take what its ending comment held back: kept trailing breaks (`|+`), and
    // comment lines below indented as its text. Read again unless neither is there.
    if (/^[|>][0-9-]*\+/.test(plan.text.slice(scalar[0], scalar[0] + 4)) || next === undefined) return false;
    const holder = holderColumn(plan.text.slice(lines.lineStart(lines.lineOf(scalar[0])), scalar[0]));
    if (holder === undefined) return false;
    for (let l = prev + 1; l < next; l++) {
      if (l !== line && lines.lineText(l).trim() !== '' && /^ */.exec(lines.lineText(l))![0].length > holder) return false;
    }
  }
  if (next === undefined) return true;
  const nextIndent = /^ */.exec(lines.lineText(next))![0].length;
  // The column of the collection holding the last scalar of the comment's line of content.
  const written = (l: number): string => (l === line ? plan.text.slice(lines.lineStart(line), span[0]) : lines.lineText(l));
  let holder: number | undefined;
  if (scalar) holder = holderColumn(plan.text.slice(lines.lineStart(lines.lineOf(scalar[0])), scalar[0]));
  else {
    const text = written(prev).trimEnd();
    // A key's colon or a bare list dash ends the line: below it is that key's or item's collection.
    if (!text.includes('#') && /(?:\S:|^[ \t]*(?:-[ \t]+)*-)$/.test(text)) return true;
    // So does a flow collection opened and closed on the line (no nesting, no quotes): nothing continues it.
    if (/^ *(?:- +)*(?:[^\s"'#[\]{}][^"'#[\]{}]*?: +)?(?:\[[^"'#[\]{}]*\]|\{[^"'#[\]{}]*\})$/.test(text)) return true;
    holder = holderColumn(text);
  }
  return holder !== undefined && nextIndent <= holder;
}

/**
 * The column of the collection that holds a scalar written after `before` on
 * its line: the key's column for `key: `, the last dash's for `- `; undefined
 * where that is not plain to see (tabs, comments, flow, a top-level scalar).
 */
function holderColumn(before: string): number | undefined {
  if (/[\t#[\]{}]/.test(before)) return undefined;
  const m = /^( *(?:- +)*)(.*)$/.exec(before)!;
  const [, lead, rest] = m;
  if (/^(?:"[^"]*"|'[^']*'|[^\s"'][^"']*?):(?: |$)/.test(rest)) return lead.length;
  const dash = lead.lastIndexOf('-');
  return dash >= 0 ? dash : undefined;
}

/** The multi-line scalar that a line holds part of (the last one, when several touch it). */
function multiLineOn(plan: PlanDocument, l: number): Span | undefined {
  const r = lastStartingBy(scalarRanges(plan).multiLine, plan.yamlLines.lineEnd(l));
  return r && r[1] >= plan.yamlLines.lineStart(l) ? r : undefined;
}

/** Whether edits leave the YAML as sound as it was and every value as it was (only comments change). */
/**
 * Whether text added at the end of the plan would change a value: the text
 * ends inside a block scalar that keeps its final line breaks (`|+`, `>+`),
 * so a line break written after it becomes part of the value.
 */
export function endKeepsBreaks(plan: PlanDocument): boolean {
  const end = plan.text.length;
  const block = end > 0 ? rangeHolding(scalarRanges(plan).block, end - 1) : undefined;
  if (!block) return false;
  const header = /^[|>]([0-9+-]*)/.exec(plan.text.slice(block[0], block[0] + 4));
  return header?.[1]?.includes('+') ?? false;
}

/**
 * Whether applying `edits` leaves every value it does not touch as it was:
 * each scalar whose text no edit reaches into (an insertion at its very end
 * counts as outside it) reads the same, at its moved place, afterwards.
 */
export function untouchedValuesKept(plan: PlanDocument, edits: readonly RawEdit[]): boolean {
  if (nestingBeyond(plan.text, MAX_NESTING) !== undefined) return false;
  const after = applyRawEdits(plan.text, [...edits]);
  if (nestingBeyond(after, MAX_NESTING) !== undefined) return false;
  const scalars = (t: string): Array<{ start: number; end: number; value: unknown }> => {
    const out: Array<{ start: number; end: number; value: unknown }> = [];
    const docs = withoutStackTraces(() => parseAllDocuments(t));
    for (const d of Array.isArray(docs) ? docs : [docs]) {
      visit(d, { Scalar: (_, n) => void (n.range ? out.push({ start: n.range[0], end: n.range[1], value: n.value }) : undefined) });
    }
    return out;
  };
  try {
    const afterByStart = new Map(scalars(after).map((x) => [x.start, x.value]));
    const sorted = [...edits].sort((a, b) => a.span[0] - b.span[0]);
    for (const x of scalars(plan.text)) {
      if (sorted.some((e) => e.span[0] < x.end && x.start < Math.max(e.span[1], e.span[0] + 1) && !(e.span[0] === e.span[1] && (e.span[0] === x.end || e.span[0] === x.start)))) continue;
      let shift = 0;
      for (const e of sorted) if (e.span[1] <= x.start) shift += e.text.length - (e.span[1] - e.span[0]);
      if (!afterByStart.has(x.start + shift) || JSON.stringify(afterByStart.get(x.start + shift)) !== JSON.stringify(x.value)) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** Every scalar of every document, in order: a text with YAML errors may hold more than one document, and scalars an error left out of the document's data still count. */
function readValues(t: string): { errors: number; values: string } {
  const docs = withoutStackTraces(() => parseAllDocuments(t));
  const list = Array.isArray(docs) ? docs : [docs];
  const values: unknown[] = [];
  for (const d of list) visit(d, { Scalar: (_, n) => void values.push(n.value) });
  return { errors: list.reduce((n, d) => n + d.errors.length, 0), values: JSON.stringify(values) };
}

/** The plan's own values, read once however many fixes are weighed against them. */
const valuesOfPlan = new WeakMap<PlanDocument, { errors: number; values: string }>();

export function keepsValues(plan: PlanDocument, edits: RawEdit[]): boolean {
  const after = applyRawEdits(plan.text, edits);
  // Nesting the plan model refuses is nesting the yaml package reads slowly and unreliably: no fix is proven safe there.
  if (nestingBeyond(plan.text, MAX_NESTING) !== undefined || nestingBeyond(after, MAX_NESTING) !== undefined) return false;
  try {
    let a = valuesOfPlan.get(plan);
    if (!a) {
      a = readValues(plan.text);
      valuesOfPlan.set(plan, a);
    }
    const b = readValues(after);
    return b.errors <= a.errors && a.values === b.values;
  } catch {
    return false;
  }
}
