import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RegistryContext } from '../../src/control/context.js';
import { checkUnzippedTotal } from '../../src/control/function-layers.js';
import {
  ARN,
  ENDPOINT,
  createBody,
  makeZip,
  rejectsWith,
  settle,
  snapshot,
  startRegistry,
} from './helpers.js';

const LAYER = 'arn:aws:lambda:us-east-1:123456789012:layer';

const NODE_LAYER = makeZip({ 'nodejs/node_modules/greet/index.js': 'module.exports = "hi";' });
const PY_LAYER = makeZip({ 'python/greet.py': 'GREETING = "hi"\n' });

function content(zip: Buffer): { Content: { ZipFile: string } } {
  return { Content: { ZipFile: zip.toString('base64') } };
}

test('PublishLayerVersion numbers versions per layer from 1 and never reuses a number', async (t) => {
  const { registry, clock } = await startRegistry(t);
  const v1 = await registry.publishLayerVersion('greet', {
    ...content(NODE_LAYER),
    Description: 'node greeting',
    CompatibleRuntimes: ['nodejs20.x', 'nodejs22.x'],
    CompatibleArchitectures: ['x86_64'],
    LicenseInfo: 'MIT',
  });
  const hex = createHash('sha256').update(NODE_LAYER).digest('hex');
  assert.deepEqual(v1, {
    Content: {
      Location: `${ENDPOINT}/_fogbank/code/${hex}.zip`,
      CodeSha256: createHash('sha256').update(NODE_LAYER).digest('base64'),
      CodeSize: NODE_LAYER.length,
    },
    LayerArn: `${LAYER}:greet`,
    LayerVersionArn: `${LAYER}:greet:1`,
    Version: 1,
    Description: 'node greeting',
    CreatedDate: new Date(clock.now()).toISOString().replace('Z', '+0000'),
    CompatibleRuntimes: ['nodejs20.x', 'nodejs22.x'],
    CompatibleArchitectures: ['x86_64'],
    LicenseInfo: 'MIT',
  });
  // The package is downloadable from Content.Location.
  assert.deepEqual(await registry.readCodePackage(hex), NODE_LAYER);
  const bare = await registry.publishLayerVersion(`${LAYER}:greet`, content(PY_LAYER));
  assert.equal(bare.Version, 2);
  assert.equal(bare.Description, '');
  for (const key of ['CompatibleRuntimes', 'CompatibleArchitectures', 'LicenseInfo']) {
    assert.equal(key in bare, false, key);
  }
  assert.equal((await registry.publishLayerVersion('other', content(PY_LAYER))).Version, 1);
  await registry.deleteLayerVersion('greet', '1');
  await registry.deleteLayerVersion('greet', '2');
  assert.equal((await registry.publishLayerVersion('greet', content(PY_LAYER))).Version, 3);
  assert.deepEqual(await registry.getLayerVersion('greet', '3'), {
    ...(await registry.getLayerVersionByArn(`${LAYER}:greet:3`)),
  });
});

