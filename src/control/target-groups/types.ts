/**
 * ELBv2 target groups of TargetType `lambda`, as Fogbank keeps them: the ALB-style front calls
 * the registered function for requests to `/alb/<target-group-name>/…`.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html
 */

export interface TargetGroupRecord {
  readonly targetGroupArn: string;
  readonly name: string;
  /** Health checks are off by default for Lambda targets. */
  readonly healthCheckEnabled: boolean;
  /** The one registered function (qualified or not), once RegisterTargets has run. */
  readonly functionArn?: string;
  /** Target group attributes (`lambda.multi_value_headers.enabled`). */
  readonly attributes: Readonly<Record<string, string>>;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  /** Epoch milliseconds; listings are in creation order. */
  readonly createdAt: number;
}

/** Where target groups live durably (SQLite today; async so PostgreSQL can implement it). */
export interface TargetGroupStore {
  load(): Promise<TargetGroupRecord[]>;
  put(group: TargetGroupRecord): Promise<void>;
  delete(targetGroupArn: string): Promise<void>;
}
