/**
 * The function behind an AWS_PROXY integration. IntegrationUri is a Lambda function ARN
 * (possibly qualified with a version or alias) or the older invocation URI
 * `arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations`.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-integrations.html#apis-apiid-integrations-prop-createintegrationinput-integrationuri
 */
import { functionArn, parseFunctionRef, type AccountContext } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { badRequest } from './errors.js';

const INVOCATION_URI =
  /^arn:aws[a-zA-Z-]*:apigateway:[a-z0-9-]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;
const FUNCTION_ARN = /^arn:aws[a-zA-Z-]*:lambda:/;

/** The normalized function ARN (`arn:aws:lambda:…:function:name[:qualifier]`) an URI names. */
export function integrationFunctionArn(integrationUri: string, ctx: AccountContext): string {
  const arn = INVOCATION_URI.exec(integrationUri)?.[1] ?? integrationUri;
  if (!FUNCTION_ARN.test(arn)) {
    throw badRequest(
      `Invalid integration URI specified: '${integrationUri}' is not a Lambda function ARN.`,
    );
  }
  try {
    const ref = parseFunctionRef(arn, ctx, 'integrationUri');
    return functionArn(ctx, ref.name, ref.qualifier);
  } catch (error) {
    if (error instanceof ServiceError) {
      throw badRequest(`Invalid integration URI specified: ${error.message}`);
    }
    throw error;
  }
}
