import { setTimeout as sleep } from 'node:timers/promises';
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';

const MARKER = 'ESM_EVENT ';

/**
 * The events a function received, read back from its CloudWatch Logs through the server's logs
 * API: the `esm-recorder` fixture logs each one as `ESM_EVENT <json>`. Lines arrive in the order
 * the function logged them, which for one log stream is invocation order.
 */
export class DeliveredEvents {
  readonly #logs: CloudWatchLogsClient;

  constructor(endpoint: string) {
    this.#logs = new CloudWatchLogsClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  }

  destroy(): void {
    this.#logs.destroy();
  }

  /** Every event `functionName` has logged so far, oldest first. */
  async of<T>(functionName: string): Promise<T[]> {
    const lines: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.#logs
        .send(
          new FilterLogEventsCommand({
            logGroupName: `/aws/lambda/${functionName}`,
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
        )
        .catch((error: unknown) => {
          // No invocation has logged yet.
          if ((error as { name?: string }).name === 'ResourceNotFoundException') {
            return { events: [], nextToken: undefined };
          }
          throw error;
        });
      lines.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return lines
      .map((e) => e.message ?? '')
      .filter((m) => m.includes(MARKER))
      .map((m) => JSON.parse(m.slice(m.indexOf(MARKER) + MARKER.length)) as T);
  }

  /** Polls until `done` holds for the events (or `ms` pass) and returns them. */
  async until<T>(functionName: string, done: (events: T[]) => boolean, ms = 20_000): Promise<T[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const events = await this.of<T>(functionName);
      if (done(events)) {
        return events;
      }
      if (Date.now() > deadline) {
        throw new Error(`gave up waiting; ${functionName} received ${JSON.stringify(events)}`);
      }
      await sleep(100);
    }
  }
}
