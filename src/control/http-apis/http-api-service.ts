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
import type { HttpApiDirectory, HttpApiStage } from '../../gateway/http-api-types.js';
import { executeApiEndpoint } from './api-endpoint.js';
import { deployedStages } from './deployed-stages.js';
import {
  ApiStates,
  deploymentOf,
  integrationOf,
  put,
  routeOf,
  stageOf,
  type ApiState,
} from './api-states.js';
import { badRequest, conflict, notFound } from './errors.js';
import {
  optional,
  type CreateApiInput,
  type DeploymentInput,
  type IntegrationInput,
  type RouteInput,
  type StageInput,
  type UpdateApiInput,
} from './inputs.js';
import { integrationFunctionArn } from './integration-uri.js';
import { pageOf, pageOfMap, type Page, type PageRequest } from './paging.js';
import { checkRouteKey, DEFAULT_ROUTE_KEY } from './route-key.js';
import type {
  ApiRecord,
  DeploymentRecord,
  HttpApiChange,
  HttpApiStore,
  IntegrationRecord,
  RouteRecord,
  StageRecord,
} from './types.js';
import {
  authorizationType,
  checkName,
  checkStageName,
  checkStageVariables,
  integrationSettings,
  targetIntegrationId,
} from './validation.js';

const TAGGABLE =
  /^arn:aws[a-zA-Z-]*:apigateway:([a-z0-9-]+)::\/apis\/([a-z0-9]+)(?:\/stages\/([^/]+))?$/;

