/**
 * EventBridge's vocabulary: event buses, rules (an event pattern, a schedule, or both) and the
 * targets a rule sends matching events to.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/Welcome.html
 */

/** `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` matters only for CloudTrail events; it is enabled. */
export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

export const RULE_STATES: readonly RuleState[] = [
  'ENABLED',
  'DISABLED',
  'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
];

export const DEFAULT_BUS = 'default';

export interface EventBus {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  /** Epoch ms; absent for the default bus, which is never created. */
  readonly createdAt?: number;
  readonly modifiedAt?: number;
}

/** A rule as stored: its definition plus the schedule's durable state. */
export interface StoredRule {
  readonly busName: string;
  readonly name: string;
  readonly scheduleExpression?: string;
  readonly eventPattern?: string;
  readonly state: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
  /** The account that created the rule (DescribeRule's CreatedBy). */
  readonly createdBy: string;
  /**
   * When the schedule started counting (epoch ms): set when the rule is created, when its
   * ScheduleExpression changes and when it is enabled again. Rate expressions count from it.
   */
  readonly scheduleFrom: number;
  /** When the schedule last fired (epoch ms), so a restart fires a missed schedule once. */
  readonly lastFiredAt?: number;
}

/** A rule as the API describes it. */
export interface Rule {
  readonly name: string;
  readonly arn: string;
  readonly eventBusName: string;
  readonly scheduleExpression?: string;
  readonly eventPattern?: string;
  readonly state: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
  readonly createdBy: string;
}

export interface InputTransformer {
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

export interface Target {
  readonly id: string;
  readonly arn: string;
  readonly roleArn?: string;
  /** Constant JSON text sent instead of the event. */
  readonly input?: string;
  /** A JSONPath selecting the part of the event to send. */
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
  /*
   * Kept and listed back as given; delivery goes into Lambda's durable asynchronous queue, whose
   * own retry and age settings (PutFunctionEventInvokeConfig) apply from there.
   */
  readonly retryPolicy?: {
    readonly maximumRetryAttempts?: number;
    readonly maximumEventAgeInSeconds?: number;
  };
  readonly deadLetterConfig?: { readonly arn?: string };
}

/**
 * Which rule a call is about; its bus by name, `default` when absent (the API turns an
 * EventBusName given as an ARN into the name, see busNameOf).
 */
export interface RuleRef {
  readonly name: string;
  readonly eventBusName?: string;
}

export interface PutRuleInput extends RuleRef {
  readonly scheduleExpression?: string;
  readonly eventPattern?: string;
  readonly state?: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
}

export interface Page {
  readonly limit?: number;
  readonly nextToken?: string;
}

export interface ListRulesQuery extends Page {
  readonly namePrefix?: string;
  readonly eventBusName?: string;
}

export interface ListEventBusesQuery extends Page {
  readonly namePrefix?: string;
}

/** One entry that PutTargets or RemoveTargets could not apply. */
export interface FailedTargetEntry {
  readonly targetId: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** One PutEvents entry (Time in epoch ms). */
export interface EventEntry {
  readonly source?: string;
  readonly detailType?: string;
  /** A JSON object, as text. */
  readonly detail?: string;
  readonly resources?: readonly string[];
  readonly time?: number;
  /** The bus by name, `default` when absent. */
  readonly eventBusName?: string;
}

export type EventEntryResult =
  { readonly eventId: string } | { readonly errorCode: string; readonly errorMessage: string };

/** The event envelope EventBridge delivers to targets. */
export interface EventEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  /** ISO 8601 with second precision and `Z`. */
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

export interface EventBridgeService {
  createEventBus(input: {
    readonly name: string;
    readonly description?: string;
  }): Promise<{ readonly eventBusArn: string; readonly description?: string }>;
  /** Deleting a bus that does not exist succeeds, as on AWS. */
  deleteEventBus(name: string): Promise<void>;
  /** The default bus when `name` is absent. */
  describeEventBus(name?: string): Promise<EventBus>;
  listEventBuses(
    query: ListEventBusesQuery,
  ): Promise<{ readonly eventBuses: EventBus[]; readonly nextToken?: string }>;

  /** Creates or replaces a rule (omitted members are cleared, as PutRule documents). */
  putRule(input: PutRuleInput): Promise<{ readonly ruleArn: string }>;
  describeRule(ref: RuleRef): Promise<Rule>;
  listRules(
    query: ListRulesQuery,
  ): Promise<{ readonly rules: Rule[]; readonly nextToken?: string }>;
  /** Refuses while the rule has targets; deleting a rule that does not exist succeeds. */
  deleteRule(ref: RuleRef): Promise<void>;
  enableRule(ref: RuleRef): Promise<void>;
  disableRule(ref: RuleRef): Promise<void>;

  putTargets(
    ref: RuleRef,
    targets: readonly Target[],
  ): Promise<{ readonly failedEntries: FailedTargetEntry[] }>;
  removeTargets(
    ref: RuleRef,
    ids: readonly string[],
  ): Promise<{ readonly failedEntries: FailedTargetEntry[] }>;
  listTargetsByRule(
    ref: RuleRef,
    page: Page,
  ): Promise<{ readonly targets: Target[]; readonly nextToken?: string }>;

  /**
   * Matches each entry against the enabled rules of its bus and queues an asynchronous
   * invocation of every matched target; resolves once those invocations are durably queued.
   */
  putEvents(entries: readonly EventEntry[]): Promise<EventEntryResult[]>;
  /**
   * PutEvents onto one bus named by ARN, for Fogbank's own producers (asynchronous invocation
   * destinations). Rejects with ResourceNotFoundException when the bus does not exist.
   */
  putEventsToBus(
    busArn: string,
    entries: readonly Omit<EventEntry, 'eventBusName'>[],
  ): Promise<EventEntryResult[]>;

  /** Arms the schedules of every enabled scheduled rule; a schedule missed while stopped fires once. */
  start(): Promise<void>;
  /** Disarms the schedules and waits for deliveries in progress. */
  stop(): Promise<void>;
  /** Resolves when no scheduled delivery is in progress (tests, orderly shutdown). */
  idle(): Promise<void>;
}
