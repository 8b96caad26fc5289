/**
 * Renders a plan as Markdown in the method's order: title and summary, the
 * context to gather before anything starts, consumers, the pre-migration
 * assessment, each phase, the rollback plan across phases and the quality
 * checklist. Used by `migplan render` and the editor's preview.
 *
 * Everything the plan says is user text: it is escaped so it cannot inject
 * HTML, change the document's structure or be autolinked (by GFM or by
 * markdown-it's linkify), in time linear in its length. Gaps are shown, never
 * skipped ("_Not specified._"). The output is deterministic, uses `\n` and
 * ends with exactly one newline. Rendering never throws, whatever the plan's
 * shape.
 */
import { checklistSummary, evaluateChecklist } from './checklist';
import type { PNode } from '../parsing/node';
import { PHASE_KINDS, type PlanDocument } from '../parsing/plan';
import type { Diagnostic, LintConfig } from '../types';
import { parseCondition } from '../parsing/values';

export const NOT_SPECIFIED = '_Not specified._';

/** A phase heading of the rendered Markdown, for a preview linking headings to phases. */
export interface PhaseHeading {
  /** Position of the phase in `phases` (0-based), whatever its shape. */
  index: number;
  /** The phase's id, when it is a string. */
  id?: string;
  /** Stable, unique, anchor-friendly: `phase-<id>` when the id allows it, else `phase-<n>`. */
  anchor: string;
  /** 0-based line of the heading in the Markdown. */
  line: number;
}

export interface RenderResult {
  markdown: string;
  phaseHeadings: PhaseHeading[];
}

/** The plan as Markdown. `config` is the one the diagnostics were found under (rules it turns off are "not checked"). */
export function renderMarkdown(plan: PlanDocument, diagnostics: readonly Diagnostic[], config?: LintConfig): string {
  return renderPlan(plan, diagnostics, config).markdown;
}

/** The plan as Markdown, with where each phase heading went. */
export function renderPlan(plan: PlanDocument, diagnostics: readonly Diagnostic[], config?: LintConfig): RenderResult {
  const w = new Writer();
  const headings: PhaseHeading[] = [];
  const root = plan.root;
  const phases = phaseViews(root);

  const problems = new ProblemIndex(plan, diagnostics);
  // Problems go under the phase or section they are about: phases first (they are inside `phases`).
  const phaseProblems = phases.map((p) => problems.take(entrySpanOf(p.item)));
  const sectionProblems = (key: string): Diagnostic[] => {
    const node = root?.get(key);
    return node ? problems.take(entrySpanOf(node)) : [];
  };

  renderHeader(w, plan, root);
  renderProblems(w, [...sectionProblems('title'), ...sectionProblems('owner'), ...sectionProblems('summary')]);
  renderContext(w, root?.get('context'));
  renderProblems(w, sectionProblems('context'));
  renderConsumers(w, root?.get('consumers'));
  renderProblems(w, sectionProblems('consumers'));
  renderAssessment(w, root?.get('assessment'));
  renderProblems(w, sectionProblems('assessment'));

  const ponr = pointOfNoReturn(root, phases);
  if (phases.length === 0) {
    w.block('## Phases');
    w.block(listGap(root?.get('phases')));
  }
  for (const p of phases) {
    const line = w.block(`## ${phaseHeadingText(p)}`);
    headings.push({ index: p.index, ...(p.id !== undefined ? { id: p.id } : {}), anchor: p.anchor, line });
    renderPhase(w, p, ponr);
    renderProblems(w, phaseProblems[headings.length - 1]);
  }

  renderRollbackPlan(w, root, phases, ponr);
  renderProblems(w, sectionProblems('point_of_no_return'));
  renderChecklist(w, plan, diagnostics, config);
  const rest = problems.rest();
  if (rest.length > 0) {
    w.block('## Other problems');
    renderProblems(w, rest, false);
  }
  return { markdown: w.toString(), phaseHeadings: headings };
}

// ---------------------------------------------------------------------------
// Problems

/** A plan's diagnostics by where they start, each handed out once. */
class ProblemIndex {
  private readonly items: Array<{ d: Diagnostic; at: number; taken: boolean }>;

  constructor(plan: PlanDocument, diagnostics: readonly Diagnostic[]) {
    this.items = diagnostics.map((d) => ({ d, at: plan.lines.offsetAt(d.range.start), taken: false }));
  }

  /** The diagnostics not yet handed out that start in `span`. */
  take(span: readonly [number, number]): Diagnostic[] {
    return this.pick((at) => at >= span[0] && at < span[1]);
  }

  /** The diagnostics not handed out yet. */
  rest(): Diagnostic[] {
    return this.pick(() => true);
  }

