/**
 * Tumbling windows on Kinesis mappings (TumblingWindowInSeconds), on the real stream engine and
 * a ManualClock: the window fields of each invocation, state carried from one invocation to the
 * next and reset per window, batches that never span two windows, the final invocation when the
 * window ends with no new records, early termination of an oversized state, and a restart
 * mid-window replaying the window from its start.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  openFixture,
  settle,
  settled,
  startApi,
  streamArnOf,
  tick,
  until,
  type Fixture,
  type InvokeCall,
} from './helpers.js';

const STREAM = streamArnOf('telemetry');
const WINDOW_MS = 60_000;

/** A fixture whose function counts records into its state, as a window aggregation would. */
async function setup(t: TestContext, extra: Record<string, unknown> = {}): Promise<Fixture> {
  const fixture = await openFixture(t);
  await fixture.streams.createStream({ streamName: 'telemetry', shardCount: 1 });
  fixture.invoker.answer = (call) => {
    const state = call.event.state as { count?: number } | undefined;
    return {
      payload: { state: { count: (state?.count ?? 0) + (call.event.Records?.length ?? 0) } },
    };
  };
  const mapping = await fixture.esm.createEventSourceMapping({
    EventSourceArn: STREAM,
    FunctionName: 'orders',
    StartingPosition: 'TRIM_HORIZON',
    TumblingWindowInSeconds: WINDOW_MS / 1000,
    ...extra,
  });
  assert.equal(mapping.TumblingWindowInSeconds, WINDOW_MS / 1000);
  await settled(fixture, String(mapping.UUID));
  return fixture;
}

async function put(fixture: Fixture, data: readonly string[]): Promise<void> {
  await fixture.streams.putRecords(
    { streamArn: STREAM },
    data.map((d) => ({ partitionKey: 'k', data: Buffer.from(d) })),
  );
}

/** What a test reads of one invocation: its records' data and its window fields. */
function shape(call: InvokeCall): Record<string, unknown> {
  const { Records, ...fields } = call.event;
  return {
    records: (Records ?? []).map((r) =>
      Buffer.from((r.kinesis as { data: string }).data, 'base64').toString('utf8'),
    ),
    ...fields,
  };
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('Kinesis tumbling windows', () => {
  it('carries state within a window, makes a final invocation when it ends, and resets the state for the next', async (t) => {
    const fixture = await setup(t, { BatchSize: 2 });
    const start = Math.floor(fixture.clock.now() / WINDOW_MS) * WINDOW_MS;
    const end = start + WINDOW_MS;
    await put(fixture, ['a', 'b', 'c']);
    await until(() => fixture.invoker.calls.length === 2);
    const common = {
      window: { start: iso(start), end: iso(end) },
      shardId: 'shardId-000000000000',
      eventSourceARN: STREAM,
      isWindowTerminatedEarly: false,
    };
    assert.deepEqual(fixture.invoker.calls.map(shape), [
      { records: ['a', 'b'], ...common, state: {}, isFinalInvokeForWindow: false },
      { records: ['c'], ...common, state: { count: 2 }, isFinalInvokeForWindow: false },
    ]);
    // No records arrive; the window still ends with its final invocation.
    await tick(fixture.clock, end - fixture.clock.now() - 1000, 1000);
    assert.equal(fixture.invoker.calls.length, 2);
    await tick(fixture.clock, 2000, 1000);
    await until(() => fixture.invoker.calls.length === 3);
    assert.deepEqual(shape(fixture.invoker.calls[2]!), {
      records: [],
      ...common,
      state: { count: 3 },
      isFinalInvokeForWindow: true,
    });
    await put(fixture, ['d']);
    await until(() => fixture.invoker.calls.length === 4);
    assert.deepEqual(shape(fixture.invoker.calls[3]!), {
      records: ['d'],
      ...common,
      window: { start: iso(end), end: iso(end + WINDOW_MS) },
      state: {},
      isFinalInvokeForWindow: false,
    });
  });

  it('never puts records of two windows in one batch', async (t) => {
    const fixture = await openFixture(t);
    await fixture.streams.createStream({ streamName: 'telemetry', shardCount: 1 });
    await put(fixture, ['w1-a', 'w1-b']);
    await fixture.clock.advance(WINDOW_MS);
    await put(fixture, ['w2-a']);
    const mapping = await fixture.esm.createEventSourceMapping({
      EventSourceArn: STREAM,
      FunctionName: 'orders',
      StartingPosition: 'TRIM_HORIZON',
      TumblingWindowInSeconds: WINDOW_MS / 1000,
      BatchSize: 10,
    });
    await settled(fixture, String(mapping.UUID));
    await until(() => fixture.invoker.calls.length === 3);
    assert.deepEqual(
      fixture.invoker.calls.map((c) => [shape(c).records, c.event.isFinalInvokeForWindow]),
      [
        [['w1-a', 'w1-b'], false],
        [[], true],
        [['w2-a'], false],
      ],
    );
  });

  it('ends a window early when the returned state exceeds 1 MB', async (t) => {
    const fixture = await setup(t, { BatchSize: 1 });
    fixture.invoker.answer = (call) =>
      call.event.isFinalInvokeForWindow === true
        ? {}
        : { payload: { state: { big: 'x'.repeat(1024 * 1024) } } };
    await put(fixture, ['a', 'b']);
    await until(() => fixture.invoker.calls.length === 4);
    assert.deepEqual(
      fixture.invoker.calls.map((c) => [
        shape(c).records,
        c.event.isFinalInvokeForWindow,
        c.event.isWindowTerminatedEarly,
      ]),
      [
        [['a'], false, false],
        [[], true, true],
        [['b'], false, false],
        [[], true, true],
      ],
    );
    assert.deepEqual(fixture.invoker.calls[2]?.event.state, {}, 'a fresh window, a fresh state');
  });

  it('replays an unfinished window from its start after a restart, since its state is not kept', async (t) => {
    const fixture = await setup(t, { BatchSize: 2 });
    await put(fixture, ['a', 'b', 'c']);
    await until(() => fixture.invoker.calls.length === 2);
    await fixture.restart();
    await until(() => fixture.invoker.calls.length === 4);
    assert.deepEqual(
      fixture.invoker.calls.slice(2).map((c) => [shape(c).records, c.event.state]),
      [
        [['a', 'b'], {}],
        [['c'], { count: 2 }],
      ],
    );
    // Once the window is final, its records are behind the checkpoint for good.
    await tick(fixture.clock, WINDOW_MS, 5000);
    await until(() => fixture.invoker.calls.length === 5);
    await fixture.restart();
    await settle(200);
    assert.equal(fixture.invoker.calls.length, 5);
  });

  it('is set and cleared with UpdateEventSourceMapping', async (t) => {
    const fixture = await setup(t);
    const lambda = await startApi(t, fixture);
    const [mapping] = (await fixture.esm.listEventSourceMappings({})).EventSourceMappings;
    const uuid = String(mapping?.UUID);
    const updated = await lambda.send(
      new UpdateEventSourceMappingCommand({ UUID: uuid, TumblingWindowInSeconds: 0 }),
    );
    assert.equal(updated.TumblingWindowInSeconds, 0);
    await settled(fixture, uuid);
    await put(fixture, ['a']);
    await until(() => fixture.invoker.calls.length === 1);
    assert.equal(fixture.invoker.calls[0]?.event.window, undefined);
  });
});
