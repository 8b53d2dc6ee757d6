/**
 * DestinationConfig of PutFunctionEventInvokeConfig: its shape, the model's ARN constraints,
 * and the service-side checks (a supported destination type that exists, never the function
 * itself), with AWS's texts.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-async-destinations
 */
import type { AccountContext } from '../../core/arn.js';
import { invalidParameter } from '../../core/errors.js';
import { readObject, readString, type Body, type Violations } from '../request.js';
import { functionExists } from './target.js';
import type { ConfigResolver, DestinationValidator } from './types.js';

const DESTINATION_PATTERN =
  '^$|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const DESTINATION_MATCHER = new RegExp(`^(?:${DESTINATION_PATTERN})$`);
const MAX_DESTINATION_LENGTH = 350;

/** One side of a DestinationConfig as sent: the object may be present without a Destination. */
export interface DestinationSide {
  readonly destination?: string;
}

export interface RequestedDestinations {
  readonly onSuccess?: DestinationSide;
  readonly onFailure?: DestinationSide;
}

/** Reads DestinationConfig, recording pattern and length violations. */
export function readDestinationConfig(config: Body, violations: Violations): RequestedDestinations {
  const side = (member: 'OnSuccess' | 'OnFailure'): DestinationSide | undefined => {
    const object = readObject(config, member, `DestinationConfig.${member}`);
    if (object === undefined) {
      return undefined;
    }
    const path = `destinationConfig.${member === 'OnSuccess' ? 'onSuccess' : 'onFailure'}.destination`;
    const destination = readString(
      object,
      'Destination',
      `DestinationConfig.${member}.Destination`,
    );
    if (destination !== undefined) {
      if (destination.length > MAX_DESTINATION_LENGTH) {
        violations.add(
          destination,
          path,
          `Member must have length less than or equal to ${MAX_DESTINATION_LENGTH}`,
        );
      } else if (!DESTINATION_MATCHER.test(destination)) {
        violations.add(
          destination,
          path,
          `Member must satisfy regular expression pattern: ${DESTINATION_PATTERN}`,
        );
      }
    }
    // The pattern admits '': an empty Destination is the same as none.
    return destination === undefined || destination === '' ? {} : { destination };
  };
  const onSuccess = side('OnSuccess');
  const onFailure = side('OnFailure');
  return {
    ...(onSuccess !== undefined && { onSuccess }),
    ...(onFailure !== undefined && { onFailure }),
  };
}

export interface DestinationCheck {
  readonly ctx: AccountContext;
  readonly resolver: ConfigResolver;
  readonly validator: DestinationValidator;
  /** The function whose config this is (a destination may not be the function itself). */
  readonly functionName: string;
}

/**
 * Refuses destinations Lambda would refuse: an ARN of a service that cannot be a destination
 * (the whole config is then "invalid", in the Java rendering AWS prints), the function itself,
 * and ARNs naming nothing.
 */
export async function checkDestinations(
  requested: RequestedDestinations,
  check: DestinationCheck,
): Promise<void> {
  const sides: ['onSuccess' | 'onFailure', DestinationSide | undefined][] = [
    ['onSuccess', requested.onSuccess],
    ['onFailure', requested.onFailure],
  ];
  for (const [side, value] of sides) {
    const arn = value?.destination;
    if (arn === undefined) {
      continue;
    }
    const kind = destinationKind(arn, side);
    if (kind === undefined) {
      throw invalidParameter(
        `The provided destination config ${javaRendering(requested)} is invalid.`,
      );
    }
    const exists =
      kind === 'lambda'
        ? await lambdaDestinationExists(arn, check)
        : await check.validator.exists(arn);
    if (!exists) {
      throw invalidParameter(`The destination ARN ${arn} is invalid.`);
    }
  }
}

type DestinationKind = 'lambda' | 'sqs' | 'sns' | 'events' | 's3';

function destinationKind(
  arn: string,
  side: 'onSuccess' | 'onFailure',
): DestinationKind | undefined {
  const [, , service, , , resource = ''] = arn.split(':');
  switch (service) {
    case 'lambda':
    case 'sqs':
    case 'sns':
      return service;
    case 'events':
      return resource.startsWith('event-bus/') ? 'events' : undefined;
    case 's3':
      // S3 buckets receive on-failure records only.
      return side === 'onFailure' ? 's3' : undefined;
    default:
      return undefined;
  }
}

const FUNCTION_ARN =
  /^arn:aws[a-zA-Z-]*:lambda:([^:]+):(\d{12}):function:([a-zA-Z0-9-_]+)(?::([a-zA-Z0-9$_-]+))?$/;

async function lambdaDestinationExists(arn: string, check: DestinationCheck): Promise<boolean> {
  const m = FUNCTION_ARN.exec(arn);
  if (!m || m[1] !== check.ctx.region || m[2] !== check.ctx.accountId || m[3] === undefined) {
    return false;
  }
  if (m[3] === check.functionName) {
    throw invalidParameter("You can't specify the function as a destination for itself.");
  }
  return functionExists(check.resolver, m[3], m[4]);
}

/** `DestinationConfig(onSuccess=OnSuccess(destination=…), onFailure=null)`, as AWS quotes it. */
function javaRendering(requested: RequestedDestinations): string {
  const side = (name: string, value: DestinationSide | undefined): string =>
    value === undefined ? 'null' : `${name}(destination=${value.destination ?? 'null'})`;
  return `DestinationConfig(onSuccess=${side('OnSuccess', requested.onSuccess)}, onFailure=${side('OnFailure', requested.onFailure)})`;
}
