/**
 * The resources of an API Gateway v2 HTTP API as Fogbank keeps them. Each record is the API's own
 * camelCase wire shape (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/), minus
 * what is derived when answering (an API's `apiEndpoint` depends on the server's address).
 */

export interface ApiRecord {
  readonly apiId: string;
  readonly name: string;
  readonly protocolType: 'HTTP';
  readonly description?: string;
  readonly version?: string;
  /** ISO 8601. */
  readonly createdDate: string;
  readonly routeSelectionExpression: string;
  readonly apiKeySelectionExpression: string;
  readonly disableExecuteApiEndpoint: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

export interface RouteRecord {
  readonly routeId: string;
  readonly routeKey: string;
  /** `integrations/<integrationId>`; a route without one answers 404 when called. */
  readonly target?: string;
  readonly authorizationType: 'NONE';
  readonly apiKeyRequired: boolean;
  readonly operationName?: string;
  /** Created by quick create. */
  readonly apiGatewayManaged?: boolean;
}

export interface IntegrationRecord {
  readonly integrationId: string;
  readonly integrationType: 'AWS_PROXY';
  /** As given: a Lambda function ARN or the `arn:aws:apigateway:…/invocations` form. */
  readonly integrationUri: string;
  readonly integrationMethod: 'POST';
  readonly connectionType: 'INTERNET';
  readonly payloadFormatVersion: '1.0' | '2.0';
  readonly timeoutInMillis: number;
  readonly description?: string;
  readonly apiGatewayManaged?: boolean;
}

export interface StageRecord {
  readonly stageName: string;
  readonly autoDeploy: boolean;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly deploymentId?: string;
  readonly createdDate: string;
  readonly lastUpdatedDate: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly apiGatewayManaged?: boolean;
}

export interface DeploymentRecord {
  readonly deploymentId: string;
  readonly deploymentStatus: 'DEPLOYED';
  readonly autoDeployed: boolean;
  readonly description?: string;
  readonly createdDate: string;
}

/** The kinds of resources that belong to one API. */
export interface ApiResources {
  readonly route: RouteRecord;
  readonly integration: IntegrationRecord;
  readonly stage: StageRecord;
  readonly deployment: DeploymentRecord;
}

export type ResourceKind = keyof ApiResources;

/** One API with everything in it, as loaded on start. */
export interface StoredApi {
  readonly api: ApiRecord;
  readonly routes: readonly RouteRecord[];
  readonly integrations: readonly IntegrationRecord[];
  readonly stages: readonly StageRecord[];
  readonly deployments: readonly DeploymentRecord[];
}

/** One durable change; a request's changes are committed together. */
export type HttpApiChange =
  | { readonly op: 'putApi'; readonly api: ApiRecord }
  | { readonly op: 'deleteApi'; readonly apiId: string }
  | {
      readonly op: 'put';
      readonly apiId: string;
      readonly kind: ResourceKind;
      readonly id: string;
      readonly record: ApiResources[ResourceKind];
    }
  | {
      readonly op: 'delete';
      readonly apiId: string;
      readonly kind: ResourceKind;
      readonly id: string;
    };

/** Where HTTP APIs live durably (SQLite today; async so PostgreSQL can implement it). */
export interface HttpApiStore {
  /** Every API with its resources. */
  load(): Promise<StoredApi[]>;
  /** Applies the changes in one transaction; deleting an API deletes its resources. */
  commit(changes: readonly HttpApiChange[]): Promise<void>;
}
