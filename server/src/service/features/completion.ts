/**
 * Completion: keys, values and snippets at a cursor, on text that is often
 * half-typed and does not parse. The context (which map the cursor is in,
 * which key it is after) is read from the lines and their indentation, not
 * from the YAML tree; the tree is only used for facts about the rest of the
 * plan (phase ids, owner, tables, style).
 *
 * Multi-line insert texts are indented relative to the leading whitespace of
 * the cursor's line (see snippets.ts): the client must insert them with
 * `insertTextMode` adjustIndentation (VS Code's default).
 */
import { sqlCompletions } from './sql';
import { hasSqlDialect, type SqlFiles } from '../sql/sqlValues';
import { scalarText, styleOf } from '../linting/fixes';
import { freshPhaseId } from '../linting/templates';
import type { PhaseKind, PlanDocument } from '../parsing/plan';
import type { JsonSchema } from '../parsing/schemaValidator';
import type { Span } from '../types';
import { PATTERNS } from '../parsing/values';
import { ITEM, isPhaseKind, kindSpecificKeys, phaseKeysFor, propertySchema, schemaAt, SQL_KEYS, type SchemaSegment } from './shared';
import {
  checkQuerySnippet,
  checkSnippet,
  choice,
  consumerSnippet,
  escapeSnippet,
  KIND_DESCRIPTIONS,
  knownTables,
  phaseSnippets,
  planSnippet,
  triggerSnippet,
  type ItemSite,
  type SnippetCompletion,
} from './snippets';
import type { ServiceCompletion } from './types';

/** An LSP command a completion runs once inserted. */
export interface CompletionCommand {
  command: string;
  title: string;
}

/** A completion, with the command the editor runs after inserting it (LSP `CompletionItem.command`). */
export interface PlanCompletion extends ServiceCompletion {
  command?: CompletionCommand;
}

/**
 * Opens the suggestions again: run after a completion that leaves the cursor
 * on a new list item (`phases:` inserts `phases:\n  - `), where the whole
 * items and the item's keys are offered, so they show without Ctrl+Space.
 */
export const TRIGGER_SUGGEST: CompletionCommand = { command: 'editor.action.triggerSuggest', title: 'Suggest' };

// ------------------------------------------------------------------ lines

/** One line as the context walk sees it. */
export interface LineInfo {
  /** Blank, or only a comment. */
  blank: boolean;
  /** Leading whitespace length. */
  indent: number;
  /** Columns of the `- ` indicators at the start of the line. */
  dashes: number[];
  /** Column of what follows the indentation and the dashes. */
  content: number;
  /** The key, when the content is `key:` (plain or quoted). */
  key?: string;
  /** The value text after the key's colon, comment stripped and trimmed. */
  value?: string;
}

const KEY_RE = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#"'[\]{},&*!|>%@`][^#]*?)[ \t]*:(?=[ \t]|$)/;

/** The key text of a `key:` match (quotes removed). */
function keyText(raw: string): string {
  if (raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2) {
    try {
      const v: unknown = JSON.parse(raw);
      return typeof v === 'string' ? v : raw.slice(1, -1);
    } catch {
      return raw.slice(1, -1);
    }
  }
  if (raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2) return raw.slice(1, -1).replace(/''/g, "'");
  return raw;
}

/** Strips a trailing comment (` # ...`) from a value text. */
function stripComment(s: string): string {
  const m = /(^|[ \t])#/.exec(s);
  return (m ? s.slice(0, m.index) : s).trim();
}

/** Reads the structure of one line of text. */
export function analyzeLine(text: string): LineInfo {
  let i = 0;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  const indent = i;
  const dashes: number[] = [];
  while (text[i] === '-' && (i + 1 === text.length || text[i + 1] === ' ' || text[i + 1] === '\t')) {
    dashes.push(i);
    i++;
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  }
  const rest = text.slice(i);
  const info: LineInfo = { blank: false, indent, dashes, content: i };
  if (dashes.length === 0 && (rest === '' || rest.startsWith('#'))) {
    info.blank = true;
    return info;
  }
  const m = KEY_RE.exec(rest);
  if (m) {
    info.key = keyText(m[1]);
    info.value = stripComment(rest.slice(m[0].length + 1));
  }
  return info;
}