  private pick(where: (at: number) => boolean): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const it of this.items) {
      if (it.taken || !where(it.at)) continue;
      it.taken = true;
      out.push(it.d);
    }
    return out;
  }
}

/** A map entry or list item with all in it: from its key (or dash) to the end of its value. */
function entrySpanOf(node: PNode): readonly [number, number] {
  const start = Math.min(node.keySpan?.[0] ?? Infinity, node.dashOffset ?? Infinity, node.span[0]);
  return [start, Math.max(node.span[1], node.keySpan?.[1] ?? 0) + 1];
}

const SEVERITY_MARK: Record<string, string> = { error: '✖ error', warning: '⚠ warning', info: 'ℹ info' };

/** The problems of a section, as a list under it. */
function renderProblems(w: Writer, list: readonly Diagnostic[], heading = true): void {
  if (list.length === 0) return;
  const items = list.map((d) => `- ${SEVERITY_MARK[d.severity] ?? d.severity} ${codeSpan(d.rule)} (line ${d.range.start.line + 1}): ${escapeInline(d.message)}`);
  w.block(`${heading ? `**${list.length === 1 ? 'Problem' : 'Problems'} here:**\n\n` : ''}${items.join('\n')}`);
}

// ---------------------------------------------------------------------------
// Output

class Writer {
  private readonly lines: string[] = [];

  /** Adds a block (one or more lines) after a blank line; returns its first line. */
  block(text: string): number {
    if (this.lines.length > 0) this.lines.push('');
    const start = this.lines.length;
    for (const l of text.split('\n')) this.lines.push(l);
    return start;
  }

  toString(): string {
    // trimEnd, not `replace(/\s+$/, '')`: that regex retries at every blank of a long run inside the text (quadratic).
    return `${this.lines.join('\n').trimEnd()}\n`;
  }
}

// ---------------------------------------------------------------------------
// Escaping
//
// Plan text can be of any length and shape (a value of 5 MiB, a run of 100,000
// blanks), so everything here is a pass over it in linear time. No regular
// expression that backtracks over a run: `[ \t]*\n` or `\s+$` is tried again
// from every blank of a run that does not end where it needs, which is
// quadratic in the length of the run.

/**
 * A string built from pieces: runs of text as slices, short pieces (the
 * escapes of a long run of characters that each need one) as code units, made
 * into strings 8192 at a time. Linear, and without the millions of small
 * strings that `+=` or an array of pieces make of such a run.
 */
class TextBuilder {
  private readonly parts: string[] = [];
  private readonly units: number[] = [];

  /** Appends `s.slice(from, to)` (all of `s` by default). */
  add(s: string, from = 0, to = s.length): void {
    if (to - from >= 64) {
      this.flush();
      this.parts.push(s.slice(from, to));
      return;
    }
    for (let i = from; i < to; i++) this.units.push(s.charCodeAt(i));
    if (this.units.length >= 8192) this.flush();
  }

  toString(): string {
    this.flush();
    return this.parts.join('');
  }

  private flush(): void {
    if (this.units.length === 0) return;
    this.parts.push(String.fromCharCode.apply(null, this.units));
    this.units.length = 0;
  }
}

/** Line endings to `\n`. */
function normEol(s: string): string {
  let cr = s.indexOf('\r');
  if (cr < 0) return s;
  const out = new TextBuilder();
  let from = 0;
  for (; cr >= 0; cr = s.indexOf('\r', from)) {
    out.add(s, from, cr);
    out.add('\n');
    from = s[cr + 1] === '\n' ? cr + 2 : cr + 1;
  }
  out.add(s, from);
  return out.toString();
}

const BLANK = /\s/;

/** Whether `c` is white space as `\s` and String#trim mean it (false for undefined: past either end). */
function isBlank(c: string | undefined): boolean {
  return c !== undefined && BLANK.test(c);
}

/**
 * One line: trimmed, each line break with the blanks around it (spaces and
 * tabs before it, any white space after it, further line breaks included)
 * turned into a single space: what replacing `[ \t]*\n\s*` with ' ' did, in one pass.
 */
function oneLine(text: string): string {
  const s = normEol(text).trim();
  if (!s.includes('\n')) return s;
  const out = new TextBuilder();
  let from = 0;
  for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', from)) {
    let end = nl;
    while (end > from && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--;
    out.add(s, from, end);
    out.add(' ');
    from = nl + 1;
    while (from < s.length && isBlank(s[from])) from++;
  }
  out.add(s, from);
  return out.toString();
}

const WORD = /[\p{L}\p{N}]/u;
const BACKSLASHED = new Set(['\\', '`', '*', '[', ']', '|', '~', '#']);

