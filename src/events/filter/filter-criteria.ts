/**
 * Lambda event filtering for event source mappings (FilterCriteria): up to N patterns, ORed,
 * applied to each record before batching. Each source has one "data" field whose content is a
 * string on the wire (SQS `body`, Kinesis `data` in base64) but is matched as JSON when it is
 * JSON. https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
import { matchesValue, compilePatternTree, type ObjectPattern } from './event-pattern.js';
import { EventPatternError } from './leaf-rules.js';

/** The event sources whose mappings can filter, named by the data field rules they follow. */
export type FilterSource = 'sqs' | 'kinesis' | 'dynamodb';

/** A mapping's compiled FilterCriteria. */
export interface FilterCriteriaMatcher {
  /**
   * Whether Lambda keeps the record. The record is what the pattern sees: for SQS the event
   * record (`body`, `attributes`, `messageAttributes`, …); for Kinesis the record's `kinesis`
   * object (`partitionKey`, `sequenceNumber`, `data` in base64, …); for DynamoDB the event record
   * (`eventName`, `dynamodb`, …). Records without any pattern are always kept.
   */
  matches(record: Readonly<Record<string, unknown>>): boolean;
}

const DATA_FIELDS: Readonly<Record<FilterSource, string>> = {
  sqs: 'body',
  kinesis: 'data',
  dynamodb: 'dynamodb',
};

/** How a pattern treats the data field: not at all, as a JSON document, or as a plain string. */
type DataUse = 'none' | 'json' | 'string';

interface CompiledFilter {
  readonly pattern: ObjectPattern;
  readonly dataUse: DataUse;
}

/**
 * Compiles the `Pattern` strings of a mapping's `FilterCriteria.Filters`.
 * @throws EventPatternError for an invalid pattern, and, for Kinesis and DynamoDB, for a pattern
 *   whose data field is not a JSON object ("The filter pattern for data properties must be in a
 *   valid JSON format").
 */
export function compileFilterCriteria(
  patterns: readonly string[],
  source: FilterSource,
): FilterCriteriaMatcher {
  const field = DATA_FIELDS[source];
  const filters: CompiledFilter[] = patterns.map((text) => {
    const pattern = compilePatternTree(text);
    const dataUse = dataUseOf(pattern, field);
    if (dataUse === 'string' && source !== 'sqs') {
      throw new EventPatternError(
        `The filter pattern for data properties ("${field}") must be in a valid JSON format`,
      );
    }
    return { pattern, dataUse };
  });
  if (filters.length === 0) {
    return { matches: () => true };
  }
  return {
    matches(record) {
      let document: unknown;
      let decoded = false;
      const dataDocument = (): unknown => {
        if (!decoded) {
          document = parseDataDocument(record[field], source);
          decoded = true;
        }
        return document;
      };
      return filters.some(({ pattern, dataUse }) => {
        if (dataUse === 'none') {
          return matchesValue(pattern, record);
        }
        const doc = dataDocument();
        if (dataUse === 'string') {
          // A plain-string pattern never matches a JSON body (the documented "drop").
          return doc === undefined && matchesValue(pattern, record);
        }
        return doc !== undefined && matchesValue(pattern, { ...record, [field]: doc });
      });
    },
  };
}

/** Where the data field appears at the top of a pattern (directly or in a top-level `$or`). */
function dataUseOf(pattern: ObjectPattern, field: string): DataUse {
  const uses = new Set<DataUse>();
  const visit = (p: ObjectPattern): void => {
    for (const [key, f] of p.fields) {
      if (key === field) {
        uses.add(f.kind === 'object' ? 'json' : 'string');
      }
    }
    for (const group of p.orGroups) {
      group.forEach(visit);
    }
  };
  visit(pattern);
  if (uses.size > 1) {
    throw new EventPatternError(
      `The data field "${field}" must be matched either as JSON or as a string, not both`,
    );
  }
  return [...uses][0] ?? 'none';
}

/**
 * The data field as a JSON document (object or array), or undefined when it is not one. A scalar
 * (`"123"`, `"true"`) stays a plain string: the documented rules speak of JSON documents versus
 * plain strings, and a number-looking SQS body is far more often meant as text.
 */
function parseDataDocument(raw: unknown, source: FilterSource): unknown {
  if (source === 'dynamodb') {
    return typeof raw === 'object' && raw !== null ? raw : undefined;
  }
  if (typeof raw !== 'string') {
    return undefined;
  }
  let text = raw;
  if (source === 'kinesis') {
    try {
      text = UTF8.decode(Buffer.from(raw, 'base64'));
    } catch {
      return undefined;
    }
  }
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
