import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Document, type Node as YNode, type Pair, type Scalar } from 'yaml';
import { trimEndOffset } from './text';
import type { Span } from '../types';

export type PathSegment = string | number;

/**
 * A read-only view of one YAML node with its source location, as rules see it.
 *
 * Typed getters (`str`, `num`, `bool`, `list`) return undefined when the value
 * is not of that type: a value of the wrong type is the schema's to report, so
 * rules treat it as absent and stay silent. `has` tells a missing key (a rule's
 * business) from a present one of the wrong type (the schema's).
 */
export class PNode {
  // A long plan's model has a view for most of its nodes, made while it is first linted: few fields,
  // and no more objects per view than needed (each one is copied by the collector while it is young).
  /** Entry views of a mapping (each keyed by its segment) or item views of a sequence, made when first asked for. */
  private children: PNode[] | undefined;
  /** The offset of this block sequence item's `-`: NOT_LOOKED_FOR before it is asked for; NO_DASH when there is none. */
  private dash: number;

  constructor(
    private readonly doc: Document,
    /** The node as written: may be an alias; null for an empty document. */
    readonly src: YNode | null,
    /** The key when this node is a map value. */
    readonly keyNode: Scalar | undefined,
    /** This node's key or index in its parent (undefined for the root). */
    private readonly segment: PathSegment | undefined,
    readonly parent: PNode | undefined,
    /** A block sequence's item: its `-` is looked for in the text when first asked for. */
    blockItem = false,
  ) {
    this.dash = blockItem && src ? NOT_LOOKED_FOR : NO_DASH;
  }

  /** Offset of the `-` when this node is an item of a block sequence. */
  get dashOffset(): number | undefined {
    if (this.dash === NOT_LOOKED_FOR) this.dash = dashBefore(this.doc, this.src!) ?? NO_DASH;
    return this.dash >= 0 ? this.dash : undefined;
  }

  /** Keys and indexes from the root to this node. */
  get path(): readonly PathSegment[] {
    return this.parent && this.segment !== undefined ? [...this.parent.path, this.segment] : [];
  }

  /** The node with aliases resolved (null when empty or unresolvable). */
  get node(): YNode | null {
    const src = this.src;
    if (!src || !isAlias(src)) return src;
    let n = aliasTargets.get(this);
    if (n === undefined) {
      let at: YNode | null | undefined = src;
      const index = anchorIndex(this.doc);
      for (let hops = 0; at && isAlias(at) && hops < 64; hops++) at = (index.has(at) ? index.get(at) : at.resolve(this.doc)) ?? null;
      n = at && isAlias(at) ? null : (at ?? null);
      aliasTargets.set(this, n);
    }
    return n;
  }

  get isMap(): boolean {
    return isMap(this.node);
  }

  get isSeq(): boolean {
    return isSeq(this.node);
  }

  get isNull(): boolean {
    const n = this.node;
    return n === null || (isScalar(n) && n.value === null);
  }

  /** Whether this node is written as a flow collection (`{}` / `[]`). */
  get isFlow(): boolean {
    const n = this.node;
    return (isMap(n) || isSeq(n)) && n.flow === true;
  }

  private pairs(): Pair[] {
    const n = this.node;
    return isMap(n) ? (n.items as Pair[]) : [];
  }

  /** Key text of a pair, when it is a plain scalar key. */
  private static keyText(pair: Pair): string | undefined {
    const k = pair.key;
    if (isScalar(k)) return k.value === null ? undefined : String(k.value);
    return undefined;
  }

  private findPair(key: string): Pair | undefined {
    // Indexed loops in the model's hot paths: cold (not yet optimized) code allocates an iterator
    // result per step of a for-of, a measurable share of a long plan's first lint.
    const pairs = this.pairs();
    for (let i = 0; i < pairs.length; i++) if (PNode.keyText(pairs[i]) === key) return pairs[i];
    return undefined;
  }

  has(key: string): boolean {
    return this.findPair(key) !== undefined;
  }