/**
 * A word joiner (U+2060, invisible), written as a character reference: put
 * into a URL or an address, it keeps every autolinker from seeing one
 * (`https:/&#8288;/x`, `www&#8288;.x`, `a&#8288;@&#8288;b`).
 * - GFM's extended autolinks (cmark-gfm) find `http://`, `https://`, `ftp://`
 *   and `www.` in the Markdown as written, so a reference splitting them is
 *   enough there; but its e-mail autolinks run on the decoded text of merged
 *   text nodes, and GitHub also links URLs and @mentions in decoded text:
 *   there, backslash escapes and references such as `&#58;` or `&#64;` are
 *   undone and the URL links anyway. A character that is really in the text
 *   (the word joiner) is what stops them.
 * - markdown-it's linkify looks at one text token at a time, and a character
 *   reference is a token of its own, so each side of the joiner is matched
 *   alone. (A literal U+2060 would not do: linkify-it counts it as part of a
 *   host name, and with fuzzy links on still links `www`, U+2060, `.evil.com`.)
 */
const NO_LINK = '&#8288;';

function isW(c: string): boolean {
  return c === 'w' || c === 'W';
}

/**
 * Whether a word joiner goes between `s[i - 1]` and `s[i]` so that nothing
 * around it is linked: between the first two and the last two slashes of a
 * run (`https://`, `//host`, `https:///host`; not all of a long run, which
 * links nothing), after the `www` of `www.` (any case), and between an `@` and
 * what it touches (an e-mail address, an @mention, a `mailto:` address).
 */
function linkBreakBefore(s: string, i: number): boolean {
  if (i === 0) return false;
  const c = s[i];
  const prev = s[i - 1];
  if (c === '/') return prev === '/' && (s[i - 2] !== '/' || s[i + 1] !== '/');
  if (c === '.') return i >= 3 && isW(s[i - 3]) && isW(s[i - 2]) && isW(prev);
  if (c === '@') return prev !== '@' && !isBlank(prev);
  return prev === '@' && !isBlank(c);
}

/**
 * Inline text: HTML-significant characters as entities, Markdown specials
 * backslash-escaped (an intraword `_` is left alone: it cannot emphasise), URLs,
 * `www.` names, e-mail addresses and @mentions broken with an invisible word
 * joiner so that no autolinker links them, and a leading list or heading
 * marker neutralised. Line breaks become spaces.
 */
export function escapeInline(text: string): string {
  const s = oneLine(text);
  if (s === '') return '';
  let out: TextBuilder | undefined; // made at the first character that needs something
  let from = 0; // the characters from here to i need nothing: copied in one go
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    let escaped: string | undefined;
    if (c === '&') escaped = '&amp;';
    else if (c === '<') escaped = '&lt;';
    else if (c === '>') escaped = '&gt;';
    else if (BACKSLASHED.has(c)) escaped = `\\${c}`;
    else if (c === '_' && !(WORD.test(s[i - 1] ?? '') && WORD.test(s[i + 1] ?? ''))) escaped = '\\_';
    const linkBreak = linkBreakBefore(s, i);
    if (escaped === undefined && !linkBreak) continue;
    out ??= new TextBuilder();
    out.add(s, from, i);
    if (linkBreak) out.add(NO_LINK);
    out.add(escaped ?? c);
    from = i + 1;
  }
  out?.add(s, from);
  let md = out ? out.toString() : s;
  // Block markers at the start of a line: a bullet, a setext underline, an ordered-list number.
  if (/^([-+=])(\s|$|\1)/.test(md)) md = `\\${md}`;
  else md = md.replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
  return md;
}

