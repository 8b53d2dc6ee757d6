/**
 * Published versions: immutable snapshots of `$LATEST`'s code and configuration, numbered 1, 2, …
 * per function and never renumbered.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-versions.html
 */
import { randomUUID } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { functionArn } from '../core/arn.js';
import {
  invalidParameter,
  preconditionFailed,
  resourceConflict,
  validationError,
} from '../core/errors.js';
import { LATEST, type AliasRecord, type Store } from '../store/index.js';
import {
  PRECONDITION_FAILED,
  functionNotFound,
  isVersionQualifier,
  loadVersion,
  requireFunction,
  updateInProgress,
  type RegistryContext,
} from './context.js';
import { unqualifiedFunctionName } from './function-target.js';
import {
  READY,
  decodeVersion,
  encodeVersion,
  renderConfiguration,
  type FunctionVersion,
  type VersionStatus,
} from './function-version.js';
import { MAX_DESCRIPTION_LENGTH } from './limits.js';
import { decodeMarker, encodeMarker, pageSize } from './listing.js';
import { readString, requestBody } from './request.js';

export interface ListVersionsParams {
  readonly marker?: string;
  readonly maxItems?: number;
}

export interface ListVersionsResult {
  readonly Versions: FunctionConfiguration[];
  readonly NextMarker?: string;
}

const ALIAS_PAGE = 1000;

/** Every alias of a function, by name. */
export async function allAliases(store: Store, functionName: string): Promise<AliasRecord[]> {
  const all: AliasRecord[] = [];
  for (;;) {
    const last = all.at(-1);
    const page = await store.listAliases({
      functionName,
      limit: ALIAS_PAGE,
      ...(last && { after: last.name }),
    });
    all.push(...page);
    if (page.length < ALIAS_PAGE) {
      return all;
    }
  }
}

export class FunctionVersions {
  readonly #rc: RegistryContext;
  /** Told when a version goes, so its provisioned concurrency goes with it. */
  readonly #onVersionDeleted: (functionName: string, version: string) => void;

  constructor(
    rc: RegistryContext,
    onVersionDeleted: (functionName: string, version: string) => void,
  ) {
    this.#rc = rc;
    this.#onVersionDeleted = onVersionDeleted;
  }

