import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lint } from '../../server/src/service/linting/lint';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import { findIgnoreComments } from '../../server/src/service/linting/suppress';

const BASE = `migplan: 1
title: t
owner: o
phases:
  - id: cutover
    kind: cutover
    flag: f
    ramp: [1, 10, 50, 100]
`;

describe('suppressions', () => {
  it('finds the node below a comment: a whole list item, or a map entry with all under it', () => {
    const text = `${BASE}  # migplan-ignore cutover-soak -- r1

  # another comment
  - id: x
    kind: custom
z: 1 # migplan-ignore schema -- r2
`;
    const plan = new PlanDocument(text);
    const [a, b] = findIgnoreComments(plan);
    assert.equal(a.rule, 'cutover-soak');
    assert.equal(a.reason, 'r1');
    assert.equal(plan.slice(a.target!).trimEnd(), '- id: x\n    kind: custom');
    assert.equal(b.rule, 'schema');
    assert.equal(plan.slice(b.target!), 'z: 1');
  });

  it('ignores the marker inside strings and block scalars', () => {
    const text = `title: "# migplan-ignore schema -- nope"\nsummary: |\n  # migplan-ignore schema -- nope\n`;
    assert.deepEqual(findIgnoreComments(new PlanDocument(text)), []);
  });

  it('silences only its rule, only inside its node; stacked comments all apply', () => {
    const text = `${BASE}    # migplan-ignore cutover-soak -- agreed with SRE
    # migplan-ignore cutover-shadow-reads -- reads are replayed offline
    soak: 1h
`;
    const rules = lint(text).diagnostics.map((d) => d.rule);
    assert.ok(!rules.includes('cutover-soak'), 'cutover-soak silenced');
    // shadow_reads is missing: its diagnostic sits on the phase's first key, outside the `soak` node.
    assert.ok(rules.includes('cutover-shadow-reads'), 'a diagnostic outside the node stays');
    assert.ok(rules.includes('unused-ignore'));
  });

  it('a comment without a reason silences nothing and is reported once', () => {
    const text = `${BASE}    soak: 1h # migplan-ignore cutover-soak\n`;
    const d = lint(text).diagnostics;
    assert.ok(d.some((x) => x.rule === 'cutover-soak'));
    assert.deepEqual(d.filter((x) => x.rule === 'ignore-reason' || x.rule === 'unused-ignore').map((x) => x.rule), ['ignore-reason']);
  });

  it('does not call an ignore unused when configuration turns its rule off', () => {
    const text = `${BASE}    soak: 1h # migplan-ignore cutover-soak -- agreed\n`;
    const d = lint(text, { config: { rules: { 'cutover-soak': 'off' } } }).diagnostics;
    assert.deepEqual(d.filter((x) => x.rule === 'unused-ignore'), []);
  });
});
