/**
 * ELBv2's errors, by their query-protocol codes (all 400).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/CommonErrors.html
 */
import { ServiceError } from '../../core/errors.js';

export type Elbv2ErrorCode =
  | 'ValidationError'
  | 'TargetGroupNotFound'
  | 'DuplicateTargetGroupName'
  | 'InvalidTarget'
  | 'TooManyTargets'
  | 'InvalidConfigurationRequest';

export function elbv2Error(code: Elbv2ErrorCode, message: string): ServiceError {
  return new ServiceError(code, 400, message);
}
