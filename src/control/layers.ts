/**
 * Layers: versioned .zip archives that functions mount under /opt, stored in the same
 * content-addressed code store as function code. Deleting a layer version stops new functions
 * from using it; functions already configured with it keep running, as on AWS.
 * https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html
 */
import type {
  GetLayerVersionResponse,
  ListLayersResponse,
  ListLayerVersionsResponse,
} from '@aws-sdk/client-lambda';
import { invalidParameter, resourceNotFound } from '../core/errors.js';
import type { LayerVersionRecord } from '../store/index.js';
import { readCodeSource } from './code-source.js';
import type { RegistryContext } from './context.js';
import { storeCode } from './function-code.js';
import {
  checkLayerFilter,
  layerArn,
  layerName,
  layerPageSize,
  parseLayerVersionArn,
  readPublishLayer,
  renderLayerVersion,
  renderListItem,
  versionNumber,
} from './layer-request.js';
import { decodeKeyMarker, encodeKeyMarker } from './listing.js';
import { requestBody } from './request.js';

export interface ListLayersParams {
  readonly compatibleRuntime?: string;
  readonly compatibleArchitecture?: string;
  readonly marker?: string;
  readonly maxItems?: number;
}

const NOT_FOUND = 'The resource you requested does not exist.';

export class LayerService {
  readonly #rc: RegistryContext;

  constructor(rc: RegistryContext) {
    this.#rc = rc;
  }

  /** PublishLayerVersion (201): versions of a name are numbered from 1. */
  async publish(layerNameLabel: string, body: unknown): Promise<GetLayerVersionResponse> {
    const rc = this.#rc;
    const { name, foreign } = layerName(layerNameLabel, rc.ctx);
    if (foreign) {
      throw invalidParameter(`Layers can only be published to this server's region and account.`);
    }
    const members = readPublishLayer(requestBody(body));
    const source = await readCodeSource(members.content, 'Content.');
    if (source.kind !== 'zip') {
      throw invalidParameter(
        'Fogbank publishes layers from a .zip archive (Content.ZipFile) only: a hot-reload directory cannot be a layer.',
      );
    }
    const stored = await storeCode(source, 0, rc.store, rc.code);
    const record: Omit<LayerVersionRecord, 'version'> = {
      layerName: name,
      description: members.description,
      createdAt: rc.clock.now(),
      codeSha256: stored.codeSha256Hex,
      codeSize: stored.codeSize,
      unzippedSize: stored.unzippedSize,
      ...(members.compatibleRuntimes && { compatibleRuntimes: members.compatibleRuntimes }),
      ...(members.compatibleArchitectures && {
        compatibleArchitectures: members.compatibleArchitectures,
      }),
      ...(members.licenseInfo !== undefined && { licenseInfo: members.licenseInfo }),
    };
    const version = await rc.store.publishLayerVersion(record);
    return renderLayerVersion(rc.ctx, rc.endpoint, { ...record, version });
  }

  /** GetLayerVersion. */
  async get(layerNameLabel: string, versionLabel: string): Promise<GetLayerVersionResponse> {
    const { name, foreign } = layerName(layerNameLabel, this.#rc.ctx);
    return this.#render(foreign ? undefined : name, versionNumber(versionLabel));
  }

  /** GetLayerVersionByArn. */
  async getByArn(arn: string): Promise<GetLayerVersionResponse> {
    const { name, version, foreign } = parseLayerVersionArn(arn, this.#rc.ctx);
    return this.#render(foreign ? undefined : name, version);
  }

  /** ListLayers: each layer with its newest version matching the filters, by name. */
  async list(params: ListLayersParams): Promise<ListLayersResponse> {
    const rc = this.#rc;
    checkLayerFilter(params);
    const limit = layerPageSize(params.maxItems);
    const after =
      params.marker === undefined ? undefined : decodeKeyMarker(params.marker, 'ListLayers');
    const rows = await rc.store.listLatestLayerVersions({
      limit: limit + 1,
      ...filterOf(params),
      ...(after !== undefined && { after }),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      Layers: page.map((r) => ({
        LayerName: r.layerName,
        LayerArn: layerArn(rc.ctx, r.layerName),
        LatestMatchingVersion: renderListItem(rc.ctx, r),
      })),
      ...(rows.length > limit && last && { NextMarker: encodeKeyMarker(last.layerName) }),
    };
  }

  /** ListLayerVersions: newest first; a layer that does not exist has none. */
  async listVersions(
    layerNameLabel: string,
    params: ListLayersParams,
  ): Promise<ListLayerVersionsResponse> {
    const rc = this.#rc;
    const { name, foreign } = layerName(layerNameLabel, rc.ctx);
    checkLayerFilter(params);
    const limit = layerPageSize(params.maxItems);
    const before =
      params.marker === undefined
        ? undefined
        : Number(decodeKeyMarker(params.marker, 'ListLayerVersions'));
    if (foreign) {
      return { LayerVersions: [] };
    }
    const rows = await rc.store.listLayerVersions({
      layerName: name,
      limit: limit + 1,
      ...filterOf(params),
      ...(before !== undefined && { before }),
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      LayerVersions: page.map((r) => renderListItem(rc.ctx, r)),
      ...(rows.length > limit && last && { NextMarker: encodeKeyMarker(String(last.version)) }),
    };
  }

  /** DeleteLayerVersion (204, whether or not the version exists). */
  async delete(layerNameLabel: string, versionLabel: string): Promise<void> {
    const { name, foreign } = layerName(layerNameLabel, this.#rc.ctx);
    const version = versionNumber(versionLabel);
    if (!foreign) {
      await this.#rc.store.deleteLayerVersion(name, version);
    }
  }

  async #render(name: string | undefined, version: number): Promise<GetLayerVersionResponse> {
    const record =
      name === undefined ? undefined : await this.#rc.store.getLayerVersion(name, version);
    if (!record) {
      throw resourceNotFound(NOT_FOUND);
    }
    return renderLayerVersion(this.#rc.ctx, this.#rc.endpoint, record);
  }
}

function filterOf(params: ListLayersParams): {
  compatibleRuntime?: string;
  compatibleArchitecture?: string;
} {
  return {
    ...(params.compatibleRuntime !== undefined && { compatibleRuntime: params.compatibleRuntime }),
    ...(params.compatibleArchitecture !== undefined && {
      compatibleArchitecture: params.compatibleArchitecture,
    }),
  };
}
