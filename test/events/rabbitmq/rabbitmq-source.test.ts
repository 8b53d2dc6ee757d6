/**
 * The RabbitMQ source against the real broker on 127.0.0.1:5672 (guest/guest): Lambda's event
 * shape, acknowledgement after success, requeue after failure, and reconnection through a TCP
 * relay that the test cuts and restores (the broker going away and coming back) without losing or
 * repeating acknowledged messages. Real time: the broker does not run on the ManualClock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { createSystemClock } from '../../../src/core/clock.js';
import {
  FAILED,
  OK,
  openFixture,
  settle,
  settled,
  type Fixture,
  type RecordingInvoker,
} from '../esm/helpers.js';

const BROKER = { host: '127.0.0.1', port: 5672 };

function reachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect(BROKER);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

const skip = (await reachable())
  ? false
  : 'no RabbitMQ server is reachable on 127.0.0.1:5672 (guest/guest)';

const BASIC_AUTH = { Type: 'BASIC_AUTH', URI: '{"username":"guest","password":"guest"}' };

/** Resolves once the invoker has been called `n` times; fails after `ms` of real time. */
function calls(invoker: RecordingInvoker, n: number, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      if (invoker.calls.length >= n && invoker.inFlight === 0) {
        resolve();
      } else if (Date.now() - started > ms) {
        reject(new Error(`expected ${n} invocations, saw ${invoker.calls.length}`));
      } else {
        setImmediate(check);
      }
    };
    check();
  });
}

interface RmqRecord {
  basicProperties: Record<string, unknown>;
  redelivered: boolean;
  data: string;
}

function messagesOf(fixture: Fixture, queue: string): RmqRecord[] {
  return fixture.invoker.calls.flatMap(
    (c) => (c.event.rmqMessagesByQueue as Record<string, RmqRecord[]>)[`${queue}::/`] ?? [],
  );
}

function bodies(fixture: Fixture, queue: string): string[] {
  return messagesOf(fixture, queue).map((m) => Buffer.from(m.data, 'base64').toString('utf8'));
}

/** A TCP relay to the broker that can be cut (every connection reset) and restored. */
class Relay {
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = netConnect(BROKER);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    const closed = new Promise((resolve) => server?.close(resolve));
    for (const s of this.#sockets) {
      s.resetAndDestroy();
    }
    await closed;
  }
}

