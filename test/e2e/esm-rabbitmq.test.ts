import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { DeliveredEvents } from '../helpers/delivered-events.js';
import { createFunction } from '../helpers/functions.js';
import { createMapping } from '../helpers/mappings.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const BROKER = { host: '127.0.0.1', port: 5672 };

const skip = (await new Promise<boolean>((resolve) => {
  const socket = netConnect(BROKER);
  socket.once('connect', () => {
    socket.destroy();
    resolve(true);
  });
  socket.once('error', () => {
    resolve(false);
  });
}))
  ? false
  : 'no RabbitMQ server is reachable on 127.0.0.1:5672 (guest/guest)';

interface RmqEvent {
  eventSource: string;
  eventSourceArn: string;
  rmqMessagesByQueue: Record<
    string,
    { basicProperties: Record<string, unknown>; redelivered: boolean; data: string }[]
  >;
}

/** A RabbitMQ mapping end to end: the real broker, a real server and function. */
describe('RabbitMQ event source mapping', { skip }, () => {
  let server: RunningServer;
  let lambda: LambdaClient;
  let delivered: DeliveredEvents;
  let broker: ChannelModel;
  let channel: Channel;
  const queue = `fogbank-e2e-${randomUUID()}`;

  before(async () => {
    server = await startServer();
    lambda = server.lambda();
    delivered = new DeliveredEvents(server.url);
    broker = await connect('amqp://guest:guest@127.0.0.1:5672');
    channel = await broker.createChannel();
    await channel.assertQueue(queue, { durable: false });
  });
  after(async () => {
    await channel.deleteQueue(queue);
    await broker.close();
    delivered.destroy();
    assert.equal(await server.stop(), 0);
  });

  it('delivers a batch in rmqMessagesByQueue shape to a real function and acknowledges it', async () => {
    await createFunction(lambda, {
      FunctionName: 'rabbit',
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      fixture: 'e2e/esm-recorder',
    });
    for (const body of ['one', 'two', 'three']) {
      channel.sendToQueue(queue, Buffer.from(body), {
        contentType: 'text/plain',
        messageId: body,
      });
    }
    await createMapping(lambda, {
      FunctionName: 'rabbit',
      SelfManagedEventSource: {
        // Lambda's model names only Kafka's endpoint key; the SDK passes any key through.
        Endpoints: { RABBITMQ_BROKER_URLS: ['amqp://127.0.0.1:5672'] } as Record<string, string[]>,
      },
      Queues: [queue],
      SourceAccessConfigurations: [
        { Type: 'BASIC_AUTH', URI: '{"username":"guest","password":"guest"}' },
      ],
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 1,
    });
    const events = await delivered.until<RmqEvent>(
      'rabbit',
      (e) => e.flatMap((x) => x.rmqMessagesByQueue[`${queue}::/`] ?? []).length >= 3,
    );
    assert.equal(events.length, 1, 'one batch within the window');
    const [event] = events;
    assert.equal(event?.eventSource, 'aws:rmq');
    assert.match(event.eventSourceArn, /^arn:aws:mq:us-east-1:\d{12}:broker:/);
    assert.deepEqual(Object.keys(event.rmqMessagesByQueue), [`${queue}::/`]);
    const messages = event.rmqMessagesByQueue[`${queue}::/`] ?? [];
    assert.deepEqual(
      messages.map((m) => Buffer.from(m.data, 'base64').toString('utf8')),
      ['one', 'two', 'three'],
    );
    assert.equal(messages[0]?.redelivered, false);
    assert.equal(messages[0].basicProperties.contentType, 'text/plain');
    assert.equal(messages[0].basicProperties.messageId, 'one');
    assert.equal(messages[0].basicProperties.bodySize, 3);
    // Acknowledged: nothing left on the broker.
    for (let i = 0; i < 50; i++) {
      const { messageCount } = await channel.checkQueue(queue);
      if (messageCount === 0) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await channel.checkQueue(queue)).messageCount, 0);
  });
});