/** Whether a key line opens a nested block (nothing after the colon but perhaps an anchor or a tag). */
function opens(li: LineInfo): boolean {
  return li.key !== undefined && /^(?:[&!][^\s]*\s*)*$/.test(li.value ?? '');
}

/** Leading whitespace of every line of a plan (-1 for blank lines), computed once per plan version. */
const INDENTS = new WeakMap<PlanDocument, Int32Array>();

function indentsOf(plan: PlanDocument): Int32Array {
  let out = INDENTS.get(plan);
  if (out) return out;
  const { text, lines } = plan;
  out = new Int32Array(lines.lineCount);
  for (let line = 0; line < out.length; line++) {
    const start = lines.lineStart(line);
    const end = lines.lineEnd(line);
    let i = start;
    while (i < end && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    out[line] = i === end ? -1 : i - start;
  }
  INDENTS.set(plan, out);
  return out;
}

class Lines {
  private readonly cache = new Map<number, LineInfo>();
  constructor(readonly plan: PlanDocument) {}
  get count(): number {
    return this.plan.lines.lineCount;
  }
  text(line: number): string {
    return this.plan.lines.lineText(line);
  }
  /**
   * Leading whitespace of a line, without analysing it (cheap: most lines a
   * walk meets are deeper than what it looks for); -1 for a blank line.
   */
  indent(line: number): number {
    return indentsOf(this.plan)[line] ?? -1;
  }
  /** Whether the line has a `-` indicator at `column`. */
  dashAt(line: number, column: number): boolean {
    const text = this.plan.text;
    const at = this.plan.lines.lineStart(line) + column;
    if (text[at] !== '-') return false;
    const next = text[at + 1];
    return next === ' ' || next === '\t' || next === '\n' || next === '\r' || next === undefined;
  }
  info(line: number): LineInfo {
    let li = this.cache.get(line);
    if (!li) {
      li = analyzeLine(this.text(line));
      this.cache.set(line, li);
    }
    return li;
  }
}

// ------------------------------------------------------------------ context

/** One level of the path to the cursor: a key, or an item of a list, and where its map starts. */
export interface Level {
  seg: SchemaSegment;
  /** The line of the key, or of the item's first line. */
  line: number;
  /** The column of the key (the map holding it), or of the item's content. */
  column: number;
}

/** The map (or list) the cursor is in, read from indentation. */
export interface MapContext {
  /** Keys and ITEM (an item of a list), outermost first. */
  path: SchemaSegment[];
  /** Where each segment of the path is written. */
  levels: Level[];
  /** Column of the map's keys. */
  column: number;
  /** Keys present in the map (other than on the cursor's line), with their value texts. */
  siblings: Map<string, string>;
}

/**
 * The path to the map whose entry at `column` the cursor's line holds.
 * `itemDashes`: the dashes on the cursor's line (the map is a new list item
 * begun on it). Undefined when the position is inside a scalar or the layout
 * is unreadable.
 */
export function pathAt(lines: Lines, line: number, column: number, itemDashes: readonly number[]): Level[] | undefined {
  const reversed: Level[] = [];
  let want: 'entry' | 'item' = 'entry';
  let col = column;
  let i = line - 1;
  const pushItems = (li: LineInfo, at: number): void => {
    for (let j = li.dashes.length - 1; j >= 0; j--) reversed.push({ seg: ITEM, line: at, column: j + 1 < li.dashes.length ? li.dashes[j + 1] : li.content });
  };
  if (itemDashes.length > 0) {
    pushItems({ blank: false, indent: itemDashes[0], dashes: [...itemDashes], content: column }, line);
    want = 'item';
    col = itemDashes[0];
  }
  const guard = lines.count + 8;
  for (let steps = 0; steps < guard; steps++) {
    let found = false;
    if (want === 'entry') {
      for (; i >= 0; i--) {
        if (lines.indent(i) > col) continue;
        const li = lines.info(i);
        if (li.blank) continue;
        if (li.dashes.length > 0 && li.indent < col) {
          if (li.content === col) {
            // `- key: ...`: the first key of the list item that is our map.
            pushItems(li, i);
          } else if (li.content < col && opens(li)) {
            // `- key:` whose nested map is ours.
            reversed.push({ seg: li.key!, line: i, column: li.content });
            pushItems(li, i);
          } else if (li.content < col) return undefined;
          else continue;
          want = 'item';
          col = li.dashes[0];
          i--;
          found = true;
          break;
        }
        if (li.indent >= col) continue; // a sibling, or deeper; a list at the same column belongs to a sibling key
        // Less indented, no dash: the key that opens our map, or we are inside a scalar.
        if (!opens(li)) return undefined;
        reversed.push({ seg: li.key!, line: i, column: li.indent });
        col = li.indent;
        i--;
        found = true;
        break;
      }
      if (!found) break; // reached the top: the root map
    } else {
      for (; i >= 0; i--) {
        const ind = lines.indent(i);
        if (ind > col) continue;
        // An earlier item of the same list (`- ` at our column): skipped without reading the line
        // (a long plan has thousands of phases above the cursor).
        if (ind === col && lines.dashAt(i, col)) continue;
        const li = lines.info(i);
        if (li.blank) continue;
        if (li.dashes.length > 0) {
          if (li.dashes[0] === col) continue; // an earlier item of the same list
          const j = li.dashes.indexOf(col);
          if (j > 0) {
            // `- - x`: our list is the first item of an outer list.
            for (let n = j - 1; n >= 0; n--) reversed.push({ seg: ITEM, line: i, column: li.dashes[n + 1] });
            col = li.dashes[0];
            continue;
          }
          if (li.indent > col) continue;
          if (li.content <= col && opens(li)) {
            reversed.push({ seg: li.key!, line: i, column: li.content });
            pushItems(li, i);
            col = li.dashes[0];
            continue;
          }
          return undefined;
        }
        if (li.indent > col) continue;
        if (!opens(li)) return undefined;
        reversed.push({ seg: li.key!, line: i, column: li.indent });
        want = 'entry';
        col = li.indent;
        i--;
        found = true;
        break;
      }
      if (!found) return undefined; // a list at the top: a plan is a mapping
    }
  }
  return reversed.reverse();
}

/**
 * The keys of the map that has an entry at (`line`, `column`), with their
 * value texts, read from the lines around it. `skipSelf`: leave out the key
 * on `line` (the one being typed).
 */
export function siblingsOf(lines: Lines, line: number, column: number, skipSelf: boolean): Map<string, string> {
  const out = new Map<string, string>();
  const add = (li: LineInfo): void => {
    if (li.key !== undefined && !out.has(li.key)) out.set(li.key, li.value ?? '');
  };
  const self = lines.info(line);
  if (!skipSelf && self.content === column) add(self);
  if (!(self.dashes.length > 0 && self.content === column)) {
    for (let k = line - 1; k >= 0; k--) {
      if (lines.indent(k) > column) continue;
      const li = lines.info(k);
      if (li.blank) continue;
      if (li.dashes.length > 0 && li.indent < column) {
        if (li.content === column) add(li);
        break;
      }
      if (li.indent > column || (li.indent === column && li.dashes.length > 0)) continue;
      if (li.indent < column) break;
      add(li);
    }
  }
  for (let k = line + 1; k < lines.count; k++) {
    if (lines.indent(k) > column) continue;
    const li = lines.info(k);
    if (li.blank) continue;
    if (li.indent < column) break;
    if (li.indent === column && li.dashes.length === 0) add(li);
  }
  return out;
}

/** The context of an entry at (`line`, `column`). */
export function contextAt(lines: Lines, line: number, column: number, itemDashes: readonly number[]): MapContext | undefined {
  const levels = pathAt(lines, line, column, itemDashes);
  if (!levels) return undefined;
  return { path: levels.map((l) => l.seg), levels, column, siblings: siblingsOf(lines, line, column, true) };
}

/** The kind of the phase a context is inside, read from the phase's `kind:` line. */
function phaseKindOf(lines: Lines, ctx: MapContext): string | undefined {
  if (ctx.path[0] !== 'phases' || ctx.path[1] !== ITEM) return undefined;
  if (ctx.path.length === 2) return unquote(ctx.siblings.get('kind'));
  const item = ctx.levels[1];
  return unquote(siblingsOf(lines, item.line, item.column, false).get('kind'));
}

// ------------------------------------------------------------------ cursor

type Position =
  | { kind: 'key'; ctx: MapContext; replace: Span; word: string; keyOnly: boolean; dashes: number[]; baseIndent: number; emptyLine: boolean }
  | { kind: 'value'; ctx: MapContext; key: string; replace: Span; leadingSpace: boolean };

const WORD_RE = /^[A-Za-z0-9_.-]*$/;

function positionAt(plan: PlanDocument, lines: Lines, offset: number): Position | undefined {
  const line = plan.lines.lineOf(offset);
  const lineStart = plan.lines.lineStart(line);
  const text = lines.text(line);
  const col = Math.max(0, Math.min(offset - lineStart, text.length));
  const before = text.slice(0, col);
  const after = text.slice(col);
  const head = analyzeLine(before);
  if (before.trim() === '') {
    // In the indentation: only on an otherwise empty line.
    if (after.trim() !== '') return undefined;
    const ctx = contextAt(lines, line, col, []);
    return ctx && { kind: 'key', ctx, replace: [offset, offset], word: '', keyOnly: false, dashes: [], baseIndent: col, emptyLine: true };
  }
  if (head.dashes.length > 0 && /-$/.test(before)) return undefined; // `-|`: the item's space is not typed yet
  const partial = before.slice(head.content);
  if (/(^|[ \t])#/.test(partial) || /^[[{]/.test(partial)) return undefined;
  const km = KEY_RE.exec(partial);
  if (km) {
    // After `key:`: a value.
    const key = keyText(km[1]);
    let vstart = head.content + km[0].length;
    while (vstart < col && (text[vstart] === ' ' || text[vstart] === '\t')) vstart++;
    let typed = text.slice(vstart, col);
    if (typed.startsWith('"') || typed.startsWith("'")) {
      vstart++;
      typed = typed.slice(1);
    }
    if (/[[\]{}#"']/.test(typed)) return undefined;
    const tail = /^[^\s#"',\]}]*/.exec(after)?.[0] ?? '';
    const ctx = contextAt(lines, line, head.content, head.dashes);
    if (!ctx) return undefined;
    const leadingSpace = vstart === head.content + km[0].length && !/[ \t]$/.test(before);
    return { kind: 'value', ctx, key, replace: [lineStart + vstart, lineStart + col + tail.length], leadingSpace };
  }
  if (!WORD_RE.test(partial)) return undefined;
  const tail = /^[A-Za-z0-9_.-]*/.exec(after)?.[0] ?? '';
  const rest = after.slice(tail.length).trim();
  if (rest !== '' && !rest.startsWith(':') && !rest.startsWith('#')) return undefined;
  const ctx = contextAt(lines, line, head.content, head.dashes);
  if (!ctx) return undefined;
  return {
    kind: 'key',
    ctx,
    replace: [lineStart + head.content, lineStart + col + tail.length],
    word: partial,
    keyOnly: rest.startsWith(':'),
    dashes: head.dashes,
    baseIndent: head.indent,
    emptyLine: partial === '' && tail === '' && rest === '',
  };
}

// ------------------------------------------------------------------ completions

/** Completions at `offset`. Never throws: on any failure, no completions. */
export interface CompleteOptions {
  /** Offer snippet completions (a whole phase, check, trigger, consumer, plan). Off for clients that contribute their own. */
  snippets?: boolean;
  /** How `{file: path}` SQL is read (the schema at a point of the plan may come from files). */
  files?: SqlFiles;
}

export function complete(plan: PlanDocument, offset: number, options: CompleteOptions = {}): PlanCompletion[] {
  try {
    // Inside SQL: the tables and columns that exist there.
    const sql = sqlCompletions(plan, offset, options.files);
    if (sql !== undefined) return sql;
    const all = completeUnsafe(plan, offset);
    return options.snippets === false ? all.filter((c) => c.kind !== 'snippet') : all;
  } catch {
    return [];
  }
}

/** Completions at `offset`, throwing on internal errors (for tests). */
export function completeUnsafe(plan: PlanDocument, offset: number): PlanCompletion[] {
  const lines = new Lines(plan);
  const out: PlanCompletion[] = [];
  // Within the text, and not inside a CRLF line break.
  const clamped = Math.max(0, Math.min(offset, plan.text.length));
  const at = Math.min(clamped, plan.lines.lineEnd(plan.lines.lineOf(clamped)));
  // A whole plan: only where nothing else is written yet (the word being typed aside).
  const whole = wholePlanSpan(plan, at);
  if (whole) {
    const s = planSnippet();
    out.push({ label: s.label, kind: 'snippet', insertText: s.body, snippet: true, replace: whole, detail: s.detail, documentation: s.documentation, sortText: '0' });
  }
  const pos = positionAt(plan, lines, at);
  if (!pos) return out;
  if (pos.kind === 'value') return [...out, ...valueCompletions(plan, lines, pos)];
  return [...out, ...keyCompletions(plan, lines, pos)];
}

/**
 * Where the whole-plan snippet goes, when the plan is empty: every line blank
 * or a comment, but for the cursor's, which holds at most the word being
 * typed (`pl`, `migplan`) at its start and the cursor after it. The span
 * is that word (and the whitespace before it), so the plan starts at column 0.
 */
function wholePlanSpan(plan: PlanDocument, at: number): Span | undefined {
  const line = plan.lines.lineOf(at);
  const start = plan.lines.lineStart(line);
  const end = plan.lines.lineEnd(line);
  const before = plan.text.slice(start, at);
  const after = plan.text.slice(at, end);
  const typed = /^[ \t]*[A-Za-z0-9_-]*$/.test(before) && after.trim() === '';
  if (!typed) return undefined;
  for (let l = 0; l < plan.lines.lineCount; l++) {
    if (l === line) continue;
    const text = plan.lines.lineText(l).trim();
    if (text !== '' && !text.startsWith('#')) return undefined;
  }
  return [start, at];
}

function sortKey(i: number): string {
  return String(i).padStart(4, '0');
}

function keyCompletions(plan: PlanDocument, lines: Lines, pos: Extract<Position, { kind: 'key' }>): PlanCompletion[] {
  const { ctx } = pos;
  const schema = schemaAt(ctx.path);
  if (!schema) return [];
  const style = styleOf(plan);
  if (schema.type === 'array') {
    // Under a list's key, where its next `- ` goes: a whole item.
    if (pos.dashes.length > 0 || !(pos.emptyLine || pos.word !== '')) return [];
    const site: ItemSite = { dashColumn: ctx.column, dashTyped: false, baseIndent: pos.baseIndent };
    return itemSnippets(plan, lines, ctx, site).map((s, i) => snippetCompletion(s, pos.replace, `1${sortKey(i)}`));
  }
  if (schema.type === 'string' && pos.dashes.length > 0 && ctx.path.length >= 2 && ctx.path[ctx.path.length - 2] === 'tables' && ctx.path[ctx.path.length - 1] === ITEM) {
    // An item of a consumer's `tables`: the plan's tables.
    return knownTables(plan).map((t, i) => ({ label: t, kind: 'value', insertText: scalarText(t), snippet: false, replace: pos.replace, detail: 'a table of this plan', sortText: sortKey(i) }));
  }
  if (schema.type !== 'object' || !schema.properties) return [];
  const inPhase = ctx.path.length === 2 && ctx.path[0] === 'phases' && ctx.path[1] === ITEM;
  const kind = inPhase ? phaseKindOf(lines, ctx) : undefined;
  const sql = hasSqlDialect(plan);
  const keys = (inPhase ? phaseKeysFor(kind, sql) : Object.keys(schema.properties)).filter((k) => sql || !SQL_KEYS.has(k));
  const out: PlanCompletion[] = [];
  keys.forEach((key, i) => {
    if (ctx.siblings.has(key)) return;
    const prop = propertySchema(schema, key);
    if (!prop) return;
    const c: PlanCompletion = {
      label: key,
      kind: 'property',
      ...keyInsert(plan, key, prop, pos, style.indent, style.seqIndent),
      replace: pos.replace,
      sortText: `0${sortKey(i)}`,
    };
    if (prop.description) c.detail = prop.description;
    const doc = prop.markdownDescription ?? prop.description;
    if (doc) c.documentation = doc;
    out.push(c);
  });
  // A new item (`- ` typed, nothing else in it yet): a whole item too, listed first.
  const newItem = pos.dashes.length > 0 && ctx.siblings.size === 0 && ctx.path[ctx.path.length - 1] === ITEM;
  if (newItem) {
    const parentPath = ctx.path.slice(0, -1);
    const site: ItemSite = { dashColumn: pos.dashes[pos.dashes.length - 1], dashTyped: true, baseIndent: pos.baseIndent };
    const snippets = itemSnippets(plan, lines, { ...ctx, path: parentPath, levels: ctx.levels.slice(0, -1) }, site);
    if (snippets.length > 0) {
      for (const c of out) c.sortText = `1${c.sortText!.slice(1)}`;
      return [...snippets.map((s, i) => snippetCompletion(s, pos.replace, `0${sortKey(i)}`)), ...out];
    }
  }
  return out;
}

function snippetCompletion(s: SnippetCompletion, replace: Span, sortText: string): ServiceCompletion {
  return { label: s.label, kind: 'snippet', insertText: s.body, snippet: true, replace, detail: s.detail, documentation: s.documentation, sortText };
}

/** Snippets for a new item of the list at `ctx.path`. */
function itemSnippets(plan: PlanDocument, lines: Lines, ctx: MapContext, site: ItemSite): SnippetCompletion[] {
  const path = ctx.path;
  const last = path[path.length - 1];
  if (path.length === 1 && last === 'phases') return phaseSnippets(plan, site);
  if (path.length === 1 && last === 'consumers') return [consumerSnippet(plan, site)];
  if (path.length === 3 && path[0] === 'phases' && (last === 'checks' || last === 'triggers')) {
    const k = phaseKindOf(lines, ctx);
    const kind = isPhaseKind(k) ? (k as PhaseKind) : undefined;
    if (last === 'triggers') return [triggerSnippet(plan, kind, site)];
    return hasSqlDialect(plan) ? [checkSnippet(plan, kind, site), checkQuerySnippet(plan, site)] : [checkSnippet(plan, kind, site)];
  }
  return [];
}

function unquote(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

/** Examples of a value schema as YAML texts. */
function exampleTexts(schema: JsonSchema): string[] {
  const out: string[] = [];
  for (const e of schema.examples ?? []) {
    if (typeof e === 'string' || typeof e === 'number' || typeof e === 'boolean') out.push(scalarText(e));
    else if (Array.isArray(e) && e.every((x) => typeof x === 'string' || typeof x === 'number')) out.push(`[${(e as Array<string | number>).map((x) => scalarText(x)).join(', ')}]`);
  }
  return out;
}

/** Whether a schema is one of the format's value forms (a duration, a percentage, a size...). */
function isValueForm(schema: JsonSchema): boolean {
  const forms: string[] = [PATTERNS.duration, PATTERNS.percentage, PATTERNS.size, PATTERNS.releaseSpan, PATTERNS.date];
  return (schema.pattern !== undefined && forms.includes(schema.pattern)) || schema.type === 'integer' || schema.type === 'number' || (schema.anyOf ?? []).some((a) => a.pattern !== undefined);
}

function keyInsert(
  plan: PlanDocument,
  key: string,
  prop: JsonSchema,
  pos: Extract<Position, { kind: 'key' }>,
  indent: number,
  seqIndent: boolean,
): { insertText: string; snippet: boolean; command?: CompletionCommand } {
  if (pos.keyOnly) return { insertText: key, snippet: false };
  const col = pos.ctx.column;
  const rel = (c: number): string => ' '.repeat(Math.max(0, c - pos.baseIndent));
  const k = escapeSnippet(key);
  if (prop.type === 'array') {
    const example = exampleTexts(prop)[0];
    if (example !== undefined) return { insertText: `${k}: \${1:${escapeSnippet(example)}}`, snippet: true };
    const insertText = `${k}:\n${rel(col + (seqIndent ? indent : 0))}- $0`;
    // A list of maps: at its new item's `- `, whole items (phases, checks, triggers, consumers) and the item's keys are offered.
    return prop.items?.type === 'object' ? { insertText, snippet: true, command: TRIGGER_SUGGEST } : { insertText, snippet: true };
  }
  if (prop.type === 'object') return { insertText: `${k}:\n${rel(col + indent)}$0`, snippet: true };
  const values = enumValues(plan, pos.ctx.path, key, prop);
  if (values.length > 0) return { insertText: `${k}: ${choice(1, values)}`, snippet: true };
  if (prop.const !== undefined) return { insertText: `${key}: ${String(prop.const)}`, snippet: false };
  const examples = exampleTexts(prop);
  if (isValueForm(prop) && examples.length > 0) return { insertText: `${k}: \${1:${escapeSnippet(examples[0])}}`, snippet: true };
  return { insertText: `${key}: `, snippet: false };
}

/** The closed set of values a key takes: an enum, booleans, the plan's phase ids. */
function enumValues(plan: PlanDocument, path: readonly SchemaSegment[], key: string, prop: JsonSchema): string[] {
  if (prop.enum) return prop.enum.map(String);
  if (prop.type === 'boolean') return ['true', 'false'];
  if (path.length === 0 && key === 'point_of_no_return') return ponrCandidates(plan).map((c) => c.id);
  return [];
}

interface PonrCandidate {
  id: string;
  kind?: string;
}

/** Phase ids for `point_of_no_return`: from the tree, or from the lines when the tree has none. */
function ponrCandidates(plan: PlanDocument): PonrCandidate[] {
  const out: PonrCandidate[] = [];
  const seen = new Set<string>();
  for (const p of plan.phases) {
    if (p.id === undefined || seen.has(p.id)) continue;
    seen.add(p.id);
    out.push({ id: p.id, ...(p.node.get('kind')?.text() !== undefined ? { kind: p.node.get('kind')!.text()! } : {}) });
  }
  if (out.length > 0) return out;
  const re = new RegExp(`^[ \\t]+(?:-[ \\t]+)?id:[ \\t]*["']?(${PATTERNS.phaseId.slice(1, -1)})["']?[ \\t]*(?:#.*)?$`);
  for (let line = 0; line < plan.lines.lineCount; line++) {
    const m = re.exec(plan.lines.lineText(line));
    if (m && !seen.has(m[1])) {
      seen.add(m[1]);
      out.push({ id: m[1] });
    }
  }
  return out;
}

function valueCompletions(plan: PlanDocument, lines: Lines, pos: Extract<Position, { kind: 'value' }>): ServiceCompletion[] {
  const { ctx, key } = pos;
  const parent = schemaAt(ctx.path);
  const prop = propertySchema(parent, key);
  if (!prop) return [];
  const lead = pos.leadingSpace ? ' ' : '';
  const make = (label: string, i: number, detail?: string, documentation?: string): ServiceCompletion => {
    const c: ServiceCompletion = { label, kind: 'value', insertText: lead + label, snippet: false, replace: pos.replace, sortText: sortKey(i) };
    if (detail) c.detail = detail;
    if (documentation) c.documentation = documentation;
    return c;
  };
  if (ctx.path.length === 0 && key === 'point_of_no_return') {
    const candidates = ponrCandidates(plan);
    const cleanup = candidates.find((c) => c.kind === 'cleanup');
    // The cleanup phase first: it is the usual point of no return.
    return candidates.map((c, i) =>
      make(
        c.id,
        c === cleanup ? 0 : i + 1,
        c.kind ? `${c.kind} phase${c === cleanup ? ' (the usual point of no return)' : ''}` : 'phase',
        'The first phase whose rollback needs a restore from backup; it must come after verification.',
      ),
    );
  }
  if (prop.enum) {
    const isPhaseKindKey = ctx.path.length === 2 && ctx.path[0] === 'phases' && key === 'kind';
    return prop.enum.map(String).map((v, i) => {
      if (isPhaseKindKey && isPhaseKind(v)) {
        const keys = kindSpecificKeys(v, hasSqlDialect(plan));
        return make(v, i, KIND_DESCRIPTIONS[v], keys.length > 0 ? `Kind-specific keys: ${keys.map((k) => `\`${k}\``).join(', ')}.` : 'Takes no kind-specific keys.');
      }
      return make(v, i);
    });
  }
  if (prop.type === 'boolean') return ['true', 'false'].map((v, i) => make(v, i));
  if (prop.const !== undefined) return [make(String(prop.const), 0)];
  if (key === 'id' && ctx.path.length === 2 && ctx.path[0] === 'phases') {
    // A fresh id after the phase's kind.
    const kind = phaseKindOf(lines, ctx);
    const typed = plan.text.slice(pos.replace[0], pos.replace[1]);
    const taken = plan.phases.map((p) => p.id).filter((id) => id !== typed);
    if (isPhaseKind(kind)) return [make(freshPhaseId(kind!, taken), 0, `an id for this ${kind} phase`)];
    return [];
  }
  if (key === 'table') return knownTables(plan).map((t, i) => make(scalarText(t), i, 'a table of this plan'));
  return exampleTexts(prop).map((v, i) => make(v, i, prop.description ?? 'example', prop.markdownDescription));
}

