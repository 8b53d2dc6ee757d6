/**
 * The EventBridge operations Fogbank serves: each reads its input shape (constraints from the
 * service model), calls the service and shapes the output as EventBridge does.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
 */
import type { AccountContext } from '../../core/arn.js';
import {
  RULE_STATES,
  busNameOf,
  type EventBridgeService,
  type EventBus,
  type FailedTargetEntry,
  type Page,
  type Rule,
  type RuleRef,
  type Target,
} from '../../events/eventbridge/index.js';
import type { InputReader } from '../protocol/aws-json.js';

export type Operation = (
  service: EventBridgeService,
  input: InputReader,
  ctx: AccountContext,
) => Promise<unknown>;

// The model's patterns, written as AWS prints them in ValidationException messages.
const NAME_PATTERN = new RegExp(String.raw`[\.\-_A-Za-z0-9]+`);
const RULE_NAME = { min: 1, max: 64, pattern: NAME_PATTERN } as const;
const TARGET_ID = { min: 1, max: 64, pattern: NAME_PATTERN } as const;
const BUS_NAME = { min: 1, max: 256, pattern: new RegExp(String.raw`[/\.\-_A-Za-z0-9]+`) } as const;
const BUS_NAME_OR_ARN = {
  min: 1,
  max: 1600,
  pattern: new RegExp(
    String.raw`(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/\.\-_A-Za-z0-9]+`,
  ),
} as const;
const NON_PARTNER_BUS_NAME_OR_ARN = {
  min: 1,
  max: 1600,
  pattern: new RegExp(
    String.raw`(arn:aws[\w-]*:events:[a-z]{2}-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[\.\-_A-Za-z0-9]+`,
  ),
} as const;
const ARN = { min: 1, max: 1600 } as const;
const LIMIT = { min: 1, max: 100 } as const;
const NEXT_TOKEN = { min: 1, max: 2048 } as const;

/** Name plus EventBusName (a name or an ARN), as most rule operations take them. */
function ruleRef(input: InputReader, ctx: AccountContext, nameMember = 'Name'): RuleRef {
  const name = input.requiredString(nameMember, RULE_NAME);
  return { name, ...busRef(input, ctx) };
}

function busRef(input: InputReader, ctx: AccountContext): { eventBusName?: string } {
  const given = input.string('EventBusName', BUS_NAME_OR_ARN);
  return given === undefined ? {} : { eventBusName: busNameOf(given, ctx) };
}

function page(input: InputReader): Page {
  const limit = input.integer('Limit', LIMIT);
  const nextToken = input.string('NextToken', NEXT_TOKEN);
  return {
    ...(limit === undefined ? {} : { limit }),
    ...(nextToken === undefined ? {} : { nextToken }),
  };
}

function readTarget(t: InputReader): Target {
  const id = t.requiredString('Id', TARGET_ID);
  const arn = t.requiredString('Arn', ARN);
  const roleArn = t.string('RoleArn', ARN);
  const input = t.string('Input', { max: 8192 });
  const inputPath = t.string('InputPath', { max: 256 });
  const transformer = t.structure('InputTransformer');
  const inputPathsMap = transformer?.stringMap('InputPathsMap', {
    max: 100,
    key: { min: 1, max: 256, pattern: /[A-Za-z0-9_-]+/ },
  });
  const inputTemplate = transformer?.requiredString('InputTemplate', { min: 1, max: 8192 });
  const retry = t.structure('RetryPolicy');
  const maximumRetryAttempts = retry?.integer('MaximumRetryAttempts', { min: 0, max: 185 });
  const maximumEventAgeInSeconds = retry?.integer('MaximumEventAgeInSeconds', {
    min: 60,
    max: 86400,
  });
  const deadLetter = t.structure('DeadLetterConfig');
  const deadLetterArn = deadLetter?.string('Arn', ARN);
  return {
    id,
    arn,
    ...(roleArn === undefined ? {} : { roleArn }),
    ...(input === undefined ? {} : { input }),
    ...(inputPath === undefined ? {} : { inputPath }),
    ...(inputTemplate === undefined
      ? {}
      : {
          inputTransformer: {
            ...(inputPathsMap === undefined ? {} : { inputPathsMap }),
            inputTemplate,
          },
        }),
    ...(retry === undefined
      ? {}
      : {
          retryPolicy: {
            ...(maximumRetryAttempts === undefined ? {} : { maximumRetryAttempts }),
            ...(maximumEventAgeInSeconds === undefined ? {} : { maximumEventAgeInSeconds }),
          },
        }),
    ...(deadLetter === undefined
      ? {}
      : { deadLetterConfig: deadLetterArn === undefined ? {} : { arn: deadLetterArn } }),
  };
}

