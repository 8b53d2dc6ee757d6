/**
 * The EventBridge API (awsJson1_1, `X-Amz-Target: AWSEvents.<Op>`) over the EventBridge
 * service. The main router asks matches() and hands over the request with its body read.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/Welcome.html
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccountContext } from '../../core/arn.js';
import { newRequestId } from '../../core/ids.js';
import type { EventBridgeService } from '../../events/eventbridge/index.js';
import {
  InputReader,
  asServiceError,
  parseJsonBody,
  targetOf,
  targetOperation,
  writeError,
  writeJson,
  type ReaderDialect,
} from '../protocol/aws-json.js';
import { OPERATIONS } from './operations.js';

export const EVENTBRIDGE_TARGET_PREFIX = 'AWSEvents.';

/** EventBridge's wording where it differs from Kinesis's. */
const EVENTBRIDGE_DIALECT: ReaderDialect = { structureListItem: 'structures' };

export interface EventBridgeHttpHandler {
  /** Whether the request is an EventBridge API call (by its X-Amz-Target). */
  matches(req: IncomingMessage): boolean;
  /** Answers the request; never rejects (failures become EventBridge error responses). */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
}

/** `ctx` resolves event-bus ARNs in requests to the buses of this server's region and account. */
export function createEventBridgeHttpHandler(
  service: EventBridgeService,
  ctx: AccountContext,
): EventBridgeHttpHandler {
  return {
    matches(req) {
      return targetOf(req.headers)?.startsWith(EVENTBRIDGE_TARGET_PREFIX) === true;
    },
    async handle(req, res, body) {
      const requestId = newRequestId();
      try {
        const operation = targetOperation(req.headers, EVENTBRIDGE_TARGET_PREFIX, OPERATIONS);
        writeJson(
          res,
          requestId,
          await operation(service, new InputReader(parseJsonBody(body), EVENTBRIDGE_DIALECT), ctx),
        );
      } catch (err) {
        writeError(res, requestId, asServiceError(err, 'InternalException'));
      }
    },
  };
}
