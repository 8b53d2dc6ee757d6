/**
 * The event source mapping API's semantics: Create/Get/Update/Delete/List over the store, with
 * Lambda's validation per source type, one mapping per event source and function, and the
 * transitional states (spec §1.5 "Event source mappings").
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
import { randomUUID } from 'node:crypto';
import { functionArn, parseFunctionRef } from '../../core/arn.js';
import {
  invalidParameter,
  resourceConflict,
  resourceNotFound,
  ServiceError,
  validationError,
} from '../../core/errors.js';
import type { PollerDeps } from './poller.js';
import { renderMapping, type MappingConfiguration } from './render.js';
import { parseMappingRequest, type MappingRequest } from './request.js';
import type { MappingRuntime } from './runtime.js';
import {
  checkApplicable,
  kinesisSettings,
  rabbitMqSettings,
  sourceKindOf,
  sqsSettings,
  updatedSettings,
} from './settings.js';
import {
  TRANSITIONAL_STATES,
  type EsmState,
  type MappingRecord,
  type MappingSettings,
} from './types.js';

/** What the API layer (src/api/event-source-mappings.ts) calls. */
export interface EventSourceMappingApi {
  /** CreateEventSourceMapping: the new mapping, `State: "Creating"`. */
  createEventSourceMapping(body: Readonly<Record<string, unknown>>): Promise<MappingConfiguration>;
  getEventSourceMapping(uuid: string): Promise<MappingConfiguration>;
  /** UpdateEventSourceMapping: the mapping in `Updating`, `Enabling` or `Disabling`. */
  updateEventSourceMapping(
    uuid: string,
    body: Readonly<Record<string, unknown>>,
  ): Promise<MappingConfiguration>;
  /** DeleteEventSourceMapping: the mapping in `Deleting`. */
  deleteEventSourceMapping(uuid: string): Promise<MappingConfiguration>;
  listEventSourceMappings(query: {
    readonly eventSourceArn?: string;
    readonly functionName?: string;
    readonly marker?: string;
    readonly maxItems?: number;
  }): Promise<{ EventSourceMappings: MappingConfiguration[]; NextMarker?: string }>;
}

/** StateTransitionReason as AWS reports a user's change, per source type. */
const USER_REASON: Readonly<Record<MappingSettings['kind'], string>> = {
  sqs: 'USER_INITIATED',
  kinesis: 'User action',
  rabbitmq: 'USER_INITIATED',
};

const NOT_FOUND = 'The resource you requested does not exist.';

interface ResolvedFunction {
  readonly name: string;
  readonly qualifier?: string;
  readonly arn: string;
  readonly timeoutSeconds: number;
}

export class MappingService implements EventSourceMappingApi {
  readonly #deps: PollerDeps;
  readonly #runtime: MappingRuntime;

  constructor(deps: PollerDeps, runtime: MappingRuntime) {
    this.#deps = deps;
    this.#runtime = runtime;
  }

