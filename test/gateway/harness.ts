/**
 * Component-test harness for src/gateway: the real front door with the real HTTP triggers on a
 * real http.Server (port 0), and small in-memory stand-ins for what the gateway consumes (the
 * Invoker, and the URL, HTTP API and ALB directories), which record what they are asked.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestContext } from 'node:test';
import { createFrontDoor } from '../../src/api/front-door.js';
import { createSystemClock } from '../../src/core/clock.js';
import { ServiceError } from '../../src/core/errors.js';
import { createHttpTriggers } from '../../src/gateway/index.js';
import type { AlbDirectory, HttpApiDirectory, HttpApiStage } from '../../src/gateway/index.js';
import type { AlbTargetGroup } from '../../src/gateway/http-api-types.js';
import type { InvokeInput, InvokeOutput, Invoker } from '../../src/invoke/types.js';

export const CTX = { region: 'us-east-1', accountId: '123456789012' };

/** What a stand-in function does with its event: a result, a thrown Error, or a refusal. */
export type Behaviour = (event: Record<string, unknown>) => unknown;

/** Functions by name (the last part of the ARN without qualifier); records every invocation. */
export class ScriptedInvoker implements Invoker {
  readonly calls: InvokeInput[] = [];
  readonly events: Record<string, unknown>[] = [];
  readonly #functions: Record<string, Behaviour>;

  constructor(functions: Record<string, Behaviour>) {
    this.#functions = functions;
  }

  async invoke(input: InvokeInput): Promise<InvokeOutput> {
    this.calls.push(input);
    const event = JSON.parse(input.payload.toString()) as Record<string, unknown>;
    this.events.push(event);
    const name = input.functionName.split(':')[6] ?? input.functionName;
    const behaviour = this.#functions[name];
    if (behaviour === undefined) {
      throw new Error(`no function ${name}`);
    }
    let result: unknown;
    try {
      result = await behaviour(event);
    } catch (err) {
      if (err instanceof ServiceError) {
        throw err;
      }
      return {
        statusCode: 200,
        functionError: 'Unhandled',
        payload: Buffer.from(JSON.stringify({ errorMessage: (err as Error).message })),
      };
    }
    return { statusCode: 200, payload: Buffer.from(JSON.stringify(result)) };
  }

  /** The last event delivered. */
  lastEvent(): Record<string, unknown> {
    const event = this.events.at(-1);
    if (event === undefined) {
      throw new Error('nothing was invoked');
    }
    return event;
  }
}

export const functionArn = (name: string): string =>
  `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

export function httpApis(apis: Record<string, readonly HttpApiStage[]>): HttpApiDirectory {
  return { stages: (apiId) => apis[apiId] ?? [] };
}

export function albs(groups: readonly AlbTargetGroup[]): AlbDirectory {
  return { targetGroup: (name) => groups.find((g) => g.name === name) };
}

/** Starts the front door with the gateway on port 0; returns its base URL. */
export async function startGateway(
  t: TestContext,
  options: { invoker: Invoker; httpApis?: HttpApiDirectory; albs?: AlbDirectory },
): Promise<string> {
  const triggers = createHttpTriggers({
    invoker: options.invoker,
    urls: { lookupUrl: () => Promise.resolve(undefined) },
    ...(options.httpApis !== undefined && { httpApis: options.httpApis }),
    ...(options.albs !== undefined && { albs: options.albs }),
    ctx: CTX,
    clock: createSystemClock(),
  });
  const server = createServer(
    createFrontDoor({
      triggers,
      // Anything the triggers do not take is the Lambda API's; 418 makes that visible.
      lambda: (_req, res) => {
        res.writeHead(418);
        res.end();
      },
      services: [],
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
