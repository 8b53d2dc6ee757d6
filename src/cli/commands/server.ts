import { parseArgs } from 'node:util';
import { loadConfig, type ConfigOverrides } from '../../config/config.js';
import { startPlatform } from '../../platform.js';

/** `fogbank server`: runs until SIGTERM/SIGINT, then shuts down cleanly. */
export async function serverCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      isolation: { type: 'string' },
      region: { type: 'string' },
      'idle-timeout-ms': { type: 'string' },
    },
    strict: true,
  });
  const overrides: ConfigOverrides = {};
  if (values.port !== undefined) {
    overrides.FOGBANK_PORT = values.port;
  }
  if (values.host !== undefined) {
    overrides.FOGBANK_HOST = values.host;
  }
  if (values['data-dir'] !== undefined) {
    overrides.FOGBANK_DATA_DIR = values['data-dir'];
  }
  if (values.isolation !== undefined) {
    overrides.FOGBANK_ISOLATION = values.isolation;
  }
  if (values.region !== undefined) {
    overrides.FOGBANK_REGION = values.region;
  }
  if (values['idle-timeout-ms'] !== undefined) {
    overrides.FOGBANK_IDLE_TIMEOUT_MS = values['idle-timeout-ms'];
  }
  const config = loadConfig(process.env, overrides);
  const platform = await startPlatform(config, {
    onWarning: (message) => {
      process.stderr.write(`WARNING: ${message}\n`);
    },
  });
  process.stdout.write(
    `Fogbank listening on ${platform.url} (isolation: ${platform.pool.isolation}, data: ${config.dataDir})\n`,
  );
  await new Promise<void>((resolve) => {
    let stopping = false;
    // A second signal while stopping is ignored: the shutdown already bounds in-flight work.
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stdout.write(`${signal}: already stopping\n`);
        return;
      }
      stopping = true;
      process.stdout.write(
        `${signal}: stopping (in-flight invocations get ${config.shutdownGraceMs} ms)\n`,
      );
      void platform.stop().then(resolve);
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  });
  process.stdout.write('Fogbank stopped\n');
  return 0;
}
