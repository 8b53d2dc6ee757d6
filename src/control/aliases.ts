/**
 * Aliases: names for a version, optionally splitting traffic with a second version by weight
 * (blue/green and canary shifts). A change takes effect on the next invocation.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-aliases.html
 */
import { randomUUID } from 'node:crypto';
import type { AliasConfiguration } from '@aws-sdk/client-lambda';
import { functionArn } from '../core/arn.js';
import { preconditionFailed, resourceConflict, resourceNotFound } from '../core/errors.js';
import type { AliasRecord } from '../store/index.js';
import {
  aliasNameLabel,
  checkFunctionVersion,
  checkRouting,
  readAliasMembers,
  renderAlias,
} from './alias-request.js';
import {
  PRECONDITION_FAILED,
  functionNotFound,
  loadVersion,
  requireFunction,
  type RegistryContext,
} from './context.js';
import { unqualifiedFunctionName } from './function-target.js';
import { decodeKeyMarker, encodeKeyMarker, pageSize } from './listing.js';
import { Violations, requestBody } from './request.js';

export interface ListAliasesParams {
  readonly functionVersion?: string;
  readonly marker?: string;
  readonly maxItems?: number;
}

export interface ListAliasesResult {
  readonly Aliases: AliasConfiguration[];
  readonly NextMarker?: string;
}

/** Told when an alias points elsewhere or is gone (provisioned concurrency follows aliases). */
export interface AliasObserver {
  aliasMoved(functionName: string, alias: string, from: string, to: string): Promise<void>;
  aliasDeleted(functionName: string, alias: string): Promise<void>;
}

export class AliasService {
  readonly #rc: RegistryContext;
  readonly #observer: AliasObserver;

  constructor(rc: RegistryContext, observer: AliasObserver) {
    this.#rc = rc;
    this.#observer = observer;
  }

  /** CreateAlias (201). */
  async createAlias(functionName: string, body: unknown): Promise<AliasConfiguration> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const m = readAliasMembers(requestBody(body), true);
    const aliasName = m.name ?? '';
    const primary = m.functionVersion ?? '';
    return rc.locks.run(name, async () => {
      await loadVersion(rc, name, primary, primary);
      if (await rc.store.getAlias(name, aliasName)) {
        throw aliasExists(rc, name, aliasName);
      }
      const weights = m.weights ?? {};
      await this.#checkRouting(name, primary, weights);
      const alias: AliasRecord = {
        functionName: name,
        name: aliasName,
        functionVersion: primary,
        description: m.description ?? '',
        additionalVersionWeights: weights,
        revisionId: randomUUID(),
      };
      const result = await rc.store.createAlias(alias);
      if (result === 'no-function') {
        throw functionNotFound(rc.ctx, name, primary);
      }
      if (result === 'exists') {
        throw aliasExists(rc, name, aliasName);
      }
      rc.invalidate(name);
      return renderAlias(rc.ctx, alias);
    });
  }

  /** GetAlias. */
  async getAlias(functionName: string, aliasName: string): Promise<AliasConfiguration> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const alias = await rc.store.getAlias(name, aliasNameLabel(aliasName));
    if (!alias) {
      await requireFunction(rc, name);
      // GetAlias words it this way; UpdateAlias says "Alias not found" [aws-rec].
      throw resourceNotFound(`Cannot find alias arn: ${functionArn(rc.ctx, name, aliasName)}`);
    }
    return renderAlias(rc.ctx, alias);
  }

  /** UpdateAlias: a partial update; `RoutingConfig: {}` clears routing. */
  async updateAlias(
    functionName: string,
    aliasName: string,
    body: unknown,
  ): Promise<AliasConfiguration> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    aliasNameLabel(aliasName);
    const m = readAliasMembers(requestBody(body), false);
    return rc.locks.run(name, async () => {
      const current = await rc.store.getAlias(name, aliasName);
      if (!current) {
        await requireFunction(rc, name);
        throw resourceNotFound(`Alias not found: ${functionArn(rc.ctx, name, aliasName)}`);
      }
      if (m.revisionId !== undefined && m.revisionId !== current.revisionId) {
        throw preconditionFailed(PRECONDITION_FAILED);
      }
      const primary = m.functionVersion ?? current.functionVersion;
      if (m.functionVersion !== undefined) {
        await loadVersion(rc, name, primary, primary);
      }
      const weights = m.weights ?? current.additionalVersionWeights;
      await this.#checkRouting(name, primary, weights);
      // Every update issues a new RevisionId, even one that changes nothing [ls].
      const next: AliasRecord = {
        ...current,
        functionVersion: primary,
        description: m.description ?? current.description,
        additionalVersionWeights: weights,
        revisionId: randomUUID(),
      };
      if (!(await rc.store.replaceAlias(next, current.revisionId))) {
        throw preconditionFailed(PRECONDITION_FAILED);
      }
      rc.changed(name);
      if (primary !== current.functionVersion) {
        await this.#observer.aliasMoved(name, aliasName, current.functionVersion, primary);
      }
      return renderAlias(rc.ctx, next);
    });
  }

  /** DeleteAlias (204); deleting an alias that does not exist succeeds, as on AWS [ls]. */
  async deleteAlias(functionName: string, aliasName: string): Promise<void> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    aliasNameLabel(aliasName);
    await rc.locks.run(name, async () => {
      await requireFunction(rc, name);
      if (await rc.store.deleteAlias(name, aliasName)) {
        rc.changed(name);
        await this.#observer.aliasDeleted(name, aliasName);
      }
    });
  }

  /** ListAliases, optionally only those whose primary version is FunctionVersion. */
  async listAliases(functionName: string, params: ListAliasesParams): Promise<ListAliasesResult> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    if (params.functionVersion !== undefined) {
      const violations = new Violations();
      checkFunctionVersion(params.functionVersion, violations);
      violations.throwIfAny();
    }
    const limit = pageSize(params.maxItems);
    const after =
      params.marker === undefined ? undefined : decodeKeyMarker(params.marker, 'ListAliases');
    await requireFunction(rc, name);
    const rows = await rc.store.listAliases({
      functionName: name,
      limit: limit + 1,
      ...(params.functionVersion !== undefined && { functionVersion: params.functionVersion }),
      ...(after !== undefined && { after }),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      Aliases: page.map((a) => renderAlias(rc.ctx, a)),
      ...(rows.length > limit && last && { NextMarker: encodeKeyMarker(last.name) }),
    };
  }

  async #checkRouting(
    name: string,
    primary: string,
    weights: Readonly<Record<string, number>>,
  ): Promise<void> {
    checkRouting(primary, weights);
    for (const version of Object.keys(weights)) {
      await loadVersion(this.#rc, name, version, version);
    }
  }
}

function aliasExists(rc: RegistryContext, name: string, alias: string): Error {
  return resourceConflict(`Alias already exists: ${functionArn(rc.ctx, name, alias)}`);
}
