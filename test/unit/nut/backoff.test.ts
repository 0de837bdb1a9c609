import { strict as assert } from 'node:assert';
import { backoffDelay, reconnectPolicy } from '../../../src/nut/backoff';

describe('NUT reconnect backoff', () => {
  const policy = reconnectPolicy(1000, 0);

  it('doubles from the first delay, capped at 30 s, never giving up by default', () => {
    assert.equal(policy.maxRetries, Number.POSITIVE_INFINITY);
    const top = (attempt: number): number => backoffDelay(policy, attempt, () => 1);
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 20].map(top), [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitters between half and all of the delay, so hubs do not reconnect in lockstep', () => {
    assert.equal(backoffDelay(policy, 3, () => 0), 2000);
    assert.equal(backoffDelay(policy, 3, () => 0.5), 3000);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(policy, 3)));
    assert.ok(seen.size > 10);
    for (const delay of seen) assert.ok(delay >= 2000 && delay <= 4000);
  });

  it('takes a retry count, and a first delay above the cap as its own cap', () => {
    assert.equal(reconnectPolicy(500, 5).maxRetries, 5);
    assert.equal(reconnectPolicy(60_000, 0).maxDelayMs, 60_000);
  });
});
