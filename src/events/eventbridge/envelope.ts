/**
 * The event envelope EventBridge delivers, for custom events and for scheduled ones.
 * https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
import { randomUUID } from 'node:crypto';
import type { AccountContext } from '../../core/arn.js';
import type { EventEnvelope } from './types.js';

/** ISO 8601 with second precision and `Z`, as the envelope's `time` ("2025-05-01T10:00:00Z"). */
export function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The event a scheduled rule sends: `aws.events` / `Scheduled Event`, the rule in `resources`. */
export function scheduledEvent(ctx: AccountContext, ruleArn: string, atMs: number): EventEnvelope {
  return envelope(ctx, {
    source: 'aws.events',
    detailType: 'Scheduled Event',
    resources: [ruleArn],
    detail: {},
    timeMs: atMs,
  });
}

export function envelope(
  ctx: AccountContext,
  event: {
    readonly source: string;
    readonly detailType: string;
    readonly resources: readonly string[];
    readonly detail: unknown;
    readonly timeMs: number;
  },
): EventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': event.detailType,
    source: event.source,
    account: ctx.accountId,
    time: eventTime(event.timeMs),
    region: ctx.region,
    resources: event.resources,
    detail: event.detail,
  };
}
