import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';

interface FilteredEvent {
  logStreamName: string;
  timestamp: number;
  message: string;
}

interface FilterResponse {
  events?: FilteredEvent[];
  nextToken?: string;
}

const POLL_MS = 500;

/**
 * `fogbank logs NAME [--follow]`: reads /aws/lambda/NAME through the server's CloudWatch Logs
 * API (FilterLogEvents), the same call `aws logs filter-log-events` makes.
 */
export async function logsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      follow: { type: 'boolean', short: 'f', default: false },
      endpoint: {
        type: 'string',
        default: process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:4566',
      },
      'log-group': { type: 'string' },
    },
  });
  const name = positionals[0];
  if (name === undefined && values['log-group'] === undefined) {
    process.stderr.write('Usage: fogbank logs FUNCTION_NAME [--follow] [--endpoint URL]\n');
    return 2;
  }
  const logGroupName = values['log-group'] ?? `/aws/lambda/${name ?? ''}`;
  let nextToken: string | undefined;
  for (;;) {
    const res = await fetch(values.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.FilterLogEvents',
      },
      body: JSON.stringify({ logGroupName, ...(nextToken ? { nextToken } : {}) }),
    });
    const body = (await res.json()) as FilterResponse & { message?: string };
    if (!res.ok) {
      process.stderr.write(`${body.message ?? res.statusText}\n`);
      return 1;
    }
    for (const e of body.events ?? []) {
      process.stdout.write(`${e.message}\n`);
    }
    nextToken = body.nextToken ?? nextToken;
    if (body.nextToken !== undefined && (body.events?.length ?? 0) > 0) {
      continue;
    }
    if (!values.follow) {
      return 0;
    }
    await sleep(POLL_MS);
  }
}
