/**
 * The Kinesis Data Streams API (awsJson1_1, `X-Amz-Target: Kinesis_20131202.<Op>`) over the
 * built-in stream. The main router asks matches() and hands over the request with its body read.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ServiceError } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import type { StreamService } from '../../events/kinesis/index.js';
import {
  InputReader,
  asServiceError,
  parseJsonBody,
  targetOf,
  targetOperation,
  writeError,
  writeJson,
  type ResponseSink,
} from '../protocol/aws-json.js';
import { OPERATIONS } from './operations.js';

export const KINESIS_TARGET_PREFIX = 'Kinesis_20131202.';

/** A request as the handler reads it: an http IncomingMessage or an Http2ServerRequest. */
export interface RequestHead {
  readonly headers: IncomingHttpHeaders;
}

export interface KinesisHttpHandler {
  /** Whether the request is a Kinesis API call (by its X-Amz-Target). */
  matches(req: RequestHead): boolean;
  /** Answers the request; never rejects (failures become Kinesis error responses). */
  handle(req: RequestHead, res: ResponseSink, body: Buffer): Promise<void>;
}

/** The service carries the AccountContext (ARNs, error texts), so the handler needs no other. */
export function createKinesisHttpHandler(service: StreamService): KinesisHttpHandler {
  return {
    matches(req) {
      return targetOf(req.headers)?.startsWith(KINESIS_TARGET_PREFIX) === true;
    },
    async handle(req, res, body) {
      const requestId = newRequestId();
      try {
        const operation = targetOperation(req.headers, KINESIS_TARGET_PREFIX, OPERATIONS);
        if (/cbor/i.test(req.headers['content-type'] ?? '')) {
          // DIVERGENCE: only JSON; the Java SDK and KPL send CBOR unless AWS_CBOR_DISABLE=true.
          throw new ServiceError(
            'SerializationException',
            400,
            'CBOR requests are not supported; send JSON (application/x-amz-json-1.1), e.g. with AWS_CBOR_DISABLE=true.',
          );
        }
        const output = await operation(service, new InputReader(parseJsonBody(body)));
        writeJson(res, requestId, output);
      } catch (err) {
        writeError(res, requestId, asServiceError(err, 'InternalFailure'));
      }
    },
  };
}
