/**
 * What the HTTP front (src/gateway) needs from the API Gateway v2 and ALB registries
 * (src/control): the deployed routes of an HTTP API stage, and the Lambda target of an ALB
 * target group. Lookups are synchronous: registries keep them in memory so that serving a
 * request costs no store round trip.
 */

/** A Lambda proxy integration (IntegrationType AWS_PROXY). */
export interface HttpApiIntegration {
  readonly integrationId: string;
  /** The function to invoke: a function ARN, possibly qualified (`…:function:name:alias`). */
  readonly functionArn: string;
  readonly payloadFormatVersion: '1.0' | '2.0';
  /** TimeoutInMillis (50–30000, default 30000). */
  readonly timeoutMs: number;
}

/** A route: `$default`, `GET /items/{id}`, `ANY /{proxy+}`. */
export interface HttpApiRoute {
  readonly routeId: string;
  readonly routeKey: string;
  readonly integration: HttpApiIntegration;
}

/** One stage of an HTTP API as clients reach it. */
export interface HttpApiStage {
  readonly apiId: string;
  /** `$default`, or a name that prefixes the request path (`/prod/items/42`). */
  readonly stageName: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly routes: readonly HttpApiRoute[];
}

export interface HttpApiDirectory {
  /** Every stage of the API (none when the API does not exist). */
  stages(apiId: string): readonly HttpApiStage[];
}

/** A target group with TargetType `lambda`. */
export interface AlbTargetGroup {
  readonly targetGroupArn: string;
  readonly name: string;
  /** The registered function (qualified or not); undefined before RegisterTargets. */
  readonly functionArn?: string;
  /** Target group attribute `lambda.multi_value_headers.enabled`. */
  readonly multiValueHeaders: boolean;
}

export interface AlbDirectory {
  /** The target group of this name, if any. */
  targetGroup(name: string): AlbTargetGroup | undefined;
}
