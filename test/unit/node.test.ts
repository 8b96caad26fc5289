import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanDocument } from '../../server/src/service/parsing/plan';

describe('PNode', () => {
  it('counts items and keyed entries without building their views, as items() and keys() count them', () => {
    for (const fast of [true, false]) {
      const plan = new PlanDocument('a: [x, y, z]\nb:\n  - 1\n  - 2\nc: {k: 1, [n]: 2, l: 3}\nd: []\ne: {}\nf: text\ng:\n', { fast });
      const root = plan.root!;
      for (const [key, size] of [['a', 3], ['b', 2], ['c', 2], ['d', 0], ['e', 0], ['f', 0], ['g', 0]] as const) {
        const node = root.get(key)!;
        assert.equal(node.size, size, `${key} (fast: ${fast})`);
        assert.equal(node.size, node.isSeq ? node.items().length : node.keys().length, `${key}: as the views count`);
      }
      assert.equal(root.size, 7);
    }
  });

  it('finds the dash of a block sequence item when asked, and none in a flow sequence', () => {
    const text = 'a:\n  - x\n  -   y\n  - # note\n    k: v\nb: [p, q]\n';
    const root = new PlanDocument(text, {}).root!;
    const dashes = root.get('a')!.items().map((i) => i.dashOffset);
    assert.deepEqual(dashes, [text.indexOf('- x'), text.indexOf('-   y'), text.indexOf('- # note')]);
    assert.deepEqual(root.get('b')!.items().map((i) => i.dashOffset), [undefined, undefined]);
    assert.equal(root.dashOffset, undefined);
  });
});