  /**
   * The string under `key`, as `get(key)?.str()` gives it, without making
   * views of this mapping's entries (the phase list reads a long plan's ids
   * and kinds this way).
   */
  strAt(key: string): string | undefined {
    const v = this.findPair(key)?.value;
    if (isScalar(v)) return typeof v.value === 'string' ? v.value : undefined;
    return isAlias(v) ? this.get(key)?.str() : undefined;
  }

  /** The value under `key` (a null-valued PNode for `key:` with nothing after it). */
  get(key: string): PNode | undefined {
    const entries = this.entryNodes();
    for (let i = 0; i < entries.length; i++) if (entries[i].segment === key) return entries[i];
    return undefined;
  }

  /** Keys in source order with their values. */
  entries(): ReadonlyArray<readonly [string, PNode]> {
    return this.entryNodes().map((v) => [v.segment as string, v] as const);
  }

  /** The entries' views, made once per node (rules and features ask for them again and again). */
  private entryNodes(): PNode[] {
    if (this.children) return this.children;
    const n = this.node;
    if (!isMap(n)) return NO_VIEWS;
    const pairs = n.items as Pair[];
    const out = new Array<PNode>(pairs.length); // sized once: these live as long as the model
    let count = 0;
    for (let i = 0; i < pairs.length; i++) {
      const p = pairs[i];
      const k = PNode.keyText(p);
      if (k === undefined) continue;
      out[count++] = new PNode(this.doc, (p.value as YNode | null) ?? null, isScalar(p.key) ? p.key : undefined, k, this);
    }
    out.length = count;
    this.children = out;
    return out;
  }

  /** How many items (a sequence) or keyed entries (a mapping) this node has, without making their views. */
  get size(): number {
    const n = this.node;
    if (isSeq(n)) return n.items.length;
    if (!isMap(n)) return 0;
    if (this.children) return this.children.length;
    let count = 0;
    const pairs = n.items as Pair[];
    for (let i = 0; i < pairs.length; i++) if (PNode.keyText(pairs[i]) !== undefined) count++;
    return count;
  }

  keys(): string[] {
    return this.entries().map(([k]) => k);
  }

  /** Items of a sequence (empty when not a sequence). */
  items(): readonly PNode[] {
    if (this.children) return this.children;
    const n = this.node;
    if (!isSeq(n)) return NO_VIEWS;
    const out = n.items.map((item, i) => {
      const node = (item as YNode | null) ?? null;
      return new PNode(this.doc, node, undefined, i, this, node !== null && !n.flow);
    });
    this.children = out;
    return out;
  }

  /** The scalar value, whatever its type; undefined for collections. */
  get scalar(): unknown {
    const n = this.node;
    return isScalar(n) ? n.value : undefined;
  }

  str(): string | undefined {
    const v = this.scalar;
    return typeof v === 'string' ? v : undefined;
  }

  /** A non-empty string (after trimming), else undefined. */
  text(): string | undefined {
    const s = this.str();
    return s !== undefined && s.trim() !== '' ? s : undefined;
  }

  num(): number | undefined {
    const v = this.scalar;
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  }

  bool(): boolean | undefined {
    const v = this.scalar;
    return typeof v === 'boolean' ? v : undefined;
  }

