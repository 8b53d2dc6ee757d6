/**
 * A rule's targets: what it sends matching events to. Fogbank delivers to Lambda functions.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
 */
import { requireBus, type Deps } from './deps.js';
import { limitExceeded, ruleNotFound, validation } from './errors.js';
import { paginate } from './pagination.js';
import { targetInputProblem } from './target-input.js';
import type { EventBridgeService, FailedTargetEntry, RuleRef, Target } from './types.js';

type TargetOperations = Pick<
  EventBridgeService,
  'putTargets' | 'removeTargets' | 'listTargetsByRule'
>;

/** "Each rule can have up to five (5) targets associated with it at one time." */
const MAX_TARGETS_PER_RULE = 5;

const ARN = /^arn:aws[\w-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:.+$/;
const LAMBDA_FUNCTION_ARN =
  /^arn:aws[\w-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(?::(?:\$LATEST|[A-Za-z0-9_-]+))?$/;

export function targetOperations(deps: Deps): TargetOperations {
  const { store, writes } = deps;

  const requireRule = async (ref: RuleRef): Promise<{ busName: string; name: string }> => {
    const bus = await requireBus(deps, ref.eventBusName);
    if (!(await store.getRule(bus.name, ref.name))) {
      throw ruleNotFound(ref.name, bus.name);
    }
    return { busName: bus.name, name: ref.name };
  };

  /** Why a target cannot be added (it goes into FailedEntries), if it cannot. */
  const targetProblem = async (target: Target): Promise<FailedTargetEntry | undefined> => {
    const failed = (errorCode: string, errorMessage: string): FailedTargetEntry => ({
      targetId: target.id,
      errorCode,
      errorMessage,
    });
    if (!ARN.test(target.arn)) {
      return failed(
        'ValidationException',
        `Parameter ${target.arn} is not valid. Reason: Provided Arn is not in correct format.`,
      );
    }
    if (!LAMBDA_FUNCTION_ARN.test(target.arn)) {
      // DIVERGENCE: AWS also delivers to queues, topics, streams and more; Fogbank to Lambda only.
      return failed(
        'ValidationException',
        `Target ${target.id}: ${target.arn} is not a Lambda function ARN; Fogbank delivers events to Lambda functions only.`,
      );
    }
    if (!(await deps.lambda.functionExists(target.arn))) {
      // DIVERGENCE: AWS accepts the target and fails each delivery later; a local user learns
      // about the typo at once instead.
      return failed('ResourceNotFoundException', `Function not found: ${target.arn}`);
    }
    return undefined;
  };

  return {
    putTargets: (ref, targets) =>
      writes.run(async () => {
        const rule = await requireRule(ref);
        for (const target of targets) {
          const problem = targetInputProblem(target);
          if (problem !== undefined) {
            throw validation(problem);
          }
        }
        const failedEntries: FailedTargetEntry[] = [];
        const accepted = new Map<string, Target>();
        for (const target of targets) {
          const failed = await targetProblem(target);
          if (failed) {
            failedEntries.push(failed);
          } else {
            accepted.set(target.id, target);
          }
        }
        const existing = new Set(
          (await store.listTargets(rule.busName, rule.name)).map((t) => t.id),
        );
        const added = [...accepted.keys()].filter((id) => !existing.has(id)).length;
        if (existing.size + added > MAX_TARGETS_PER_RULE) {
          throw limitExceeded('The requested resource exceeds the maximum number allowed.');
        }
        await store.putTargets(rule.busName, rule.name, [...accepted.values()]);
        return { failedEntries };
      }),

    // Removing an Id the rule does not have changes nothing and is not an error.
    removeTargets: (ref, ids) =>
      writes.run(async () => {
        const rule = await requireRule(ref);
        await store.removeTargets(rule.busName, rule.name, ids);
        return { failedEntries: [] };
      }),

    listTargetsByRule: async (ref, page) => {
      const rule = await requireRule(ref);
      const result = paginate(await store.listTargets(rule.busName, rule.name), page);
      return {
        targets: result.items,
        ...(result.nextToken === undefined ? {} : { nextToken: result.nextToken }),
      };
    },
  };
}
