/**
 * Event buses: the `default` bus every account has, and custom buses.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus.html
 */
import { eventBusArn } from './arns.js';
import { requireBus, type Deps } from './deps.js';
import { alreadyExists, validation } from './errors.js';
import { paginate } from './pagination.js';
import { DEFAULT_BUS, type EventBridgeService, type EventBus } from './types.js';

type BusOperations = Pick<
  EventBridgeService,
  'createEventBus' | 'deleteEventBus' | 'describeEventBus' | 'listEventBuses'
>;

export function busOperations(deps: Deps): BusOperations {
  const { store, ctx, clock, writes } = deps;
  return {
    createEventBus: (input) =>
      writes.run(async () => {
        if (input.name.includes('/')) {
          // Only partner event buses (aws.partner/…) have a slash in their name.
          throw validation(`Event bus name ${input.name} is not valid: it may not contain '/'.`);
        }
        const now = clock.now();
        const created =
          input.name !== DEFAULT_BUS &&
          (await store.createBus({
            name: input.name,
            ...(input.description === undefined ? {} : { description: input.description }),
            createdAt: now,
            modifiedAt: now,
          }));
        if (!created) {
          throw alreadyExists(`Event bus ${input.name} already exists.`);
        }
        return {
          eventBusArn: eventBusArn(ctx, input.name),
          ...(input.description === undefined ? {} : { description: input.description }),
        };
      }),

    deleteEventBus: (name) =>
      writes.run(async () => {
        if (name === DEFAULT_BUS) {
          throw validation('Cannot delete event bus default.');
        }
        if (await store.busHasRules(name)) {
          throw validation("EventBus can't be deleted since it has rules.");
        }
        await store.deleteBus(name);
      }),

    describeEventBus: (name) => requireBus(deps, name),

    async listEventBuses(query) {
      const prefix = query.namePrefix ?? '';
      const buses: EventBus[] = DEFAULT_BUS.startsWith(prefix)
        ? [{ name: DEFAULT_BUS, arn: eventBusArn(ctx, DEFAULT_BUS) }]
        : [];
      for (const bus of await store.listBuses(prefix)) {
        buses.push({ ...bus, arn: eventBusArn(ctx, bus.name) });
      }
      const page = paginate(buses, query);
      return {
        eventBuses: page.items,
        ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
      };
    },
  };
}
