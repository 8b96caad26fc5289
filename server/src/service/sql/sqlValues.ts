/**
 * The SQL a plan carries (with `context.dialect: postgresql`): which fields
 * hold it, its text, and where each of its characters is in the plan, so that
 * a problem PostgreSQL's parser finds at a position of the SQL becomes a
 * diagnostic at the exact line and column in the plan, through block scalars
 * (literal and folded), plain and quoted scalars with escapes, and CRLF; or in
 * a file that a `{file: path}` value names.
 */
import type { PathSegment, PNode } from '../parsing/node';
import type { PlanDocument } from '../parsing/plan';
import { LineIndex } from '../parsing/text';
import type { Span } from '../types';

/** What a SQL value is for. */
export type SqlKind = 'current_schema' | 'target_schema' | 'sql' | 'rollback_sql' | 'upsert' | 'query' | 'seed' | 'writes';

/** Where a SQL value's text is, and how its offsets map to the plan's. */
export type SqlSource =
  | {
      kind: 'inline';
      /** The plan offset of each UTF-16 offset of the SQL (its length + 1 entries: the last is its end). */
      offsets: Int32Array | undefined;
      /** True when the characters could not be placed one by one (a folded scalar, or an escape misread): offsets then fall on the value's start. */
      approximate: boolean;
      folded: boolean;
    }
  | {
      kind: 'file';
      /** As written in the plan. */
      written: string;
      /** Absolute, when resolved. */
      absolute?: string;
      /** The `file` value's node. */
      fileNode: PNode;
      /** Why the file gave no SQL: missing, unreadable, outside the repository. */
      error?: string;
    };

export interface SqlValue {
  /** Stable, readable id: `context.current_schema`, `phases[2].sql`, `phases[2].checks[1].query`. */
  id: string;
  kind: SqlKind;
  path: readonly PathSegment[];
  /** The value's node (a string, or the `{file: …}` mapping). */
  node: PNode;
  /** The index of the phase it belongs to. */
  phaseIndex?: number;
  /** The SQL, when there is any. */
  text?: string;
  source: SqlSource;
}

/**
 * How a plan reads `{file: path}` values (the service itself does no I/O):
 * a path as written resolves to an absolute one, relative to the plan's
 * folder and inside its repository, or to why not; an absolute path reads to
 * its text, or to why not.
 */
export interface SqlFiles {
  resolve(written: string): { absolute: string } | { error: string };
  read(absolute: string): { text: string } | { error: string };
}

/** The dialect the plan opts into, when it does. */
export function dialectOf(plan: PlanDocument): string | undefined {
  const ctx = plan.root?.get('context');
  return ctx?.isMap ? ctx.get('dialect')?.str() : undefined;
}

/** Whether the plan carries SQL that migplan reads (`context.dialect: postgresql`). */
export function hasSqlDialect(plan: PlanDocument): boolean {
  return dialectOf(plan) === 'postgresql';
}

const cache = new WeakMap<PlanDocument, SqlValue[]>();

/** The SQL values of a plan, in document order (cached per plan); none without the dialect. */
export function sqlValues(plan: PlanDocument, files?: SqlFiles): SqlValue[] {
  let out = cache.get(plan);
  if (out) return out;
  out = [];
  if (plan.root && hasSqlDialect(plan)) collect(plan, files, out);
  cache.set(plan, out);
  return out;
}

function collect(plan: PlanDocument, files: SqlFiles | undefined, out: SqlValue[]): void {
  const root = plan.root!;
  const add = (node: PNode | undefined, kind: SqlKind, p: PathSegment[], phaseIndex?: number): void => {
    if (!node) return;
    const v = valueOf(plan, node, kind, p, files);
    if (v) {
      if (phaseIndex !== undefined) v.phaseIndex = phaseIndex;
      out.push(v);
    }
  };
  const ctx = root.get('context');
  if (ctx?.isMap) {
    add(ctx.get('current_schema'), 'current_schema', ['context', 'current_schema']);
    add(ctx.get('target_schema'), 'target_schema', ['context', 'target_schema']);
  }
  const rehearsal = root.get('rehearsal');
  if (rehearsal?.isMap) {
    add(rehearsal.get('seed'), 'seed', ['rehearsal', 'seed']);
    add(rehearsal.get('writes'), 'writes', ['rehearsal', 'writes']);
  }
  for (const phase of plan.phases) {
    const n = phase.node;
    const base: PathSegment[] = ['phases', phase.index];
    add(n.get('sql'), 'sql', [...base, 'sql'], phase.index);
    if (phase.kind === 'backfill') add(n.get('upsert'), 'upsert', [...base, 'upsert'], phase.index);
    n.get('checks')?.items().forEach((check, k) => {
      if (check.isMap) add(check.get('query'), 'query', [...base, 'checks', k, 'query'], phase.index);
    });
    add(n.get('rollback_sql'), 'rollback_sql', [...base, 'rollback_sql'], phase.index);
  }
}

