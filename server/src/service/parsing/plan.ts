import { Composer, Parser, isMap, isScalar, isSeq, type Document, type Node as YNode } from 'yaml';
import { COMPOSE_OPTIONS, fastParse, fastReparse, isFastDocument, plainJS, plainValue, type Reparsed } from './fastParse';
import { PNode, registerSource } from './node';
import { hasLoneCr, LineIndex, stripBom } from './text';
import type { Span } from '../types';

export const PHASE_KINDS = ['dual-write', 'backfill', 'cutover', 'verification', 'cleanup', 'custom'] as const;
export type PhaseKind = (typeof PHASE_KINDS)[number];

export interface Phase {
  node: PNode;
  index: number;
  /** The id when it is a string. */
  id?: string;
  /** The kind when it is one of the known kinds. */
  kind?: PhaseKind;
}

/** A problem found before the rules run (YAML syntax, size, root shape). */
export interface ParseProblem {
  rule: 'yaml-syntax' | 'schema';
  span: Span;
  message: string;
}

export interface ParseOptions {
  /** Texts longer than this (UTF-16 code units) are not analysed. Default 5 MiB. */
  maxLength?: number;
  /** false: always parse with the `yaml` package, never the fast path (for tests comparing the two). */
  fast?: boolean;
}

export const DEFAULT_MAX_LENGTH = 5 * 1024 * 1024;

/** YAML errors reported at most: past the first few, more are noise (one bad bracket can cause thousands). */
const MAX_YAML_ERRORS = 25;

/** yaml error codes after which the tree is still trustworthy enough to run the rules on. */
const SOFT_ERRORS = new Set(['DUPLICATE_KEY', 'TAG_RESOLVE_FAILED', 'BAD_ALIAS', 'MULTIPLE_DOCS']);

/** One parsed plan: text, YAML document with ranges, and the plan model. Parse once per version. */
export class PlanDocument {
  readonly text: string;
  readonly bom: boolean;
  readonly lines: LineIndex;
  readonly doc: Document | undefined;
  /** The root when it is a mapping. */
  readonly root: PNode | undefined;
  readonly problems: ParseProblem[] = [];
  /** True when the YAML has errors that make the tree unreliable (rules are skipped). */
  readonly broken: boolean = false;
  private phaseList: Phase[] | undefined;
  private yamlLineIndex: LineIndex | undefined;
  private jsonValue: { value?: unknown } | undefined;
  /** How many versions in a row reused this document's nodes (0: parsed from scratch). */
  readonly generation: number = 0;
  /** Set once a later version took this plan's document over: its nodes have moved. */
  private consumed = false;
  /** The previous version's plain data and what changed since, when this plan reused its nodes. */
  private jsonBase: { json: unknown; change: Reparsed } | undefined;

