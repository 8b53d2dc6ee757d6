/**
 * Where a RabbitMQ mapping's broker is and how to log in, in the shape Lambda uses for brokers it
 * does not host (self-managed event sources), with one Fogbank convention for credentials.
 *
 * - `SelfManagedEventSource.Endpoints.RABBITMQ_BROKER_URLS`: `amqp://host[:port]` or
 *   `amqps://host[:port]` URLs, tried in order on every (re)connect. (Lambda's model only names
 *   `KAFKA_BOOTSTRAP_SERVERS`; clients pass any key through.)
 * - `Queues: ["<queue>"]`: the one queue to consume, as for Amazon MQ.
 * - `SourceAccessConfigurations`: `VIRTUAL_HOST` (default `/`) as Lambda takes it for RabbitMQ;
 *   `BASIC_AUTH` whose URI is, in Lambda, the ARN of a Secrets Manager secret holding
 *   `{"username": …, "password": …}`. Fogbank has no Secrets Manager, so the URI is that secret's
 *   JSON itself (it is echoed in Get/List responses, like environment variables are in
 *   GetFunctionConfiguration).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-mq.html
 */
import { invalidParameter } from '../../core/errors.js';
import type { SourceAccessConfiguration } from '../esm/types.js';

export const BROKER_URLS_KEY = 'RABBITMQ_BROKER_URLS';

export interface RabbitMqSource {
  readonly brokerUrls: readonly string[];
  readonly queue: string;
  readonly virtualHost: string;
  readonly username: string;
  readonly password: string;
  readonly sourceAccessConfigurations: readonly SourceAccessConfiguration[];
}

export function parseRabbitMqSource(input: {
  readonly endpoints: Readonly<Record<string, readonly string[]>> | undefined;
  readonly queues: readonly string[] | undefined;
  readonly sourceAccessConfigurations: readonly SourceAccessConfiguration[] | undefined;
}): RabbitMqSource {
  const urls = input.endpoints?.[BROKER_URLS_KEY];
  if (urls === undefined || urls.length === 0) {
    throw invalidParameter(
      `Required 'selfManagedEventSource.endpoints.${BROKER_URLS_KEY}' parameter is missing.`,
    );
  }
  for (const url of urls) {
    checkBrokerUrl(url);
  }
  const queue = input.queues?.[0];
  if (queue === undefined) {
    throw invalidParameter("Required 'queues' parameter is missing.");
  }
  const access = input.sourceAccessConfigurations;
  if (access === undefined || access.length === 0) {
    throw invalidParameter("Required 'sourceAccessConfigurations' parameter is missing.");
  }
  let credentials: { username: string; password: string } | undefined;
  let virtualHost = '/';
  for (const entry of access) {
    switch (entry.Type) {
      case 'BASIC_AUTH':
        if (credentials !== undefined) {
          throw invalidParameter('Only one BASIC_AUTH source access configuration is allowed.');
        }
        credentials = parseBasicAuth(entry.URI);
        break;
      case 'VIRTUAL_HOST':
        virtualHost = entry.URI;
        break;
      default:
        throw invalidParameter(
          `Unsupported source access configuration type ${entry.Type} for a RabbitMQ event source.`,
        );
    }
  }
  if (credentials === undefined) {
    throw invalidParameter(
      'A RabbitMQ event source needs a BASIC_AUTH source access configuration.',
    );
  }
  return {
    brokerUrls: [...urls],
    queue,
    virtualHost,
    ...credentials,
    sourceAccessConfigurations: access,
  };
}

function checkBrokerUrl(url: string): void {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (
    parsed === undefined ||
    (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') ||
    parsed.hostname === '' ||
    parsed.username !== '' ||
    (parsed.pathname !== '' && parsed.pathname !== '/')
  ) {
    throw invalidParameter(
      `Invalid RabbitMQ broker URL ${url}: expected amqp://host[:port] or amqps://host[:port] (credentials go in BASIC_AUTH, the virtual host in VIRTUAL_HOST).`,
    );
  }
}

function parseBasicAuth(uri: string): { username: string; password: string } {
  let secret: unknown;
  try {
    secret = JSON.parse(uri);
  } catch {
    secret = undefined;
  }
  const { username, password } = (secret ?? {}) as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string') {
    throw invalidParameter(
      'Fogbank has no Secrets Manager: give the BASIC_AUTH URI as the secret itself, {"username":"…","password":"…"}.',
    );
  }
  return { username, password };
}