function idOf(p: readonly PathSegment[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function valueOf(plan: PlanDocument, node: PNode, kind: SqlKind, p: PathSegment[], files: SqlFiles | undefined): SqlValue | undefined {
  const id = idOf(p);
  const text = node.str();
  if (text !== undefined) {
    const mapped = mapScalar(plan, node, text);
    return { id, kind, path: p, node, text, source: { kind: 'inline', ...mapped } };
  }
  if (!node.isMap) return undefined; // another type: the schema's
  const fileNode = node.get('file');
  const written = fileNode?.str();
  if (!fileNode || written === undefined) return undefined;
  const source: SqlSource = { kind: 'file', written, fileNode };
  const v: SqlValue = { id, kind, path: p, node, source };
  if (!files) {
    source.error = 'cannot be read here';
    return v;
  }
  const resolved = files.resolve(written);
  if ('error' in resolved) {
    source.error = resolved.error;
    return v;
  }
  const absolute = resolved.absolute;
  source.absolute = absolute;
  const read = files.read(absolute);
  if ('error' in read) source.error = read.error;
  else v.text = read.text;
  return v;
}

// --------------------------------------------------------------- positions

/**
 * Where each character of a scalar's value is in the plan: the value is
 * walked against its source (indentation, line breaks and quotes skipped,
 * escapes decoded), and every character must be found there; else the
 * mapping is approximate (every offset on the value's start).
 */
function mapScalar(plan: PlanDocument, node: PNode, value: string): { offsets: Int32Array | undefined; approximate: boolean; folded: boolean } {
  const y = node.node as { type?: string; range?: [number, number, number] } | null;
  const range = y?.range;
  const type = y?.type;
  const folded = type === 'BLOCK_FOLDED';
  if (!range) return { offsets: undefined, approximate: true, folded };
  const text = plan.text;
  let start = range[0];
  const end = range[1];
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    // The text starts on the line after the header (`|-`, `>2 # a comment`).
    const nl = text.indexOf('\n', start);
    start = nl < 0 || nl >= end ? end : nl + 1;
  } else if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') start++;
  const offsets = align(value, text, start, end, type === 'QUOTE_DOUBLE', type === 'QUOTE_SINGLE');
  return offsets ? { offsets, approximate: folded, folded } : { offsets: undefined, approximate: true, folded };
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
  N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
};

/** A double-quoted escape at `p` (at the `\`): the characters it stands for and its length; undefined when it is not one. */
function escapeAt(src: string, p: number): { chars: string; length: number } | undefined {
  const c = src[p + 1];
  if (c === undefined) return undefined;
  if (c === '\n' || c === '\r') {
    // An escaped line break: nothing, and the next line's indentation goes too.
    let q = p + 1;
    if (src[q] === '\r' && src[q + 1] === '\n') q++;
    q++;
    while (src[q] === ' ' || src[q] === '\t') q++;
    return { chars: '', length: q - p };
  }
  if (c in ESCAPES) return { chars: ESCAPES[c], length: 2 };
  const hex = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hex > 0) {
    const digits = src.slice(p + 2, p + 2 + hex);
    if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return undefined;
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff) return undefined;
    return { chars: String.fromCodePoint(cp), length: 2 + hex };
  }
  return undefined;
}

/** The source offset of each value character (and of its end), or undefined when the value cannot be found in the source. */
function align(value: string, src: string, from: number, to: number, doubleQuoted: boolean, singleQuoted: boolean): Int32Array | undefined {
  const out = new Int32Array(value.length + 1);
  let p = from;
  let i = 0;
  while (i < value.length) {
    if (p >= to) return undefined;
    const s = src[p];
    if (doubleQuoted && s === '\\') {
      const e = escapeAt(src, p);
      if (!e) return undefined;
      if (e.chars === '') {
        p += e.length;
        continue;
      }
      if (value.startsWith(e.chars, i)) {
        for (let k = 0; k < e.chars.length; k++) out[i + k] = p;
        i += e.chars.length;
        p += e.length;
        continue;
      }
      return undefined;
    }
    if (singleQuoted && s === "'" && src[p + 1] === "'") {
      if (value[i] !== "'") return undefined;
      out[i++] = p;
      p += 2;
      continue;
    }
    if (s === value[i]) {
      out[i++] = p++;
      continue;
    }
    // What the value does not hold: indentation, line breaks (folded into a space or dropped), a CR of a CRLF.
    if (s === ' ' || s === '\t' || s === '\n' || s === '\r') {
      // A folded line break is a space in the value, found here at the break.
      if (value[i] === ' ' && (s === '\n' || s === '\r')) {
        out[i++] = p;
        p++;
        while (p < to && (src[p] === '\r' || src[p] === '\n')) p++;
        continue;
      }
      p++;
      continue;
    }
    return undefined;
  }
  out[value.length] = Math.min(p, to);
  return out;
}

