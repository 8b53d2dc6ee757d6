/**
 * Each SNS action: its query parameters into a call on the SnsService, and the result back into
 * the `<ActionResult>` XML SNS answers with. No rules live here; the service has them.
 */
import { missingMember } from '../../events/sns/errors.js';
import type { Page, SnsService, SubscriptionSummary } from '../../events/sns/types.js';
import {
  element,
  memberListXml,
  readBatchEntries,
  readMessageAttributes,
  readStringMap,
  readTags,
  stringMapXml,
  text,
} from './query-protocol.js';

/** Runs an action; resolves with its Result XML, or undefined for actions with no result. */
export type Operation = (params: URLSearchParams) => Promise<string | undefined>;

function subscriptionsXml(page: Page<SubscriptionSummary>): string {
  const members = page.items.map(
    (s) =>
      element('SubscriptionArn', s.SubscriptionArn) +
      element('Owner', s.Owner) +
      element('Protocol', s.Protocol) +
      element('Endpoint', s.Endpoint) +
      element('TopicArn', s.TopicArn),
  );
  return memberListXml('Subscriptions', members) + element('NextToken', page.nextToken);
}

/** A required member: a ValidationError names it as the model does (`topicArn`). */
function required(params: URLSearchParams, name: string): string {
  const value = text(params, name);
  if (value === undefined) {
    throw missingMember(name.charAt(0).toLowerCase() + name.slice(1));
  }
  return value;
}

/** A map member is optional on the wire; an empty one means "not given". */
function optionalMap(map: Record<string, string>): Record<string, string> | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}

export function createOperations(service: SnsService): Readonly<Record<string, Operation>> {
  return {
    async CreateTopic(p) {
      const attributes = optionalMap(readStringMap(p, 'Attributes'));
      const arn = await service.createTopic({
        name: required(p, 'Name'),
        ...(attributes && { attributes }),
        tags: readTags(p, 'Tags'),
      });
      return element('TopicArn', arn);
    },

    async DeleteTopic(p) {
      await service.deleteTopic(required(p, 'TopicArn'));
      return undefined;
    },

    async ListTopics(p) {
      const page = await service.listTopics(text(p, 'NextToken'));
      return (
        memberListXml(
          'Topics',
          page.items.map((arn) => element('TopicArn', arn)),
        ) + element('NextToken', page.nextToken)
      );
    },

    async GetTopicAttributes(p) {
      return stringMapXml('Attributes', await service.getTopicAttributes(required(p, 'TopicArn')));
    },

    async SetTopicAttributes(p) {
      await service.setTopicAttributes(
        required(p, 'TopicArn'),
        required(p, 'AttributeName'),
        text(p, 'AttributeValue'),
      );
      return undefined;
    },

    async Subscribe(p) {
      const endpoint = text(p, 'Endpoint');
      const attributes = optionalMap(readStringMap(p, 'Attributes'));
      // ReturnSubscriptionArn only matters for subscriptions pending confirmation; lambda and
      // sqs subscriptions are confirmed at once, so the ARN is always returned.
      const arn = await service.subscribe({
        topicArn: required(p, 'TopicArn'),
        protocol: required(p, 'Protocol'),
        ...(endpoint !== undefined && { endpoint }),
        ...(attributes && { attributes }),
      });
      return element('SubscriptionArn', arn);
    },

    async Unsubscribe(p) {
      await service.unsubscribe(text(p, 'SubscriptionArn') ?? '');
      return undefined;
    },

    async ListSubscriptions(p) {
      return subscriptionsXml(await service.listSubscriptions(text(p, 'NextToken')));
    },

    async ListSubscriptionsByTopic(p) {
      return subscriptionsXml(
        await service.listSubscriptionsByTopic(required(p, 'TopicArn'), text(p, 'NextToken')),
      );
    },

    async GetSubscriptionAttributes(p) {
      return stringMapXml(
        'Attributes',
        await service.getSubscriptionAttributes(text(p, 'SubscriptionArn') ?? ''),
      );
    },

    async SetSubscriptionAttributes(p) {
      await service.setSubscriptionAttributes(
        text(p, 'SubscriptionArn') ?? '',
        required(p, 'AttributeName'),
        text(p, 'AttributeValue'),
      );
      return undefined;
    },

    async Publish(p) {
      const get = (name: string, key: string): Record<string, string> => {
        const value = text(p, name);
        return value === undefined ? {} : { [key]: value };
      };
      const messageId = await service.publish({
        ...get('TopicArn', 'topicArn'),
        ...get('TargetArn', 'targetArn'),
        ...get('PhoneNumber', 'phoneNumber'),
        ...get('Message', 'message'),
        ...get('Subject', 'subject'),
        ...get('MessageStructure', 'messageStructure'),
        ...get('MessageDeduplicationId', 'messageDeduplicationId'),
        ...get('MessageGroupId', 'messageGroupId'),
        messageAttributes: readMessageAttributes(p, 'MessageAttributes'),
      });
      return element('MessageId', messageId);
    },

    async PublishBatch(p) {
      const result = await service.publishBatch(text(p, 'TopicArn'), readBatchEntries(p));
      return (
        memberListXml(
          'Successful',
          result.successful.map((s) => element('Id', s.Id) + element('MessageId', s.MessageId)),
        ) +
        memberListXml(
          'Failed',
          result.failed.map(
            (f) =>
              element('Id', f.Id) +
              element('Code', f.Code) +
              element('Message', f.Message) +
              element('SenderFault', String(f.SenderFault)),
          ),
        )
      );
    },
  };
}