  /**
   * @param previous holds the plan of the document's previous version, when
   * there is one: its nodes are reused where the text did not change (see
   * fastReparse). The plan is taken out of the holder, so that a model that
   * cannot be reused is not kept alive while this one is built, and must not
   * be used afterwards.
   */
  constructor(source: string, options: ParseOptions = {}, previous?: { plan?: PlanDocument }) {
    const { text, bom } = stripBom(source);
    this.text = text;
    this.bom = bom;
    this.lines = new LineIndex(text);
    const max = options.maxLength ?? DEFAULT_MAX_LENGTH;
    if (text.length > max) {
      this.problems.push({
        rule: 'yaml-syntax',
        span: [0, Math.min(text.length, this.lines.lineEnd(0))],
        message: `The plan is ${formatMiB(text.length)} long, over the ${formatMiB(max)} limit; it was not analysed. Split it or raise the limit.`,
      });
      this.broken = true;
      return;
    }
    // The fast path reads plain block YAML (no deeper than MAX_NESTING); the yaml package the rest.
    let fast: Document | undefined;
    if (options.fast !== false) {
      const reused = previous ? reuse(previous, text, bom) : undefined;
      if (reused) {
        fast = reused.doc;
        this.generation = reused.generation;
        // The plain data of the phases the edit left alone is the previous version's.
        if (reused.json !== undefined) this.jsonBase = { json: reused.json, change: reused.change };
      } else fast = fastParse(text, MAX_NESTING);
    }
    const deep = fast ? undefined : nestingBeyond(text, MAX_NESTING);
    if (deep !== undefined) {
      // The yaml package recurses per level and, past the stack, reports errors that vary from run to run.
      this.problems.push({ rule: 'yaml-syntax', span: [deep, Math.min(text.length, deep + 1)], message: `The YAML is nested more than ${MAX_NESTING} levels deep here; a plan never needs that. Flatten it.` });
      this.broken = true;
      return;
    }
    let doc: Document | undefined;
    if (fast) doc = fast;
    else try {
      const docs = withoutStackTraces(() => {
        const tokens = new Parser().parse(text);
        const composer = new Composer(COMPOSE_OPTIONS);
        const out: Document.Parsed[] = [];
        for (const d of composer.compose(tokens, true)) {
          out.push(d);
          if (out.length === 2) break;
        }
        return out;
      });
      doc = docs[0] as Document | undefined;
      if (docs[1]) {
        const start = docs[1].range[0];
        this.problems.push({ rule: 'yaml-syntax', span: [start, Math.max(start, this.lines.lineEnd(this.lines.lineOf(start)))], message: 'A plan is one YAML document; remove the second document (after `---`).' });
      }
    } catch (err) {
      // The yaml package recurses on nesting; a pathological document can exhaust the stack.
      const deep = err instanceof RangeError;
      this.problems.push({
        rule: 'yaml-syntax',
        span: [0, this.lines.lineEnd(0)],
        message: deep ? 'The YAML is nested too deeply to be read.' : `The YAML could not be read: ${errorMessage(err)}`,
      });
      this.broken = true;
      return;
    }
    this.doc = doc;
    if (doc) registerSource(doc, text);
    let broken = false;
    // Warnings (such as an unresolved custom tag) are errors of the format too.
    const yamlErrors = [...(doc?.errors ?? []), ...(doc?.warnings ?? [])];
    for (const e of yamlErrors.slice(0, MAX_YAML_ERRORS)) {
      const [s, en] = e.pos;
      const end = e.code === 'DUPLICATE_KEY' ? s + keyLength(text, s) : Math.max(en, s);
      this.problems.push({ rule: 'yaml-syntax', span: [s, end], message: yamlMessage(e.code, e.message) });
    }
    if (yamlErrors.length > MAX_YAML_ERRORS) {
      const last = this.problems[this.problems.length - 1];
      last.message += `. There are ${yamlErrors.length - MAX_YAML_ERRORS} more YAML errors after it; fix these first.`;
    }
    if (yamlErrors.some((e) => !SOFT_ERRORS.has(e.code))) broken = true;
    if (!fast) this.reportControlCharacters(); // the fast path takes no text with any
    if (this.reportRepeatedYamlDirective()) broken = true;
    this.broken = broken;
    const contents = doc?.contents ?? null;
    if (contents === null || (isScalar(contents) && contents.value === null)) {
      if (!broken) this.problems.push({ rule: 'schema', span: [0, 0], message: 'The plan is empty. Start from `migplan init` or the "plan" snippet: a plan is a mapping with migplan, title, owner and phases.' });
      return;
    }
    if (!isMap(contents)) {
      if (!broken) {
        const what = isSeq(contents) ? 'a list' : 'a single value';
        const [s, e] = contents.range ?? [0, 0];
        this.problems.push({ rule: 'schema', span: [s, Math.min(e, this.lines.lineEnd(this.lines.lineOf(s)))], message: `The plan is ${what}; it must be a mapping with migplan, title, owner and phases at the top level.` });
      }
      return;
    }
    this.root = new PNode(doc!, contents as YNode, undefined, undefined, undefined);
  }

