/**
 * EventBridge ARNs: `arn:aws:events:<region>:<account>:event-bus/<name>`, and for rules
 * `…:rule/<name>` on the default bus or `…:rule/<bus>/<name>` on a custom one.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoneventbridge.html#amazoneventbridge-resources-for-iam-policies
 */
import type { AccountContext } from '../../core/arn.js';
import { DEFAULT_BUS } from './types.js';

export function eventBusArn(ctx: AccountContext, name: string): string {
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:event-bus/${name}`;
}

export function ruleArn(ctx: AccountContext, busName: string, name: string): string {
  const path = busName === DEFAULT_BUS ? name : `${busName}/${name}`;
  return `arn:aws:events:${ctx.region}:${ctx.accountId}:rule/${path}`;
}

const BUS_ARN = /^arn:aws[\w-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/;

/**
 * The bus an EventBusName parameter names (a name or an ARN; absent means `default`). The ARN
 * of a bus in another region or account comes back whole: no bus here has that name, so the
 * caller's lookup reports it missing.
 */
export function busNameOf(nameOrArn: string | undefined, ctx: AccountContext): string {
  if (nameOrArn === undefined) {
    return DEFAULT_BUS;
  }
  const m = BUS_ARN.exec(nameOrArn);
  if (!m) {
    return nameOrArn;
  }
  const [, region, account, name] = m;
  return region === ctx.region && account === ctx.accountId && name !== undefined
    ? name
    : nameOrArn;
}
