import { strict as assert } from 'node:assert';
import { FailedAuthLimiter } from '../../../src/api/failed-auth-limiter';

describe('FailedAuthLimiter', () => {
  let now: number;
  let limiter: FailedAuthLimiter;

  beforeEach(() => {
    now = 1_000_000;
    limiter = new FailedAuthLimiter({ maxFailures: 10, windowMs: 60_000, now: () => now });
  });

  it('lets nine failures pass and blocks the address from the tenth until the window ends', () => {
    for (let failure = 1; failure <= 9; failure += 1) {
      limiter.recordFailure('10.0.0.1');
      assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, `after ${failure} failures`);
    }
    now += 10_000;
    limiter.recordFailure('10.0.0.1');
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 50_000, 'blocked until 60 s after the first failure');
    now += 49_999;
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 1);
    now += 1;
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'the window has passed');
    limiter.recordFailure('10.0.0.1');
    assert.equal(limiter.retryAfterMs('10.0.0.1'), 0, 'a new window starts counting from one');
  });

  it('counts each address on its own', () => {
    for (let failure = 0; failure < 10; failure += 1) limiter.recordFailure('10.0.0.1');
    assert.ok(limiter.retryAfterMs('10.0.0.1') > 0);
    assert.equal(limiter.retryAfterMs('10.0.0.2'), 0);
  });

  it('forgets the oldest address when it tracks too many', () => {
    const small = new FailedAuthLimiter({ maxFailures: 1, windowMs: 60_000, now: () => now, maxTracked: 2 });
    small.recordFailure('a');
    small.recordFailure('b');
    small.recordFailure('c');
    assert.equal(small.retryAfterMs('a'), 0, 'a was dropped');
    assert.ok(small.retryAfterMs('b') > 0 && small.retryAfterMs('c') > 0);
  });
});
