import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ServiceError } from '../../src/core/errors.js';
import { ConcurrencyGate, type ConcurrencyLease } from '../../src/invoke/concurrency.js';

const lease = (l: ConcurrencyLease | ServiceError): ConcurrencyLease => {
  assert.ok(
    !(l instanceof ServiceError),
    `throttled: ${String(l instanceof ServiceError && l.fields.Reason)}`,
  );
  return l;
};
const reason = (l: ConcurrencyLease | ServiceError): unknown => {
  assert.ok(l instanceof ServiceError, 'expected a throttle');
  assert.equal(l.statusCode, 429);
  return l.fields.Reason;
};

test('reserved concurrency caps one function; 0 throttles everything', () => {
  const gate = new ConcurrencyGate(1000);
  const a = lease(gate.tryAcquire('f', 2, 2));
  lease(gate.tryAcquire('f', 2, 2));
  assert.equal(
    reason(gate.tryAcquire('f', 2, 2)),
    'ReservedFunctionConcurrentInvocationLimitExceeded',
  );
  a.release();
  a.release();
  lease(gate.tryAcquire('f', 2, 2));
  assert.equal(
    reason(gate.tryAcquire('zero', 0, 2)),
    'ReservedFunctionConcurrentInvocationLimitExceeded',
  );
});

test('unreserved functions share what reservations leave of the account limit', () => {
  const gate = new ConcurrencyGate(110);
  const held = Array.from({ length: 100 }, (_, i) =>
    lease(gate.tryAcquire(`u${i % 3}`, undefined, 10)),
  );
  assert.equal(reason(gate.tryAcquire('u9', undefined, 10)), 'ConcurrentInvocationLimitExceeded');
  // A reserved function is not limited by the shared pool.
  lease(gate.tryAcquire('r', 10, 10));
  held[0]!.release();
  lease(gate.tryAcquire('u9', undefined, 10));
});