  /**
   * YAML allows only printable characters (tab, line breaks and no other C0
   * control, no DEL); the yaml package accepts them, so they are reported here.
   * A few at most: a binary file would otherwise give thousands.
   */
  /**
   * A second `%YAML` directive before the same document, which the YAML spec
   * forbids and the yaml package silently accepts. Whether one was reported.
   */
  private reportRepeatedYamlDirective(): boolean {
    if (!this.text.includes('%YAML')) return false;
    const re = /^(%YAML\b|---|\.\.\.)(?=[ \t\r\n]|$)/gm;
    let seen = false;
    for (let m = re.exec(this.text); m; m = re.exec(this.text)) {
      if (m[1] !== '%YAML') seen = false;
      else if (!seen) seen = true;
      else {
        const end = this.lines.lineEnd(this.lines.lineOf(m.index));
        this.problems.push({ rule: 'yaml-syntax', span: [m.index, end], message: 'The %YAML directive may appear once per document; remove this one.' });
        return true;
      }
    }
    return false;
  }

  private reportControlCharacters(): void {
    const re = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g;
    let count = 0;
    for (let m = re.exec(this.text); m && count < 5; m = re.exec(this.text), count++) {
      const code = m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      this.problems.push({ rule: 'yaml-syntax', span: [m.index, m.index + 1], message: `Control character U+${code} is not allowed in YAML; remove it (is this a binary file or a bad copy-paste?).` });
    }
  }

  /** The phases that are mappings, in order. */
  get phases(): Phase[] {
    if (this.phaseList) return this.phaseList;
    const list: Phase[] = [];
    const phases = this.root?.get('phases');
    phases?.items().forEach((node, index) => {
      if (!node.isMap) return;
      const id = node.strAt('id');
      const k = node.strAt('kind');
      const kind = k !== undefined && (PHASE_KINDS as readonly string[]).includes(k) ? (k as PhaseKind) : undefined;
      list.push({ node, index, id, kind });
    });
    this.phaseList = list;
    return list;
  }

  /**
   * The plan as plain data (for the JSON Schema), aliases expanded up to a
   * bound. Undefined when the root is not a mapping or expansion was cut off
   * (then a yaml-syntax problem says so).
   */
  get json(): unknown {
    if (this.jsonValue) return this.jsonValue.value;
    this.jsonValue = {};
    if (!this.doc || !this.root) return undefined;
    try {
      this.jsonValue.value = this.jsonBase ? patchedJSON(this.jsonBase.json, this.jsonBase.change) : isFastDocument(this.doc) ? plainJS(this.doc) : this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      this.jsonBase = undefined;
    } catch (err) {
      const anchor = firstAlias(this.text);
      this.problems.push({
        rule: 'yaml-syntax',
        span: anchor ?? [0, this.lines.lineEnd(0)],
        message: err instanceof RangeError
          ? 'The YAML is nested too deeply to be read.'
          : `Aliases expand to too many nodes (${errorMessage(err)}); a plan does not need alias chains this large.`,
      });
    }
    return this.jsonValue.value;
  }

  /**
   * This plan's document re-parsed where `text` differs from this plan's text
   * (for the next version's plan), or undefined when that is not possible.
   * On success this plan is consumed: its nodes have moved.
   */
  takeOver(text: string, bom: boolean): { doc: Document; generation: number; change: Reparsed; json: unknown } | undefined {
    const doc = this.doc;
    if (this.consumed || !doc || this.broken || bom !== this.bom || !isFastDocument(doc)) return undefined;
    const change = fastReparse(doc, this.text, text, MAX_NESTING);
    if (!change) return undefined;
    this.consumed = true;
    return { doc, generation: this.generation + 1, change, json: this.jsonValue?.value };
  }

  /**
   * The text's lines as YAML reads them (a lone CR is no line break there):
   * what edits are laid out by. The same index as `lines` unless the text
   * has a lone CR.
   */
  get yamlLines(): LineIndex {
    if (this.yamlLineIndex === undefined) this.yamlLineIndex = hasLoneCr(this.text) ? new LineIndex(this.text, true) : this.lines;
    return this.yamlLineIndex;
  }

  /** The text of a span. */
  slice(span: Span): string {
    return this.text.slice(span[0], span[1]);
  }
}

/**
 * The plain data of a plan whose phases changed: the previous version's, with
 * the changed phases' data replaced (the rest is shared, and never modified).
 */
function patchedJSON(previous: unknown, change: Reparsed): unknown {
  const prev = previous as { phases: unknown[] };
  const phases = prev.phases.slice(0, change.first).concat(change.added.map(plainValue), prev.phases.slice(change.first + change.removed));
  return { ...prev, phases };
}

