/**
 * InvokeWithResponseStream: the function's response as an AWS event stream, each piece sent as it
 * is written (spec §1.5, §2.4). Everything AWS refuses before the stream starts (unknown function,
 * throttle, bad payload) is an ordinary JSON error; from the first byte on, the answer is 200 and
 * a function failure arrives in the closing InvokeComplete event.
 * https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
 */
import { PassThrough } from 'node:stream';
import { serviceException } from '../core/errors.js';
import { forwardChunk } from '../invoke/invocation-stream.js';
import type {
  InvocationStreamCompletion,
  StreamingInvoker,
  StreamInvocationType,
} from '../invoke/types.js';
import { INVOKE_REQUEST_BYTES, invokeInput } from './invoke.js';
import { encodeEvent, EVENT_STREAM_CONTENT_TYPE } from './protocol/event-stream.js';
import type { Reply } from './protocol/response.js';
import type { ApiServices, Route } from './protocol/route.js';

/** In the model's enum order, which AWS quotes in its ValidationException text. */
const INVOCATION_TYPES: readonly StreamInvocationType[] = ['RequestResponse', 'DryRun'];

export const invokeStreamRoutes: readonly Route[] = [
  {
    operation: 'InvokeWithResponseStream',
    method: 'POST',
    path: '/2021-11-15/functions/{FunctionName}/response-streaming-invocations',
    body: 'raw',
    bodyLimit: { bytes: INVOKE_REQUEST_BYTES, operation: 'InvokeWithResponseStream' },
    handle: (request, services) => {
      const input = invokeInput(request, INVOCATION_TYPES);
      const invoker = streamingInvoker(services);
      const body = new PassThrough();
      let announce: (reply: Reply) => void = () => undefined;
      const headed = new Promise<Reply>((resolve) => {
        announce = resolve;
      });
      const finished = invoker
        .invokeStream(input, {
          head: ({ executedVersion }) => {
            announce({
              statusCode: 200,
              contentType: EVENT_STREAM_CONTENT_TYPE,
              headers: { 'X-Amz-Executed-Version': executedVersion },
              body,
            });
          },
          chunk: (bytes, next) => {
            forwardChunk(body, payloadChunk(bytes), next);
          },
          complete: (completion) => {
            if (!body.destroyed) {
              body.end(invokeComplete(completion));
            }
          },
        })
        .then((output): Reply => ({ statusCode: output.statusCode }));
      // Before the head a failure is the answer (below); after it, it cuts the stream short.
      void finished.catch(() => body.destroy());
      // The head comes first unless the call failed before the function ran, or was a DryRun.
      return Promise.race([headed, finished]);
    },
  },
];

function streamingInvoker(services: ApiServices): StreamingInvoker {
  if (services.streamingInvoker === undefined) {
    throw serviceException('Response streaming is not available on this server.');
  }
  return services.streamingInvoker;
}

/** InvokeResponseStreamUpdate: its Payload member is the event payload, raw bytes. */
function payloadChunk(bytes: Buffer): Buffer {
  return encodeEvent('PayloadChunk', 'application/octet-stream', bytes);
}

/** InvokeWithResponseStreamCompleteEvent: a JSON document of the members that are set. */
function invokeComplete(completion: InvocationStreamCompletion): Buffer {
  const document = JSON.stringify({
    ErrorCode: completion.errorCode,
    ErrorDetails: completion.errorDetails,
    LogResult: completion.logResult,
  });
  return encodeEvent('InvokeComplete', 'application/json', Buffer.from(document));
}
