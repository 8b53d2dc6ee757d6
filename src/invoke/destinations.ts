/**
 * Where asynchronous invocations report their outcome: OnSuccess / OnFailure destinations
 * (the invocation record of spec §4.11) and the function's dead-letter queue (the original
 * event with RequestID / ErrorCode / ErrorMessage attributes).
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */

export type DestinationCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded';

export interface InvocationRecordInput {
  readonly timestamp: number;
  readonly requestId: string;
  /** Qualified with the invoked version or alias (`:$LATEST` when none was given). */
  readonly functionArn: string;
  readonly condition: DestinationCondition;
  readonly approximateInvokeCount: number;
  readonly requestPayload: Buffer;
  /** Absent when the event never ran (e.g. it expired while throttled). */
  readonly response?: {
    readonly executedVersion: string;
    readonly functionError?: string;
    readonly payload: Buffer;
  };
}

/** The JSON record Lambda sends to a destination; payloads are embedded as JSON values. */
export function invocationRecord(r: InvocationRecordInput): Record<string, unknown> {
  return {
    version: '1.0',
    timestamp: new Date(r.timestamp).toISOString(),
    requestContext: {
      requestId: r.requestId,
      functionArn: r.functionArn,
      condition: r.condition,
      approximateInvokeCount: r.approximateInvokeCount,
    },
    requestPayload: embed(r.requestPayload),
    ...(r.response
      ? {
          responseContext: {
            statusCode: 200,
            executedVersion: r.response.executedVersion,
            ...(r.response.functionError ? { functionError: r.response.functionError } : {}),
          },
          responsePayload: embed(r.response.payload),
        }
      : {}),
  };
}

function embed(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (text === '') {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A message attribute as SQS takes it. */
export interface MessageAttribute {
  readonly DataType: 'String' | 'Number';
  readonly StringValue: string;
}

/** Sends to queues by ARN (the built-in SQS-compatible queue service). */
export interface QueueSender {
  sendToQueue(
    queueArn: string,
    body: string,
    attributes?: Readonly<Record<string, MessageAttribute>>,
  ): Promise<void>;
}

/** Publishes to topics by ARN (the built-in SNS-compatible topic service). */
export interface TopicSender {
  publishToTopic(
    topicArn: string,
    message: string,
    attributes?: Readonly<Record<string, MessageAttribute>>,
  ): Promise<unknown>;
}

/** Puts events on buses by ARN (the built-in EventBridge-compatible service). */
export interface BusSender {
  putEventsToBus(
    busArn: string,
    entries: readonly { source: string; detailType: string; detail: string; resources: string[] }[],
  ): Promise<unknown>;
}

export interface DestinationServices {
  readonly queues?: QueueSender;
  readonly topics?: TopicSender;
  readonly buses?: BusSender;
  readonly invokeAsync: (functionArn: string, payload: Buffer) => Promise<void>;
}

/** Delivers records and dead letters to whatever service an ARN names. */
export class DestinationDelivery {
  readonly #s: DestinationServices;

  constructor(services: DestinationServices) {
    this.#s = services;
  }

  /** Sends an invocation record to a destination ARN. */
  async deliver(targetArn: string, record: Record<string, unknown>): Promise<void> {
    if (serviceOf(targetArn) === 'events' && this.#s.buses) {
      // EventBridge wraps the record as the detail of a "Lambda Function Invocation Result" event.
      const condition = (record.requestContext as { condition?: string } | undefined)?.condition;
      const functionArn = (record.requestContext as { functionArn?: string } | undefined)
        ?.functionArn;
      await this.#s.buses.putEventsToBus(targetArn, [
        {
          source: 'lambda',
          detailType: `Lambda Function Invocation Result - ${condition === 'Success' ? 'Success' : 'Failure'}`,
          detail: JSON.stringify(record),
          resources: [targetArn, ...(functionArn ? [functionArn] : [])],
        },
      ]);
      return;
    }
    await this.#send(targetArn, JSON.stringify(record));
  }

  /** Sends the original event to a dead-letter queue, with Lambda's three attributes. */
  async deadLetter(
    targetArn: string,
    payload: Buffer,
    requestId: string,
    errorMessage: string,
  ): Promise<void> {
    await this.#send(targetArn, payload.toString('utf8'), {
      RequestID: { DataType: 'String', StringValue: requestId },
      ErrorCode: { DataType: 'Number', StringValue: '200' },
      ErrorMessage: { DataType: 'String', StringValue: truncate(errorMessage, 1024) },
    });
  }

  async #send(
    targetArn: string,
    body: string,
    attributes?: Readonly<Record<string, MessageAttribute>>,
  ): Promise<void> {
    const service = serviceOf(targetArn);
    if (service === 'sqs' && this.#s.queues) {
      await this.#s.queues.sendToQueue(targetArn, body, attributes);
    } else if (service === 'sns' && this.#s.topics) {
      await this.#s.topics.publishToTopic(targetArn, body, attributes);
    } else if (service === 'lambda') {
      await this.#s.invokeAsync(targetArn, Buffer.from(body));
    } else {
      throw new Error(`no destination service for ${targetArn}`);
    }
  }
}

function serviceOf(arn: string): string | undefined {
  return arn.split(':')[2];
}

function truncate(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= maxBytes ? text : bytes.subarray(0, maxBytes).toString('utf8');
}
