/** What the HTTP API operations take, as read from their requests (absent members undefined). */

export interface CreateApiInput {
  readonly name: string | undefined;
  readonly protocolType: string | undefined;
  readonly description?: string | undefined;
  readonly version?: string | undefined;
  readonly disableExecuteApiEndpoint?: boolean | undefined;
  readonly routeSelectionExpression?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  /** Quick create: the function every request of the new API reaches. */
  readonly target?: string | undefined;
  /** Quick create: the route's key (`$default` when absent). */
  readonly routeKey?: string | undefined;
}

export interface UpdateApiInput {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly version?: string | undefined;
  readonly disableExecuteApiEndpoint?: boolean | undefined;
  /** Quick update: a new function for the integration quick create made. */
  readonly target?: string | undefined;
  /** Quick update: a new key for the route quick create made. */
  readonly routeKey?: string | undefined;
}

export interface RouteInput {
  readonly routeKey?: string | undefined;
  readonly target?: string | undefined;
  readonly operationName?: string | undefined;
  readonly authorizationType?: string | undefined;
  readonly apiKeyRequired?: boolean | undefined;
}

export interface IntegrationInput {
  readonly integrationType?: string | undefined;
  readonly integrationUri?: string | undefined;
  readonly integrationMethod?: string | undefined;
  readonly payloadFormatVersion?: string | undefined;
  readonly timeoutInMillis?: number | undefined;
  readonly description?: string | undefined;
}

export interface StageInput {
  readonly stageName?: string | undefined;
  readonly autoDeploy?: boolean | undefined;
  readonly stageVariables?: Readonly<Record<string, string>> | undefined;
  readonly description?: string | undefined;
  readonly deploymentId?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
}

export interface DeploymentInput {
  readonly stageName?: string | undefined;
  readonly description?: string | undefined;
}

/** `{ [key]: value }` when the value is given, else nothing (optional members stay absent). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}
