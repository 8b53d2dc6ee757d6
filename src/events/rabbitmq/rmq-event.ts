/**
 * The event Lambda delivers from a RabbitMQ broker: messages grouped by `"<queue>::<virtual host>"`,
 * each with its AMQP basic properties as Lambda's Java poller serializes them (absent properties
 * null, string header values as `{"bytes": [...]}`, the timestamp as `MMM d, yyyy, h:mm:ss a`),
 * whether it was redelivered, and its body in base64.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html#services-mq-rabbitmq-event
 */
import type { ConsumeMessage } from 'amqplib';

export interface RmqMessage {
  readonly basicProperties: Readonly<Record<string, unknown>>;
  readonly redelivered: boolean;
  readonly data: string;
}

export interface RmqEvent {
  readonly eventSource: 'aws:rmq';
  readonly eventSourceArn: string;
  readonly rmqMessagesByQueue: Readonly<Record<string, readonly RmqMessage[]>>;
}

export function rmqEvent(
  eventSourceArn: string,
  queue: string,
  virtualHost: string,
  messages: readonly RmqMessage[],
): RmqEvent {
  return {
    eventSource: 'aws:rmq',
    eventSourceArn,
    rmqMessagesByQueue: { [`${queue}::${virtualHost}`]: messages },
  };
}

export function rmqMessage(message: ConsumeMessage): RmqMessage {
  const p = message.properties;
  return {
    basicProperties: {
      contentType: p.contentType ?? null,
      contentEncoding: p.contentEncoding ?? null,
      headers: p.headers === undefined ? null : headerTable(p.headers),
      deliveryMode: p.deliveryMode ?? null,
      priority: p.priority ?? null,
      correlationId: p.correlationId ?? null,
      replyTo: p.replyTo ?? null,
      expiration: p.expiration ?? null,
      messageId: p.messageId ?? null,
      timestamp: typeof p.timestamp === 'number' ? javaDate(p.timestamp * 1000) : null,
      type: p.type ?? null,
      userId: p.userId ?? null,
      appId: p.appId ?? null,
      clusterId: p.clusterId ?? null,
      bodySize: message.content.length,
    },
    redelivered: message.fields.redelivered,
    data: message.content.toString('base64'),
  };
}

/** Header values as the Java client's types serialize: long strings and byte arrays as bytes. */
function headerValue(value: unknown): unknown {
  if (typeof value === 'string') {
    return { bytes: [...Buffer.from(value, 'utf8')].map(signedByte) };
  }
  if (Buffer.isBuffer(value)) {
    return { bytes: [...value].map(signedByte) };
  }
  if (Array.isArray(value)) {
    return value.map(headerValue);
  }
  if (value instanceof Date) {
    return javaDate(value.getTime());
  }
  if (typeof value === 'object' && value !== null) {
    return headerTable(value as Record<string, unknown>);
  }
  return value ?? null;
}

function headerTable(table: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(table)) {
    out[key] = headerValue(value);
  }
  return out;
}

/** Java bytes are signed. */
function signedByte(b: number): number {
  return b > 127 ? b - 256 : b;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Jan 1, 1970, 12:33:41 AM` (UTC): Gson's default rendering of a java.util.Date. */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const hours = d.getUTCHours();
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h12}:${mm}:${ss} ${hours < 12 ? 'AM' : 'PM'}`;
}
