/**
 * API Gateway v2 HTTP APIs: the APIs, their routes, Lambda proxy integrations, stages and
 * deployments. Every change is committed to the store first and then applied to the in-memory
 * copy the HTTP front reads (`stages`), so a lookup never waits on the store. Changes are
 * serialized, so validation always sees the state the change will apply to.
 *
 * DIVERGENCE: routes are live on every stage at once (as if every stage were auto-deployed);
 * deployments are recorded and reported but do not snapshot routes.
 */
import type { AccountContext } from '../../core/arn.js';
import type { Clock } from '../../core/clock.js';
import { newShortId } from '../../core/ids.js';
import type {
  HttpApiDirectory,
  HttpApiIntegration,
  HttpApiRoute,
  HttpApiStage,
} from '../../gateway/http-api-types.js';
import { executeApiEndpoint } from './api-endpoint.js';
import { badRequest, conflict, notFound } from './errors.js';
import { integrationFunctionArn } from './integration-uri.js';
import { checkRouteKey, DEFAULT_ROUTE_KEY } from './route-key.js';
import type {
  ApiRecord,
  ApiResources,
  DeploymentRecord,
  HttpApiChange,
  HttpApiStore,
  IntegrationRecord,
  ResourceKind,
  RouteRecord,
  StageRecord,
  StoredApi,
} from './types.js';

/** An API as answered: its record and where clients call it. */
export type ApiView = ApiRecord & { readonly apiEndpoint: string };

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

export interface PageRequest {
  readonly maxResults?: number;
  readonly nextToken?: string;
}

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

