/**
 * The in-memory copy of every HTTP API and its resources, kept in step with the store by
 * applying the same changes the store committed.
 */
import { notFound } from './errors.js';
import type {
  ApiRecord,
  ApiResources,
  DeploymentRecord,
  HttpApiChange,
  IntegrationRecord,
  ResourceKind,
  RouteRecord,
  StageRecord,
  StoredApi,
} from './types.js';

export interface ApiState {
  readonly api: ApiRecord;
  readonly routes: ReadonlyMap<string, RouteRecord>;
  readonly integrations: ReadonlyMap<string, IntegrationRecord>;
  readonly stages: ReadonlyMap<string, StageRecord>;
  readonly deployments: ReadonlyMap<string, DeploymentRecord>;
}

interface MutableApiState {
  api: ApiRecord;
  readonly routes: Map<string, RouteRecord>;
  readonly integrations: Map<string, IntegrationRecord>;
  readonly stages: Map<string, StageRecord>;
  readonly deployments: Map<string, DeploymentRecord>;
}

/** A change that puts one resource, its record typed by its kind. */
export function put<K extends ResourceKind>(
  apiId: string,
  kind: K,
  id: string,
  record: ApiResources[K],
): HttpApiChange {
  return { op: 'put', apiId, kind, id, record };
}

export class ApiStates {
  readonly #apis = new Map<string, MutableApiState>();

  load(stored: readonly StoredApi[]): void {
    for (const s of stored) {
      this.#apis.set(s.api.apiId, {
        api: s.api,
        routes: new Map(s.routes.map((r) => [r.routeId, r])),
        integrations: new Map(s.integrations.map((i) => [i.integrationId, i])),
        stages: new Map(s.stages.map((st) => [st.stageName, st])),
        deployments: new Map(s.deployments.map((d) => [d.deploymentId, d])),
      });
    }
  }

  get(apiId: string): ApiState | undefined {
    return this.#apis.get(apiId);
  }

  has(apiId: string): boolean {
    return this.#apis.has(apiId);
  }

  ids(): string[] {
    return [...this.#apis.keys()];
  }

  /** Applies one committed change. */
  apply(change: HttpApiChange): void {
    switch (change.op) {
      case 'putApi': {
        const state = this.#apis.get(change.api.apiId);
        if (state === undefined) {
          this.#apis.set(change.api.apiId, {
            api: change.api,
            routes: new Map(),
            integrations: new Map(),
            stages: new Map(),
            deployments: new Map(),
          });
        } else {
          state.api = change.api;
        }
        return;
      }
      case 'deleteApi':
        this.#apis.delete(change.apiId);
        return;
      case 'put':
        this.#resources(change.apiId, change.kind)?.set(change.id, change.record);
        return;
      case 'delete':
        this.#resources(change.apiId, change.kind)?.delete(change.id);
        return;
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
}

/* The resources of an API by id, or API Gateway's NotFoundException. */

export function routeOf(state: ApiState, routeId: string): RouteRecord {
  return found(state.routes.get(routeId), 'Route', routeId);
}

export function integrationOf(state: ApiState, integrationId: string): IntegrationRecord {
  return found(state.integrations.get(integrationId), 'Integration', integrationId);
}

export function stageOf(state: ApiState, stageName: string): StageRecord {
  return found(state.stages.get(stageName), 'Stage', stageName);
}

export function deploymentOf(state: ApiState, deploymentId: string): DeploymentRecord {
  return found(state.deployments.get(deploymentId), 'Deployment', deploymentId);
}

function found<T>(resource: T | undefined, type: string, id: string): T {
  if (resource === undefined) {
    throw notFound(`Invalid ${type} identifier specified ${id}`, type);
  }
  return resource;
}