/** Length of the longest run of backticks (a loop: a spread of many runs could overflow the stack). */
function longestBacktickRun(s: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    run = s.charCodeAt(i) === 96 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** An inline code span that holds `text` verbatim (line breaks become spaces). */
export function codeSpan(text: string, inTable = false): string {
  let s = normEol(text).replace(/\n/g, ' ');
  if (s.trim() === '') return '_(empty)_';
  const longest = longestBacktickRun(s);
  const ticks = '`'.repeat(longest + 1);
  if (s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' '))) s = ` ${s} `;
  // In a table, a pipe splits the row even inside a code span; `\|` is read back as `|`.
  if (inTable) s = s.replace(/\|/g, '\\|');
  return `${ticks}${s}${ticks}`;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function fencedBlock(text: string, info = ''): string {
  // Leading line breaks and trailing white space off, without `/^\n+|\s+$/g` (quadratic in a run of blanks).
  const eol = normEol(text);
  let start = 0;
  while (eol[start] === '\n') start++;
  const body = eol.slice(start).trimEnd();
  const longest = longestBacktickRun(body);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${body}\n${fence}`;
}

/**
 * Paragraphs of free text, each escaped as inline text. A blank line (spaces
 * and tabs at most) ends a paragraph: what splitting at `\n[ \t]*\n` did,
 * without making a string of every blank line of a long run of them.
 */
function paragraphs(text: string): string {
  const s = normEol(text);
  const out: string[] = [];
  const add = (from: number, to: number): void => {
    const p = escapeInline(s.slice(from, to));
    if (p !== '') out.push(p);
  };
  let start = 0;
  let nl = s.indexOf('\n');
  while (nl >= 0) {
    let next = nl + 1;
    while (s[next] === ' ' || s[next] === '\t') next++;
    if (s[next] === '\n') {
      add(start, nl);
      start = next + 1;
      nl = s.indexOf('\n', start);
    } else {
      nl = s.indexOf('\n', next);
    }
  }
  add(start, s.length);
  return out.join('\n\n');
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => (c === '' ? '—' : c)).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map((r) => line(header.map((_, i) => r[i] ?? NOT_SPECIFIED)))].join('\n');
}

// ---------------------------------------------------------------------------
// Values

/** A PNode with a non-empty value (not missing, not null, not an empty string). */
function present(n: PNode | undefined): n is PNode {
  if (!n || n.isNull) return false;
  const v = n.scalar;
  return !(typeof v === 'string' && v.trim() === '');
}

function formatNumber(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) < 1000) return String(n);
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? `-${out}` : out;
}

/** Display text (Markdown) of a scalar; gaps and collections are said so. */
function show(n: PNode | undefined): string {
  if (!present(n)) return NOT_SPECIFIED;
  const v = n.scalar;
  if (typeof v === 'string') return escapeInline(v);
  if (typeof v === 'number') return Number.isFinite(v) ? formatNumber(v) : escapeInline(String(v));
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (v !== undefined && v !== null) return escapeInline(String(v));
  if (n.isSeq ? n.items().length === 0 : n.entries().length === 0) return NOT_SPECIFIED;
  return invalid(n, 'a single value');
}

function shapeOf(n: PNode): string {
  return n.isSeq ? 'a list' : n.isMap ? 'a mapping' : 'a single value';
}

/** A value of the wrong shape: said so (the schema rule reports it). */
function invalid(n: PNode, expected: string): string {
  return `_Invalid: ${shapeOf(n)} where ${expected} was expected._`;
}

/** The gap where a list was expected: not specified, or a value of the wrong shape. */
function listGap(n: PNode | undefined): string {
  if (!present(n) || (n.isSeq && n.items().length === 0) || (n.isMap && n.entries().length === 0)) return NOT_SPECIFIED;
  return n.isSeq ? NOT_SPECIFIED : invalid(n, 'a list');
}

/** The gap where a mapping was expected: a scalar is shown as written, a list is flagged. */
function mapGap(n: PNode | undefined): string {
  return present(n) && n.isSeq && n.items().length > 0 ? invalid(n, 'a mapping') : show(n);
}

/** Raw text of a scalar (for code spans), else undefined. */
function raw(n: PNode | undefined): string | undefined {
  if (!present(n)) return undefined;
  const v = n.scalar;
  return v === undefined || v === null ? undefined : String(v);
}

/** A scalar as inline code, or the gap. */
function showCode(n: PNode | undefined, inTable = false): string {
  const s = raw(n);
  return s === undefined ? show(n) : codeSpan(s, inTable);
}

/** A condition (`when`/`expect`) as code, flagged when it is not a threshold. */
function showCondition(n: PNode | undefined, inTable = false): string {
  const s = raw(n);
  if (s === undefined) return show(n);
  const ok = typeof n?.scalar === 'string' && parseCondition(s) !== undefined;
  return ok ? codeSpan(s, inTable) : `${codeSpan(s, inTable)} ⚠ not a measurable threshold`;
}

/** Items of a list; a single scalar counts as one item; undefined when absent, empty or a mapping (see listGap). */
function listItems(n: PNode | undefined): readonly PNode[] | undefined {
  if (!present(n) || n.isMap) return undefined;
  if (n.isSeq) {
    const items = n.items();
    return items.length > 0 ? items : undefined;
  }
  return [n];
}

/** A bulleted or numbered list of text items, or the gap. */
function textList(n: PNode | undefined, numbered: boolean): string {
  const items = listItems(n);
  if (!items) return listGap(n);
  return items.map((it, i) => `${numbered ? `${i + 1}.` : '-'} ${show(it)}`).join('\n');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---------------------------------------------------------------------------
// Sections

function renderHeader(w: Writer, plan: PlanDocument, root: PNode | undefined): void {
  const title = root?.get('title');
  const t = raw(title);
  w.block(`# ${t !== undefined ? escapeInline(t) : 'Untitled migration plan'}`);
  if (!root) {
    w.block(plan.broken ? '> ⚠ The plan could not be read: its YAML has errors. Nothing below is specified.' : '> ⚠ The plan is empty or is not a mapping of plan fields. Nothing below is specified.');
  } else if (plan.broken) {
    w.block('> ⚠ The YAML of this plan has errors: what follows is what could be read, and the rules did not run.');
  }
  if (t === undefined) w.block(`**Title:** ${show(title)}`);
  w.block(`**Owner:** ${show(root?.get('owner'))}`);
  const summary = root?.get('summary');
  const text = typeof summary?.scalar === 'string' ? paragraphs(summary.scalar) : '';
  w.block(text !== '' ? text : `**Summary:** ${show(summary)}`);
}