  /** Items of a sequence of strings; undefined when not a sequence of strings. */
  strings(): string[] | undefined {
    if (!this.isSeq) return undefined;
    const out: string[] = [];
    for (const it of this.items()) {
      const s = it.str();
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }

  /**
   * Span of the node as written: [start, valueEnd). It ends at the node's last
   * character: block collections and block scalars (`|`, `>`) do not carry
   * their trailing line breaks.
   */
  get span(): Span {
    const r = this.src?.range;
    if (r) {
      const text = sources.get(this.doc);
      if (text === undefined) return [r[0], r[1]];
      return [r[0], trimEndOffset(text, r[0], r[1])];
    }
    const k = this.keySpan;
    return k ?? [0, 0];
  }

  /**
   * Span of the node itself, aliases resolved: where an edit inside this
   * collection must go (an alias token has no room for one).
   */
  get resolvedSpan(): Span {
    const n = this.node;
    if (!n || n === this.src || !n.range) return this.span;
    const text = sources.get(this.doc);
    return [n.range[0], text === undefined ? n.range[1] : trimEndOffset(text, n.range[0], n.range[1])];
  }

  /** The key's span, without trailing whitespace (yaml counts a lone `\r` line break into a key). */
  get keySpan(): Span | undefined {
    const r = this.keyNode?.range;
    if (!r) return undefined;
    const text = sources.get(this.doc);
    return [r[0], text === undefined ? r[1] : trimEndOffset(text, r[0], r[1])];
  }

  /**
   * Where a diagnostic about this value goes: the value when present and
   * non-empty, else its key.
   */
  get reportSpan(): Span {
    if (!this.isNull && this.src) return this.span;
    return this.keySpan ?? this.span;
  }

  /** Span of the first key of a map (a list item's `- id:` line). */
  get firstKeySpan(): Span | undefined {
    const first = this.pairs()[0];
    const r = first && isScalar(first.key) ? first.key.range : undefined;
    return r ? [r[0], r[1]] : undefined;
  }

  /**
   * Where a diagnostic about a field missing from this map goes: the map's
   * key (`context:`), or for a list item or the root, its first key.
   */
  get missingSpan(): Span {
    if (this.keyNode) return this.keySpan!;
    return this.firstKeySpan ?? this.span;
  }

  /** The YAML node as written (for fix builders). */
  get yaml(): YNode | null {
    return this.src;
  }

  /** The pair holding this value, when it is a map value. */
  get pair(): Pair | undefined {
    const p = this.parent?.node;
    if (!isMap(p)) return undefined;
    for (const item of p.items) if (isPair(item) && item.key === this.keyNode) return item;
    return undefined;
  }
}

const sources = new WeakMap<Document, string>();

/**
 * What each alias of a document stands for: the last node anchored with its
 * name before it, found in one pass over the document. (The yaml package's
 * Alias.resolve walks the whole document for each alias: a plan with many
 * aliases would take time quadratic in its size.)
 */
const anchorIndexes = new WeakMap<Document, Map<YNode, YNode | undefined>>();

function anchorIndex(doc: Document): Map<YNode, YNode | undefined> {
  let index = anchorIndexes.get(doc);
  if (index) return index;
  const built = new Map<YNode, YNode | undefined>();
  const anchors = new Map<string, YNode>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) built.set(node, anchors.get(node.source));
    else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.set(node.anchor, node);
  });
  index = built;
  anchorIndexes.set(doc, index);
  return index;
}

/** The nodes aliases resolve to (an alias's anchor is looked up through the whole document). */
const aliasTargets = new WeakMap<PNode, YNode | null>();

/** PNode.dash before the `-` was looked for, and when there is none. */
const NOT_LOOKED_FOR = -2;
const NO_DASH = -1;

/** No views: what a scalar has for entries and items. */
const NO_VIEWS = Object.freeze([]) as unknown as PNode[];

/** The offset of the `-` indicator before a block sequence item, when there is one on its line. */
function dashBefore(doc: Document, node: YNode): number | undefined {
  const text = sources.get(doc);
  const start = node.range?.[0];
  if (text === undefined || start === undefined) return undefined;
  let i = start - 1;
  while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
  if (text[i] === '-') return i;
  // `- # note` with the item's content on the next lines: the dash is on a line above,
  // past line breaks, blank lines and comments.
  for (let lines = 0; lines < 50 && (text[i] === '\n' || text[i] === '\r'); lines++) {
    const end = text[i] === '\n' && text[i - 1] === '\r' ? i - 1 : i;
    const from = Math.max(text.lastIndexOf('\n', end - 1), text.lastIndexOf('\r', end - 1)) + 1;
    const line = text.slice(from, end);
    const hash = /(^|[ \t])#/.exec(line);
    const content = (hash ? line.slice(0, hash.index) : line).trimEnd();
    if (content.trim() === '') {
      i = from - 1;
      continue;
    }
    const dash = from + content.length - 1;
    return content.endsWith('-') && (content.length === 1 || /[ \t]/.test(content[content.length - 2])) ? dash : undefined;
  }
  return undefined;
}

/** Registers the source text of a document so sequence items can find their dashes. */
export function registerSource(doc: Document, text: string): void {
  sources.set(doc, text);
}
