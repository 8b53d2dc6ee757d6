/**
 * What a target receives: the event itself, or instead the constant `Input`, the part of the
 * event `InputPath` selects, or the text an `InputTransformer` builds from it.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
import { parseJsonPath, type JsonPath } from './json-path.js';
import type { EventEnvelope, Target } from './types.js';

/** Variables every InputTemplate may use without defining them; no InputPathsMap key may take them. */
const PREDEFINED = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event.ingestion-time',
  'aws.events.event',
  'aws.events.event.json',
] as const;

const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

/** Why a target's input settings are unusable (PutTargets rejects the request), if they are. */
export function targetInputProblem(target: Target): string | undefined {
  const { id } = target;
  const given = [target.input, target.inputPath, target.inputTransformer].filter(
    (v) => v !== undefined,
  );
  if (given.length > 1) {
    return `Only one of Input, InputPath, or InputTransformer must be provided for target ${id}.`;
  }
  if (target.input !== undefined) {
    try {
      JSON.parse(target.input);
    } catch (err) {
      return `JSON syntax error in input for target ${id}: ${(err as Error).message}`;
    }
  }
  if (target.inputPath !== undefined && parseJsonPath(target.inputPath) === undefined) {
    return `InputPath for target ${id} is not a valid JSON path: ${target.inputPath}`;
  }
  const transformer = target.inputTransformer;
  if (transformer !== undefined) {
    const paths = transformer.inputPathsMap ?? {};
    for (const [key, path] of Object.entries(paths)) {
      if ((PREDEFINED as readonly string[]).includes(key)) {
        return `InputPathsMap for target ${id} cannot define the reserved variable ${key}.`;
      }
      if (parseJsonPath(path) === undefined) {
        return `InputPathsMap for target ${id} has an invalid JSON path for ${key}: ${path}`;
      }
    }
    for (const [, name] of transformer.inputTemplate.matchAll(PLACEHOLDER)) {
      if (name !== undefined && !Object.hasOwn(paths, name) && !isPredefined(name)) {
        return `InputTemplate for target ${id} contains invalid placeholder ${name}.`;
      }
    }
  }
  return undefined;
}

/** The payload (JSON text) a target gets for `event`, fired by the rule named here. */
export function targetPayload(
  target: Target,
  event: EventEnvelope,
  rule: { readonly name: string; readonly arn: string },
): string {
  if (target.input !== undefined) {
    return target.input;
  }
  if (target.inputPath !== undefined) {
    return JSON.stringify(select(target.inputPath, event) ?? null);
  }
  if (target.inputTransformer !== undefined) {
    const values = new Map<string, unknown>(
      Object.entries(target.inputTransformer.inputPathsMap ?? {}).map(([key, path]) => [
        key,
        select(path, event),
      ]),
    );
    const withoutDetail = Object.fromEntries(
      Object.entries(event).filter(([key]) => key !== 'detail'),
    );
    values.set('aws.events.rule-arn', rule.arn);
    values.set('aws.events.rule-name', rule.name);
    values.set('aws.events.event.ingestion-time', event.time);
    values.set('aws.events.event', withoutDetail);
    values.set('aws.events.event.json', event);
    return renderTemplate(target.inputTransformer.inputTemplate, values);
  }
  return JSON.stringify(event);
}

function isPredefined(name: string): boolean {
  return (PREDEFINED as readonly string[]).includes(name);
}

function select(path: string, event: EventEnvelope): unknown {
  const parsed: JsonPath | undefined = parseJsonPath(path);
  return parsed?.select(event);
}

/**
 * Fills `<name>` placeholders. Inside a JSON string literal a value is written as string content
 * (escaped, so quotes in it cannot break the JSON); elsewhere as a JSON value (a string with its
 * quotes). So `{"state": <status>, "text": "now <status>"}` and `"<a> is <b>"` both come out as
 * valid JSON, as AWS's examples show. A path that selected nothing writes nothing inside a string
 * and `null` elsewhere, where nothing would leave invalid JSON.
 */
export function renderTemplate(template: string, values: ReadonlyMap<string, unknown>): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template.charAt(i);
    if (inString && c === '\\') {
      out += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
    } else if (c === '<') {
      const m = /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i));
      const name = m?.[1];
      if (m && name !== undefined && values.has(name)) {
        out += inString ? asStringContent(values.get(name)) : asJsonValue(values.get(name));
        i += m[0].length - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

function asStringContent(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return JSON.stringify(text).slice(1, -1);
}

function asJsonValue(value: unknown): string {
  return value === undefined ? 'null' : JSON.stringify(value);
}