function renderContext(w: Writer, ctx: PNode | undefined): void {
  w.block('## Before you start');
  if (present(ctx) && !ctx.isMap) {
    w.block(`**Context:** ${invalid(ctx, 'a mapping')}`);
  }
  const c = ctx?.isMap ? ctx : undefined;
  const schemas: Array<[string, PNode | undefined]> = [
    ['Current schema', c?.get('current_schema')],
    ['Target schema', c?.get('target_schema')],
  ];
  const below: string[] = [];
  const schemaCell = (label: string, n: PNode | undefined): string => {
    const s = typeof n?.scalar === 'string' ? n.scalar.trim() : undefined;
    if (s === undefined || s === '') return show(n);
    if (!s.includes('\n') && !s.includes('\r')) return codeSpan(s, true);
    below.push(`**${label}**\n\n${fencedBlock(s)}`);
    return 'Shown below';
  };
  const volume = c?.get('data_volume');
  const volumeItems = listItems(volume);
  const rows: string[][] = [
    ['Engine', show(c?.get('engine'))],
    ...schemas.map(([label, n]) => [label, schemaCell(label, n)]),
    ['Data volume', volumeItems?.length ? `${volumeItems.length} ${volumeItems.length === 1 ? 'table' : 'tables'}, shown below` : listGap(volume)],
    ['Downtime tolerance', downtimeText(c?.get('downtime'))],
    ['Rollback requirements', rollbackRequirementsText(c?.get('rollback_requirements'))],
  ];
  w.block(table(['Context', 'Value'], rows));
  for (const b of below) w.block(b);
  if (volumeItems?.length) {
    w.block('**Data volume**');
    w.block(
      table(
        ['Table', 'Rows', 'Size', 'Growth'],
        volumeItems.map((v) => (v.isMap ? [showCode(v.get('table'), true), show(v.get('rows')), show(v.get('size')), show(v.get('growth'))] : [show(v), '', '', ''])),
      ),
    );
  }
  w.block('**Changes**');
  const changes = listItems(c?.get('changes'));
  w.block(changes ? changes.map((ch) => `- ${changeText(ch)}`).join('\n') : listGap(c?.get('changes')));
}

function downtimeText(n: PNode | undefined): string {
  if (!present(n) || !n.isMap) return mapGap(n);
  const zero = n.get('zero_downtime');
  const window = n.get('window');
  const parts: string[] = [];
  const z = zero?.bool();
  if (z === true) parts.push('zero downtime');
  else if (z === false) parts.push('downtime acceptable');
  else parts.push(`zero downtime: ${show(zero)}`);
  if (present(window) || z === false) parts.push(`window: ${show(window)}`);
  return capitalize(parts.join('; '));
}

function rollbackRequirementsText(n: PNode | undefined): string {
  if (!present(n) || !n.isMap) return mapGap(n);
  const loss = n.get('data_loss_acceptable')?.bool();
  const lossText = loss === true ? 'data loss acceptable' : loss === false ? 'no data loss acceptable' : `data loss acceptable: ${show(n.get('data_loss_acceptable'))}`;
  const time = n.get('max_revert_time');
  return `${present(time) ? `Revert within ${show(time)}` : `Max revert time: ${NOT_SPECIFIED}`}; ${lossText}`;
}

/** `from`/`to` of a change: a string or a list of strings. */
function columns(n: PNode | undefined): string {
  if (!present(n)) return NOT_SPECIFIED;
  if (n.isSeq) {
    const items = n.items();
    return items.length ? items.map((i) => showCode(i)).join(', ') : NOT_SPECIFIED;
  }
  return showCode(n);
}

