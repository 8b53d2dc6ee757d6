/**
 * PublishBatch: up to 10 messages to one topic in one request. Request-level problems (entry
 * count, ids, total size, malformed message attributes) fail the whole request; a message that
 * is invalid on its own (empty, too long, bad subject or structure) fails only its entry.
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html
 */
import { ServiceError } from '../../core/errors.js';
import { invalidParameter, queryCodeOf, snsError } from './errors.js';
import {
  MAX_MESSAGE_BYTES,
  publicationSize,
  validateMessageAttributes,
  validatePublication,
  type Publication,
} from './message-validation.js';
import type { PublishBatchEntry, PublishBatchResult } from './types.js';

const MAX_ENTRIES = 10;
const ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;

type Failed = PublishBatchResult['failed'][number];

/**
 * Validates the batch and publishes its valid entries together.
 * `requireTopic` rejects with NotFound for an unknown topic; `publish` stores the deliveries and
 * returns one MessageId per publication.
 */
export async function publishBatch(
  topicArn: string,
  entries: readonly PublishBatchEntry[],
  requireTopic: (topicArn: string) => Promise<void>,
  publish: (topicArn: string, publications: readonly Publication[]) => Promise<string[]>,
): Promise<PublishBatchResult> {
  if (entries.length === 0) {
    throw snsError('EmptyBatchRequestException', "The batch request doesn't contain any entries.");
  }
  if (entries.length > MAX_ENTRIES) {
    throw snsError(
      'TooManyEntriesInBatchRequestException',
      'The batch request contains more entries than permissible.',
    );
  }
  const ids = new Set<string>();
  for (const { id } of entries) {
    if (id === undefined || !ENTRY_ID.test(id)) {
      throw snsError(
        'InvalidBatchEntryIdException',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) {
      throw snsError(
        'BatchEntryIdsNotDistinctException',
        'Two or more batch entries in the request have the same Id.',
      );
    }
    ids.add(id);
  }
  let totalSize = 0;
  entries.forEach((entry, i) => {
    const attributes = validateMessageAttributes(
      entry.messageAttributes ?? {},
      `publishBatchRequestEntries.${String(i + 1)}.member.messageAttributes`,
    );
    totalSize += publicationSize(entry.message ?? '', attributes);
  });
  if (totalSize > MAX_MESSAGE_BYTES) {
    throw snsError(
      'BatchRequestTooLongException',
      'The length of all the messages put together is more than the limit.',
    );
  }
  await requireTopic(topicArn);

  const accepted: { id: string; publication: Publication }[] = [];
  const failed: Failed[] = [];
  for (const entry of entries) {
    const id = entry.id ?? '';
    try {
      if (entry.messageDeduplicationId !== undefined) {
        throw invalidParameter(
          'MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type',
        );
      }
      const publication = validatePublication(entry);
      accepted.push({ id, publication });
    } catch (error) {
      if (!(error instanceof ServiceError)) {
        throw error;
      }
      failed.push({
        Id: id,
        Code: queryCodeOf(error.code),
        Message: error.message,
        SenderFault: error.fault === 'client',
      });
    }
  }
  const messageIds =
    accepted.length > 0
      ? await publish(
          topicArn,
          accepted.map((a) => a.publication),
        )
      : [];
  return {
    successful: accepted.map((a, i) => ({ Id: a.id, MessageId: messageIds[i] ?? '' })),
    failed,
  };
}