function targetShape(t: Target) {
  return {
    Id: t.id,
    Arn: t.arn,
    RoleArn: t.roleArn,
    Input: t.input,
    InputPath: t.inputPath,
    InputTransformer: t.inputTransformer && {
      InputPathsMap: t.inputTransformer.inputPathsMap,
      InputTemplate: t.inputTransformer.inputTemplate,
    },
    RetryPolicy: t.retryPolicy && {
      MaximumRetryAttempts: t.retryPolicy.maximumRetryAttempts,
      MaximumEventAgeInSeconds: t.retryPolicy.maximumEventAgeInSeconds,
    },
    DeadLetterConfig: t.deadLetterConfig && { Arn: t.deadLetterConfig.arn },
  };
}

function ruleShape(r: Rule) {
  return {
    Name: r.name,
    Arn: r.arn,
    EventPattern: r.eventPattern,
    ScheduleExpression: r.scheduleExpression,
    State: r.state,
    Description: r.description,
    RoleArn: r.roleArn,
    EventBusName: r.eventBusName,
  };
}

const seconds = (ms: number | undefined): number | undefined =>
  ms === undefined ? undefined : ms / 1000;

function busShape(b: EventBus) {
  return {
    Name: b.name,
    Arn: b.arn,
    Description: b.description,
    CreationTime: seconds(b.createdAt),
    LastModifiedTime: seconds(b.modifiedAt),
  };
}

function failedEntriesShape(failed: readonly FailedTargetEntry[]) {
  return {
    FailedEntryCount: failed.length,
    FailedEntries: failed.map((f) => ({
      TargetId: f.targetId,
      ErrorCode: f.errorCode,
      ErrorMessage: f.errorMessage,
    })),
  };
}

/** Runs `input.finish()` (throwing collected violations) before calling the service. */
function op<T>(read: (input: InputReader, ctx: AccountContext) => T) {
  return (input: InputReader, ctx: AccountContext): T => {
    const value = read(input, ctx);
    input.finish();
    return value;
  };
}

const readPutRule = op((input, ctx) => {
  const ref = ruleRef(input, ctx);
  const scheduleExpression = input.string('ScheduleExpression', { max: 256 });
  const eventPattern = input.string('EventPattern', { max: 4096 });
  const state = input.string('State', { enum: RULE_STATES });
  const description = input.string('Description', { max: 512 });
  const roleArn = input.string('RoleArn', ARN);
  return {
    ...ref,
    ...(scheduleExpression === undefined ? {} : { scheduleExpression }),
    ...(eventPattern === undefined ? {} : { eventPattern }),
    ...(state === undefined ? {} : { state: state as (typeof RULE_STATES)[number] }),
    ...(description === undefined ? {} : { description }),
    ...(roleArn === undefined ? {} : { roleArn }),
  };
});

const readRuleRef = op((input, ctx) => ruleRef(input, ctx));

const readTargetsRequest = op((input, ctx) => ({
  ref: ruleRef(input, ctx, 'Rule'),
  targets: input.requiredStructureList('Targets', { min: 1, max: 100 }).map(readTarget),
}));

const readRemoveTargets = op((input, ctx) => ({
  ref: ruleRef(input, ctx, 'Rule'),
  ids: input.requiredStringList('Ids', { min: 1, max: 100, item: TARGET_ID }),
}));

const readListTargets = op((input, ctx) => ({
  ref: ruleRef(input, ctx, 'Rule'),
  page: page(input),
}));

const readListRules = op((input, ctx) => {
  const namePrefix = input.string('NamePrefix', RULE_NAME);
  return {
    ...(namePrefix === undefined ? {} : { namePrefix }),
    ...busRef(input, ctx),
    ...page(input),
  };
});