/** The plan span of a SQL value's span [s, e) (UTF-16 offsets of its text), for an inline value. */
export function planSpan(v: SqlValue, s: number, e: number): Span {
  const src = v.source;
  if (src.kind !== 'inline' || !src.offsets) {
    const at = v.node.reportSpan;
    return src.kind === 'file' ? src.fileNode.reportSpan : [at[0], Math.min(at[1], at[0] + 1)];
  }
  const o = src.offsets;
  const a = o[Math.max(0, Math.min(s, o.length - 1))];
  const lastChar = Math.max(s, Math.min(e, o.length - 1) - 1);
  const b = e > s ? o[Math.min(lastChar, o.length - 1)] + 1 : a;
  return [a, Math.max(a, b)];
}

/**
 * Where to report something at UTF-16 offsets [s, e) of a SQL value: its
 * place in the plan for inline SQL; for a file, the `file` value, with the
 * place in the file as a related location.
 */
export function sqlReportAt(v: SqlValue, s: number, e: number, what: string): { span: Span; related?: Array<{ span: Span; message: string; file: { path: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } } }> } {
  if (v.source.kind === 'file') {
    const span = v.source.fileNode.reportSpan;
    if (!v.source.absolute || v.text === undefined) return { span };
    // Lines as the editor counts them in the file: CRLF, CR and LF end one (a file from an old Mac has CRs only).
    const lines = fileLines(v.text);
    const range = lines.rangeOf([Math.max(0, Math.min(s, v.text.length)), Math.max(0, Math.min(Math.max(s, e), v.text.length))]);
    return { span, related: [{ span, message: what, file: { path: v.source.absolute, range } }] };
  }
  return { span: planSpan(v, s, e) };
}

let lastFile: { text: string; lines: LineIndex } | undefined;

/** The line index of a file's text (the last one kept: the reports on one file come together). */
function fileLines(text: string): LineIndex {
  if (lastFile?.text !== text) lastFile = { text, lines: new LineIndex(text) };
  return lastFile.lines;
}

/**
 * An edit inserting `insert` before the SQL's UTF-16 offset `at`, when the SQL
 * is written in the plan character for character (not in a file, not folded);
 * `asLine`: on a line of its own before the line `at` is on, when `at` starts
 * its line in a literal block (`|`), written at that line's indentation and
 * followed by the plan's line break.
 */
export function sqlInsertion(plan: PlanDocument, v: SqlValue, at: number, insert: string, asLine = false): { span: Span; text: string } | undefined {
  const src = v.source;
  if (src.kind !== 'inline' || !src.offsets || src.approximate) return undefined;
  const o = src.offsets[Math.max(0, Math.min(at, src.offsets.length - 1))];
  const y = v.node.node as { type?: string } | null;
  if (!asLine) {
    // Written as the scalar's style writes it: the SQL must read back with `insert` in it, and the YAML stay sound.
    let flow = false;
    for (let n = v.node.parent; n && !flow; n = n.parent) flow = n.isFlow;
    const text = inScalar(y?.type, insert, plan.text[o - 1], o === src.offsets[0], flow);
    return text === undefined ? undefined : { span: [o, o], text };
  }
  if (y?.type !== 'BLOCK_LITERAL') return undefined;
  const lines = plan.yamlLines;
  const lineStart = lines.lineStart(lines.lineOf(o));
  const indent = plan.text.slice(lineStart, o);
  if (!/^[ \t]*$/.test(indent)) return undefined;
  const eol = plan.text.includes('\r\n') ? '\r\n' : '\n';
  return { span: [lineStart, lineStart], text: insert.split('\n').map((l) => indent + l).join(eol) + eol };
}

/**
 * `insert` as it must be written inside a scalar of YAML type `type`, placed
 * after the character `before` (at the value's first character when
 * `atStart`; inside a flow collection when `flow`): quotes doubled in a
 * single-quoted scalar, escaped in a double-quoted one; undefined where the
 * style cannot hold it as it is (a line break in a single-quoted or block
 * scalar; in a plain one, what would end it or start a comment).
 */
function inScalar(type: string | undefined, insert: string, before: string | undefined, atStart: boolean, flow: boolean): string | undefined {
  switch (type) {
    case 'QUOTE_DOUBLE':
      return insert.replace(/[\\"\x00-\x1f\x7f]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
    case 'QUOTE_SINGLE':
      // A line break there is folded into a space.
      return /[\r\n]/.test(insert) ? undefined : insert.replace(/'/g, "''");
    case 'PLAIN':
      if (/[\r\n\t]|:(?:[ ]|$)| #/.test(insert) || (flow && /[,[\]{}]/.test(insert))) return undefined;
      if (atStart && /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(insert)) return undefined;
      if (before === ':' && /^ /.test(insert)) return undefined;
      if ((before === ' ' || before === '\t') && insert.startsWith('#')) return undefined;
      return insert;
    case 'BLOCK_LITERAL':
      // The next line would need the block's indentation.
      return /[\r\n]/.test(insert) ? undefined : insert;
    default:
      return undefined;
  }
}
