/**
 * Target groups of TargetType `lambda` (the part of ELBv2 a Lambda user needs for ALB-style
 * triggers): one registered function per group, health as ELB reports it for Lambda targets, and
 * the `lambda.multi_value_headers.enabled` attribute. Changes are committed to the store, then
 * applied to the in-memory copy that AlbDirectory lookups read; they are serialized so that
 * validation sees the state a change applies to.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 */
import { randomBytes } from 'node:crypto';
import { functionArn, parseFunctionRef, type AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { ServiceError } from '../../core/errors.js';
import type { AlbDirectory, AlbTargetGroup } from '../../gateway/http-api-types.js';
import { elbv2Error } from './errors.js';
import type { TargetGroupRecord, TargetGroupStore } from './types.js';

export const MULTI_VALUE_HEADERS = 'lambda.multi_value_headers.enabled';

const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = { [MULTI_VALUE_HEADERS]: 'false' };
const NAME = /^(?!-)[A-Za-z0-9-]{1,32}(?<!-)$/;
const FULL_FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:/;
const MAX_PAGE = 400;

export interface CreateTargetGroupInput {
  readonly name: string | undefined;
  readonly targetType: string | undefined;
  readonly protocol: string | undefined;
  readonly port: number | undefined;
  readonly vpcId: string | undefined;
  readonly healthCheckEnabled: boolean | undefined;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
}

export interface DescribeTargetGroupsInput {
  readonly targetGroupArns: readonly string[];
  readonly names: readonly string[];
  readonly loadBalancerArn: string | undefined;
  readonly marker: string | undefined;
  readonly pageSize: number | undefined;
}

export interface TargetHealthDescription {
  readonly id: string;
  readonly state: 'healthy' | 'unhealthy' | 'unavailable' | 'unused';
  readonly reason?: string;
  readonly description?: string;
}

export interface TargetGroupServiceOptions {
  readonly store: TargetGroupStore;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** Whether a function ARN (qualified or not) names an existing function or alias. */
  readonly functionExists: (functionArn: string) => Promise<boolean>;
}

export class TargetGroupService implements AlbDirectory {
  readonly #store: TargetGroupStore;
  readonly #ctx: AccountContext;
  readonly #clock: Clock;
  readonly #functionExists: (functionArn: string) => Promise<boolean>;
  /** By ARN, in creation order. */
  readonly #groups = new Map<string, TargetGroupRecord>();
  readonly #byName = new Map<string, TargetGroupRecord>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: TargetGroupServiceOptions) {
    this.#store = options.store;
    this.#ctx = options.ctx;
    this.#clock = options.clock;
    this.#functionExists = options.functionExists;
  }

  async start(): Promise<void> {
    const groups = await this.#store.load();
    for (const group of groups.sort((a, b) => a.createdAt - b.createdAt)) {
      this.#remember(group);
    }
  }

  targetGroup(name: string): AlbTargetGroup | undefined {
    const group = this.#byName.get(name);
    if (group === undefined) {
      return undefined;
    }
    return {
      targetGroupArn: group.targetGroupArn,
      name: group.name,
      ...(group.functionArn !== undefined && { functionArn: group.functionArn }),
      multiValueHeaders: group.attributes[MULTI_VALUE_HEADERS] === 'true',
    };
  }

  /** Creates the group, or answers the existing one of that name (CreateTargetGroup is idempotent). */
  createTargetGroup(input: CreateTargetGroupInput): Promise<TargetGroupRecord> {
    return this.#serially(async () => {
      const name = input.name ?? '';
      if (!NAME.test(name) || name.startsWith('internal-')) {
        throw elbv2Error(
          'ValidationError',
          `Target group name '${name}' is not valid: up to 32 alphanumeric characters or hyphens, not beginning or ending with a hyphen.`,
        );
      }
      if (input.targetType !== 'lambda') {
        throw elbv2Error(
          'ValidationError',
          `Target type '${input.targetType ?? 'instance'}' is not supported: Fogbank's target groups take Lambda functions only (--target-type lambda).`,
        );
      }
      if (input.protocol !== undefined || input.port !== undefined || input.vpcId !== undefined) {
        throw elbv2Error(
          'ValidationError',
          "Protocol, port and VPC ID cannot be specified for target groups of target type 'lambda'.",
        );
      }
      const healthCheckEnabled = input.healthCheckEnabled ?? false;
      const existing = this.#byName.get(name);
      if (existing !== undefined) {
        if (existing.healthCheckEnabled !== healthCheckEnabled) {
          throw elbv2Error(
            'DuplicateTargetGroupName',
            'A target group with the same name exists, but with different settings',
          );
        }
        return existing;
      }
      const group: TargetGroupRecord = {
        targetGroupArn: `arn:aws:elasticloadbalancing:${this.#ctx.region}:${this.#ctx.accountId}:targetgroup/${name}/${randomBytes(8).toString('hex')}`,
        name,
        healthCheckEnabled,
        attributes: DEFAULT_ATTRIBUTES,
        tags: input.tags,
        createdAt: this.#clock.now(),
      };
      await this.#store.put(group);
      this.#remember(group);
      return group;
    });
  }

  describeTargetGroups(input: DescribeTargetGroupsInput): {
    readonly groups: readonly TargetGroupRecord[];
    readonly nextMarker?: string;
  } {
    if (input.loadBalancerArn !== undefined) {
      throw elbv2Error(
        'ValidationError',
        'Fogbank has no load balancers; target groups are reached at /alb/<target-group-name>/.',
      );
    }
    let groups: TargetGroupRecord[];
    if (input.targetGroupArns.length > 0 || input.names.length > 0) {
      groups = [
        ...input.targetGroupArns.map((arn) => this.#groups.get(arn)),
        ...input.names.map((name) => this.#byName.get(name)),
      ].filter((g) => g !== undefined);
      if (groups.length < input.targetGroupArns.length + input.names.length) {
        throw elbv2Error('TargetGroupNotFound', 'One or more target groups not found');
      }
    } else {
      groups = [...this.#groups.values()];
    }
    const pageSize = input.pageSize ?? MAX_PAGE;
    if (pageSize < 1 || pageSize > MAX_PAGE) {
      throw elbv2Error('ValidationError', `PageSize must be between 1 and ${MAX_PAGE}.`);
    }
    const start = input.marker === undefined ? 0 : markerIndex(input.marker, groups);
    const page = groups.slice(start, start + pageSize);
    return start + pageSize < groups.length
      ? { groups: page, nextMarker: Buffer.from(String(start + pageSize)).toString('base64url') }
      : { groups: page };
  }

  deleteTargetGroup(targetGroupArn: string | undefined): Promise<void> {
    return this.#serially(async () => {
      const group = this.#group(targetGroupArn);
      await this.#store.delete(group.targetGroupArn);
      this.#groups.delete(group.targetGroupArn);
      this.#byName.delete(group.name);
    });
  }

  /** Registers the group's function: one per group, as ELB allows for Lambda targets. */
  registerTargets(targetGroupArn: string | undefined, targetIds: readonly string[]): Promise<void> {
    return this.#serially(async () => {
      const group = this.#group(targetGroupArn);
      const ids = [...new Set(targetIds.map((id) => this.#functionArnOf(id)))];
      if (ids.length === 0) {
        throw elbv2Error('ValidationError', 'Targets must contain one Lambda function ARN.');
      }
      const [id] = ids;
      if (ids.length > 1 || (group.functionArn !== undefined && group.functionArn !== id)) {
        throw elbv2Error(
          'TooManyTargets',
          'You cannot register more than one Lambda function in a target group',
        );
      }
      if (id === undefined || id === group.functionArn) {
        return;
      }
      if (!(await this.#functionExists(id))) {
        throw elbv2Error('InvalidTarget', `The function ${id} does not exist.`);
      }
      await this.#replace({ ...group, functionArn: id });
    });
  }

  deregisterTargets(
    targetGroupArn: string | undefined,
    targetIds: readonly string[],
  ): Promise<void> {
    return this.#serially(async () => {
      const group = this.#group(targetGroupArn);
      const ids = targetIds.map((id) => this.#functionArnOf(id));
      const stranger = ids.find((id) => id !== group.functionArn);
      if (stranger !== undefined || ids.length === 0) {
        throw elbv2Error(
          'InvalidTarget',
          `The following targets are not registered in target group ${group.name}: ${stranger ?? '(none given)'}`,
        );
      }
      const deregistered: TargetGroupRecord = {
        targetGroupArn: group.targetGroupArn,
        name: group.name,
        healthCheckEnabled: group.healthCheckEnabled,
        attributes: group.attributes,
        tags: group.tags,
        createdAt: group.createdAt,
      };
      await this.#replace(deregistered);
    });
  }

  /**
   * Lambda targets are `unavailable` while health checks are off (the default); with them on, a
   * target is `healthy` when its function exists.
   */
  async describeTargetHealth(
    targetGroupArn: string | undefined,
    targetIds: readonly string[],
  ): Promise<TargetHealthDescription[]> {
    const group = this.#group(targetGroupArn);
    const ids =
      targetIds.length > 0
        ? targetIds.map((id) => this.#functionArnOf(id))
        : group.functionArn === undefined
          ? []
          : [group.functionArn];
    return Promise.all(
      ids.map(async (id): Promise<TargetHealthDescription> => {
        if (id !== group.functionArn) {
          return {
            id,
            state: 'unused',
            reason: 'Target.NotRegistered',
            description: 'Target is not registered to the target group',
          };
        }
        if (!group.healthCheckEnabled) {
          return {
            id,
            state: 'unavailable',
            reason: 'Target.HealthCheckDisabled',
            description: 'Health checks are disabled',
          };
        }
        return (await this.#functionExists(id))
          ? { id, state: 'healthy' }
          : {
              id,
              state: 'unhealthy',
              reason: 'Target.FailedHealthChecks',
              description: 'Health checks failed',
            };
      }),
    );
  }

  describeTargetGroupAttributes(
    targetGroupArn: string | undefined,
  ): Readonly<Record<string, string>> {
    return this.#group(targetGroupArn).attributes;
  }

  modifyTargetGroupAttributes(
    targetGroupArn: string | undefined,
    attributes: readonly { readonly key: string; readonly value: string }[],
  ): Promise<Readonly<Record<string, string>>> {
    return this.#serially(async () => {
      const group = this.#group(targetGroupArn);
      if (attributes.length === 0) {
        throw elbv2Error('ValidationError', 'Attributes must contain at least one attribute.');
      }
      const changed = { ...group.attributes };
      for (const { key, value } of attributes) {
        if (key !== MULTI_VALUE_HEADERS) {
          throw elbv2Error(
            'ValidationError',
            `Target group attribute key '${key}' is not recognized for target type 'lambda'`,
          );
        }
        if (value !== 'true' && value !== 'false') {
          throw elbv2Error(
            'ValidationError',
            `Target group attribute '${key}' must be 'true' or 'false', not '${value}'`,
          );
        }
        changed[key] = value;
      }
      const updated = { ...group, attributes: changed };
      await this.#replace(updated);
      return updated.attributes;
    });
  }

  /** The tags of each target group, in the order asked. */
  describeTags(
    resourceArns: readonly string[],
  ): { arn: string; tags: TargetGroupRecord['tags'] }[] {
    return resourceArns.map((arn) => ({ arn, tags: this.#group(arn).tags }));
  }

  /** Adds tags to every group named (a key given again gets the new value). */
  addTags(
    resourceArns: readonly string[],
    tags: readonly { readonly key: string; readonly value: string }[],
  ): Promise<void> {
    return this.#retag(resourceArns, (current) => [
      ...current.filter((t) => !tags.some((n) => n.key === t.key)),
      ...tags,
    ]);
  }

  removeTags(resourceArns: readonly string[], tagKeys: readonly string[]): Promise<void> {
    return this.#retag(resourceArns, (current) => current.filter((t) => !tagKeys.includes(t.key)));
  }

  #retag(
    resourceArns: readonly string[],
    change: (current: TargetGroupRecord['tags']) => TargetGroupRecord['tags'],
  ): Promise<void> {
    return this.#serially(async () => {
      // Every ARN is checked before anything changes.
      const groups = resourceArns.map((arn) => this.#group(arn));
      for (const group of groups) {
        await this.#replace({ ...group, tags: change(group.tags) });
      }
    });
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  async #replace(group: TargetGroupRecord): Promise<void> {
    await this.#store.put(group);
    this.#remember(group);
  }

  #remember(group: TargetGroupRecord): void {
    this.#groups.set(group.targetGroupArn, group);
    this.#byName.set(group.name, group);
  }

  #group(targetGroupArn: string | undefined): TargetGroupRecord {
    if (targetGroupArn === undefined) {
      throw elbv2Error('ValidationError', 'TargetGroupArn is required.');
    }
    const group = this.#groups.get(targetGroupArn);
    if (group === undefined) {
      throw elbv2Error('TargetGroupNotFound', `Target groups '${targetGroupArn}' not found`);
    }
    return group;
  }

  /** A target id of a Lambda target group: a function ARN, normalized. */
  #functionArnOf(id: string): string {
    if (!FULL_FUNCTION_ARN.test(id)) {
      throw elbv2Error('InvalidTarget', `The target '${id}' is not a Lambda function ARN.`);
    }
    try {
      const ref = parseFunctionRef(id, this.#ctx, 'targets.id');
      return functionArn(this.#ctx, ref.name, ref.qualifier);
    } catch (error) {
      if (error instanceof ServiceError) {
        throw elbv2Error('InvalidTarget', `The target '${id}' is not valid: ${error.message}`);
      }
      throw error;
    }
  }
}

function markerIndex(marker: string, groups: readonly unknown[]): number {
  const index = Number(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(index) || index < 0 || index > groups.length) {
    throw elbv2Error('ValidationError', `Invalid marker '${marker}'`);
  }
  return index;
}