test('GetLayerVersion(ByArn), ListLayers and ListLayerVersions with filters and paging', async (t) => {
  const { registry } = await startRegistry(t);
  await registry.publishLayerVersion('a', {
    ...content(NODE_LAYER),
    CompatibleRuntimes: ['nodejs20.x'],
    CompatibleArchitectures: ['x86_64', 'arm64'],
  });
  await registry.publishLayerVersion('a', {
    ...content(PY_LAYER),
    CompatibleRuntimes: ['python3.12'],
  });
  await registry.publishLayerVersion('b', {
    ...content(NODE_LAYER),
    CompatibleRuntimes: ['nodejs20.x'],
  });
  await registry.publishLayerVersion('c', content(PY_LAYER));

  const all = await registry.listLayers({});
  assert.deepEqual(
    all.Layers?.map((l) => [l.LayerName, l.LayerArn, l.LatestMatchingVersion?.Version]),
    [
      ['a', `${LAYER}:a`, 2],
      ['b', `${LAYER}:b`, 1],
      ['c', `${LAYER}:c`, 1],
    ],
  );
  const node = await registry.listLayers({ compatibleRuntime: 'nodejs20.x' });
  assert.deepEqual(
    node.Layers?.map((l) => [l.LayerName, l.LatestMatchingVersion?.Version]),
    [
      ['a', 1],
      ['b', 1],
    ],
  );
  const arm = await registry.listLayers({ compatibleArchitecture: 'arm64' });
  assert.deepEqual(
    arm.Layers?.map((l) => l.LayerName),
    ['a'],
  );
  const page = await registry.listLayers({ maxItems: 2 });
  assert.equal(page.Layers?.length, 2);
  const rest = await registry.listLayers({ maxItems: 2, marker: page.NextMarker ?? '' });
  assert.deepEqual(
    rest.Layers?.map((l) => l.LayerName),
    ['c'],
  );

  const versions = await registry.listLayerVersions('a', {});
  assert.deepEqual(
    versions.LayerVersions?.map((v) => [v.Version, v.LayerVersionArn]),
    [
      [2, `${LAYER}:a:2`],
      [1, `${LAYER}:a:1`],
    ],
  );
  assert.deepEqual(
    (await registry.listLayerVersions('a', { compatibleRuntime: 'nodejs20.x' })).LayerVersions?.map(
      (v) => v.Version,
    ),
    [1],
  );
  const first = await registry.listLayerVersions('a', { maxItems: 1 });
  const second = await registry.listLayerVersions('a', {
    maxItems: 1,
    marker: first.NextMarker ?? '',
  });
  assert.deepEqual(
    [...(first.LayerVersions ?? []), ...(second.LayerVersions ?? [])].map((v) => v.Version),
    [2, 1],
  );
  assert.deepEqual(await registry.listLayerVersions('nope', {}), { LayerVersions: [] });

  const notFound = {
    code: 'ResourceNotFoundException',
    status: 404,
    message: 'The resource you requested does not exist.',
  };
  await rejectsWith(registry.getLayerVersion('a', '9'), notFound);
  await rejectsWith(registry.getLayerVersion('nope', '1'), notFound);
  await rejectsWith(registry.getLayerVersionByArn(`${LAYER}:a:9`), notFound);
  await rejectsWith(
    registry.getLayerVersionByArn('arn:aws:lambda:eu-west-1:123456789012:layer:a:1'),
    notFound,
  );
  await rejectsWith(registry.getLayerVersion('a', '0'), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: 'Layer Version Cannot be less than 1',
  });
  await rejectsWith(registry.getLayerVersionByArn(`${LAYER}:a`), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value 'arn:aws:lambda:us-east-1:123456789012:layer:a' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+",
  });
  await rejectsWith(registry.listLayers({ compatibleRuntime: 'cobol' }), {
    code: 'ValidationException',
    status: 400,
    message:
      /^1 validation error detected: Value 'cobol' at 'compatibleRuntime' failed to satisfy constraint: Member must satisfy enum value set: \[/,
  });
  await rejectsWith(registry.listLayers({ maxItems: 51 }), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value '51' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 50",
  });
  // DeleteLayerVersion is idempotent.
  await registry.deleteLayerVersion('a', '2');
  await registry.deleteLayerVersion('a', '2');
  await registry.deleteLayerVersion('nope', '5');
  await rejectsWith(registry.getLayerVersion('a', '2'), notFound);
});

