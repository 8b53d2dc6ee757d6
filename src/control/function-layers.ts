/**
 * A function's Layers member: layer version ARNs resolved against the stored layers, and the
 * rule that function code and layers together unzip to at most 250 MB.
 * https://docs.aws.amazon.com/lambda/latest/dg/chapter-layers.html
 */
import { invalidParameter } from '../core/errors.js';
import { LATEST, type FunctionVersionCursor, type Store } from '../store/index.js';
import type { RegistryContext } from './context.js';
import type { LayerRef } from './function-settings.js';
import { decodeVersion, type FunctionVersion } from './function-version.js';
import { MAX_UNZIPPED_BYTES } from './limits.js';
import { unzippedSizeOf } from './zip-extract.js';

const LAYER_VERSION_ARN =
  /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):([0-9]+)$/;

const SCAN_PAGE = 500;

/**
 * Resolves the ARNs a request named, in order, with AWS's texts for a layer in another region,
 * a layer version that does not exist, and two versions of one layer [aws-rec].
 */
export async function resolveFunctionLayers(
  rc: RegistryContext,
  arns: readonly string[],
): Promise<LayerRef[]> {
  const seen = new Map<string, string>();
  const refs: LayerRef[] = [];
  for (const arn of arns) {
    const m = LAYER_VERSION_ARN.exec(arn);
    if (m?.[1] !== undefined && m[1] !== rc.ctx.region) {
      throw invalidParameter(
        `Layers are not in the same region as the function. Layers are expected to be in region ${rc.ctx.region}.`,
      );
    }
    const [, , account, name, number] = m ?? [];
    // Layers of other accounts (and AWS-managed ones) do not exist on this server.
    const record =
      account === rc.ctx.accountId && name !== undefined
        ? await rc.store.getLayerVersion(name, Number(number))
        : undefined;
    if (!record) {
      throw invalidParameter(`Layer version ${arn} does not exist.`);
    }
    const layerArn = arn.slice(0, arn.lastIndexOf(':'));
    const earlier = seen.get(layerArn);
    if (earlier !== undefined) {
      throw invalidParameter(
        `Two different versions of the same layer are not allowed to be referenced in the same function. ${earlier} and ${arn} are versions of the same layer.`,
      );
    }
    seen.set(layerArn, arn);
    refs.push({
      arn,
      codeSha256Hex: record.codeSha256,
      codeSize: record.codeSize,
      unzippedSize: record.unzippedSize,
    });
  }
  return refs;
}

/** Function code plus its layers, unzipped, must stay within 250 MB. */
export async function checkUnzippedTotal(
  rc: RegistryContext,
  v: Pick<FunctionVersion, 'code' | 'codeSha256Hex' | 'unzippedSize'>,
  layers: readonly LayerRef[],
): Promise<void> {
  if (layers.length === 0) {
    return;
  }
  let total = await codeUnzippedSize(rc, v);
  for (const layer of layers) {
    total += layer.unzippedSize;
  }
  if (total > MAX_UNZIPPED_BYTES) {
    throw invalidParameter(
      `Function code combined with layers exceeds the maximum allowed size of ${String(MAX_UNZIPPED_BYTES)} bytes. The actual size is ${String(total)} bytes.`,
    );
  }
}

async function codeUnzippedSize(
  rc: RegistryContext,
  v: Pick<FunctionVersion, 'code' | 'codeSha256Hex' | 'unzippedSize'>,
): Promise<number> {
  if (v.unzippedSize !== undefined) {
    return v.unzippedSize;
  }
  // A version stored before sizes were recorded: measure its package.
  const zip = v.code.kind === 'zip' ? await rc.code.read(v.codeSha256Hex) : undefined;
  return zip === undefined ? 0 : unzippedSizeOf(zip);
}

/**
 * Layer packages that function versions use. A deleted layer version leaves the store, but the
 * functions configured with it keep running on its package, as on AWS.
 */
export async function layerCodeInUse(store: Store): Promise<Set<string>> {
  const inUse = new Set<string>();
  let after: FunctionVersionCursor | undefined;
  for (;;) {
    const page = await store.listFunctionVersions({
      versions: 'all',
      limit: SCAN_PAGE,
      ...(after && { after }),
    });
    for (const record of page) {
      for (const layer of decodeVersion(record).settings.layers) {
        inUse.add(layer.codeSha256Hex);
      }
    }
    const last = page.at(-1);
    if (page.length < SCAN_PAGE || !last) {
      return inUse;
    }
    after = {
      functionName: last.functionName,
      versionNumber: last.version === LATEST ? 0 : Number(last.version),
    };
  }
}
