/**
 * PostgreSQL's own parser (the `libpg-query` package, its WASM build), loaded
 * once and off the keystroke path: `loadSqlParser()` starts it (the language
 * server at start, the CLI before it lints), and until it is ready
 * `parseSql` answers undefined, so the rules that need it stay silent and the
 * server lints again once it has loaded. Parses are cached by text: an edit
 * re-parses only the SQL it changed.
 */

/** A statement of a parse: its AST node (libpg-query's JSON) and where it is in the text. */
export interface SqlStatement {
  /** The node under `stmt`, e.g. `{ SelectStmt: {...} }`. */
  stmt: unknown;
  /** UTF-16 offset in the text of the statement's first character (leading white space included, as PostgreSQL counts). */
  start: number;
  /** UTF-16 offset just past the statement (before its `;`). */
  end: number;
  /** The statement's byte offset in the UTF-8 text, as the AST's locations count (`stmt_location`). */
  byteStart: number;
  /** Its length in bytes, when PostgreSQL gives it (`stmt_len`; not for the last statement). */
  byteLength?: number;
}

export interface SqlSyntaxError {
  message: string;
  /** UTF-16 offset in the text where PostgreSQL places the error. */
  position: number;
}

export interface SqlParse {
  statements: SqlStatement[];
  error?: SqlSyntaxError;
  /** Byte offsets of the text (AST locations) to UTF-16 offsets. */
  offsetOfByte(byte: number): number;
}

interface PgQuery {
  loadModule(): Promise<void>;
  parseSync(sql: string): { stmts?: Array<{ stmt: unknown; stmt_location?: number; stmt_len?: number }> };
}

type State = 'unloaded' | 'loading' | 'ready' | 'failed';

let state: State = 'unloaded';
let pgQuery: PgQuery | undefined;
let loading: Promise<void> | undefined;
let failure: string | undefined;
const listeners: Array<() => void> = [];

/** Where the parser is: not asked for yet, loading, ready, or failed to load (with why). */
export function sqlParserState(): { state: State; failure?: string } {
  return failure !== undefined ? { state, failure } : { state };
}

/** Starts loading the parser (once); resolves when it is ready, or when it failed (see sqlParserState). */
export function loadSqlParser(): Promise<void> {
  if (loading) return loading;
  state = 'loading';
  loading = (async () => {
    try {
      // Required here, not at the top: requiring it starts compiling its WASM.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, on purpose
      const m = require('libpg-query') as PgQuery;
      await m.loadModule();
      pgQuery = m;
      state = 'ready';
    } catch (err) {
      state = 'failed';
      failure = err instanceof Error ? err.message : String(err);
    }
    for (const l of listeners.splice(0)) l();
  })();
  return loading;
}

/** Calls `fn` once the parser has loaded (or failed to); at once when it already has. */
export function onSqlParserLoaded(fn: () => void): void {
  if (state === 'ready' || state === 'failed') fn();
  else listeners.push(fn);
}

/** Parses kept: every SQL value of a long plan (a 30,000-line plan has about 3,500), and the previous version of the ones an edit changes. */
const CACHE_SIZE = 20000;
const cache = new Map<string, SqlParse>();

/** The parse of a SQL text (cached by text), or undefined while the parser is not loaded. */
export function parseSql(text: string): SqlParse | undefined {
  if (!pgQuery) return undefined;
  const hit = cache.get(text);
  if (hit) {
    // Most recently used last.
    cache.delete(text);
    cache.set(text, hit);
    return hit;
  }
  const parse = parseNow(pgQuery, text);
  cache.set(text, parse);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return parse;
}

function parseNow(m: PgQuery, text: string): SqlParse {
  const offsetOfByte = byteToUtf16(text);
  if (text.trim() === '') return { statements: [], offsetOfByte };
  try {
    const r = m.parseSync(text);
    const stmts = r.stmts ?? [];
    const statements = stmts.map((s, i): SqlStatement => {
      const startByte = s.stmt_location ?? 0;
      const endByte = s.stmt_len !== undefined && s.stmt_len > 0 ? startByte + s.stmt_len : i + 1 < stmts.length ? (stmts[i + 1].stmt_location ?? 0) : Infinity;
      const start = offsetOfByte(startByte);
      const st: SqlStatement = { stmt: s.stmt, start, end: endByte === Infinity ? statementEnd(text, start) : offsetOfByte(endByte), byteStart: startByte };
      if (s.stmt_len !== undefined && s.stmt_len > 0) st.byteLength = s.stmt_len;
      return st;
    });
    return { statements, offsetOfByte };
  } catch (err) {
    const details = (err as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
    // The parser's JavaScript side recurses per level of nesting: past its stack, the SQL cannot be read here.
    if (err instanceof RangeError) return { statements: [], error: { message: 'the SQL is nested too deeply for migplan to read (split the expression)', position: 0 }, offsetOfByte };
    const message = details?.message ?? (err instanceof Error ? err.message : String(err));
    // PostgreSQL counts the error's position in characters (code points), 0-based here.
    const position = details?.cursorPosition !== undefined ? codePointToUtf16(text, details.cursorPosition) : 0;
    return { statements: [], error: { message, position }, offsetOfByte };
  }
}

/** How deep the SQL layer's recursive readers may go into a statement's AST (a chain `1 + 1 + …` of 2,000 terms overflows their stack). */
export const MAX_AST_DEPTH = 600;

const depths = new WeakMap<object, boolean>();

/** Whether a statement's AST is nested deeper than MAX_AST_DEPTH (measured without recursion; cached per node). */
export function tooDeep(stmt: unknown): boolean {
  if (typeof stmt !== 'object' || stmt === null) return false;
  const hit = depths.get(stmt);
  if (hit !== undefined) return hit;
  let deep = false;
  const stack: Array<[unknown, number]> = [[stmt, 0]];
  while (stack.length > 0 && !deep) {
    const [v, d] = stack.pop()!;
    if (d > MAX_AST_DEPTH) deep = true;
    else if (Array.isArray(v)) for (const x of v) stack.push([x, d + 1]);
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
  }
  depths.set(stmt, deep);
  return deep;
}

/** The last statement ends at the text's end, less a trailing `;` and white space. */
function statementEnd(text: string, start: number): number {
  let e = text.length;
  while (e > start && /[\s;]/.test(text[e - 1])) e--;
  return e;
}

/** UTF-16 offset of the code point at index `cp`. */
export function codePointToUtf16(text: string, cp: number): number {
  let i = 0;
  for (let k = 0; k < cp && i < text.length; k++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < text.length ? 2 : 1;
  }
  return Math.min(i, text.length);
}

/** A function from UTF-8 byte offsets of `text` to UTF-16 offsets (the identity for ASCII text). */
export function byteToUtf16(text: string): (byte: number) => number {
  if (/^[\x00-\x7f]*$/.test(text)) return (b) => Math.max(0, Math.min(b, text.length));
  const bytes: number[] = []; // bytes[i] = byte offset of UTF-16 index i
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    bytes.push(b);
    const c = text.charCodeAt(i);
    if (c < 0x80) b += 1;
    else if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      bytes.push(b + 1); // the low surrogate: inside the same code point (a byte offset never lands there)
      b += 4;
      i++;
    } else b += 3;
  }
  bytes.push(b);
  return (byte) => {
    let lo = 0;
    let hi = bytes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bytes[mid] <= byte) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
}