test("PublishLayerVersion's validation, changing nothing", async (t) => {
  const { registry, store } = await startRegistry(t);
  const before = await snapshot(store);
  await rejectsWith(registry.publishLayerVersion('l', {}), {
    code: 'ValidationException',
    status: 400,
    message:
      "1 validation error detected: Value null at 'content' failed to satisfy constraint: Member must not be null",
  });
  await rejectsWith(
    registry.publishLayerVersion('l', {
      ...content(PY_LAYER),
      CompatibleRuntimes: Array.from({ length: 16 }, () => 'python3.12'),
      CompatibleArchitectures: ['x86_64', 'arm64', 'x86_64'],
    }),
    {
      code: 'ValidationException',
      status: 400,
      message:
        /^2 validation errors detected: .* at 'compatibleRuntimes' failed to satisfy constraint: Member must have length less than or equal to 15; .* at 'compatibleArchitectures' failed to satisfy constraint: Member must have length less than or equal to 2$/,
    },
  );
  await rejectsWith(
    registry.publishLayerVersion('l', { ...content(PY_LAYER), CompatibleArchitectures: ['sparc'] }),
    {
      code: 'ValidationException',
      status: 400,
      message:
        "1 validation error detected: Value '[sparc]' at 'compatibleArchitectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]",
    },
  );
  await rejectsWith(
    registry.publishLayerVersion('l', { ...content(PY_LAYER), LicenseInfo: 'x'.repeat(513) }),
    {
      code: 'ValidationException',
      status: 400,
      message:
        /at 'licenseInfo' failed to satisfy constraint: Member must have length less than or equal to 512$/,
    },
  );
  await rejectsWith(registry.publishLayerVersion('bad name', content(PY_LAYER)), {
    code: 'ValidationException',
    status: 400,
    message: /^1 validation error detected: Value 'bad name' at 'layerName'/,
  });
  await rejectsWith(
    registry.publishLayerVersion('l', {
      Content: { ZipFile: Buffer.from('junk').toString('base64') },
    }),
    {
      code: 'InvalidParameterValueException',
      status: 400,
      message: /^Could not unzip uploaded file/,
    },
  );
  assert.deepEqual(await snapshot(store), before);
  assert.deepEqual(await registry.listLayers({}), { Layers: [] });
});

test('functions with Layers: echoed, resolved to unpacked directories in order, kept after the layer is deleted', async (t) => {
  const { registry, clock, restart } = await startRegistry(t);
  await registry.publishLayerVersion('node', content(NODE_LAYER));
  await registry.publishLayerVersion('py', content(PY_LAYER));
  const created = await registry.createFunction(
    createBody('f', { Layers: [`${LAYER}:py:1`, `${LAYER}:node:1`] }),
  );
  assert.deepEqual(created.Layers, [
    { Arn: `${LAYER}:py:1`, CodeSize: PY_LAYER.length },
    { Arn: `${LAYER}:node:1`, CodeSize: NODE_LAYER.length },
  ]);
  await settle(clock);
  const resolved = await registry.resolve('f', undefined);
  assert.equal(resolved.layerDirs.length, 2);
  const [pyDir = '', nodeDir = ''] = resolved.layerDirs;
  assert.equal(await readFile(join(pyDir, 'python/greet.py'), 'utf8'), 'GREETING = "hi"\n');
  assert.equal(
    await readFile(join(nodeDir, 'nodejs/node_modules/greet/index.js'), 'utf8'),
    'module.exports = "hi";',
  );
  // Deleted layer versions keep serving the functions that use them, across a restart too.
  await registry.deleteLayerVersion('node', '1');
  await registry.stop();
  const second = await restart();
  const again = await second.resolve('f', undefined);
  assert.deepEqual(again.layerDirs, resolved.layerDirs);
  assert.ok((await stat(join(nodeDir, 'nodejs'))).isDirectory());
  assert.deepEqual((await second.getFunctionConfiguration('f')).Layers, created.Layers);
  // But a deleted layer version cannot be added any more.
  await rejectsWith(second.updateFunctionConfiguration('f', { Layers: [`${LAYER}:node:1`] }), {
    code: 'InvalidParameterValueException',
    status: 400,
    message: `Layer version ${LAYER}:node:1 does not exist.`,
  });
  // Layers: [] removes them.
  const cleared = await second.updateFunctionConfiguration('f', { Layers: [] });
  assert.equal(cleared.Layers, undefined);
  await settle(clock);
  assert.deepEqual((await second.resolve('f', undefined)).layerDirs, []);
});