function changeText(ch: PNode): string {
  if (!ch.isMap) return show(ch);
  const table = raw(ch.get('table'));
  const column = raw(ch.get('column'));
  const target = table === undefined ? `table ${NOT_SPECIFIED}` : codeSpan(column === undefined ? table : `${table}.${column}`);
  let out = `**${show(ch.get('kind'))}** ${target}`;
  const hasFrom = present(ch.get('from'));
  const hasTo = present(ch.get('to'));
  if (hasFrom && hasTo) out += `: ${columns(ch.get('from'))} → ${columns(ch.get('to'))}`;
  else if (hasFrom) out += `: from ${columns(ch.get('from'))}`;
  else if (hasTo) out += `: to ${columns(ch.get('to'))}`;
  if (present(ch.get('note'))) out += ` — ${show(ch.get('note'))}`;
  return out;
}

function renderConsumers(w: Writer, consumers: PNode | undefined): void {
  w.block('## Consumers');
  const items = listItems(consumers);
  if (!items) {
    w.block(listGap(consumers));
    return;
  }
  const rows = items.map((c) => {
    if (!c.isMap) return [show(c), '', '', '', ''];
    const tables = listItems(c.get('tables'));
    return [
      show(c.get('name')),
      show(c.get('kind')),
      show(c.get('access')),
      tables ? tables.map((t) => showCode(t, true)).join(', ') : listGap(c.get('tables')),
      show(c.get('migration_path')),
    ];
  });
  w.block(table(['Name', 'Kind', 'Access', 'Tables', 'Migration path'], rows));
}

function renderAssessment(w: Writer, a: PNode | undefined): void {
  w.block('## Pre-migration assessment');
  if (present(a) && !a.isMap) w.block(`**Assessment:** ${invalid(a, 'a mapping')}`);
  const m = a?.isMap ? a : undefined;
  const baseline = m?.get('baseline');
  const baselineText = present(baseline) && baseline.isMap ? `P50 ${show(baseline.get('p50'))}, P99 ${show(baseline.get('p99'))}` : mapGap(baseline);
  const est = m?.get('duration_estimate');
  let estText = mapGap(est);
  if (present(est) && est.isMap) {
    const measured = present(est.get('measured_on')) ? `, measured ${show(est.get('measured_on'))}` : '';
    estText = `${show(est.get('duration'))} (basis: ${show(est.get('basis'))}${measured})`;
  }
  w.block(
    table(
      ['Assessment', 'Value'],
      [
        ['Foreign keys', show(m?.get('foreign_keys'))],
        ['Baseline latency', baselineText],
        ['Duration estimate', estText],
        ['Backup restore tested', show(m?.get('backup_restore_tested'))],
      ],
    ),
  );
}

// ---------------------------------------------------------------------------
// Phases

interface PhaseView {
  index: number;
  /** The phase when it is a mapping. */
  node?: PNode;
  /** The item as written (for a phase that is not a mapping). */
  item: PNode;
  id?: string;
  /** The kind as written, when it is a string. */
  kindText?: string;
  known: boolean;
  anchor: string;
}

const ANCHOR_SAFE = /^[a-z0-9][a-z0-9-]*$/;

function phaseViews(root: PNode | undefined): PhaseView[] {
  const items = root?.get('phases')?.items() ?? [];
  const used = new Set<string>();
  const ids = new Map<string, number>();
  for (const it of items) {
    const id = it.isMap ? it.get('id')?.text() : undefined;
    if (id !== undefined) ids.set(id, (ids.get(id) ?? 0) + 1);
  }
  return items.map((item, index) => {
    const node = item.isMap ? item : undefined;
    const id = node?.get('id')?.text();
    const kindText = node?.get('kind')?.text();
    let anchor = id !== undefined && ANCHOR_SAFE.test(id) && ids.get(id) === 1 ? `phase-${id}` : `phase-${index + 1}`;
    for (let n = 2; used.has(anchor); n++) anchor = `phase-${index + 1}-${n}`;
    used.add(anchor);
    const known = kindText !== undefined && (PHASE_KINDS as readonly string[]).includes(kindText);
    return { index, item, anchor, known, ...(node ? { node } : {}), ...(id !== undefined ? { id } : {}), ...(kindText !== undefined ? { kindText } : {}) };
  });
}

function kindLabel(p: PhaseView): string {
  if (!p.node) return 'not a mapping';
  if (p.kindText === undefined) return 'kind not specified';
  return p.known ? p.kindText : `unknown kind: ${escapeInline(p.kindText)}`;
}

/** `Phase N: <title or id> (<kind>)` (Markdown, escaped). */
function phaseName(p: PhaseView): string {
  const title = p.node?.get('title')?.text();
  const name = title ?? p.id;
  return name !== undefined ? `Phase ${p.index + 1}: ${escapeInline(name)}` : `Phase ${p.index + 1}`;
}

