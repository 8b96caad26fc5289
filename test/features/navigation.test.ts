/**
 * Go to definition (point_of_no_return → the phase id) and find references
 * (a phase id ↔ the point of no return).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { definition, references } from '../../server/src/service/features/navigation';
import type { Span } from '../../server/src/service/types';
import { EXAMPLE_TEXT, offsetOf, parse } from './helpers';

describe('navigation', () => {
  const plan = parse(EXAMPLE_TEXT);
  const ponrValue = offsetOf(EXAMPLE_TEXT, 'point_of_no_return: cleanup', 'point_of_no_return: '.length);
  const cleanupId = offsetOf(EXAMPLE_TEXT, '  - id: cleanup', '  - id: '.length);
  const span = (start: number, text: string): Span => [start, start + text.length];

  it('goes from point_of_no_return to the phase id, from anywhere in the value', () => {
    for (const delta of [0, 3, 'cleanup'.length]) assert.deepEqual(definition(plan, ponrValue + delta), span(cleanupId, 'cleanup'));
  });

  it('has no definition elsewhere (the key, an id, another value)', () => {
    assert.equal(definition(plan, ponrValue - 5), undefined);
    assert.equal(definition(plan, cleanupId), undefined);
    assert.equal(definition(plan, offsetOf(EXAMPLE_TEXT, 'soak: 24h', 7)), undefined);
    assert.equal(definition(parse('point_of_no_return: nowhere\nphases:\n  - id: a\n'), 20), undefined);
  });

  it('finds the id and the point of no return from either end', () => {
    const both = [span(cleanupId, 'cleanup'), span(ponrValue, 'cleanup')];
    assert.deepEqual(references(plan, cleanupId + 2, true), both);
    assert.deepEqual(references(plan, ponrValue, true), both);
    assert.deepEqual(references(plan, cleanupId, false), [span(ponrValue, 'cleanup')]);
    assert.deepEqual(references(plan, offsetOf(EXAMPLE_TEXT, '  - id: backfill', 8), true), [span(offsetOf(EXAMPLE_TEXT, '  - id: backfill', 8), 'backfill')]);
    assert.deepEqual(references(plan, offsetOf(EXAMPLE_TEXT, 'kind: backfill', 7), true), []);
  });

  it('round trip: the definition of the point of no return is among its references', () => {
    const def = definition(plan, ponrValue)!;
    const refs = references(plan, def[0], true);
    assert.ok(refs.some((r) => r[0] === def[0] && r[1] === def[1]));
    assert.ok(refs.some((r) => r[0] === ponrValue));
    for (const r of refs) assert.equal(EXAMPLE_TEXT.slice(r[0], r[1]), 'cleanup');
  });

  it('with duplicate ids: every declaration, and the definition is the first', () => {
    const text = 'phases:\n  - id: a\n  - id: a\npoint_of_no_return: a\n';
    const p = parse(text);
    const at = text.indexOf('point_of_no_return: a') + 20;
    assert.deepEqual(definition(p, at), [text.indexOf('id: a') + 4, text.indexOf('id: a') + 5]);
    assert.equal(references(p, at, true).length, 3);
  });

  it('with a quoted point of no return and on broken or empty text', () => {
    const text = 'phases:\n  - id: clean\npoint_of_no_return: "clean"\n';
    assert.deepEqual(definition(parse(text), text.indexOf('"clean"') + 2), [text.indexOf('clean'), text.indexOf('clean') + 5]);
    for (const t of ['', 'a: [', '- x\n', 'point_of_no_return:\n', 'phases: 3\npoint_of_no_return: a\n']) {
      const p = parse(t);
      for (let o = 0; o <= t.length; o++) {
        assert.doesNotThrow(() => definition(p, o));
        assert.doesNotThrow(() => references(p, o, true));
      }
    }
  });
});