const readPutEvents = op((input, ctx) =>
  input.requiredStructureList('Entries', { min: 1, max: 10 }).map((e) => {
    const source = e.string('Source');
    const detailType = e.string('DetailType');
    const detail = e.string('Detail');
    const resources = e.stringList('Resources', { item: { max: 2048 } });
    const time = e.timestamp('Time');
    const bus = e.string('EventBusName', NON_PARTNER_BUS_NAME_OR_ARN);
    return {
      ...(source === undefined ? {} : { source }),
      ...(detailType === undefined ? {} : { detailType }),
      ...(detail === undefined ? {} : { detail }),
      ...(resources === undefined ? {} : { resources }),
      ...(time === undefined ? {} : { time }),
      ...(bus === undefined ? {} : { eventBusName: busNameOf(bus, ctx) }),
    };
  }),
);

const readCreateEventBus = op((input) => {
  const name = input.requiredString('Name', BUS_NAME);
  const description = input.string('Description', { max: 512 });
  return { name, ...(description === undefined ? {} : { description }) };
});

const readBusName = op((input) => input.requiredString('Name', BUS_NAME));

const readDescribeEventBus = op((input, ctx) => {
  const name = input.string('Name', BUS_NAME_OR_ARN);
  return name === undefined ? undefined : busNameOf(name, ctx);
});

const readListEventBuses = op((input) => {
  const namePrefix = input.string('NamePrefix', BUS_NAME);
  return { ...(namePrefix === undefined ? {} : { namePrefix }), ...page(input) };
});

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  async PutRule(service, input, ctx) {
    return { RuleArn: (await service.putRule(readPutRule(input, ctx))).ruleArn };
  },
  async DescribeRule(service, input, ctx) {
    const rule = await service.describeRule(readRuleRef(input, ctx));
    return { ...ruleShape(rule), CreatedBy: rule.createdBy };
  },
  async ListRules(service, input, ctx) {
    const { rules, nextToken } = await service.listRules(readListRules(input, ctx));
    return { Rules: rules.map(ruleShape), NextToken: nextToken };
  },
  async DeleteRule(service, input, ctx) {
    await service.deleteRule(readRuleRef(input, ctx));
    return {};
  },
  async EnableRule(service, input, ctx) {
    await service.enableRule(readRuleRef(input, ctx));
    return {};
  },
  async DisableRule(service, input, ctx) {
    await service.disableRule(readRuleRef(input, ctx));
    return {};
  },
  async PutTargets(service, input, ctx) {
    const { ref, targets } = readTargetsRequest(input, ctx);
    return failedEntriesShape((await service.putTargets(ref, targets)).failedEntries);
  },
  async RemoveTargets(service, input, ctx) {
    const { ref, ids } = readRemoveTargets(input, ctx);
    return failedEntriesShape((await service.removeTargets(ref, ids)).failedEntries);
  },
  async ListTargetsByRule(service, input, ctx) {
    const { ref, page: p } = readListTargets(input, ctx);
    const { targets, nextToken } = await service.listTargetsByRule(ref, p);
    return { Targets: targets.map(targetShape), NextToken: nextToken };
  },
  async PutEvents(service, input, ctx) {
    const results = await service.putEvents(readPutEvents(input, ctx));
    return {
      FailedEntryCount: results.filter((r) => 'errorCode' in r).length,
      Entries: results.map((r) =>
        'eventId' in r
          ? { EventId: r.eventId }
          : { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage },
      ),
    };
  },
  async CreateEventBus(service, input, ctx) {
    const created = await service.createEventBus(readCreateEventBus(input, ctx));
    return { EventBusArn: created.eventBusArn, Description: created.description };
  },
  async DeleteEventBus(service, input, ctx) {
    await service.deleteEventBus(readBusName(input, ctx));
    return {};
  },
  async DescribeEventBus(service, input, ctx) {
    return busShape(await service.describeEventBus(readDescribeEventBus(input, ctx)));
  },
  async ListEventBuses(service, input, ctx) {
    const { eventBuses, nextToken } = await service.listEventBuses(readListEventBuses(input, ctx));
    return { EventBuses: eventBuses.map(busShape), NextToken: nextToken };
  },
};