function phaseHeadingText(p: PhaseView): string {
  return `${phaseName(p)} (${kindLabel(p)})`;
}

interface PointOfNoReturn {
  /** The value when it is a string. */
  value?: string;
  /** Index (in phases) of the first phase with that id. */
  index?: number;
}

function pointOfNoReturn(root: PNode | undefined, phases: PhaseView[]): PointOfNoReturn {
  const value = root?.get('point_of_no_return')?.text();
  if (value === undefined) return {};
  const hit = phases.find((p) => p.id === value);
  return hit ? { value, index: hit.index } : { value };
}

const PONR_SENTENCE = 'From this phase on, rolling back needs a restore from backup.';

function renderPhase(w: Writer, p: PhaseView, ponr: PointOfNoReturn): void {
  const n = p.node;
  if (!n) {
    w.block(`_This phase is not a mapping of phase fields; it is written as:_ ${show(p.item)}`);
    return;
  }
  // The heading shows the id unless the phase has a title.
  if (p.id === undefined || n.get('title')?.text() !== undefined) w.block(`**Id:** ${p.id !== undefined ? codeSpan(p.id) : show(n.get('id'))}`);
  if (ponr.index === p.index) w.block(`> ⚠ **Point of no return.** ${PONR_SENTENCE}`);
  else if (ponr.index !== undefined && p.index > ponr.index) w.block('> ⚠ Past the point of no return: rolling back needs a restore from backup.');

  w.block('**Entry criteria**');
  w.block(textList(n.get('entry'), false));
  w.block('**Steps**');
  w.block(textList(n.get('steps'), true));
  w.block('**Exit criteria**');
  w.block(textList(n.get('exit'), false));

  const settings = kindSettings(p);
  if (settings) {
    w.block(`**${capitalize(p.kindText ?? '')} settings**`);
    w.block(table(['Setting', 'Value'], settings));
  }

  renderChecks(w, n.get('checks'));
  renderTriggers(w, n.get('triggers'));

  w.block('**Rollback procedure**');
  const rb = n.get('rollback');
  const text = typeof rb?.scalar === 'string' ? paragraphs(rb.scalar) : '';
  w.block(text !== '' ? text : show(rb));
}

function kindSettings(p: PhaseView): string[][] | undefined {
  const n = p.node;
  if (!n || !p.known) return undefined;
  switch (p.kindText) {
    case 'backfill': {
      const throttle = n.get('throttle');
      const throttleText = present(throttle) && throttle.isMap ? `max replica lag ${show(throttle.get('max_replica_lag'))}` : mapGap(throttle);
      return [
        ['Batch size', show(n.get('batch_size'))],
        ['Throttle', throttleText],
        ['Idempotent', show(n.get('idempotent'))],
        ['Upsert (the idempotent write)', showCode(n.get('upsert'), true)],
        ['Resume (how a restart continues)', show(n.get('resume'))],
      ];
    }
    case 'cutover':
      return [
        ['Feature flag', showCode(n.get('flag'), true)],
        ['Ramp', rampText(n.get('ramp'))],
        ['Shadow reads', show(n.get('shadow_reads'))],
        ['Soak', show(n.get('soak'))],
        ['Latency budget (P99 over baseline)', show(n.get('latency_budget'))],
      ];
    case 'verification':
      return [['Sign-off', show(n.get('sign_off'))]];
    case 'cleanup':
      return [['Grace period', show(n.get('grace_period'))]];
    default:
      return undefined;
  }
}

function rampText(n: PNode | undefined): string {
  if (!present(n) || !n.isSeq) return n?.isMap ? listGap(n) : show(n);
  const items = n.items();
  if (items.length === 0) return NOT_SPECIFIED;
  return items.map((it) => (it.num() !== undefined ? `${it.num()}%` : show(it))).join(' → ');
}

function renderChecks(w: Writer, checks: PNode | undefined): void {
  w.block('**Integrity checks**');
  const items = listItems(checks);
  if (!items) {
    w.block(listGap(checks));
    return;
  }
  const queries: string[] = [];
  const rows = items.map((c, i) => {
    if (!c.isMap) return [show(c), '', ''];
    const q = c.get('query');
    let query = present(q) ? showCode(q, true) : '—';
    const qs = typeof q?.scalar === 'string' ? q.scalar.trim() : '';
    if (/[\r\n]/.test(qs)) {
      query = `query ${i + 1} below`;
      queries.push(`Query ${i + 1} (${show(c.get('name'))}):\n\n${fencedBlock(qs, 'sql')}`);
    }
    return [show(c.get('name')), query, showCondition(c.get('expect'), true)];
  });
  w.block(table(['Check', 'Query', 'Expect'], rows));
  for (const q of queries) w.block(q);
}

