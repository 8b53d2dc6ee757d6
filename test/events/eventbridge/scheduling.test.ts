/**
 * Scheduled rules on a ManualClock: the exact scheduled event a target receives, Input and
 * InputPath, disabled rules, and a schedule missed while the server was down firing once.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CTX, UUID, fnArn, openEventBridge, rejectsWith } from './fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RULE_ARN = (name: string): string =>
  `arn:aws:events:${CTX.region}:${CTX.accountId}:rule/${name}`;

test('rate(1 minute) fires each time the clock moves a minute, with the scheduled event shape', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  const target = fnArn('tick');
  eb.lambda.functions.add(target);
  const { ruleArn } = await eb.service.putRule({
    name: 'every-minute',
    scheduleExpression: 'rate(1 minute)',
  });
  assert.equal(ruleArn, RULE_ARN('every-minute'));
  await eb.service.putTargets({ name: 'every-minute' }, [{ id: 'fn', arn: target }]);

  await eb.clock.advance(MINUTE - 1);
  assert.equal(eb.lambda.invocations.length, 0, 'not before the minute is up');
  await eb.clock.advance(1);
  assert.equal(eb.lambda.invocations.length, 1);
  const [first] = eb.lambda.invocations;
  assert.equal(first?.functionArn, target);
  const event = first.event as Record<string, unknown>;
  assert.match(String(event.id), UUID);
  // The envelope exactly (spec §4.9): second-precision time with Z, the rule in resources.
  assert.deepEqual(event, {
    version: '0',
    id: event.id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: CTX.accountId,
    time: '2025-01-01T00:01:00Z',
    region: CTX.region,
    resources: [ruleArn],
    detail: {},
  });
  assert.deepEqual(Object.keys(event), [
    'version',
    'id',
    'detail-type',
    'source',
    'account',
    'time',
    'region',
    'resources',
    'detail',
  ]);

  await eb.clock.advance(3 * MINUTE);
  const times = eb.lambda.eventsFor(target).map((e) => (e as { time: string }).time);
  assert.deepEqual(times, [
    '2025-01-01T00:01:00Z',
    '2025-01-01T00:02:00Z',
    '2025-01-01T00:03:00Z',
    '2025-01-01T00:04:00Z',
  ]);
  const ids = new Set(eb.lambda.invocations.map((i) => (i.event as { id: string }).id));
  assert.equal(ids.size, 4, 'every event has its own id');
});

test('a cron rule fires at its times in UTC', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  const target = fnArn('report');
  eb.lambda.functions.add(target);
  await eb.service.putRule({ name: 'daily', scheduleExpression: 'cron(0 10 * * ? *)' });
  await eb.service.putTargets({ name: 'daily' }, [{ id: 'report', arn: target }]);

  await eb.clock.advance(10 * HOUR - 1);
  assert.equal(eb.lambda.invocations.length, 0);
  await eb.clock.advance(1);
  await eb.clock.advance(2 * 24 * HOUR);
  assert.deepEqual(
    eb.lambda.eventsFor(target).map((e) => (e as { time: string }).time),
    ['2025-01-01T10:00:00Z', '2025-01-02T10:00:00Z', '2025-01-03T10:00:00Z'],
  );
  const event = eb.lambda.invocations[0]?.event as { resources: string[]; 'detail-type': string };
  assert.deepEqual(event.resources, [RULE_ARN('daily')]);
  assert.equal(event['detail-type'], 'Scheduled Event');
});

test('Input, InputPath and InputTransformer shape what a scheduled target receives', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  for (const name of ['constant', 'path', 'transformed', 'whole']) {
    eb.lambda.functions.add(fnArn(name));
  }
  await eb.service.putRule({ name: 'shaped', scheduleExpression: 'rate(5 minutes)' });
  const { failedEntries } = await eb.service.putTargets({ name: 'shaped' }, [
    { id: 'constant', arn: fnArn('constant'), input: '{"job":"cleanup","dryRun":false}' },
    { id: 'path', arn: fnArn('path'), inputPath: '$.resources[0]' },
    {
      id: 'transformed',
      arn: fnArn('transformed'),
      inputTransformer: {
        inputPathsMap: { at: '$.time', kind: '$.detail-type' },
        inputTemplate: '{"rule": <aws.events.rule-name>, "when": <at>, "text": "<kind> at <at>"}',
      },
    },
    { id: 'whole', arn: fnArn('whole') },
  ]);
  assert.deepEqual(failedEntries, []);

  await eb.clock.advance(5 * MINUTE);
  assert.equal(eb.lambda.invocations[0]?.raw, '{"job":"cleanup","dryRun":false}');
  assert.deepEqual(eb.lambda.eventsFor(fnArn('constant')), [{ job: 'cleanup', dryRun: false }]);
  assert.deepEqual(eb.lambda.eventsFor(fnArn('path')), [RULE_ARN('shaped')]);
  assert.deepEqual(eb.lambda.eventsFor(fnArn('transformed')), [
    {
      rule: 'shaped',
      when: '2025-01-01T00:05:00Z',
      text: 'Scheduled Event at 2025-01-01T00:05:00Z',
    },
  ]);
  const whole = eb.lambda.eventsFor(fnArn('whole'))[0] as { source: string };
  assert.equal(whole.source, 'aws.events');
});

test('a disabled rule does not fire; enabling it starts its schedule afresh', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  const target = fnArn('quiet');
  eb.lambda.functions.add(target);
  await eb.service.putRule({
    name: 'off',
    scheduleExpression: 'rate(1 minute)',
    state: 'DISABLED',
  });
  await eb.service.putTargets({ name: 'off' }, [{ id: '1', arn: target }]);
  await eb.clock.advance(10 * MINUTE);
  assert.equal(eb.lambda.invocations.length, 0, 'created disabled');

  await eb.service.enableRule({ name: 'off' });
  assert.equal((await eb.service.describeRule({ name: 'off' })).state, 'ENABLED');
  await eb.clock.advance(30_000);
  assert.equal(eb.lambda.invocations.length, 0, 'the minute counts from EnableRule');
  await eb.clock.advance(30_000);
  assert.equal(eb.lambda.invocations.length, 1);
  assert.equal((eb.lambda.invocations[0]?.event as { time: string }).time, '2025-01-01T00:11:00Z');

  await eb.service.disableRule({ name: 'off' });
  await eb.clock.advance(10 * MINUTE);
  assert.equal(eb.lambda.invocations.length, 1, 'DisableRule stops it');
});

test('changing or deleting a scheduled rule re-arms or removes its timer', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  const target = fnArn('f');
  eb.lambda.functions.add(target);
  await eb.service.putRule({ name: 'r', scheduleExpression: 'rate(10 minutes)' });
  await eb.service.putTargets({ name: 'r' }, [{ id: '1', arn: target }]);
  await eb.clock.advance(5 * MINUTE);
  await eb.service.putRule({ name: 'r', scheduleExpression: 'cron(0 * * * ? *)' });
  await eb.clock.advance(10 * MINUTE);
  assert.equal(eb.lambda.invocations.length, 0, 'the old rate no longer fires');
  await eb.clock.advance(45 * MINUTE);
  assert.equal(eb.lambda.invocations.length, 1, 'the new cron fires on the hour');

  // A PutRule that keeps the expression keeps the schedule's cadence.
  await eb.service.putRule({
    name: 'r',
    scheduleExpression: 'cron(0 * * * ? *)',
    description: 'hourly',
  });
  await eb.clock.advance(HOUR);
  assert.equal(eb.lambda.invocations.length, 2);

  await eb.service.removeTargets({ name: 'r' }, ['1']);
  await eb.service.deleteRule({ name: 'r' });
  await eb.clock.advance(3 * HOUR);
  assert.equal(eb.lambda.invocations.length, 2);
});

test('a target whose function is gone is skipped with a warning; the schedule goes on', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  eb.lambda.functions.add(fnArn('stays'));
  eb.lambda.functions.add(fnArn('goes'));
  await eb.service.putRule({ name: 'r', scheduleExpression: 'rate(1 minute)' });
  await eb.service.putTargets({ name: 'r' }, [
    { id: 'stays', arn: fnArn('stays') },
    { id: 'goes', arn: fnArn('goes') },
  ]);
  eb.lambda.functions.delete(fnArn('goes'));
  await eb.clock.advance(2 * MINUTE);
  assert.equal(eb.lambda.eventsFor(fnArn('stays')).length, 2);
  assert.equal(eb.warnings.length, 2);
  assert.match(eb.warnings[0] ?? '', /could not invoke target goes .*Function not found/);
});

test('schedules are only on the default bus', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  await eb.service.createEventBus({ name: 'orders' });
  await rejectsWith(
    eb.service.putRule({
      name: 'r',
      eventBusName: 'orders',
      scheduleExpression: 'rate(1 minute)',
    }),
    'ValidationException',
    'ScheduleExpression is supported only on the default event bus.',
  );
});

test('a schedule missed while the server was down fires once on start, then keeps its cadence', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fogbank-eb-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'fogbank.db');
  const first = await openEventBridge({ file });
  const target = fnArn('hourly');
  first.lambda.functions.add(target);
  await first.service.putRule({ name: 'hourly', scheduleExpression: 'rate(1 hour)' });
  await first.service.putRule({ name: 'ten', scheduleExpression: 'cron(0 10 * * ? *)' });
  await first.service.putTargets({ name: 'hourly' }, [{ id: '1', arn: target }]);
  await first.service.putTargets({ name: 'ten' }, [{ id: '1', arn: target }]);
  await first.clock.advance(HOUR);
  assert.equal(first.lambda.invocations.length, 1, 'the first hour fired while up');
  await first.close();

  // Down for three days and a half hour: 74 hourly ticks and three 10:00 fires are missed.
  const { clock, lambda } = first;
  await clock.advance(3 * 24 * HOUR + 30 * MINUTE);
  assert.equal(lambda.invocations.length, 1, 'nothing fires while stopped');

  const second = await openEventBridge({ file, clock, lambda });
  await clock.advance(0);
  const missed = lambda.invocations
    .slice(1)
    .map((i) => i.event as { time: string; resources: string[] });
  assert.equal(missed.length, 2, 'each rule fires once, not once per missed tick');
  const restartedAt = '2025-01-04T01:30:00Z';
  assert.deepEqual(missed.map((e) => [e.resources[0], e.time]).sort(), [
    [RULE_ARN('hourly'), restartedAt],
    [RULE_ARN('ten'), restartedAt],
  ]);

  // Then the normal cadence: the rate keeps counting from when the rule was created.
  await clock.advance(30 * MINUTE);
  assert.equal(lambda.invocations.length, 4);
  assert.equal((lambda.invocations[3]?.event as { time: string }).time, '2025-01-04T02:00:00Z');
  await clock.advance(8 * HOUR);
  const tenOClock = lambda.invocations
    .map((i) => i.event as { time: string; resources: string[] })
    .filter((e) => e.resources[0] === RULE_ARN('ten'));
  assert.deepEqual(
    tenOClock.map((e) => e.time),
    [restartedAt, '2025-01-04T10:00:00Z'],
  );

  // And a restart with nothing missed fires nothing extra.
  await second.close();
  const third = await openEventBridge({ file, clock, lambda });
  t.after(() => third.close());
  const before: number = lambda.invocations.length;
  await clock.advance(0);
  assert.equal(lambda.invocations.length, before);
  await clock.advance(HOUR);
  assert.equal(lambda.invocations.length, before + 1);
});

test('a rule disabled in the shared store by another process does not fire', async (t) => {
  const eb = await openEventBridge();
  t.after(() => eb.close());
  const target = fnArn('f');
  eb.lambda.functions.add(target);
  await eb.service.putRule({ name: 'r', scheduleExpression: 'rate(1 minute)' });
  await eb.service.putTargets({ name: 'r' }, [{ id: '1', arn: target }]);
  await eb.clock.advance(MINUTE);
  assert.equal(eb.lambda.invocations.length, 1);

  // Another node's DisableRule: straight to the database, no refresh() in this process.
  eb.db.prepare("UPDATE eventbridge_rules SET state = 'DISABLED' WHERE name = 'r'").run();
  await eb.clock.advance(5 * MINUTE);
  assert.equal(eb.lambda.invocations.length, 1);
});