describe('RabbitMQ source', { skip }, () => {
  let model: ChannelModel;
  let channel: Channel;

  before(async () => {
    model = await connect('amqp://guest:guest@127.0.0.1:5672');
    channel = await model.createChannel();
  });
  after(async () => {
    await model.close();
  });

  async function queue(t: TestContext): Promise<string> {
    const name = `fogbank-esm-${randomUUID()}`;
    await channel.assertQueue(name, { durable: false });
    t.after(async () => {
      await channel.deleteQueue(name);
    });
    return name;
  }

  async function mapQueue(
    fixture: Fixture,
    name: string,
    extra: Record<string, unknown> = {},
    url = 'amqp://127.0.0.1:5672',
  ): Promise<string> {
    const mapping = await fixture.esm.createEventSourceMapping({
      FunctionName: 'orders',
      Queues: [name],
      SourceAccessConfigurations: [BASIC_AUTH],
      SelfManagedEventSource: { Endpoints: { RABBITMQ_BROKER_URLS: [url] } },
      ...extra,
    });
    const uuid = String(mapping.UUID);
    await settled(fixture, uuid);
    return uuid;
  }

  /** Stops the mapping's consumer, so that unacknowledged messages return to the queue. */
  async function unmap(fixture: Fixture, uuid: string): Promise<void> {
    await fixture.esm.deleteEventSourceMapping(uuid);
    await fixture.esm.stop();
  }

  it('delivers batches in Lambda RabbitMQ event shape and acknowledges them', async (t) => {
    const fixture = await openFixture(t, { clock: createSystemClock() });
    const name = await queue(t);
    for (let i = 0; i < 5; i++) {
      channel.sendToQueue(name, Buffer.from(`{"n":${i}}`), {
        contentType: 'application/json',
        headers: { header1: 'value1', numberInHeader: 10 },
        deliveryMode: 1,
        priority: 3,
        correlationId: `c${i}`,
        timestamp: 2021,
        messageId: `m${i}`,
      });
    }
    const brokerArn =
      'arn:aws:mq:us-east-1:000000000000:broker:local:b-9bcfa592-423a-4942-879d-eb284b418fc8';
    const uuid = await mapQueue(fixture, name, { BatchSize: 5, EventSourceArn: brokerArn });
    await calls(fixture.invoker, 1);
    const event = fixture.invoker.calls[0]?.event;
    assert.ok(event);
    assert.equal(event.eventSource, 'aws:rmq');
    assert.equal(event.eventSourceArn, brokerArn);
    assert.deepEqual(Object.keys(event.rmqMessagesByQueue as object), [`${name}::/`]);
    assert.deepEqual(
      bodies(fixture, name),
      [0, 1, 2, 3, 4].map((i) => `{"n":${i}}`),
    );
    const [first] = messagesOf(fixture, name);
    assert.deepEqual(first, {
      basicProperties: {
        contentType: 'application/json',
        contentEncoding: null,
        headers: { header1: { bytes: [118, 97, 108, 117, 101, 49] }, numberInHeader: 10 },
        deliveryMode: 1,
        priority: 3,
        correlationId: 'c0',
        replyTo: null,
        expiration: null,
        messageId: 'm0',
        timestamp: 'Jan 1, 1970, 12:33:41 AM',
        type: null,
        userId: null,
        appId: null,
        clusterId: null,
        bodySize: 7,
      },
      redelivered: false,
      data: Buffer.from('{"n":0}').toString('base64'),
    });
    await unmap(fixture, uuid);
    assert.equal((await channel.checkQueue(name)).messageCount, 0, 'the batch was acknowledged');
  });

  it('requeues a failed batch, which comes back marked redelivered', async (t) => {
    const fixture = await openFixture(t, { clock: createSystemClock() });
    const name = await queue(t);
    let first = true;
    fixture.invoker.answer = () => {
      const answer = first ? FAILED : OK;
      first = false;
      return answer;
    };
    channel.sendToQueue(name, Buffer.from('retry me'));
    const uuid = await mapQueue(fixture, name, { BatchSize: 1 });
    await calls(fixture.invoker, 2);
    assert.deepEqual(
      messagesOf(fixture, name).map((m) => m.redelivered),
      [false, true],
    );
    await unmap(fixture, uuid);
    assert.equal((await channel.checkQueue(name)).messageCount, 0);
    const mapping = fixture.invoker.calls.length;
    assert.equal(mapping, 2);
  });

  it('reconnects when the broker goes away, without losing or repeating acknowledged messages', async (t) => {
    const fixture = await openFixture(t, { clock: createSystemClock() });
    const name = await queue(t);
    const relay = new Relay();
    await relay.open();
    t.after(() => relay.cut());
    const uuid = await mapQueue(fixture, name, { BatchSize: 1 }, `amqp://127.0.0.1:${relay.port}`);
    channel.sendToQueue(name, Buffer.from('m1'));
    await calls(fixture.invoker, 1);
    // Let the acknowledgement cross the relay before cutting it.
    await settle(50);
    await relay.cut();
    assert.equal((await channel.checkQueue(name)).messageCount, 0, 'm1 was acknowledged');
    channel.sendToQueue(name, Buffer.from('m2'));
    channel.sendToQueue(name, Buffer.from('m3'));
    await relay.open();
    await calls(fixture.invoker, 3, 30_000);
    assert.deepEqual(bodies(fixture, name), ['m1', 'm2', 'm3']);
    assert.ok(
      fixture.warnings.some((w) => w.includes('RabbitMQ')),
      'the lost connection was reported',
    );
    await unmap(fixture, uuid);
    assert.equal((await channel.checkQueue(name)).messageCount, 0);
    assert.equal(fixture.invoker.calls.length, 3, 'no message was delivered twice');
  });
});