/** An API as answered: its record and where clients call it. */
export type ApiView = ApiRecord & { readonly apiEndpoint: string };

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
  readonly #apis = new ApiStates();
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
    this.#apis.load(await this.#store.load());
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
    const stages = deployedStages(state, (uri) => this.#functionOf(uri));
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
        // A new API has no resources yet, so no id is taken.
        const integration: IntegrationRecord = {
          integrationId: this.#newId(7, () => false),
          ...integrationSettings(
            {
              integrationType: 'AWS_PROXY',
              integrationUri: input.target,
              payloadFormatVersion: '2.0',
            },
            this.#ctx,
          ),
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
    const { items, nextToken } = pageOf(this.#apis.ids(), page);
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
      await this.#commit([{ op: 'putApi', api }, ...this.#quickUpdate(state, input)]);
      return this.#view(api);
    });
  }

  deleteApi(apiId: string): Promise<void> {
    return this.#serially(async () => {
      this.#api(apiId);
      await this.#commit([{ op: 'deleteApi', apiId }]);
    });
  }

  /**
   * UpdateApi's Target and RouteKey change the integration and route that quick create made
   * (the API Gateway managed ones); an API made otherwise has none to change.
   */
  #quickUpdate(state: ApiState, input: UpdateApiInput): HttpApiChange[] {
    if (input.target === undefined && input.routeKey === undefined) {
      return [];
    }
    const integration = [...state.integrations.values()].find((i) => i.apiGatewayManaged);
    const route = [...state.routes.values()].find((r) => r.apiGatewayManaged);
    if (integration === undefined || route === undefined) {
      throw badRequest('Target and RouteKey can be updated only on an API made by quick create.');
    }
    const apiId = state.api.apiId;
    const changes: HttpApiChange[] = [];
    if (input.target !== undefined) {
      const settings = integrationSettings(
        { ...integration, integrationUri: input.target },
        this.#ctx,
      );
      changes.push(
        put(apiId, 'integration', integration.integrationId, { ...integration, ...settings }),
      );
    }
    if (input.routeKey !== undefined) {
      const updated = this.#checkRoute(state, route.routeId, {
        ...route,
        routeKey: input.routeKey,
      });
      changes.push(put(apiId, 'route', route.routeId, updated));
    }
    return changes;
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
    return routeOf(this.#api(apiId), routeId);
  }

  getRoutes(apiId: string, page: PageRequest): Page<RouteRecord> {
    return pageOfMap(this.#api(apiId).routes, page);
  }

  updateRoute(apiId: string, routeId: string, input: RouteInput): Promise<RouteRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const current = routeOf(state, routeId);
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
      routeOf(state, routeId);
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
    return integrationOf(this.#api(apiId), integrationId);
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
      const current = integrationOf(state, integrationId);
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
      integrationOf(state, integrationId);
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
      const stageName = checkStageName(input.stageName);
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
    return stageOf(this.#api(apiId), stageName);
  }

  getStages(apiId: string, page: PageRequest): Page<StageRecord> {
    return pageOfMap(this.#api(apiId).stages, page);
  }

  /** Stage variables given are merged into the stage's; an empty value removes one. */
  updateStage(apiId: string, stageName: string, input: StageInput): Promise<StageRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const current = stageOf(state, stageName);
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
      stageOf(state, stageName);
      await this.#commit([{ op: 'delete', apiId, kind: 'stage', id: stageName }]);
    });
  }

  // ── Deployments ───────────────────────────────────────────────────────────

  /** Records a deployment, and points the named stage at it. */
  createDeployment(apiId: string, input: DeploymentInput): Promise<DeploymentRecord> {
    return this.#serially(async () => {
      const state = this.#api(apiId);
      const stage = input.stageName === undefined ? undefined : stageOf(state, input.stageName);
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
    return deploymentOf(this.#api(apiId), deploymentId);
  }

  getDeployments(apiId: string, page: PageRequest): Page<DeploymentRecord> {
    return pageOfMap(this.#api(apiId).deployments, page);
  }

  // ── Tags (of APIs and stages, by `arn:aws:apigateway:<region>::/apis/<id>[/stages/<name>]`) ──

  getTags(resourceArn: string): Readonly<Record<string, string>> {
    const { state, stage } = this.#tagged(resourceArn);
    return stage?.tags ?? state.api.tags;
  }

  /** Adds tags, or replaces the values of existing keys; `undefined` keys are removed. */
  tagResource(
    resourceArn: string,
    tags: Readonly<Record<string, string | undefined>>,
  ): Promise<void> {
    return this.#serially(async () => {
      const { state, stage } = this.#tagged(resourceArn);
      const merged = new Map(Object.entries(stage?.tags ?? state.api.tags));
      for (const [key, value] of Object.entries(tags)) {
        if (value === undefined) {
          merged.delete(key);
        } else {
          merged.set(key, value);
        }
      }
      const next = Object.fromEntries(merged);
      await this.#commit([
        stage === undefined
          ? { op: 'putApi', api: { ...state.api, tags: next } }
          : put(state.api.apiId, 'stage', stage.stageName, { ...stage, tags: next }),
      ]);
    });
  }

  untagResource(resourceArn: string, tagKeys: readonly string[]): Promise<void> {
    return this.tagResource(
      resourceArn,
      Object.fromEntries(tagKeys.map((key) => [key, undefined])),
    );
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
      this.#apis.apply(change);
      this.#deployed.delete(change.op === 'putApi' ? change.api.apiId : change.apiId);
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

  #tagged(resourceArn: string): { state: ApiState; stage?: StageRecord } {
    const m = TAGGABLE.exec(resourceArn);
    if (m?.[1] !== this.#ctx.region || m[2] === undefined) {
      throw badRequest(
        `Invalid resource ARN '${resourceArn}': tags belong to arn:aws:apigateway:${this.#ctx.region}::/apis/<api-id>[/stages/<stage-name>].`,
      );
    }
    const state = this.#api(m[2]);
    return m[3] === undefined ? { state } : { state, stage: stageOf(state, m[3]) };
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
      const id = targetIntegrationId(route.target);
      if (id === undefined || !state.integrations.has(id)) {
        throw badRequest(
          `Invalid target '${route.target}': it must be integrations/<id> of an integration of this API.`,
        );
      }
    }
    return route;
  }

  /** A new integration from its input, validated, with a fresh id. */
  #integration(state: ApiState, input: IntegrationInput): IntegrationRecord {
    const settings = integrationSettings(input, this.#ctx);
    return {
      integrationId: this.#newId(7, (id) => state.integrations.has(id)),
      ...settings,
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
