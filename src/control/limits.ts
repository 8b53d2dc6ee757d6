/**
 * Lambda's limits and fixed value sets, in one place.
 * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */

/** Direct-upload deployment package, zipped (RequestEntityTooLargeException above it). */
export const MAX_ZIPPED_BYTES = 52_428_800;
/** Function code plus layers, unzipped. */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** Code storage per region (CodeStorageExceededException above it). */
export const MAX_TOTAL_CODE_BYTES = 80_530_636_800;
/**
 * Entries per package. Lambda publishes no such quota; this bounds the work (and inodes) a
 * crafted archive of millions of empty entries could cost, far above real packages.
 */
export const MAX_ZIP_ENTRIES = 100_000;

export const MAX_FUNCTION_NAME_LENGTH = 64;
/** The FunctionName shape used by CreateFunction and the Update* operations. */
export const MAX_FUNCTION_NAME_INPUT_LENGTH = 140;
/** The NamespacedFunctionName shape used by Get*, Delete and Invoke. */
export const MAX_NAMESPACED_FUNCTION_NAME_LENGTH = 256;

export const MEMORY_MB = { min: 128, max: 10_240, default: 128 } as const;
export const TIMEOUT_SECONDS = { min: 1, max: 900, default: 3 } as const;
export const EPHEMERAL_STORAGE_MB = { min: 512, max: 10_240, default: 512 } as const;
export const MAX_HANDLER_LENGTH = 128;
export const MAX_DESCRIPTION_LENGTH = 256;
/** Environment variables, measured as the compact JSON of the map, in bytes. */
export const MAX_ENVIRONMENT_BYTES = 4096;
export const MAX_LAYERS = 5;
export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;
/** ListFunctions never returns more than this many per page, whatever MaxItems says. */
export const MAX_LIST_PAGE = 50;
export const MAX_LIST_ITEMS = 10_000;

export const MAX_ALIAS_NAME_LENGTH = 128;
/** Reserved concurrency may not leave fewer than this for functions without a reservation. */
export const MIN_UNRESERVED_CONCURRENCY = 100;
export const MAX_COMPATIBLE_RUNTIMES = 15;
export const MAX_COMPATIBLE_ARCHITECTURES = 2;
export const MAX_LICENSE_INFO_LENGTH = 512;
export const MAX_LAYER_NAME_LENGTH = 140;
export const MAX_STATEMENT_ID_LENGTH = 100;

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** Runtimes CreateFunction and UpdateFunctionConfiguration accept (spec Appendix B). */
export const SUPPORTED_RUNTIMES: readonly string[] = [
  'nodejs18.x',
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'nodejs26.x',
  'python3.9',
  'python3.10',
  'python3.11',
  'python3.12',
  'python3.13',
  'python3.14',
  'python3.15',
  'java8.al2',
  'java11',
  'java17',
  'java21',
  'java25',
  'java8.al2023',
  'java11.al2023',
  'java17.al2023',
  'dotnet8',
  'dotnet10',
  'ruby3.2',
  'ruby3.3',
  'ruby3.4',
  'ruby4.0',
  'provided.al2',
  'provided.al2023',
];

/**
 * Runtimes still in the model's enum whose deprecation blocks create and update
 * ("no longer supported"). https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
export const DEPRECATED_RUNTIMES: readonly string[] = [
  'nodejs',
  'nodejs4.3',
  'nodejs4.3-edge',
  'nodejs6.10',
  'nodejs8.10',
  'nodejs10.x',
  'nodejs12.x',
  'nodejs14.x',
  'nodejs16.x',
  'python2.7',
  'python3.6',
  'python3.7',
  'python3.8',
  'java8',
  'dotnetcore1.0',
  'dotnetcore2.0',
  'dotnetcore2.1',
  'dotnetcore3.1',
  'dotnet6',
  'go1.x',
  'ruby2.5',
  'ruby2.7',
  'provided',
];

/**
 * Variables the runtime sets, which a function's configuration may not override.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 * (`_HANDLER` and `_X_AMZN_TRACE_ID` are also reserved, but the name pattern already refuses them.
 * `TZ` is listed there yet accepted by the service, so functions may set their time zone.)
 */
export const RESERVED_ENVIRONMENT_VARIABLES: ReadonlySet<string> = new Set([
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);

/** The model's patterns, quoted verbatim in ValidationException messages. */
export const PATTERNS = {
  role: 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+',
  handler: '[^\\s]+',
  environmentVariableName: '[a-zA-Z]([a-zA-Z0-9_])+',
  /** GetLayerVersionByArn's Arn. */
  layerVersionArn:
    'arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso(b?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+',
  layerName: '(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+',
  aliasName: '(?!^[0-9]+$)([a-zA-Z0-9-_]+)',
  functionVersion: '(\\$LATEST|[0-9]+)',
  statementId: '([a-zA-Z0-9-_]+)',
  layerPrincipal: '\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root',
  organizationId: 'o-[a-z0-9]{10,32}',
  /** A function's Layers member: a layer version ARN, or an AWS-managed layer [aws-rec]. */
  functionLayerArn:
    '(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)',
  kmsKeyArn: '(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()',
  resourceArn: '(arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)|()',
  logGroup: '[\\.\\-_/#A-Za-z0-9]+',
  qualifier: '(|[a-zA-Z0-9$_-]+)',
  taggableResource:
    'arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})',
} as const;

/** Anchored RegExps for the patterns above. */
export const MATCHERS = {
  handler: /^[^\s]+$/,
  environmentVariableName: /^[a-zA-Z][a-zA-Z0-9_]+$/,
  layerVersionArn: new RegExp(`^(?:${PATTERNS.layerVersionArn})$`),
  layerName: new RegExp(`^(?:${PATTERNS.layerName})$`),
  aliasName: /^(?![0-9]+$)[a-zA-Z0-9-_]+$/,
  functionVersion: /^(?:\$LATEST|[0-9]+)$/,
  statementId: /^[a-zA-Z0-9-_]+$/,
  layerPrincipal: new RegExp(`^(?:${PATTERNS.layerPrincipal})$`),
  organizationId: /^o-[a-z0-9]{10,32}$/,
  functionLayerArn: new RegExp(`^(?:${PATTERNS.functionLayerArn})$`),
  kmsKeyArn: /^(?:arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)?$/,
  resourceArn: /^(?:arn:(aws[a-zA-Z-]*)?:[a-z0-9-.]+:.*)?$/,
  logGroup: /^[.\-_/#A-Za-z0-9]+$/,
  qualifier: /^[a-zA-Z0-9$_-]*$/,
  taggableResource: new RegExp(`^(?:${PATTERNS.taggableResource})$`),
  tagCharacters: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
} as const;
