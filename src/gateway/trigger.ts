/**
 * The shell every HTTP front shares: claim the requests addressed to it, serve them, and write
 * the response, or the front's own failure response when serving threw or the function's headers
 * cannot be written.
 */
import type { IncomingMessage } from 'node:http';
import type { HttpTrigger } from '../api/front-door.js';
import { writeResponse, type HttpResponse } from './http-response.js';
import { triggerAddress, type TriggerAddress, type TriggerKind } from './trigger-address.js';

export interface TriggerFront {
  readonly kind: TriggerKind;
  /** A fresh id for one request. */
  newRequestId(): string;
  /** The response header that carries the request id (`x-amzn-RequestId`), if any. */
  readonly requestIdHeader?: string;
  /** What the client sees when serving fails unexpectedly. */
  readonly failure: HttpResponse;
  serve(req: IncomingMessage, address: TriggerAddress, requestId: string): Promise<HttpResponse>;
}

/** The HttpTrigger of a front. `onError` hears of anything unexpected (for the operator's log). */
export function createTrigger(
  front: TriggerFront,
  onError: ((err: unknown) => void) | undefined,
): HttpTrigger {
  return {
    accept(req) {
      const address = triggerAddress(req, front.kind);
      if (address === undefined) {
        return undefined;
      }
      return (res) => {
        const requestId = front.newRequestId();
        const write = (response: HttpResponse): boolean =>
          writeResponse(
            res,
            front.requestIdHeader === undefined
              ? response
              : {
                  ...response,
                  headers: { ...response.headers, [front.requestIdHeader]: requestId },
                },
          );
        front.serve(req, address, requestId).then(
          (response) => {
            if (!write(response)) {
              write(front.failure);
            }
          },
          (err: unknown) => {
            onError?.(err);
            req.resume();
            write(front.failure);
          },
        );
      };
    },
  };
}