  /**
   * PublishVersion (201). Answers the latest published version instead when `$LATEST` has not
   * changed since it was published [aws-rec].
   * https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html
   */
  async publishVersion(functionName: string, body: unknown): Promise<FunctionConfiguration> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const b = requestBody(body);
    const codeSha256 = readString(b, 'CodeSha256');
    const description = readString(b, 'Description');
    const revisionId = readString(b, 'RevisionId');
    if (description !== undefined && description.length > MAX_DESCRIPTION_LENGTH) {
      throw validationError([
        `Value '${description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to ${String(MAX_DESCRIPTION_LENGTH)}`,
      ]);
    }
    if (readString(b, 'PublishTo') !== undefined) {
      throw invalidParameter('PublishTo is not supported by Fogbank.');
    }
    return rc.locks.run(name, async () => {
      const latest = await loadVersion(rc, name, LATEST);
      if (revisionId !== undefined && revisionId !== latest.revisionId) {
        throw preconditionFailed(PRECONDITION_FAILED);
      }
      const current = Buffer.from(latest.codeSha256Hex, 'hex').toString('base64');
      // A hot-reload directory has no package to compare against.
      if (codeSha256 !== undefined && latest.code.kind === 'zip' && codeSha256 !== current) {
        throw invalidParameter(
          `CodeSHA256 (${codeSha256}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
        );
      }
      checkSettled(rc, latest);
      const previous = await this.#lastPublished(name);
      if (previous && previous.contentRevisionId === latest.contentRevisionId) {
        return this.#render(previous);
      }
      const published = await this.publishCopy(latest, READY, description);
      // Publishing issues $LATEST a new RevisionId [aws-rec]; what it runs is unchanged.
      await rc.store.replaceFunctionVersion(
        encodeVersion({ ...latest, revisionId: randomUUID() }),
        latest.revisionId,
      );
      rc.invalidate(name);
      return this.#render(published);
    });
  }

  /**
   * Stores a copy of `latest` as the next published version. With the Pending status (publish on
   * create or update) the lifecycle settles it to Active like `$LATEST`.
   */
  async publishCopy(
    latest: FunctionVersion,
    status: VersionStatus,
    description?: string,
  ): Promise<FunctionVersion> {
    const copy: FunctionVersion = {
      ...latest,
      revisionId: randomUUID(),
      status,
      settings: description === undefined ? latest.settings : { ...latest.settings, description },
    };
    const record = encodeVersion(copy);
    const version = await this.#rc.store.publishFunctionVersion(latest.functionName, {
      revisionId: record.revisionId,
      codeSha256: record.codeSha256,
      codeSize: record.codeSize,
      config: record.config,
    });
    if (version === undefined) {
      throw functionNotFound(this.#rc.ctx, latest.functionName);
    }
    const published = { ...copy, version };
    if (status.state === 'Pending') {
      this.#rc.lifecycle.later(published);
    }
    return published;
  }

  /** ListVersionsByFunction: `$LATEST` first, then by number; ≤ 50 per page. */
  async listVersionsByFunction(
    functionName: string,
    params: ListVersionsParams,
  ): Promise<ListVersionsResult> {
    const rc = this.#rc;
    const name = unqualifiedFunctionName(functionName, rc.ctx);
    const limit = pageSize(params.maxItems);
    const after = params.marker === undefined ? undefined : decodeMarker(params.marker);
    if (after && after.functionName !== name) {
      throw invalidParameter(
        `Invalid Marker: ${params.marker ?? ''} was not returned for ${name}.`,
      );
    }
    const rows = await rc.store.listFunctionVersions({
      functionName: name,
      versions: 'all',
      limit: limit + 1,
      ...(after && { after }),
    });
    if (rows.length === 0) {
      await requireFunction(rc, name);
    }
    const page = rows.slice(0, limit).map(decodeVersion);
    const last = page.at(-1);
    return {
      Versions: page.map((v) =>
        renderConfiguration(v, rc.ctx, { view: 'listed', qualifier: v.version }),
      ),
      ...(rows.length > limit && last && { NextMarker: encodeMarker(last) }),
    };
  }

  /**
   * DeleteFunction with a Qualifier: deletes one published version (idempotent, as on AWS),
   * unless an alias routes to it.
   */
  async deleteVersion(name: string, qualifier: string): Promise<void> {
    const rc = this.#rc;
    await rc.locks.run(name, async () => {
      await requireFunction(rc, name);
      if (!isVersionQualifier(qualifier)) {
        return;
      }
      const referencing = (await allAliases(rc.store, name))
        .filter((a) => a.functionVersion === qualifier || qualifier in a.additionalVersionWeights)
        .map((a) => a.name);
      if (referencing.length > 0) {
        throw resourceConflict(
          `Unable to delete version because the following aliases reference it: [${referencing.join(', ')}]`,
        );
      }
      if (await rc.store.deleteFunctionVersion(name, qualifier)) {
        rc.changed(name);
        this.#onVersionDeleted(name, qualifier);
      }
    });
  }

  async #lastPublished(name: string): Promise<FunctionVersion | undefined> {
    const number = await this.#rc.store.lastPublishedVersion(name);
    const record =
      number === undefined || number === 0
        ? undefined
        : await this.#rc.store.getFunctionVersion(name, String(number));
    return record && decodeVersion(record);
  }

  #render(v: FunctionVersion): FunctionConfiguration {
    return renderConfiguration(v, this.#rc.ctx, { view: 'full', qualifier: v.version });
  }
}

/**
 * Publishing (like updating) waits for the function to be created and for an update to finish.
 * https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 */
export function checkSettled(rc: RegistryContext, latest: FunctionVersion): void {
  if (latest.status.state === 'Pending') {
    throw resourceConflict(
      `The operation cannot be performed at this time. The function is currently in the following state: ${latest.status.state}`,
    );
  }
  if (latest.status.lastUpdateStatus === 'InProgress') {
    throw updateInProgress(functionArn(rc.ctx, latest.functionName));
  }
}
