import type { IncomingMessage } from 'node:http';
import { ServiceError, serviceException } from '../../core/errors.js';
import { newRequestId } from '../../core/ids.js';
import { parseJsonBody, writeError, writeJson, type ResponseSink } from '../protocol/aws-json.js';
import { LogsService, type LogReader } from './logs-service.js';

const TARGET_PREFIX = 'Logs_20140328.';

/** CloudWatch Logs (awsJson1_1, `X-Amz-Target: Logs_20140328.<Op>`) on the shared port. */
export function createLogsHttpHandler(reader: LogReader): {
  matches(req: IncomingMessage): boolean;
  handle(req: IncomingMessage, res: ResponseSink, body: Buffer): Promise<void>;
} {
  const service = new LogsService(reader);
  return {
    matches: (req) => {
      const target = req.headers['x-amz-target'];
      return typeof target === 'string' && target.startsWith(TARGET_PREFIX);
    },
    async handle(req, res, body) {
      const requestId = newRequestId();
      const operation = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
      try {
        const result = await service.call(operation, parseJsonBody(body));
        if (result === undefined) {
          throw new ServiceError(
            'UnknownOperationException',
            400,
            `Operation ${operation} is not supported by Fogbank's CloudWatch Logs.`,
          );
        }
        writeJson(res, requestId, result);
      } catch (err) {
        writeError(
          res,
          requestId,
          err instanceof ServiceError ? err : serviceException('Internal error', err),
        );
      }
    },
  };
}
