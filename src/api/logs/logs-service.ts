import { resourceNotFound, validationError } from '../../core/errors.js';

/** The part of the Store that reads logs back. */
export interface LogReader {
  getLogEvents(q: {
    logGroupName: string;
    logStreamName?: string;
    afterId?: number;
    startTime?: number;
    limit: number;
  }): Promise<
    readonly {
      id: number;
      logStreamName: string;
      timestamp: number;
      message: string;
      ingestionTime: number;
    }[]
  >;
  listLogStreams(
    logGroupName: string,
  ): Promise<
    readonly { logStreamName: string; firstEventTimestamp: number; lastEventTimestamp: number }[]
  >;
}

const DEFAULT_LIMIT = 10_000;

/**
 * The CloudWatch Logs subset that reads function logs: FilterLogEvents (what
 * `aws logs tail` and `fogbank logs` use) and DescribeLogStreams.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
export class LogsService {
  readonly #reader: LogReader;

  constructor(reader: LogReader) {
    this.#reader = reader;
  }

  async call(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'FilterLogEvents':
        return this.#filterLogEvents(input);
      case 'DescribeLogStreams':
        return this.#describeLogStreams(input);
      default:
        return undefined;
    }
  }

  async #filterLogEvents(input: Record<string, unknown>): Promise<unknown> {
    const logGroupName = requireGroup(input);
    const limit =
      typeof input.limit === 'number' ? Math.min(input.limit, DEFAULT_LIMIT) : DEFAULT_LIMIT;
    const afterId = typeof input.nextToken === 'string' ? Number(input.nextToken) : undefined;
    const streams = Array.isArray(input.logStreamNames)
      ? new Set(input.logStreamNames.filter((s): s is string => typeof s === 'string'))
      : undefined;
    const pattern = typeof input.filterPattern === 'string' ? input.filterPattern.trim() : '';
    const endTime = typeof input.endTime === 'number' ? input.endTime : Infinity;
    const rows = await this.#reader.getLogEvents({
      logGroupName,
      limit: limit + 1,
      ...(afterId !== undefined && Number.isFinite(afterId) ? { afterId } : {}),
      ...(typeof input.startTime === 'number' ? { startTime: input.startTime } : {}),
    });
    const page = rows.slice(0, limit);
    const events = page
      .filter((e) => e.timestamp <= endTime)
      .filter((e) => !streams || streams.has(e.logStreamName))
      .filter((e) => pattern === '' || matchesTerms(e.message, pattern))
      .map((e) => ({
        logStreamName: e.logStreamName,
        timestamp: e.timestamp,
        message: e.message,
        ingestionTime: e.ingestionTime,
        eventId: String(e.id),
      }));
    const last = page.at(-1);
    return {
      events,
      searchedLogStreams: [],
      ...(last !== undefined ? { nextToken: String(last.id) } : {}),
    };
  }

  async #describeLogStreams(input: Record<string, unknown>): Promise<unknown> {
    const logGroupName = requireGroup(input);
    const streams = await this.#reader.listLogStreams(logGroupName);
    if (streams.length === 0) {
      throw resourceNotFound('The specified log group does not exist.');
    }
    return {
      logStreams: streams.map((s) => ({
        logStreamName: s.logStreamName,
        firstEventTimestamp: s.firstEventTimestamp,
        lastEventTimestamp: s.lastEventTimestamp,
      })),
    };
  }
}

function requireGroup(input: Record<string, unknown>): string {
  if (typeof input.logGroupName !== 'string' || input.logGroupName === '') {
    throw validationError([
      "Value null at 'logGroupName' failed to satisfy constraint: Member must not be null",
    ]);
  }
  return input.logGroupName;
}

/** CloudWatch's simplest filter pattern: every term must appear (quoted terms verbatim). */
function matchesTerms(message: string, pattern: string): boolean {
  const terms = pattern.match(/"[^"]*"|\S+/g) ?? [];
  return terms.every((t) => message.includes(t.startsWith('"') ? t.slice(1, -1) : t));
}
