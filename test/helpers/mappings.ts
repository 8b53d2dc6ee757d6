import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  type CreateEventSourceMappingCommandInput,
  type EventSourceMappingConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';

/** Waits until the mapping has settled in `state` (its pollers run from then on). */
export async function waitForState(
  lambda: LambdaClient,
  uuid: string,
  state = 'Enabled',
): Promise<EventSourceMappingConfiguration> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mapping = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    if (mapping.State === state) {
      return mapping;
    }
    if (Date.now() > deadline) {
      throw new Error(`mapping ${uuid} stayed ${mapping.State ?? '?'}, not ${state}`);
    }
    await sleep(50);
  }
}

/** Creates a mapping with the SDK and waits until it is Enabled; returns its UUID. */
export async function createMapping(
  lambda: LambdaClient,
  input: CreateEventSourceMappingCommandInput,
): Promise<string> {
  const { UUID } = await lambda.send(new CreateEventSourceMappingCommand(input));
  if (UUID === undefined) {
    throw new Error('CreateEventSourceMapping answered without a UUID');
  }
  await waitForState(lambda, UUID);
  return UUID;
}