  async createEventSourceMapping(
    body: Readonly<Record<string, unknown>>,
  ): Promise<MappingConfiguration> {
    const request = parseMappingRequest(body);
    if (request.functionName === undefined) {
      throw validationError([
        "Value null at 'functionName' failed to satisfy constraint: Member must not be null",
      ]);
    }
    const kind = sourceKindOf(request);
    checkApplicable(kind, request);
    const fn = await this.#resolveFunction(request.functionName);
    const settings = await this.#newSettings(kind, request, fn);
    const eventSourceArn = request.eventSourceArn;
    const mapping: MappingRecord = {
      uuid: randomUUID(),
      ...(eventSourceArn === undefined ? {} : { eventSourceArn }),
      sourceKey: sourceKey(eventSourceArn, settings),
      functionName: fn.name,
      ...(fn.qualifier === undefined ? {} : { qualifier: fn.qualifier }),
      functionArn: fn.arn,
      enabled: request.enabled ?? true,
      state: 'Creating',
      stateTransitionReason: USER_REASON[kind],
      lastModifiedMs: this.#deps.clock.now(),
      settings,
    };
    // DIVERGENCE: `Tags` given here are accepted but not kept: tags by ARN are the control plane's
    // (TagResource/ListTags), which does not know event source mapping ARNs yet.
    const existing = await this.#deps.store.insertMapping(mapping);
    if (existing !== undefined) {
      throw duplicate(existing, fn.name);
    }
    void this.#runtime.apply(mapping.uuid);
    return renderMapping(this.#deps.ctx, mapping);
  }

  async getEventSourceMapping(uuid: string): Promise<MappingConfiguration> {
    return renderMapping(this.#deps.ctx, await this.#get(uuid));
  }

  async updateEventSourceMapping(
    uuid: string,
    body: Readonly<Record<string, unknown>>,
  ): Promise<MappingConfiguration> {
    const current = await this.#get(uuid);
    const request = parseMappingRequest(body);
    checkBusy(current, 'update');
    const fn =
      request.functionName === undefined
        ? undefined
        : await this.#resolveFunction(request.functionName);
    const settings = updatedSettings(request, current.settings);
    await this.#checkSource(
      settings,
      current.eventSourceArn,
      request.onFailureDestination,
      fn ?? (await this.#currentFunction(current)),
    );
    const enabled = request.enabled ?? current.enabled;
    const state: EsmState =
      enabled === current.enabled ? 'Updating' : enabled ? 'Enabling' : 'Disabling';
    const target = fn ?? {
      name: current.functionName,
      arn: current.functionArn,
      ...(current.qualifier === undefined ? {} : { qualifier: current.qualifier }),
    };
    const updated: MappingRecord = {
      uuid: current.uuid,
      ...(current.eventSourceArn === undefined ? {} : { eventSourceArn: current.eventSourceArn }),
      sourceKey: current.sourceKey,
      functionName: target.name,
      ...(target.qualifier === undefined ? {} : { qualifier: target.qualifier }),
      functionArn: target.arn,
      enabled,
      state,
      stateTransitionReason: USER_REASON[settings.kind],
      lastModifiedMs: this.#deps.clock.now(),
      ...(current.lastProcessingResult === undefined
        ? {}
        : { lastProcessingResult: current.lastProcessingResult }),
      settings,
    };
    const result = await this.#deps.store.replaceMapping(updated, current.state);
    if (result.conflict !== undefined) {
      throw duplicate(result.conflict, updated.functionName);
    }
    if (!result.replaced) {
      throw resourceInUse('update');
    }
    void this.#runtime.apply(uuid);
    return renderMapping(this.#deps.ctx, updated);
  }

  async deleteEventSourceMapping(uuid: string): Promise<MappingConfiguration> {
    const current = await this.#get(uuid);
    checkBusy(current, 'delete');
    const deleting: MappingRecord = { ...current, state: 'Deleting' };
    const result = await this.#deps.store.replaceMapping(deleting, current.state);
    if (!result.replaced) {
      throw resourceInUse('delete');
    }
    void this.#runtime.apply(uuid);
    return renderMapping(this.#deps.ctx, deleting);
  }

  async listEventSourceMappings(query: {
    readonly eventSourceArn?: string;
    readonly functionName?: string;
    readonly marker?: string;
    readonly maxItems?: number;
  }): Promise<{ EventSourceMappings: MappingConfiguration[]; NextMarker?: string }> {
    const limit = query.maxItems ?? 100;
    if (limit < 1 || limit > 10_000) {
      throw validationError([
        `Value '${limit}' at 'maxItems' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : 'less than or equal to 10000'}`,
      ]);
    }
    const after = query.marker === undefined ? undefined : parseMarker(query.marker);
    const ref =
      query.functionName === undefined
        ? undefined
        : parseFunctionRef(query.functionName, this.#deps.ctx, 'functionName', 256);
    const rows = await this.#deps.store.listMappings({
      ...(query.eventSourceArn === undefined ? {} : { eventSourceArn: query.eventSourceArn }),
      ...(ref === undefined ? {} : { functionName: ref.name }),
      ...(ref?.qualifier === undefined
        ? {}
        : { functionArn: functionArn(this.#deps.ctx, ref.name, ref.qualifier) }),
      ...(after === undefined ? {} : { after }),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      EventSourceMappings: page.map((row) => renderMapping(this.#deps.ctx, row.mapping)),
      ...(rows.length > limit && last !== undefined
        ? { NextMarker: formatMarker(last.order) }
        : {}),
    };
  }

  async #get(uuid: string): Promise<MappingRecord> {
    const mapping = await this.#deps.store.getMapping(uuid);
    if (mapping === undefined) {
      throw resourceNotFound(NOT_FOUND);
    }
    return mapping;
  }

  async #resolveFunction(input: string): Promise<ResolvedFunction> {
    const ref = parseFunctionRef(input, this.#deps.ctx, 'functionName', 256);
    let version;
    try {
      version = await this.#deps.resolver.resolve(ref.name, ref.qualifier);
    } catch (error) {
      if (error instanceof ServiceError && error.statusCode === 404) {
        throw invalidParameter('Function does not exist');
      }
      throw error;
    }
    return {
      name: ref.name,
      ...(ref.qualifier === undefined ? {} : { qualifier: ref.qualifier }),
      arn: functionArn(this.#deps.ctx, ref.name, ref.qualifier),
      timeoutSeconds: version.timeoutSeconds,
    };
  }

  async #currentFunction(mapping: MappingRecord): Promise<ResolvedFunction | undefined> {
    try {
      const version = await this.#deps.resolver.resolve(mapping.functionName, mapping.qualifier);
      return {
        name: mapping.functionName,
        arn: mapping.functionArn,
        timeoutSeconds: version.timeoutSeconds,
      };
    } catch {
      // The function was deleted after the mapping was made: nothing to check against.
      return undefined;
    }
  }

  async #newSettings(
    kind: MappingSettings['kind'],
    request: MappingRequest,
    fn: ResolvedFunction,
  ): Promise<MappingSettings> {
    const arn = request.eventSourceArn ?? '';
    switch (kind) {
      case 'sqs': {
        const fifo = (await this.#queueInfo(arn)).fifo;
        const settings = sqsSettings(request, fifo, undefined);
        await this.#checkSource(settings, arn, undefined, fn);
        return settings;
      }
      case 'kinesis': {
        try {
          await this.#deps.streams.describeStreamSummary({ streamArn: arn });
        } catch (error) {
          if (error instanceof ServiceError && error.code === 'ResourceNotFoundException') {
            throw invalidParameter(`Stream not found: ${arn}`);
          }
          throw error;
        }
        const settings = kinesisSettings(request, undefined);
        await this.#checkSource(settings, arn, request.onFailureDestination, fn);
        return settings;
      }
      case 'rabbitmq':
        if (
          request.eventSourceArn !== undefined &&
          !/^arn:aws[a-zA-Z-]*:mq:[^:]*:\d{12}:broker:[^:]+:[^:]+$/.test(arn)
        ) {
          throw invalidParameter('Unrecognized event source.');
        }
        return rabbitMqSettings(request, undefined);
    }
  }

  /** Checks that need the source and function: visibility timeout, OnFailure destination. */
  async #checkSource(
    settings: MappingSettings,
    eventSourceArn: string | undefined,
    newDestination: string | undefined,
    fn: ResolvedFunction | undefined,
  ): Promise<void> {
    if (settings.kind === 'sqs' && fn !== undefined && eventSourceArn !== undefined) {
      const attributes = await this.#deps.queues.getQueueAttributes(eventSourceArn, [
        'VisibilityTimeout',
      ]);
      const visibility = Number(attributes.VisibilityTimeout ?? '30');
      // https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html: "Lambda
      // validates this requirement when you create or update an event source mapping".
      if (visibility < fn.timeoutSeconds) {
        throw invalidParameter(
          `Queue visibility timeout: ${visibility} seconds is less than Function timeout: ${fn.timeoutSeconds} seconds`,
        );
      }
    }
    if (settings.kind === 'kinesis' && newDestination) {
      await this.#checkDestination(newDestination);
    }
  }

  async #queueInfo(arn: string): Promise<{ fifo: boolean }> {
    try {
      return await this.#deps.queues.getQueue(arn);
    } catch (error) {
      if (error instanceof ServiceError && error.code === 'QueueDoesNotExist') {
        throw invalidParameter(
          'Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.',
        );
      }
      throw error;
    }
  }

  async #checkDestination(destination: string): Promise<void> {
    const { onFailure } = this.#deps;
    let exists: boolean;
    if (/^arn:aws[a-zA-Z-]*:sqs:/.test(destination)) {
      exists = await onFailure.queueExists(destination);
    } else if (/^arn:aws[a-zA-Z-]*:sns:/.test(destination)) {
      if (onFailure.publishToTopic === undefined) {
        throw invalidParameter('SNS topics are not available on this server.');
      }
      exists = (await onFailure.topicExists?.(destination)) ?? true;
    } else {
      // DIVERGENCE: Lambda also takes S3 buckets; Fogbank has no S3.
      throw invalidParameter(
        `The OnFailure destination ${destination} must be an SQS queue or SNS topic ARN.`,
      );
    }
    if (!exists) {
      throw invalidParameter(`The OnFailure destination ${destination} does not exist.`);
    }
  }
}

function sourceKey(eventSourceArn: string | undefined, settings: MappingSettings): string {
  if (settings.kind !== 'rabbitmq') {
    return eventSourceArn ?? '';
  }
  const broker = eventSourceArn ?? settings.brokerUrls.join(',');
  return `${broker}|${settings.virtualHost}|${settings.queue}`;
}

function duplicate(existing: MappingRecord, functionName: string): ServiceError {
  const tail = `Please update or delete the existing mapping with UUID ${existing.uuid}`;
  switch (existing.settings.kind) {
    case 'sqs':
      return resourceConflict(
        `An event source mapping with SQS arn (" ${existing.eventSourceArn ?? ''} ") and function (" ${functionName} ") already exists. ${tail}`,
      );
    case 'kinesis':
      return resourceConflict(
        `The event source arn (" ${existing.eventSourceArn ?? ''} ") and function (" ${functionName} ") provided mapping already exists. ${tail}`,
      );
    case 'rabbitmq':
      return resourceConflict(
        `An event source mapping with event source ("${existing.eventSourceArn ?? existing.settings.brokerUrls.join(',')}"), function ("${existing.functionArn}"), queues ("${existing.settings.queue}") already exists. ${tail}`,
      );
  }
}

function checkBusy(mapping: MappingRecord, action: 'update' | 'delete'): void {
  if (TRANSITIONAL_STATES.has(mapping.state)) {
    throw resourceInUse(action);
  }
}

function resourceInUse(action: 'update' | 'delete'): ServiceError {
  return new ServiceError(
    'ResourceInUseException',
    400,
    `Cannot ${action} the event source mapping because it is in use.`,
    'Message',
  );
}

/** Markers are opaque to clients: the creation order of the last mapping returned. */
function formatMarker(order: number): string {
  return Buffer.from(`esm:${order}`).toString('base64url');
}

function parseMarker(marker: string): number {
  const m = /^esm:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (m?.[1] === undefined) {
    throw invalidParameter(`Invalid marker: ${marker}`);
  }
  return Number(m[1]);
}