/** The previous version's document brought up to date with `text`, when only its phases changed. */
function reuse(holder: { plan?: PlanDocument }, text: string, bom: boolean): ReturnType<PlanDocument['takeOver']> {
  const prev = holder.plan;
  holder.plan = undefined;
  return prev?.takeOver(text, bom);
}

/**
 * Nesting deeper than this (flow brackets, or block indentation in columns) is
 * refused before parsing: the yaml package and its visitors recurse per level.
 * A plan nests about ten levels.
 */
export const MAX_NESTING = 200;

/**
 * The offset where nesting goes beyond `max`, if it does: flow collections
 * (`[`/`{` outside quotes and comments) open there plus the column of the
 * line's content (indentation and compact `- ` indicators). One linear scan;
 * conservative (a column counts as a level).
 */
export function nestingBeyond(text: string, max: number): number | undefined {
  let depth = 0;
  let quote = '';
  let lineStart = true;
  let indent = 0;
  // The last significant character on the line outside quotes ('' at its start): a bracket or a
  // quote opens a collection or a quoted scalar only where a value starts, else it is plain text.
  let prev = '';
  let lineFrom = 0;
  let lineSpaces = 0;
  // Inside the text of a block scalar (`|`, `>`): the indentation of the line that opened it.
  let blockIndent = -1;
  let quoteIndent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || c === '\r') {
      if (!quote && depth === 0 && isBlockHeader(stripLineComment(text.slice(lineFrom, i)))) blockIndent = lineSpaces;
      if (quote) {
        // A quoted scalar does not go on past a line indented no more than the one it began on:
        // the yaml package ends it there (missing its closing quote) and reads on.
        let e = i + 1;
        while (e < text.length && text[e] === ' ') e++;
        if (e < text.length && text[e] !== '\n' && text[e] !== '\r' && e - (i + 1) <= quoteIndent) quote = '';
      }
      lineStart = true;
      indent = 0;
      prev = '';
      lineFrom = i + 1;
      lineSpaces = 0;
      if (blockIndent >= 0) {
        // Lines of a block scalar's text (blank, or more indented than its header) are text.
        let e = i + 1;
        while (e < text.length && text[e] === ' ') e++;
        const blank = e >= text.length || text[e] === '\n' || text[e] === '\r';
        if (blank || e - (i + 1) > blockIndent) {
          while (e < text.length && text[e] !== '\n' && text[e] !== '\r') e++;
          i = e - 1;
          lineFrom = e;
          continue;
        }
        blockIndent = -1;
      }
      continue;
    }
    if (lineStart) {
      // Indentation, and the indicators of compact nested collections (`- - - x`, `? - x`):
      // each adds a level of block nesting, on top of any open flow collections.
      const next = text[i + 1];
      const indicator = (c === '-' || c === '?' || c === ':') && (next === ' ' || next === '\t');
      if (c === ' ' || c === '\t' || indicator) {
        if (c === ' ' && !indicator && prev === '') lineSpaces++;
        if (indicator) prev = c;
        if (++indent + depth > max) return i;
        continue;
      }
      lineStart = false;
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) {
        quote = '';
        prev = c;
      }
      continue;
    }
    const atValue = prev === '' || prev === ':' || prev === '-' || prev === '?' || (depth > 0 && (prev === '[' || prev === '{' || prev === ','));
    if (c === ' ' || c === '\t') continue;
    // A quote opens a quoted scalar only where one can start (after `: `, not `a:'b`); a quote
    // taken for one that is not would hide brackets, so this errs towards plain text.
    const spaced = i > 0 && (text[i - 1] === ' ' || text[i - 1] === '\t');
    if ((c === '"' || c === "'") && atValue && (prev === '' || prev === '[' || prev === '{' || prev === ',' || spaced)) {
      quote = c;
      quoteIndent = lineSpaces;
    }
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i + 1 < text.length && text[i + 1] !== '\n' && text[i + 1] !== '\r') i++;
      continue;
    } else if ((c === '[' || c === '{') && (atValue || depth > 0)) {
      if (++depth + indent > max) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    prev = c;
  }
  return undefined;
}