test("a function's Layers rules, with AWS's texts", async (t) => {
  const { registry, clock } = await startRegistry(t);
  await registry.publishLayerVersion('l', content(PY_LAYER));
  await registry.publishLayerVersion('l', content(NODE_LAYER));
  await registry.publishLayerVersion('m', content(NODE_LAYER));
  await registry.createFunction(createBody('f'));
  await settle(clock);
  const cases: { layers: string[]; code: string; message: string | RegExp }[] = [
    {
      layers: [`${LAYER}:l:1`, `${LAYER}:l:2`, `${LAYER}:m:1`],
      code: 'InvalidParameterValueException',
      message: `Two different versions of the same layer are not allowed to be referenced in the same function. ${LAYER}:l:1 and ${LAYER}:l:2 are versions of the same layer.`,
    },
    {
      layers: [`${LAYER}:l:1`, `${LAYER}:l:1`],
      code: 'InvalidParameterValueException',
      message: `Two different versions of the same layer are not allowed to be referenced in the same function. ${LAYER}:l:1 and ${LAYER}:l:1 are versions of the same layer.`,
    },
    {
      layers: [`${LAYER}:l:9`],
      code: 'InvalidParameterValueException',
      message: `Layer version ${LAYER}:l:9 does not exist.`,
    },
    {
      layers: ['arn:aws:lambda:us-east-1:999999999999:layer:l:1'],
      code: 'InvalidParameterValueException',
      message: 'Layer version arn:aws:lambda:us-east-1:999999999999:layer:l:1 does not exist.',
    },
    {
      layers: ['arn:aws:lambda:eu-west-1:123456789012:layer:l:1'],
      code: 'InvalidParameterValueException',
      message:
        'Layers are not in the same region as the function. Layers are expected to be in region us-east-1.',
    },
    {
      layers: Array.from({ length: 6 }, (_, i) => `${LAYER}:x${String(i)}:1`),
      code: 'InvalidParameterValueException',
      message: 'Cannot reference more than 5 layers.',
    },
    {
      layers: [`${LAYER}:l`],
      code: 'ValidationException',
      message: `1 validation error detected: Value '[${LAYER}:l]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 140, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+), Member must not be null]`,
    },
  ];
  for (const c of cases) {
    await rejectsWith(registry.updateFunctionConfiguration('f', { Layers: c.layers }), {
      code: c.code,
      status: 400,
      message: c.message,
    });
    await rejectsWith(registry.createFunction(createBody('g', { Layers: c.layers })), {
      code: c.code,
      status: 400,
      message: c.message,
    });
  }
  const ok = await registry.updateFunctionConfiguration(`${ARN}:f`, {
    Layers: [`${LAYER}:l:2`, `${LAYER}:m:1`],
  });
  assert.deepEqual(
    ok.Layers?.map((l) => l.Arn),
    [`${LAYER}:l:2`, `${LAYER}:m:1`],
  );
});

test('function code and layers together unzip to at most 250 MB', async () => {
  const rc = {} as RegistryContext;
  const code = { code: { kind: 'zip' as const }, codeSha256Hex: 'x', unzippedSize: 200_000_000 };
  const layer = { arn: `${LAYER}:l:1`, codeSha256Hex: 'y', codeSize: 10 };
  await checkUnzippedTotal(rc, code, [{ ...layer, unzippedSize: 62_144_000 }]);
  await rejectsWith(checkUnzippedTotal(rc, code, [{ ...layer, unzippedSize: 62_144_001 }]), {
    code: 'InvalidParameterValueException',
    status: 400,
    message:
      'Function code combined with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is 262144001 bytes.',
  });
});

test('AccountUsage counts layer packages; GetAccountSettings stays consistent', async (t) => {
  const { registry } = await startRegistry(t);
  await registry.publishLayerVersion('l', content(PY_LAYER));
  await registry.publishLayerVersion('l', content(PY_LAYER));
  assert.deepEqual((await registry.getAccountSettings()).AccountUsage, {
    TotalCodeSize: 2 * PY_LAYER.length,
    FunctionCount: 0,
  });
  await registry.deleteLayerVersion('l', '1');
  assert.equal((await registry.getAccountSettings()).AccountUsage.TotalCodeSize, PY_LAYER.length);
});