function renderTriggers(w: Writer, triggers: PNode | undefined): void {
  w.block('**Rollback triggers**');
  const items = listItems(triggers);
  if (!items) {
    w.block(listGap(triggers));
    return;
  }
  const rows = items.map((t) => (t.isMap ? [showCondition(t.get('when'), true), show(t.get('action'))] : [show(t), '']));
  w.block(table(['Condition (threshold)', 'Action'], rows));
}

// ---------------------------------------------------------------------------
// Rollback plan and checklist

function renderRollbackPlan(w: Writer, root: PNode | undefined, phases: PhaseView[], ponr: PointOfNoReturn): void {
  w.block('## Rollback plan');
  const req = root?.get('context');
  const reqNode = req?.isMap ? req.get('rollback_requirements') : undefined;
  w.block(`**Requirements:** ${rollbackRequirementsText(reqNode)}`);
  if (phases.length === 0) {
    w.block(`**Phases:** ${listGap(root?.get('phases'))}`);
  } else {
    const rows = phases.map((p) => {
      let name = `${phaseName(p)} (${kindLabel(p)})`;
      if (ponr.index === p.index) name += ' ⚠ point of no return';
      else if (ponr.index !== undefined && p.index > ponr.index) name += ' ⚠ past the point of no return';
      if (!p.node) return [name, NOT_SPECIFIED, NOT_SPECIFIED];
      const triggers = listItems(p.node.get('triggers'));
      const triggerText = triggers ? triggers.map((t) => (t.isMap ? showCondition(t.get('when'), true) : show(t))).join('; ') : listGap(p.node.get('triggers'));
      return [name, show(p.node.get('rollback')), triggerText];
    });
    w.block(table(['Phase', 'How to undo', 'Triggers'], rows));
  }
  if (ponr.value === undefined) {
    w.block(`**Point of no return:** ${NOT_SPECIFIED}`);
  } else if (ponr.index === undefined) {
    w.block(`**Point of no return:** ${codeSpan(ponr.value)}, which names no phase of this plan.`);
  } else {
    const p = phases[ponr.index];
    w.block(`**Point of no return:** ${phaseName(p)} (${codeSpan(ponr.value)}). ⚠ ${PONR_SENTENCE} Earlier phases are undone with their own procedure.`);
  }
}

function renderChecklist(w: Writer, plan: PlanDocument, diagnostics: readonly Diagnostic[], config: LintConfig | undefined): void {
  w.block('## Quality checklist');
  const evaluated = plan.root !== undefined && !plan.broken;
  const results = evaluateChecklist(plan, diagnostics, config);
  w.block(
    results
      .map((r) => {
        const label = escapeInline(capitalize(r.item.label));
        if (!evaluated) return `- [ ] ${label}`;
        switch (r.state) {
          case 'passed':
            return `- [x] ${label}`;
          case 'not-applicable':
            return `- [ ] ${label} — not applicable: ${escapeInline(r.reason)}`;
          case 'unverified':
            return r.placeholders.length > 0
              ? `- [ ] ${label} — unverified: ${escapeInline(r.reason)}`
              : `- [ ] ${label} — unverified: ${r.off.map((x) => codeSpan(x)).join(', ')} turned off by configuration`;
          case 'failed': {
            const rules = [...new Set(diagnostics.filter((d) => r.item.rules.includes(d.rule)).map((d) => d.rule))];
            if (rules.length === 0 && r.firstFailure) rules.push(r.firstFailure.rule);
            return `- [ ] ${label} — ${r.failures} ${r.failures === 1 ? 'problem' : 'problems'} (${rules.map((x) => codeSpan(x)).join(', ')})`;
          }
        }
      })
      .join('\n'),
  );
  if (evaluated) w.block(`**${escapeInline(checklistSummary(results))}.**`);
  if (!evaluated) {
    w.block('_The checklist could not be evaluated: the plan could not be read, so the rules did not run._');
    return;
  }
  const count = (s: string): number => diagnostics.filter((d) => d.severity === s).length;
  const parts = [['error', count('error')], ['warning', count('warning')], ['info', count('info')]] as const;
  const found = parts.filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}${n === 1 ? '' : 's'}`);
  w.block(found.length === 0 ? '`migplan lint` finds no problems in this plan.' : `\`migplan lint\` finds ${found.length > 1 ? `${found.slice(0, -1).join(', ')} and ${found[found.length - 1]}` : found[0]} in this plan.`);
}