/**
 * Whether a line ends with a block scalar's header: `key: |`, `- >-`, `|2`,
 * `key: &anchor !tag |` (comment stripped). What
 * `/(?:^|[:?-])[ \t]+(?:[&!]\S*[ \t]+)*[|>][1-9+-]{0,2}$|^[ \t]*[|>][1-9+-]{0,2}$/`
 * matches, read back from the end of the line once: that regular expression
 * tries every `:`, `?` and `-` of the line and from each reads on over the
 * anchors and tags after it, which on a long line of them (`a: &b: &b: ...`)
 * takes time quadratic in its length.
 */
function isBlockHeader(line: string): boolean {
  const isBlank = (c: string): boolean => c === ' ' || c === '\t';
  // The header: `|` or `>` and at most two of [1-9+-] (never `|` or `>`: it can only start here).
  let i = line.length;
  for (let k = 0; k < 2 && i > 0 && /[1-9+-]/.test(line[i - 1]); k++) i--;
  if (i === 0 || (line[i - 1] !== '|' && line[i - 1] !== '>')) return false;
  let at = i - 1;
  if (at === 0) return true;
  if (!isBlank(line[at - 1])) return false;
  // Back over `[ \t]+`, then an anchor or tag (a whole run of non-spaces after blanks) and blanks
  // again, until the `:`, `?` or `-` that ends a run, or the start of the line.
  for (;;) {
    let q = at - 1;
    while (q >= 0 && isBlank(line[q])) q--;
    if (q < 0) return true;
    const c = line[q];
    if (c === ':' || c === '?' || c === '-') return true;
    if (/\s/.test(c)) return false;
    let t = q;
    while (t > 0 && !/\s/.test(line[t - 1])) t--;
    if ((line[t] !== '&' && line[t] !== '!') || t === 0 || !isBlank(line[t - 1])) return false;
    at = t;
  }
}

function stripLineComment(line: string): string {
  const m = /(^|[ \t])#/.exec(line);
  return (m ? line.slice(0, m.index) : line).trimEnd();
}

/** How many alias expansions `toJS` allows per document before giving up (an alias bomb). */
export const MAX_ALIAS_COUNT = 1000;

function firstAlias(text: string): Span | undefined {
  const m = /(^|[\s,[{:-])\*[^\s,[\]{}]+/m.exec(text);
  if (!m) return undefined;
  const start = m.index + m[1].length;
  return [start, start + m[0].length - m[1].length];
}

/**
 * How many errors and warnings the yaml package reports for a text (all
 * documents), or Infinity when it cannot read it. Used to check that a fix
 * does not break the file.
 */
export function yamlErrorCount(text: string): number {
  if (nestingBeyond(text, MAX_NESTING) !== undefined) return Infinity;
  if (fastParse(text, MAX_NESTING)) return 0;
  try {
    return withoutStackTraces(() => {
      let n = 0;
      const composer = new Composer(COMPOSE_OPTIONS);
      for (const d of composer.compose(new Parser().parse(text), true)) n += d.errors.length + d.warnings.length;
      return n;
    });
  } catch {
    return Infinity;
  }
}

/**
 * Runs `fn` with Error objects that capture no stack trace. The yaml package
 * makes an error object per problem, and a text can have one per character
 * (a run of `{`): capturing a stack for each was nine tenths of the time
 * spent on such a text. The errors' messages and positions are kept.
 */
export function withoutStackTraces<T>(fn: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Length of the (plain or quoted) mapping key starting at `offset`. */
function keyLength(text: string, offset: number): number {
  const m = /^(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^:#\n]*?(?=[ \t]*:))/.exec(text.slice(offset, offset + 1024));
  return m && m[0].length > 0 ? m[0].length : 1;
}

function formatMiB(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** yaml's messages, made to say what to do where they are terse. */
function yamlMessage(code: string, message: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (/Maximum call stack size exceeded/.test(message)) return 'The YAML is nested too deeply to be read.';
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'Duplicate key: each key may appear once in a mapping; merge the two entries.';
    case 'TAB_AS_INDENT':
      return 'Tabs are not allowed for indentation in YAML; indent with spaces.';
    case 'TAG_RESOLVE_FAILED':
      return `${first}. Custom tags are not part of the plan format; remove the tag.`;
    default:
      return first;
  }
}