interface ApiState {
  api: ApiRecord;
  readonly routes: Map<string, RouteRecord>;
  readonly integrations: Map<string, IntegrationRecord>;
  readonly stages: Map<string, StageRecord>;
  readonly deployments: Map<string, DeploymentRecord>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const STAGE_NAME = /^(\$default|[A-Za-z0-9_-]{1,128})$/;
const STAGE_VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const STAGE_VARIABLE_VALUE = /^[A-Za-z0-9-._~:/?#&=,]{0,2048}$/;
const TARGET = /^integrations\/([a-z0-9]+)$/;

export interface HttpApiServiceOptions {
  readonly store: HttpApiStore;
  readonly ctx: AccountContext;
  readonly clock: Clock;
  /** `http://host:port` of the server, for each API's `apiEndpoint`. */
  readonly publicEndpoint: string;
}

export class HttpApiService implements HttpApiDirectory {
  readonly #store: HttpApiStore;
  readonly #ctx: AccountContext;
  readonly #clock: Clock;
  readonly #publicEndpoint: string;
  readonly #apis = new Map<string, ApiState>();
  /** What `stages` answers, per API; dropped whenever the API changes. */
  readonly #deployed = new Map<string, readonly HttpApiStage[]>();
  #tail: Promise<unknown> = Promise.resolve();

  constructor(options: HttpApiServiceOptions) {
    this.#store = options.store;
    this.#ctx = options.ctx;
    this.#clock = options.clock;
    this.#publicEndpoint = options.publicEndpoint;
  }

  /** Loads every API from the store; call once before serving. */
  async start(): Promise<void> {
    for (const stored of await this.#store.load()) {
      this.#apis.set(stored.api.apiId, stateOf(stored));
    }
  }

  // ── HttpApiDirectory ──────────────────────────────────────────────────────

  /**
   * The API's stages with their routes; none when the API does not exist or its execute-api
   * endpoint is disabled (AWS then serves it only on custom domains, which Fogbank has not).
   */
  stages(apiId: string): readonly HttpApiStage[] {
    const cached = this.#deployed.get(apiId);
    if (cached !== undefined) {
      return cached;
    }
    const state = this.#apis.get(apiId);
    if (state === undefined || state.api.disableExecuteApiEndpoint) {
      return [];
    }
    const integrations = new Map<string, HttpApiIntegration>();
    for (const i of state.integrations.values()) {
      const target = this.#functionOf(i.integrationUri);
      if (target !== undefined) {
        integrations.set(i.integrationId, {
          integrationId: i.integrationId,
          functionArn: target,
          payloadFormatVersion: i.payloadFormatVersion,
          timeoutMs: i.timeoutInMillis,
        });
      }
    }
    const routes: HttpApiRoute[] = [];
    for (const r of state.routes.values()) {
      const id = r.target === undefined ? undefined : TARGET.exec(r.target)?.[1];
      const integration = id === undefined ? undefined : integrations.get(id);
      if (integration !== undefined) {
        routes.push({ routeId: r.routeId, routeKey: r.routeKey, integration });
      }
    }
    const stages = [...state.stages.values()].map((s) => ({
      apiId,
      stageName: s.stageName,
      stageVariables: s.stageVariables,
      routes,
    }));
    this.#deployed.set(apiId, stages);
    return stages;
  }

  // ── APIs ──────────────────────────────────────────────────────────────────

  createApi(input: CreateApiInput): Promise<ApiView> {
    return this.#serially(async () => {
      if (input.protocolType !== 'HTTP') {
        throw badRequest(
          input.protocolType === undefined
            ? 'ProtocolType is required.'
            : `Unsupported protocol type '${input.protocolType}': Fogbank serves HTTP APIs only (WEBSOCKET is not supported).`,
        );
      }
      const name = checkName(input.name);
      if (input.routeKey !== undefined && input.target === undefined) {
        throw badRequest('RouteKey can only be specified with Target (quick create).');
      }
      const now = this.#now();
      const api: ApiRecord = {
        apiId: this.#newId(10, (id) => this.#apis.has(id)),
        name,
        protocolType: 'HTTP',
        ...optional('description', input.description),
        ...optional('version', input.version),
        createdDate: now,
        routeSelectionExpression:
          input.routeSelectionExpression ?? '${request.method} ${request.path}',
        apiKeySelectionExpression: '$request.header.x-api-key',
        disableExecuteApiEndpoint: input.disableExecuteApiEndpoint ?? false,
        tags: input.tags ?? {},
      };
      const changes: HttpApiChange[] = [{ op: 'putApi', api }];
      if (input.target !== undefined) {
        // Quick create: integration, route and an auto-deployed $default stage, all managed.
        // https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop.html#http-api-examples.cli.quick-create
        const routeKey = input.routeKey ?? DEFAULT_ROUTE_KEY;
        checkRouteKey(routeKey);
        const integration: IntegrationRecord = {
          ...this.#integration(emptyState(api), {
            integrationType: 'AWS_PROXY',
            integrationUri: input.target,
            payloadFormatVersion: '2.0',
          }),
          apiGatewayManaged: true,
        };
        const route: RouteRecord = {
          routeId: this.#newId(7, () => false),
          routeKey,
          target: `integrations/${integration.integrationId}`,
          authorizationType: 'NONE',
          apiKeyRequired: false,
          apiGatewayManaged: true,
        };
        const stage: StageRecord = {
          stageName: '$default',
          autoDeploy: true,
          stageVariables: {},
          createdDate: now,
          lastUpdatedDate: now,
          tags: {},
          apiGatewayManaged: true,
        };
        changes.push(
          put(api.apiId, 'integration', integration.integrationId, integration),
          put(api.apiId, 'route', route.routeId, route),
          put(api.apiId, 'stage', stage.stageName, stage),
        );
      }
      await this.#commit(changes);
      return this.#view(api);
    });
  }

  getApi(apiId: string): ApiView {
    return this.#view(this.#api(apiId).api);
  }

  getApis(page: PageRequest): Page<ApiView> {
    const { items, nextToken } = pageOf([...this.#apis.keys()], page);
    return {
      items: items.map((id) => this.getApi(id)),
      ...optional('nextToken', nextToken),
    };
  }

  updateApi(apiId: string, input: UpdateApiInput): Promise<ApiView> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      if (input.name !== undefined) {
        checkName(input.name);
      }
      const api: ApiRecord = {
        ...state.api,
        ...optional('name', input.name),
        ...optional('description', input.description),
        ...optional('version', input.version),
        ...optional('disableExecuteApiEndpoint', input.disableExecuteApiEndpoint),
      };
      await this.#commit([{ op: 'putApi', api }]);
      return this.#view(api);
    });
  }

  deleteApi(apiId: string): Promise<void> {
    return this.#serially(async () => {
      this.#api(apiId);
      await this.#commit([{ op: 'deleteApi', apiId }]);
    });
  }

  // ── Routes ────────────────────────────────────────────────────────────────

  createRoute(apiId: string, input: RouteInput): Promise<RouteRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      if (input.routeKey === undefined) {
        throw badRequest('RouteKey is required.');
      }
      const route: RouteRecord = this.#checkRoute(state, undefined, {
        routeId: this.#newId(7, (id) => state.routes.has(id)),
        routeKey: input.routeKey,
        ...optional('target', input.target),
        ...optional('operationName', input.operationName),
        authorizationType: authorizationType(input.authorizationType),
        apiKeyRequired: input.apiKeyRequired ?? false,
      });
      await this.#commit([put(apiId, 'route', route.routeId, route)]);
      return route;
    });
  }

  getRoute(apiId: string, routeId: string): RouteRecord {
    return this.#route(this.#api(apiId), routeId);
  }

  getRoutes(apiId: string, page: PageRequest): Page<RouteRecord> {
    return pageOfMap(this.#api(apiId).routes, page);
  }

  updateRoute(apiId: string, routeId: string, input: RouteInput): Promise<RouteRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const current = this.#route(state, routeId);
      const route = this.#checkRoute(state, routeId, {
        ...current,
        ...optional('routeKey', input.routeKey),
        ...optional('target', input.target),
        ...optional('operationName', input.operationName),
        ...(input.authorizationType !== undefined && {
          authorizationType: authorizationType(input.authorizationType),
        }),
        ...optional('apiKeyRequired', input.apiKeyRequired),
      });
      await this.#commit([put(apiId, 'route', routeId, route)]);
      return route;
    });
  }

  deleteRoute(apiId: string, routeId: string): Promise<void> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      this.#route(state, routeId);
      await this.#commit([{ op: 'delete', apiId, kind: 'route', id: routeId }]);
    });
  }

  // ── Integrations ──────────────────────────────────────────────────────────

  createIntegration(apiId: string, input: IntegrationInput): Promise<IntegrationRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const integration = this.#integration(state, input);
      await this.#commit([put(apiId, 'integration', integration.integrationId, integration)]);
      return integration;
    });
  }

  getIntegration(apiId: string, integrationId: string): IntegrationRecord {
    return this.#integrationOf(this.#api(apiId), integrationId);
  }

  getIntegrations(apiId: string, page: PageRequest): Page<IntegrationRecord> {
    return pageOfMap(this.#api(apiId).integrations, page);
  }

  updateIntegration(
    apiId: string,
    integrationId: string,
    input: IntegrationInput,
  ): Promise<IntegrationRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const current = this.#integrationOf(state, integrationId);
      const integration: IntegrationRecord = {
        ...this.#integration(state, {
          integrationType: input.integrationType ?? current.integrationType,
          integrationUri: input.integrationUri ?? current.integrationUri,
          payloadFormatVersion: input.payloadFormatVersion ?? current.payloadFormatVersion,
          timeoutInMillis: input.timeoutInMillis ?? current.timeoutInMillis,
          ...optional('integrationMethod', input.integrationMethod),
          ...optional('description', input.description ?? current.description),
        }),
        integrationId,
        ...optional('apiGatewayManaged', current.apiGatewayManaged),
      };
      await this.#commit([put(apiId, 'integration', integrationId, integration)]);
      return integration;
    });
  }

  deleteIntegration(apiId: string, integrationId: string): Promise<void> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      this.#integrationOf(state, integrationId);
      const user = [...state.routes.values()].find(
        (r) => r.target === `integrations/${integrationId}`,
      );
      if (user !== undefined) {
        throw conflict(
          `Integration ${integrationId} is the target of route ${user.routeId} (${user.routeKey}); change or delete the route first.`,
        );
      }
      await this.#commit([{ op: 'delete', apiId, kind: 'integration', id: integrationId }]);
    });
  }

  // ── Stages ────────────────────────────────────────────────────────────────

  createStage(apiId: string, input: StageInput): Promise<StageRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const stageName = input.stageName;
      if (stageName === undefined || !STAGE_NAME.test(stageName)) {
        throw badRequest(
          `Stage name '${stageName ?? ''}' is not valid: use $default or 1-128 of A-Z a-z 0-9 _ -.`,
        );
      }
      if (state.stages.has(stageName)) {
        throw conflict(`Stage already exists: ${stageName}`);
      }
      const now = this.#now();
      const stage: StageRecord = {
        stageName,
        autoDeploy: input.autoDeploy ?? false,
        stageVariables: checkStageVariables(input.stageVariables ?? {}),
        ...optional('description', input.description),
        ...optional('deploymentId', this.#deploymentIdOf(state, input.deploymentId)),
        createdDate: now,
        lastUpdatedDate: now,
        tags: input.tags ?? {},
      };
      await this.#commit([put(apiId, 'stage', stageName, stage)]);
      return stage;
    });
  }

  getStage(apiId: string, stageName: string): StageRecord {
    return this.#stage(this.#api(apiId), stageName);
  }

  getStages(apiId: string, page: PageRequest): Page<StageRecord> {
    return pageOfMap(this.#api(apiId).stages, page);
  }

  /** Stage variables given are merged into the stage's; an empty value removes one. */
  updateStage(apiId: string, stageName: string, input: StageInput): Promise<StageRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const current = this.#stage(state, stageName);
      const variables = new Map(Object.entries(current.stageVariables));
      for (const [name, value] of Object.entries(checkStageVariables(input.stageVariables ?? {}))) {
        if (value === '') {
          variables.delete(name);
        } else {
          variables.set(name, value);
        }
      }
      const stage: StageRecord = {
        ...current,
        ...optional('autoDeploy', input.autoDeploy),
        ...optional('description', input.description),
        ...optional('deploymentId', this.#deploymentIdOf(state, input.deploymentId)),
        stageVariables: Object.fromEntries(variables),
        lastUpdatedDate: this.#now(),
      };
      await this.#commit([put(apiId, 'stage', stageName, stage)]);
      return stage;
    });
  }

  deleteStage(apiId: string, stageName: string): Promise<void> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      this.#stage(state, stageName);
      await this.#commit([{ op: 'delete', apiId, kind: 'stage', id: stageName }]);
    });
  }

  // ── Deployments ───────────────────────────────────────────────────────────

  /** Records a deployment, and points the named stage at it. */
  createDeployment(apiId: string, input: DeploymentInput): Promise<DeploymentRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const stage = input.stageName === undefined ? undefined : this.#stage(state, input.stageName);
      if (stage?.autoDeploy === true) {
        throw badRequest(
          `Stage ${stage.stageName} has AutoDeploy enabled; it is deployed on every change.`,
        );
      }
      const deployment: DeploymentRecord = {
        deploymentId: this.#newId(6, (id) => state.deployments.has(id)),
        deploymentStatus: 'DEPLOYED',
        autoDeployed: false,
        ...optional('description', input.description),
        createdDate: this.#now(),
      };
      const changes: HttpApiChange[] = [
        put(apiId, 'deployment', deployment.deploymentId, deployment),
      ];
      const deployed =
        stage === undefined
          ? undefined
          : { ...stage, deploymentId: deployment.deploymentId, lastUpdatedDate: this.#now() };
      if (deployed !== undefined) {
        changes.push(put(apiId, 'stage', deployed.stageName, deployed));
      }
      await this.#commit(changes);
      return deployment;
    });
  }

  getDeployment(apiId: string, deploymentId: string): DeploymentRecord {
    const deployment = this.#api(apiId).deployments.get(deploymentId);
    if (deployment === undefined) {
      throw notFound(`Invalid Deployment identifier specified ${deploymentId}`, 'Deployment');
    }
    return deployment;
  }

  getDeployments(apiId: string, page: PageRequest): Page<DeploymentRecord> {
    return pageOfMap(this.#api(apiId).deployments, page);
  }

  // ── helpers ───────────────────────────────────────────────────────────────

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /**
   * Commits changes, then applies them to the in-memory copy and drops what `stages` had cached
   * for the APIs they touch, all in one turn after the commit (no reader sees half of it).
   */
  async #commit(changes: readonly HttpApiChange[]): Promise<void> {
    await this.#store.commit(changes);
    for (const change of changes) {
      const apiId = change.op === 'putApi' ? change.api.apiId : change.apiId;
      this.#deployed.delete(apiId);
      switch (change.op) {
        case 'putApi': {
          const state = this.#apis.get(apiId);
          if (state === undefined) {
            this.#apis.set(apiId, emptyState(change.api));
          } else {
            state.api = change.api;
          }
          break;
        }
        case 'deleteApi':
          this.#apis.delete(apiId);
          break;
        case 'put':
          this.#resources(apiId, change.kind)?.set(change.id, change.record);
          break;
        case 'delete':
          this.#resources(apiId, change.kind)?.delete(change.id);
          break;
      }
    }
  }

  #resources(
    apiId: string,
    kind: ResourceKind,
  ): Map<string, ApiResources[ResourceKind]> | undefined {
    const state = this.#apis.get(apiId);
    switch (kind) {
      case 'route':
        return state?.routes;
      case 'integration':
        return state?.integrations;
      case 'stage':
        return state?.stages;
      case 'deployment':
        return state?.deployments;
    }
  }

  /**
   * The function of a stored integration; undefined when its ARN no longer fits this server (the
   * region or account was changed since), so that the route is not served rather than a lookup
   * failing.
   */
  #functionOf(integrationUri: string): string | undefined {
    try {
      return integrationFunctionArn(integrationUri, this.#ctx);
    } catch {
      return undefined;
    }
  }

  #view(api: ApiRecord): ApiView {
    return {
      ...api,
      apiEndpoint: executeApiEndpoint(api.apiId, this.#ctx.region, this.#publicEndpoint),
    };
  }

  #api(apiId: string): ApiState {
    const state = this.#apis.get(apiId);
    if (state === undefined) {
      throw notFound(`Invalid API identifier specified ${this.#ctx.accountId}:${apiId}`, 'Api');
    }
    return state;
  }

  #route(state: ApiState, routeId: string): RouteRecord {
    const route = state.routes.get(routeId);
    if (route === undefined) {
      throw notFound(`Invalid Route identifier specified ${routeId}`, 'Route');
    }
    return route;
  }

  #integrationOf(state: ApiState, integrationId: string): IntegrationRecord {
    const integration = state.integrations.get(integrationId);
    if (integration === undefined) {
      throw notFound(`Invalid Integration identifier specified ${integrationId}`, 'Integration');
    }
    return integration;
  }

  #stage(state: ApiState, stageName: string): StageRecord {
    const stage = state.stages.get(stageName);
    if (stage === undefined) {
      throw notFound(`Invalid stage identifier specified ${stageName}`, 'Stage');
    }
    return stage;
  }

  #deploymentIdOf(state: ApiState, deploymentId: string | undefined): string | undefined {
    if (deploymentId !== undefined && !state.deployments.has(deploymentId)) {
      throw badRequest(`Invalid Deployment identifier specified ${deploymentId}`);
    }
    return deploymentId;
  }

  /** A route's key and target checked against the API (`routeId` is the route being updated). */
  #checkRoute(state: ApiState, routeId: string | undefined, route: RouteRecord): RouteRecord {
    checkRouteKey(route.routeKey);
    const same = [...state.routes.values()].find(
      (r) => r.routeKey === route.routeKey && r.routeId !== routeId,
    );
    if (same !== undefined) {
      throw conflict(`Route with key ${route.routeKey} already exists for this API`);
    }
    if (route.target !== undefined) {
      const id = TARGET.exec(route.target)?.[1];
      if (id === undefined || !state.integrations.has(id)) {
        throw badRequest(
          `Invalid target '${route.target}': it must be integrations/<id> of an integration of this API.`,
        );
      }
    }
    return route;
  }

  /** A new integration from its input, validated (a fresh id; callers that update replace it). */
  #integration(state: ApiState, input: IntegrationInput): IntegrationRecord {
    if (input.integrationType !== 'AWS_PROXY') {
      throw badRequest(
        `Unsupported integration type '${input.integrationType ?? ''}': Fogbank supports AWS_PROXY (Lambda proxy) integrations only.`,
      );
    }
    if (input.integrationUri === undefined) {
      throw badRequest('IntegrationUri is required for AWS_PROXY integrations.');
    }
    integrationFunctionArn(input.integrationUri, this.#ctx);
    const version = input.payloadFormatVersion;
    if (version !== '1.0' && version !== '2.0') {
      throw badRequest(
        version === undefined
          ? 'PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs (1.0 or 2.0).'
          : `Invalid PayloadFormatVersion '${version}': use 1.0 or 2.0.`,
      );
    }
    const timeout = input.timeoutInMillis ?? DEFAULT_TIMEOUT_MS;
    if (timeout < 50 || timeout > DEFAULT_TIMEOUT_MS) {
      throw badRequest(`TimeoutInMillis must be between 50 and 30000, not ${timeout}.`);
    }
    if (input.integrationMethod !== undefined && input.integrationMethod !== 'POST') {
      throw badRequest('Lambda proxy integrations use IntegrationMethod POST.');
    }
    return {
      integrationId: this.#newId(7, (id) => state.integrations.has(id)),
      integrationType: 'AWS_PROXY',
      integrationUri: input.integrationUri,
      integrationMethod: 'POST',
      connectionType: 'INTERNET',
      payloadFormatVersion: version,
      timeoutInMillis: timeout,
      ...optional('description', input.description),
    };
  }

  #newId(length: number, taken: (id: string) => boolean): string {
    let id = newShortId(length);
    while (taken(id)) {
      id = newShortId(length);
    }
    return id;
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

