/**
 * Rules: an event pattern matched against the events of one bus, a schedule, or both.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
 */
import { EventPatternError, compilePattern } from '../filter/index.js';
import { ruleArn } from './arns.js';
import { requireBus, type Deps } from './deps.js';
import { invalidEventPattern, ruleNotFound, validation } from './errors.js';
import { paginate } from './pagination.js';
import { ScheduleExpressionError, parseScheduleExpression } from './schedule-expression.js';
import {
  DEFAULT_BUS,
  type EventBridgeService,
  type PutRuleInput,
  type Rule,
  type StoredRule,
} from './types.js';

type RuleOperations = Pick<
  EventBridgeService,
  'putRule' | 'describeRule' | 'listRules' | 'deleteRule' | 'enableRule' | 'disableRule'
>;

export function ruleOperations(deps: Deps): RuleOperations {
  const { store, ctx, clock, writes, scheduler } = deps;

  const describe = (rule: StoredRule): Rule => ({
    name: rule.name,
    arn: ruleArn(ctx, rule.busName, rule.name),
    eventBusName: rule.busName,
    ...(rule.eventPattern === undefined ? {} : { eventPattern: rule.eventPattern }),
    ...(rule.scheduleExpression === undefined
      ? {}
      : { scheduleExpression: rule.scheduleExpression }),
    state: rule.state,
    ...(rule.description === undefined ? {} : { description: rule.description }),
    ...(rule.roleArn === undefined ? {} : { roleArn: rule.roleArn }),
    createdBy: rule.createdBy,
  });

  return {
    putRule: async (input) => {
      const busName = input.eventBusName ?? DEFAULT_BUS;
      checkDefinition(input, busName);
      return writes.run(async () => {
        await requireBus(deps, busName);
        const existing = await store.getRule(busName, input.name);
        const state = input.state ?? 'ENABLED';
        const now = clock.now();
        // The schedule counts afresh when it is new, changed, or enabled again.
        const keepsSchedule =
          existing !== undefined &&
          existing.scheduleExpression === input.scheduleExpression &&
          !(existing.state === 'DISABLED' && state !== 'DISABLED');
        await store.putRule({
          busName,
          name: input.name,
          ...(input.scheduleExpression === undefined
            ? {}
            : { scheduleExpression: input.scheduleExpression }),
          ...(input.eventPattern === undefined ? {} : { eventPattern: input.eventPattern }),
          state,
          ...(input.description === undefined ? {} : { description: input.description }),
          ...(input.roleArn === undefined ? {} : { roleArn: input.roleArn }),
          createdBy: existing?.createdBy ?? ctx.accountId,
          scheduleFrom: keepsSchedule ? existing.scheduleFrom : now,
        });
        await scheduler.refresh(busName, input.name);
        return { ruleArn: ruleArn(ctx, busName, input.name) };
      });
    },

    describeRule: async (ref) => {
      const bus = await requireBus(deps, ref.eventBusName);
      const rule = await store.getRule(bus.name, ref.name);
      if (!rule) {
        throw ruleNotFound(ref.name, bus.name);
      }
      return describe(rule);
    },

    listRules: async (query) => {
      const bus = await requireBus(deps, query.eventBusName);
      const page = paginate(await store.listRules(bus.name, query.namePrefix ?? ''), query);
      return {
        rules: page.items.map(describe),
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },

    // "If you call delete rule multiple times for the same rule, all calls will succeed."
    deleteRule: (ref) =>
      writes.run(async () => {
        const bus = await requireBus(deps, ref.eventBusName);
        if (!(await store.getRule(bus.name, ref.name))) {
          return;
        }
        if ((await store.listTargets(bus.name, ref.name)).length > 0) {
          // "Before you can delete the rule, you must remove all targets."
          throw validation("Rule can't be deleted since it has targets.");
        }
        await store.deleteRule(bus.name, ref.name);
        await scheduler.refresh(bus.name, ref.name);
      }),

    enableRule: (ref) =>
      writes.run(async () => {
        const bus = await requireBus(deps, ref.eventBusName);
        const rule = await store.getRule(bus.name, ref.name);
        if (!rule) {
          throw ruleNotFound(ref.name, bus.name);
        }
        if (rule.state === 'DISABLED') {
          // Missed ticks while disabled never fire: the schedule counts from now.
          await store.setRuleState(bus.name, ref.name, 'ENABLED', clock.now());
          await scheduler.refresh(bus.name, ref.name);
        }
      }),

    disableRule: (ref) =>
      writes.run(async () => {
        const bus = await requireBus(deps, ref.eventBusName);
        if (!(await store.setRuleState(bus.name, ref.name, 'DISABLED'))) {
          throw ruleNotFound(ref.name, bus.name);
        }
        await scheduler.refresh(bus.name, ref.name);
      }),
  };
}

/** The checks PutRule makes before it changes anything. */
function checkDefinition(input: PutRuleInput, busName: string): void {
  if (input.eventPattern === undefined && input.scheduleExpression === undefined) {
    throw validation('Parameter(s) EventPattern or ScheduleExpression must be specified.');
  }
  if (input.scheduleExpression !== undefined) {
    if (busName !== DEFAULT_BUS) {
      throw validation('ScheduleExpression is supported only on the default event bus.');
    }
    try {
      parseScheduleExpression(input.scheduleExpression);
    } catch (err) {
      if (err instanceof ScheduleExpressionError) {
        throw validation('Parameter ScheduleExpression is not valid.');
      }
      throw err;
    }
  }
  if (input.eventPattern !== undefined) {
    try {
      compilePattern(input.eventPattern);
    } catch (err) {
      if (err instanceof EventPatternError) {
        throw invalidEventPattern(err.message);
      }
      throw err;
    }
  }
}
