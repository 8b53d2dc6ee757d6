/**
 * Invoke: the raw event bytes in, the raw result bytes out, with the invocation's facts in
 * X-Amz-* headers (spec §1.5 "Invocation"). This is the hot path: the payload is handed to the
 * Invoker as received, never parsed or copied here (validating it is the Invoker's job).
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import type { InvocationType, InvokeInput, LogType } from '../invoke/types.js';
import type { ApiRequest } from './protocol/request.js';
import type { Reply } from './protocol/response.js';
import { JSON_CONTENT_TYPE } from './protocol/response.js';
import { enumHeader, type Route } from './protocol/route.js';

/** Lambda's synchronous request limit; AWS names the operation InvokeFunction in this text. */
export const INVOKE_REQUEST_BYTES = 6_291_456;

/** In the model's enum order, which AWS quotes in its ValidationException text. */
const INVOCATION_TYPES: readonly InvocationType[] = ['Event', 'RequestResponse', 'DryRun'];
const LOG_TYPES: readonly LogType[] = ['None', 'Tail'];

export const invokeRoutes: readonly Route[] = [
  {
    operation: 'Invoke',
    method: 'POST',
    path: '/2015-03-31/functions/{FunctionName}/invocations',
    body: 'raw',
    bodyLimit: { bytes: INVOKE_REQUEST_BYTES, operation: 'InvokeFunction' },
    handle: async (request, { invoker }) => {
      const output = await invoker.invoke(invokeInput(request, INVOCATION_TYPES));
      const headers: Record<string, string> = {};
      if (output.executedVersion !== undefined) {
        headers['X-Amz-Executed-Version'] = output.executedVersion;
      }
      if (output.functionError !== undefined) {
        headers['X-Amz-Function-Error'] = output.functionError;
      }
      if (output.logResult !== undefined) {
        headers['X-Amz-Log-Result'] = output.logResult;
      }
      // 202 (Event) and 204 (DryRun) have no body on AWS; only a 200 carries the function's result.
      const reply: Reply =
        output.statusCode === 200
          ? { statusCode: 200, body: output.payload, contentType: JSON_CONTENT_TYPE, headers }
          : { statusCode: output.statusCode, headers };
      return reply;
    },
  },
  {
    // The deprecated InvokeAsync: an Event invoke answering 202 with `{"Status":202}`.
    // https://docs.aws.amazon.com/lambda/latest/api/API_InvokeAsync.html
    operation: 'InvokeAsync',
    method: 'POST',
    path: '/2014-11-13/functions/{FunctionName}/invoke-async',
    body: 'raw',
    bodyLimit: { bytes: INVOKE_REQUEST_BYTES, operation: 'InvokeAsync' },
    handle: async (request, { invoker }) => {
      await invoker.invoke({
        functionName: request.label('FunctionName'),
        invocationType: 'Event',
        logType: 'None',
        payload: request.body,
        requestId: request.context.requestId,
      });
      return {
        statusCode: 202,
        body: Buffer.from('{"Status":202}'),
        contentType: JSON_CONTENT_TYPE,
      };
    },
  },
];

/** The Invoke-family request as the Invoker takes it: label, query, X-Amz-* headers, raw body. */
export function invokeInput<T extends InvocationType>(
  request: ApiRequest,
  invocationTypes: readonly T[],
): InvokeInput & { readonly invocationType: T } {
  const qualifier = request.queryParam('Qualifier');
  const clientContext = request.header('x-amz-client-context');
  return {
    functionName: request.label('FunctionName'),
    invocationType: enumHeader(
      request,
      'x-amz-invocation-type',
      'invocationType',
      invocationTypes,
      'RequestResponse' as T,
    ),
    logType: enumHeader(request, 'x-amz-log-type', 'logType', LOG_TYPES, 'None'),
    payload: request.body,
    requestId: request.context.requestId,
    ...(qualifier === undefined ? {} : { qualifier }),
    ...(clientContext === undefined ? {} : { clientContext }),
  };
}
