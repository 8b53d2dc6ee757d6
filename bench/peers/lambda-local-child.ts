/**
 * Runs inside a fresh child process, because lambda-local executes handlers in the caller's own
 * process: `node lambda-local-child.js <node_modules> <handler.js> cold|burst|warm <json options>`.
 * Prints one JSON line with its measurements.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { timed } from '../lib.js';
import { measureBurst, measureWarm, type Request } from './measure.js';

/** The part of lambda-local's Node API used here (its own typings are not on our path). */
interface LambdaLocal {
  execute(options: {
    event: object;
    lambdaPath: string;
    lambdaHandler: string;
    timeoutMs: number;
    verboseLevel: number;
  }): Promise<unknown>;
}

const [modules = '', lambdaPath = '', mode = '', json = '{}'] = process.argv.slice(2);
const options = JSON.parse(json) as {
  n?: number;
  warmSamples?: number;
  warmup?: number;
  seconds?: number;
};
const lambdaLocal = createRequire(join(modules, 'noop.js'))('lambda-local') as LambdaLocal;

const execute: Request = async () => {
  // verboseLevel 0: the Node API's default (3) prints every result to stdout.
  const result = (await lambdaLocal.execute({
    event: {},
    lambdaPath,
    lambdaHandler: 'handler',
    timeoutMs: 3000,
    verboseLevel: 0,
  })) as { statusCode?: number };
  if (result.statusCode !== 200) {
    throw new Error(`execute: ${JSON.stringify(result)}`);
  }
};

switch (mode) {
  case 'cold':
    console.log(JSON.stringify({ firstMs: await timed(execute) }));
    break;
  case 'burst':
    console.log(JSON.stringify(await measureBurst(execute, options.n ?? 100)));
    break;
  case 'warm':
    console.log(
      JSON.stringify(
        (
          await measureWarm([execute], {
            warmSamples: options.warmSamples ?? 1000,
            warmup: options.warmup ?? 100,
            seconds: options.seconds ?? 5,
          })
        )[0],
      ),
    );
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
