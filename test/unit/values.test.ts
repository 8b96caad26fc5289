import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conditionDurationMs, formatDuration, parseCondition, parseDuration, parsePercentage, parseReleases, parseSize } from '../../server/src/service/parsing/values';

describe('values', () => {
  it('parses durations in every unit and rejects spaces or unknown units', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('5s'), 5000);
    assert.equal(parseDuration('1.5m'), 90_000);
    assert.equal(parseDuration('24h'), 86_400_000);
    assert.equal(parseDuration('14d'), 14 * 86_400_000);
    assert.equal(parseDuration('2w'), 14 * 86_400_000);
    for (const bad of ['5 s', '5', 's', '5sec', '-5s', '5S', '']) assert.equal(parseDuration(bad), undefined, bad);
  });

  it('parses percentages, sizes and release spans', () => {
    assert.equal(parsePercentage('0.1%'), 0.1);
    assert.equal(parsePercentage('10 %'), undefined);
    assert.equal(parseSize('21GiB'), 21 * 1024 ** 3);
    assert.equal(parseSize('3MB'), 3e6);
    assert.equal(parseSize('3mb'), undefined);
    assert.equal(parseReleases('1 release'), 1);
    assert.equal(parseReleases('2 releases'), 2);
    assert.equal(parseReleases('two releases'), undefined);
  });

  it('formats durations for people', () => {
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(90_000), '1m 30s');
    assert.equal(formatDuration(26 * 3_600_000), '1d 2h');
  });

  it('parses every condition form of the spec', () => {
    assert.deepEqual(parseCondition('replica_lag > 30s for 1m'), { metric: 'replica_lag', op: '>', value: { number: 30, unit: 's' }, ofBaseline: false, forMs: 60_000 });
    assert.deepEqual(parseCondition('count(new) = count(old)'), { metric: 'count(new)', op: '=', otherMetric: 'count(old)', ofBaseline: false });
    assert.deepEqual(parseCondition('p99 <= 110% of baseline'), { metric: 'p99', op: '<=', value: { number: 110, unit: '%' }, ofBaseline: true });
    assert.deepEqual(parseCondition('dual_write_error_rate>0.1%for 5m'), undefined, '"for" needs a space before it');
    assert.deepEqual(parseCondition('errors>=5 rows'), { metric: 'errors', op: '>=', value: { number: 5, unit: 'rows' }, ofBaseline: false });
    assert.equal(parseCondition('lag != 250ms')?.value?.unit, 'ms', 'ms wins over m');
    assert.equal(parseCondition('size < 2 GiB')?.value?.unit, 'GiB');
    assert.equal(parseCondition('p99 > 2x of baseline for 10m')?.forMs, 600_000);
    for (const vague of ['if something goes wrong', 'latency looks bad', 'errors > many things', 'Replica_lag > 5s', 'replica_lag >', '> 5s', 'replica_lag ~ 5s']) assert.equal(parseCondition(vague), undefined, vague);
  });

  it('reads condition thresholds as durations (unitless counts as seconds)', () => {
    assert.equal(conditionDurationMs(parseCondition('replica_lag > 30s')!), 30_000);
    assert.equal(conditionDurationMs(parseCondition('replica_lag > 30')!), 30_000);
    assert.equal(conditionDurationMs(parseCondition('replica_lag > 2m')!), 120_000);
    assert.equal(conditionDurationMs(parseCondition('replica_lag > 5%')!), undefined);
    assert.equal(conditionDurationMs(parseCondition('replica_lag > other_metric')!), undefined);
  });
});