function stateOf(stored: StoredApi): ApiState {
  return {
    api: stored.api,
    routes: new Map(stored.routes.map((r) => [r.routeId, r])),
    integrations: new Map(stored.integrations.map((i) => [i.integrationId, i])),
    stages: new Map(stored.stages.map((s) => [s.stageName, s])),
    deployments: new Map(stored.deployments.map((d) => [d.deploymentId, d])),
  };
}

function emptyState(api: ApiRecord): ApiState {
  return {
    api,
    routes: new Map(),
    integrations: new Map(),
    stages: new Map(),
    deployments: new Map(),
  };
}

function put<K extends ResourceKind>(
  apiId: string,
  kind: K,
  id: string,
  record: ApiResources[K],
): HttpApiChange {
  return { op: 'put', apiId, kind, id, record };
}

/** `{ [key]: value }` when the value is given, else nothing (optional members stay absent). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]: V });
}

function checkName(name: string | undefined): string {
  if (name === undefined || name.length === 0 || name.length > 128) {
    throw badRequest('Name is required and must be between 1 and 128 characters.');
  }
  return name;
}

function authorizationType(value: string | undefined): 'NONE' {
  if (value !== undefined && value !== 'NONE') {
    throw badRequest(
      `Unsupported AuthorizationType '${value}': Fogbank's HTTP APIs have no authorizers.`,
    );
  }
  return 'NONE';
}

function checkStageVariables(
  variables: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  for (const [name, value] of Object.entries(variables)) {
    if (!STAGE_VARIABLE_NAME.test(name) || !STAGE_VARIABLE_VALUE.test(value)) {
      throw badRequest(
        `Invalid stage variable '${name}': names are 1-64 of A-Z a-z 0-9 _, values up to 2048 of A-Z a-z 0-9 - . _ ~ : / ? # & = ,`,
      );
    }
  }
  return variables;
}

/** Items in id order, `maxResults` at a time; the token is the last id of the previous page. */
function pageOf(ids: readonly string[], page: PageRequest): Page<string> {
  const sorted = [...ids].sort();
  const after = page.nextToken === undefined ? undefined : decodeToken(page.nextToken);
  const rest = after === undefined ? sorted : sorted.filter((id) => id > after);
  const limit = page.maxResults ?? Infinity;
  if (page.maxResults !== undefined && (page.maxResults < 1 || page.maxResults > 500)) {
    throw badRequest('MaxResults must be between 1 and 500.');
  }
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  return rest.length > limit && last !== undefined
    ? { items, nextToken: Buffer.from(last).toString('base64url') }
    : { items };
}

function pageOfMap<T>(map: ReadonlyMap<string, T>, page: PageRequest): Page<T> {
  const { items, nextToken } = pageOf([...map.keys()], page);
  return {
    items: items.flatMap((id) => map.get(id) ?? []),
    ...optional('nextToken', nextToken),
  };
}

function decodeToken(token: string): string {
  const id = Buffer.from(token, 'base64url').toString('utf8');
  if (id.length === 0 || !/^[A-Za-z0-9_$-]+$/.test(id)) {
    throw badRequest(`Invalid NextToken: ${token}`);
  }
  return id;
}
