import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlanDocument } from '../../server/src/service/parsing/plan';
import { LineIndex, detectEol } from '../../server/src/service/parsing/text';

describe('LineIndex', () => {
  it('maps offsets and positions both ways with LF, CRLF and CR', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = ['a: 1', 'bb: 2', '', 'c: 3'].join(eol);
      const idx = new LineIndex(text);
      assert.equal(idx.lineCount, 4);
      for (let o = 0; o <= text.length; o++) {
        const p = idx.positionAt(o);
        // Offsets inside a CRLF pair map to the end of the line.
        if (text[o - 1] === '\r' && text[o] === '\n') continue;
        assert.equal(idx.offsetAt(p), o, `${JSON.stringify(eol)} offset ${o}`);
      }
      assert.equal(idx.lineText(1), 'bb: 2');
      assert.deepEqual(idx.positionAt(text.length), { line: 3, character: 4 });
    }
  });

  it('counts UTF-16 code units and clamps out-of-range positions', () => {
    const idx = new LineIndex('title: 🚀 go\nx: y');
    assert.deepEqual(idx.positionAt(idx.text.indexOf('go')), { line: 0, character: 10 });
    assert.equal(idx.offsetAt({ line: 0, character: 999 }), idx.lineEnd(0));
    assert.equal(idx.offsetAt({ line: 99, character: 0 }), idx.text.length);
    assert.equal(idx.offsetAt({ line: -1, character: 5 }), 0);
  });

  it('detects the line ending', () => {
    assert.equal(detectEol('a\r\nb'), '\r\n');
    assert.equal(detectEol('a\nb'), '\n');
    assert.equal(detectEol('a'), '\n');
  });

  it('does not count a byte-order mark', () => {
    const plan = new PlanDocument('\uFEFFmigplan: 1\n');
    assert.equal(plan.bom, true);
    assert.deepEqual(plan.lines.positionAt(plan.root!.firstKeySpan![0]), { line: 0, character: 0 });
  });
});

describe('positions inside a CRLF', () => {
  it('map to the end of the line, never past it', () => {
    const idx = new LineIndex('ab\r\ncd');
    assert.deepEqual(idx.positionAt(3), { line: 0, character: 2 });
    assert.deepEqual(idx.positionAt(4), { line: 1, character: 0 });
  });
});
