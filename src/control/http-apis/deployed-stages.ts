/**
 * What the HTTP front serves of one API (HttpApiDirectory): every stage with every route that
 * targets an integration whose function is known. Routes are the same on every stage (see the
 * DIVERGENCE in http-api-service.ts).
 */
import type {
  HttpApiIntegration,
  HttpApiRoute,
  HttpApiStage,
} from '../../gateway/http-api-types.js';
import type { ApiState } from './api-states.js';
import { targetIntegrationId } from './validation.js';

export function deployedStages(
  state: ApiState,
  functionOf: (integrationUri: string) => string | undefined,
): readonly HttpApiStage[] {
  const integrations = new Map<string, HttpApiIntegration>();
  for (const i of state.integrations.values()) {
    const functionArn = functionOf(i.integrationUri);
    if (functionArn !== undefined) {
      integrations.set(i.integrationId, {
        integrationId: i.integrationId,
        functionArn,
        payloadFormatVersion: i.payloadFormatVersion,
        timeoutMs: i.timeoutInMillis,
      });
    }
  }
  const routes: HttpApiRoute[] = [];
  for (const r of state.routes.values()) {
    const id = targetIntegrationId(r.target);
    const integration = id === undefined ? undefined : integrations.get(id);
    if (integration !== undefined) {
      routes.push({ routeId: r.routeId, routeKey: r.routeKey, integration });
    }
  }
  return [...state.stages.values()].map((s) => ({
    apiId: state.api.apiId,
    stageName: s.stageName,
    stageVariables: s.stageVariables,
    routes,
  }));
}
