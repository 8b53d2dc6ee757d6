// Fogbank's Node.js runtime: the program an execution environment runs for `nodejs*` functions.
//
// It speaks the Lambda Runtime API (2018-06-01) and reproduces what AWS's runtime interface
// client (npm `aws-lambda-ric`, which the managed nodejs runtimes run) does for user code:
// handler resolution (UserFunction.js), the invocation model (Runtime.js, CallbackContext.js),
// the context object (InvokeContext.js), console patching (LogPatch.js) and error documents
// (Errors.js). The behaviour is specified in shared/spec/lambda-spec.md §2.6, §2.7 and §3.
//
// Started as `node bootstrap.cjs` with cwd = LAMBDA_TASK_ROOT. Cold start is the headline
// number, so this file imports only what it needs and has no dependencies; every invocation
// costs one GET /next and one POST on a single keep-alive connection. It is CommonJS: an ES
// module entry point makes Node start its ESM loader first, ~15-20 ms more per cold start here
// (bench/runtime-bootstrap.ts). ES module handlers are still loaded with import().

'use strict';

const { existsSync, readFileSync, writeSync } = require('node:fs');
const { createRequire, Module } = require('node:module');
const { createConnection } = require('node:net');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { format, types } = require('node:util');
const { startSandboxRelays } = require('../relay.cjs');

// User code sees what AWS's ES module runtime shows it: no runtime file in the require cache
// and no CommonJS main module (require.main is undefined).
for (const file of [__filename, require.resolve('../relay.cjs')]) {
  delete require.cache[file];
}
process.mainModule = undefined;

const env = process.env;

// ---------------------------------------------------------------------------------------
// Runtime API client.
//
// A minimal HTTP/1.1 client on one socket: node:http costs ~1 ms more to import and several
// allocations per request, and this path runs for every invocation. One keep-alive connection,
// like the RIC's (maxSockets 1), on which Fogbank's Runtime API replies to an invocation's
// answer with the next invocation (NEXT_WITH_ANSWER); any other request made while it is busy
// (an uncaught exception during a long poll) gets a connection of its own. Requests on it are
// strictly sequential.

const API_PREFIX = '/2018-06-01/runtime';
const NEXT_PATH = API_PREFIX + '/invocation/next';
/** Fogbank's private request header: reply to this answer with the next invocation. */
const NEXT_WITH_ANSWER = 'Fogbank-Runtime-Next: 1\r\n';
const USER_AGENT = `aws-lambda-nodejs/${process.version}-fogbank`;
const HEAD_END = '\r\n\r\n';
const EMPTY = Buffer.alloc(0);

class RuntimeApiConnection {
  #connectOptions;
  #requestHead;
  #socket = null;
  /** @type {{ text: string, body: string | undefined, resolve: Function, reject: Function, received: boolean, reused: boolean, retried: boolean } | null} */
  #request = null;
  #head = null;
  #status = 0;
  #headers = null;
  #body = null;
  #bodyLength = 0;
  #bodyFilled = 0;
  #chunked = null;
  #closeAfter = false;

  constructor(connectOptions, hostHeader) {
    this.#connectOptions = connectOptions;
    this.#requestHead = ` HTTP/1.1\r\nHost: ${hostHeader}\r\nUser-Agent: ${USER_AGENT}\r\n`;
  }

  get busy() {
    return this.#request !== null;
  }

  /**
   * Sends one request; resolves to { status, headers, body } with lower-case header names.
   * `extraHeaders` is a preformatted `Name: value\r\n` block.
   */
  request(method, urlPath, extraHeaders, body) {
    let text = method + ' ' + urlPath + this.#requestHead + extraHeaders;
    text += body === undefined ? '\r\n' : 'Content-Length: ' + Buffer.byteLength(body) + '\r\n\r\n';
    return new Promise((resolve, reject) => {
      this.#request = {
        text,
        body,
        resolve,
        reject,
        received: false,
        reused: false,
        retried: false,
      };
      this.#send();
    });
  }

  /**
   * Starts a request whose body is sent in chunks (Transfer-Encoding: chunked) as it is
   * written; `end(trailers)` finishes it. `response` settles with the server's answer.
   */
  stream(method, urlPath, extraHeaders) {
    const text =
      method +
      ' ' +
      urlPath +
      this.#requestHead +
      extraHeaders +
      'Transfer-Encoding: chunked\r\n\r\n';
    let socket;
    const response = new Promise((resolve, reject) => {
      // Nothing to resend: chunks already written are gone.
      this.#request = {
        text,
        body: undefined,
        resolve,
        reject,
        received: false,
        reused: false,
        retried: true,
      };
      this.#send();
      socket = this.#socket;
    });
    return {
      response,
      /** Writes one chunk; `done` runs once the socket can take more (backpressure). */
      write(chunk, done) {
        if (chunk.length === 0) {
          done();
          return;
        }
        socket.cork();
        socket.write(chunk.length.toString(16) + '\r\n');
        socket.write(chunk);
        const more = socket.write('\r\n');
        socket.uncork();
        if (more) {
          done();
          return;
        }
        const resume = () => {
          socket.off('drain', resume).off('close', resume);
          done();
        };
        socket.on('drain', resume).on('close', resume);
      },
      end(trailers) {
        socket.write('0\r\n' + trailers + '\r\n');
      },
    };
  }

  /** Connects ahead of the first request; idle, so it keeps nothing alive. */
  open() {
    if (this.#socket === null) {
      this.#socket = this.#connect();
      this.#socket.unref();
    }
  }

  close() {
    this.#socket?.destroy();
  }

  #send() {
    const request = this.#request;
    let socket = this.#socket;
    if (socket === null) {
      socket = this.#socket = this.#connect();
    } else {
      request.reused = true;
    }
    socket.ref();
    if (request.body === undefined) {
      socket.write(request.text);
    } else {
      socket.cork();
      socket.write(request.text);
      socket.write(request.body);
      socket.uncork();
    }
  }

  #connect() {
    const socket = createConnection(this.#connectOptions);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      if (this.#socket === socket) {
        this.#onData(chunk);
      }
    });
    socket.on('error', () => {
      // 'close' follows and settles the request.
    });
    socket.on('close', () => this.#onClose(socket));
    return socket;
  }

  #onClose(socket) {
    if (this.#socket !== socket) {
      // A connection given up earlier (Connection: close); it carries no request.
      return;
    }
    this.#socket = null;
    this.#resetResponse();
    const request = this.#request;
    if (request === null) {
      return;
    }
    // A keep-alive socket the server closed while idle: nothing of this request was
    // processed, so send it again on a fresh connection (once).
    if (request.reused && !request.received && !request.retried) {
      request.retried = true;
      request.reused = false;
      this.#send();
      return;
    }
    this.#request = null;
    request.reject(new Error('Runtime API connection closed'));
  }

  #resetResponse() {
    this.#head = null;
    this.#headers = null;
    this.#body = null;
    this.#chunked = null;
    this.#status = 0;
  }

  #onData(chunk) {
    if (this.#request !== null) {
      this.#request.received = true;
    }
    while (chunk.length > 0) {
      if (this.#headers === null) {
        const buffered = this.#head === null ? chunk : Buffer.concat([this.#head, chunk]);
        const end = buffered.indexOf(HEAD_END);
        if (end === -1) {
          this.#head = buffered;
          return;
        }
        this.#head = null;
        this.#parseHead(buffered.toString('utf8', 0, end));
        chunk = buffered.subarray(end + 4);
        if (this.#body !== null && this.#bodyLength === 0 && this.#chunked === null) {
          this.#finish(EMPTY);
        }
        continue;
      }
      chunk = this.#chunked === null ? this.#fillBody(chunk) : this.#fillChunked(chunk);
    }
  }

  #parseHead(head) {
    const lines = head.split('\r\n');
    this.#status = Number(lines[0].slice(9, 12));
    const headers = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon > 0) {
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
    this.#headers = headers;
    this.#closeAfter = headers.connection?.toLowerCase() === 'close';
    if (headers['transfer-encoding']?.toLowerCase().includes('chunked')) {
      this.#chunked = { parts: [], size: -1, pending: null };
      this.#body = EMPTY;
    } else {
      this.#bodyLength = Number(headers['content-length'] ?? 0);
      this.#bodyFilled = 0;
      this.#body = this.#bodyLength === 0 ? EMPTY : null;
    }
  }

  /** Content-Length body: returns what is left of `chunk` after this response. */
  #fillBody(chunk) {
    const missing = this.#bodyLength - this.#bodyFilled;
    if (this.#body === null) {
      // The common case, the whole body in this chunk, needs no copy.
      if (chunk.length >= missing && this.#bodyFilled === 0) {
        this.#finish(chunk.subarray(0, missing));
        return chunk.subarray(missing);
      }
      this.#body = Buffer.allocUnsafe(this.#bodyLength);
    }
    const take = Math.min(missing, chunk.length);
    chunk.copy(this.#body, this.#bodyFilled, 0, take);
    this.#bodyFilled += take;
    if (this.#bodyFilled === this.#bodyLength) {
      this.#finish(this.#body);
    }
    return chunk.subarray(take);
  }

  /** Chunked body (RFC 9112 §7.1), trailers ignored. */
  #fillChunked(chunk) {
    const state = this.#chunked;
    let data = state.pending === null ? chunk : Buffer.concat([state.pending, chunk]);
    state.pending = null;
    for (;;) {
      if (state.size === -1) {
        const lineEnd = data.indexOf('\r\n');
        if (lineEnd === -1) {
          state.pending = data;
          return EMPTY;
        }
        state.size = parseInt(data.toString('latin1', 0, lineEnd), 16);
        data = data.subarray(lineEnd + 2);
        if (state.size === 0) {
          state.size = -2;
        }
      } else if (state.size === -2) {
        // After the last chunk: trailer lines, then an empty line.
        const lineEnd = data.indexOf('\r\n');
        if (lineEnd === -1) {
          state.pending = data;
          return EMPTY;
        }
        const rest = data.subarray(lineEnd + 2);
        if (lineEnd === 0) {
          this.#finish(Buffer.concat(state.parts));
          return rest;
        }
        data = rest;
      } else {
        if (data.length < state.size + 2) {
          state.pending = data;
          return EMPTY;
        }
        state.parts.push(data.subarray(0, state.size));
        data = data.subarray(state.size + 2);
        state.size = -1;
      }
    }
  }

  #finish(body) {
    const request = this.#request;
    const response = { status: this.#status, headers: this.#headers, body };
    this.#resetResponse();
    this.#request = null;
    if (this.#closeAfter) {
      this.#socket?.destroy();
      this.#socket = null;
    } else {
      // Idle: the connection must not keep the event loop alive (beforeExit semantics).
      this.#socket?.unref();
    }
    request?.resolve(response);
  }
}

class RuntimeApiClient {
  #connectOptions;
  #hostHeader;
  #main;

  constructor(connectOptions, hostHeader) {
    this.#connectOptions = connectOptions;
    this.#hostHeader = hostHeader;
    this.#main = new RuntimeApiConnection(connectOptions, hostHeader);
  }

  /** Starts connecting now, so that the handshake overlaps with loading the handler. */
  open() {
    this.#main.open();
  }

  /** A blank runtime's wait for its function (Fogbank's private endpoint): its variables. */
  async specialization() {
    const response = await this.#request('GET', '/fogbank/specialization', '', undefined);
    if (response.status !== 200) {
      throw new Error(`Specialization failed: status ${response.status}`);
    }
    return JSON.parse(response.body.toString()).variables;
  }

  /** Long-polls for the next invocation. */
  next() {
    return this.#next(this.#request('GET', NEXT_PATH, '', undefined));
  }

  /**
   * Posts an invocation's response, asking Fogbank's Runtime API (header NEXT_WITH_ANSWER) to
   * answer it with the next invocation instead of a 202: one request and one reply per
   * invocation. Any other answer (a 202 from a Runtime API without the extension, a 413) is
   * followed by an ordinary /next. `answered` settles with the answer's reply, `next` with the
   * next invocation (as next()).
   */
  respond(requestId, bodyText) {
    return this.#answerThenNext(requestId, 'response', bodyText);
  }

  /** As respond(), for an invocation's error document. */
  respondError(requestId, errorDocument) {
    return this.#answerThenNext(requestId, 'error', JSON.stringify(errorDocument));
  }

  postError(requestId, errorDocument) {
    return this.#request(
      'POST',
      API_PREFIX + '/invocation/' + encodeURIComponent(requestId) + '/error',
      'Content-Type: application/json\r\n',
      JSON.stringify(errorDocument),
    );
  }

  /** A streamed /response (spec §2.4); mid-stream failures travel in the trailers. */
  streamResponse(requestId, contentType) {
    if (this.#main.busy) {
      throw new Error('Runtime API connection is busy');
    }
    return this.#main.stream(
      'POST',
      API_PREFIX + '/invocation/' + encodeURIComponent(requestId) + '/response',
      'Lambda-Runtime-Function-Response-Mode: streaming\r\nContent-Type: ' +
        headerSafe(contentType) +
        '\r\nTrailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n',
    );
  }

  postInitError(errorDocument) {
    return this.#request(
      'POST',
      API_PREFIX + '/init/error',
      'Content-Type: application/json\r\nLambda-Runtime-Function-Error-Type: ' +
        headerSafe(errorDocument.errorType) +
        '\r\n',
      JSON.stringify(errorDocument),
    );
  }

  #answerThenNext(requestId, kind, bodyText) {
    const path = API_PREFIX + '/invocation/' + encodeURIComponent(requestId) + '/' + kind;
    const answered = this.#request(
      'POST',
      path,
      'Content-Type: application/json\r\n' + NEXT_WITH_ANSWER,
      bodyText,
    );
    const next = answered.then((reply) =>
      reply.status === 200 ? reply : this.#request('GET', NEXT_PATH, '', undefined),
    );
    return { answered, next: this.#next(next) };
  }

  async #next(request) {
    const response = await request;
    if (response.status !== 200) {
      throw new Error(
        `Failed to get next invocation: status ${response.status}: ${response.body.toString()}`,
      );
    }
    return response;
  }

  #request(method, urlPath, headers, body) {
    if (!this.#main.busy) {
      return this.#main.request(method, urlPath, headers, body);
    }
    const extra = new RuntimeApiConnection(this.#connectOptions, this.#hostHeader);
    return extra.request(method, urlPath, headers, body).finally(() => extra.close());
  }
}

function headerSafe(value) {
  return String(value).replace(/[\r\n]/g, ' ');
}

// ---------------------------------------------------------------------------------------
// Errors (Errors.js): the runtime's own error types and the documents posted to the API.

class RuntimeError extends Error {}
class ImportModuleError extends RuntimeError {
  constructor(cause) {
    super(String(cause));
  }
}
class HandlerNotFound extends RuntimeError {}
class MalformedHandlerName extends RuntimeError {}
class UserCodeSyntaxError extends RuntimeError {
  constructor(cause) {
    super(String(cause));
    // The original stack names the file and line of the syntax error.
    this.stack = cause.stack;
  }
}
class UnhandledPromiseRejection extends RuntimeError {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
class NodeJsExit extends RuntimeError {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}
for (const ErrorClass of [
  ImportModuleError,
  HandlerNotFound,
  MalformedHandlerName,
  UserCodeSyntaxError,
  UnhandledPromiseRejection,
  NodeJsExit,
]) {
  ErrorClass.prototype.name = `Runtime.${ErrorClass.name}`;
}

function looksLikeError(value) {
  return (
    value &&
    typeof value.name === 'string' &&
    typeof value.message === 'string' &&
    typeof value.stack === 'string' &&
    value.name &&
    value.message &&
    value.stack
  );
}

/** The `{errorType, errorMessage, trace}` document of the Node RIC. */
function toErrorDocument(error) {
  try {
    if (types.isNativeError(error) || looksLikeError(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
      trace: [],
    };
  }
}

function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}

/** Error name, message, code and stack are not enumerable; logs show them anyway. */
function withEnumerableProperties(_key, value) {
  if (value instanceof Error) {
    const shown = Object.assign(
      { errorType: value.name, errorMessage: value.message, code: value.code },
      value,
    );
    if (typeof value.stack === 'string') {
      shown.stack = value.stack.split('\n');
    }
    return shown;
  }
  return value;
}

/** The text-format rendering of an error in a log line; it starts with a tab, as on AWS. */
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, withEnumerableProperties);
  } catch {
    return '\t' + JSON.stringify(toErrorDocument(error));
  }
}

// ---------------------------------------------------------------------------------------
// Console (LogPatch.js). Lines go synchronously to fd 1, so that every line of an
// invocation is written before its /response or /error is posted.

const LEVELS = { TRACE: 1, DEBUG: 2, INFO: 3, WARN: 4, ERROR: 5, FATAL: 6 };
// Read once the function's variables are known (after specialization for a blank runtime).
let JSON_LOGS = false;
let MIN_LEVEL = LEVELS.TRACE;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

let currentRequestId;
let currentTenantId;

function writeOut(text) {
  const data = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(1, data, offset);
    } catch (err) {
      if (err.code !== 'EAGAIN') {
        // Logging never fails the function (stdout closed, for one).
        return;
      }
      // stdout is a non-blocking pipe that is full: wait for the reader, synchronously.
      Atomics.wait(sleepCell, 0, 0, 1);
    }
  }
}

function textLine(level, message, params) {
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(message, ...params)}`;
  writeOut(line.replace(/\n/g, '\r') + '\n');
}

function jsonErrorReplacer(_key, value) {
  if (value instanceof Error) {
    return Object.assign(
      {
        errorType: value?.constructor?.name ?? 'UnknownError',
        errorMessage: value.message,
        stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
      },
      value,
    );
  }
  return value;
}

function jsonLine(level, message, params) {
  const record = { timestamp: new Date().toISOString(), level, requestId: currentRequestId };
  if (currentTenantId !== undefined) {
    record.tenantId = currentTenantId;
  }
  let line;
  if (params.length === 0) {
    record.message = message;
    try {
      line = JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record.message = format(message);
      line = JSON.stringify(record);
    }
  } else {
    record.message = format(message, ...params);
    for (const param of [message, ...params]) {
      if (param instanceof Error) {
        record.errorType = param?.constructor?.name ?? 'UnknownError';
        record.errorMessage = param.message;
        record.stackTrace = typeof param.stack === 'string' ? param.stack.split('\n') : [];
        break;
      }
    }
    line = JSON.stringify(record);
  }
  writeOut(line.replace(/\n/g, '\r') + '\n');
}

let writeLine = textLine;

function levelLogger(level) {
  if (LEVELS[level] < MIN_LEVEL) {
    return () => {};
  }
  return (message, ...params) => writeLine(level, message, params);
}

let logError = levelLogger('ERROR');

function patchConsole() {
  JSON_LOGS = env.AWS_LAMBDA_LOG_FORMAT?.toUpperCase() === 'JSON';
  MIN_LEVEL = LEVELS[env.AWS_LAMBDA_LOG_LEVEL?.toUpperCase()] ?? LEVELS.TRACE;
  writeLine = JSON_LOGS ? jsonLine : textLine;
  logError = levelLogger('ERROR');
  console.trace = levelLogger('TRACE');
  console.debug = levelLogger('DEBUG');
  console.info = levelLogger('INFO');
  console.log = console.info;
  console.warn = levelLogger('WARN');
  console.error = logError;
  console.fatal = (message, ...params) => writeLine('FATAL', message, params);
}

/** How the runtime logs a failure: `Invoke Error`, `Uncaught Exception`, … */
function logFailure(title, error) {
  if (JSON_LOGS) {
    logError(intoError(error));
  } else {
    logError(title, toFormatted(intoError(error)));
  }
}

// ---------------------------------------------------------------------------------------
// Handler resolution (UserFunction.js, spec §2.6).

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const requireFromRuntime = createRequire(__filename);

function tryRequire(file) {
  return existsSync(file) ? requireFromRuntime(file) : undefined;
}

async function tryImport(file) {
  return existsSync(file) ? await import(pathToFileURL(file).href) : undefined;
}

/** Whether the nearest package.json (not crossing node_modules) says "type": "module". */
function isModulePackage(folder) {
  for (;;) {
    if (folder.endsWith('/node_modules')) {
      return false;
    }
    const manifest = path.join(folder, 'package.json');
    if (existsSync(manifest)) {
      try {
        return JSON.parse(readFileSync(manifest, 'utf8'))?.type === 'module';
      } catch (err) {
        console.warn(
          `${manifest} cannot be read, it will be ignored for ES module detection purposes.`,
          err,
        );
        return false;
      }
    }
    if (folder === '/') {
      return false;
    }
    folder = path.dirname(folder);
  }
}

async function loadModule(appRoot, moduleRoot, moduleName) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, moduleName);
  const extensionless = tryRequire(lambdaStylePath);
  if (extensionless) {
    return extensionless;
  }
  const esm = isModulePackage(path.dirname(lambdaStylePath));
  const loaded =
    (!esm && tryRequire(lambdaStylePath + '.js')) ||
    (esm && (await tryImport(lambdaStylePath + '.js'))) ||
    (await tryImport(lambdaStylePath + '.mjs')) ||
    tryRequire(lambdaStylePath + '.cjs');
  if (loaded) {
    return loaded;
  }
  // Node resolution from the task root, so a handler may live in node_modules or on NODE_PATH.
  return requireFromRuntime(
    requireFromRuntime.resolve(moduleName, { paths: [appRoot, moduleRoot] }),
  );
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const baseName = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(baseName));
  const match = /^([^.]*)\.(.*)$/.exec(baseName);
  if (match === null) {
    throw new MalformedHandlerName('Bad handler');
  }
  const [, moduleName, exportPath] = match;

  let userModule;
  try {
    userModule = await loadModule(appRoot, moduleRoot, moduleName);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new UserCodeSyntaxError(err);
    }
    if (err?.code === 'MODULE_NOT_FOUND') {
      throw new ImportModuleError(err);
    }
    throw err;
  }

  const handler = exportPath.split('.').reduce((value, key) => value && value[key], userModule);
  if (!handler) {
    throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new HandlerNotFound(`${fullHandler} is not a function`);
  }
  return handler;
}

// ---------------------------------------------------------------------------------------
// The invocation loop (Runtime.js, CallbackContext.js, InvokeContext.js; spec §2.7).

const NOOP = () => {};
let beforeExitListener = NOOP;
let client;
let handler;
let handlerIsAsync = false;
let handlerIsStreaming = false;

/** What to do with an uncaught exception or unhandled rejection: report, then exit. */
let reportFatal = (error, exitCode) => {
  client.postInitError(toErrorDocument(error)).finally(() => process.exit(exitCode));
};

function scheduleNext() {
  setImmediate(handleOnce);
}

/** An invocation was answered: a failed answer ends the runtime; the next invocation follows. */
function continueAfter({ answered, next }) {
  answered.catch(fatalClientError);
  void handleOnce(next);
}

async function handleOnce(next = client.next()) {
  let invocation;
  try {
    invocation = await next;
  } catch (err) {
    console.log(`Unexpected Top Level Error: ${err.toString()}`);
    reportFatal(err, 129);
    return;
  }
  invoke(invocation);
}

function invoke({ headers, body }) {
  const requestId = headers['lambda-runtime-aws-request-id'];
  currentRequestId = requestId;
  currentTenantId = headers['lambda-runtime-aws-tenant-id'];
  const traceId = headers['lambda-runtime-trace-id'];
  if (traceId) {
    env._X_AMZN_TRACE_ID = traceId;
  } else {
    delete env._X_AMZN_TRACE_ID;
  }
  reportFatal = (error, exitCode) => {
    client.postError(requestId, toErrorDocument(error)).finally(() => process.exit(exitCode));
  };
  if (handlerIsStreaming) {
    void invokeStreaming(requestId, headers, body);
    return;
  }

  let waitForEmptyEventLoop = true;
  let completed = false;
  let finished = false;

  const postError = (error) => {
    logFailure('Invoke Error', error);
    continueAfter(client.respondError(requestId, toErrorDocument(error)));
  };
  const complete = (result) => {
    if (completed) {
      console.error(
        'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
      );
      return;
    }
    completed = true;
    let text;
    try {
      text = JSON.stringify(result === undefined ? null : result);
    } catch {
      // The RIC's serializer throws this, and its promise chain posts it as the error.
      postError(new Error('Unable to stringify response body'));
      return;
    }
    continueAfter(client.respond(requestId, text));
  };
  const callback = (err, result) => {
    beforeExitListener = NOOP;
    if (err !== undefined && err !== null) {
      postError(err);
    } else if (!waitForEmptyEventLoop) {
      complete(result);
    } else {
      beforeExitListener = () => {
        beforeExitListener = NOOP;
        setImmediate(() => complete(result));
      };
    }
  };
  const done = (err, result) => {
    beforeExitListener = NOOP;
    if (err !== undefined && err !== null) {
      postError(err);
    } else {
      complete(result);
    }
  };
  // Only the first of callback/succeed/fail/done (or the returned promise) counts.
  const firstCallOnly =
    (fn) =>
    (...args) => {
      if (!finished) {
        fn(...args);
        finished = true;
      }
    };
  const wrappedCallback = firstCallOnly(callback);
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: firstCallOnly((result) => done(null, result)),
    fail: firstCallOnly((err) =>
      err === undefined || err === null ? done('handled') : done(err, null),
    ),
    done: firstCallOnly(done),
  };

  // Neither a callback nor a settled promise by the time the event loop drains.
  beforeExitListener = () => {
    beforeExitListener = NOOP;
    completed = true;
    if (handlerIsAsync) {
      const error = new NodeJsExit();
      logFailure('Invoke Error', error);
      continueAfter(client.respondError(requestId, toErrorDocument(error)));
    } else {
      continueAfter(client.respond(requestId, 'null'));
    }
  };

  try {
    const event = JSON.parse(body.toString('utf8'));
    const result = handler(event, attachInvocationData(context, headers), wrappedCallback);
    if (result && typeof result.then === 'function') {
      result.then(context.succeed, context.fail).catch(context.fail);
    }
  } catch (err) {
    wrappedCallback(err);
  }
}

/** The context fields that come from the environment and the /next headers (InvokeContext.js). */
function attachInvocationData(context, headers) {
  const deadlineMs = Number(headers['lambda-runtime-deadline-ms']);
  context.functionVersion = env.AWS_LAMBDA_FUNCTION_VERSION;
  context.functionName = env.AWS_LAMBDA_FUNCTION_NAME;
  context.memoryLimitInMB = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  context.logGroupName = env.AWS_LAMBDA_LOG_GROUP_NAME;
  context.logStreamName = env.AWS_LAMBDA_LOG_STREAM_NAME;
  context.clientContext = parseJsonHeader(
    headers['lambda-runtime-client-context'],
    'ClientContext',
  );
  context.identity = parseJsonHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity');
  context.invokedFunctionArn = headers['lambda-runtime-invoked-function-arn'];
  context.awsRequestId = headers['lambda-runtime-aws-request-id'];
  context.tenantId = currentTenantId;
  context.getRemainingTimeInMillis = () => deadlineMs - Date.now();
  return context;
}

// ---------------------------------------------------------------------------------------
// Response streaming (awslambda.streamifyResponse, spec §2.4): handler(event, responseStream,
// context); the bytes go to the Runtime API as they are written.

let Writable;

const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** `awslambda.HttpResponseStream.from(stream, {statusCode, headers, cookies})` for Function URLs. */
class HttpResponseStream {
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    stream.write(JSON.stringify(prelude));
    // Eight NUL bytes separate the prelude from the body.
    stream.write(new Uint8Array(8));
    return stream;
  }
}

function createResponseStream(requestId, highWaterMark) {
  let contentType = 'application/octet-stream';
  let request = null;
  let ended = false;
  const start = () => (request ??= client.streamResponse(requestId, contentType));
  const stream = new Writable({
    ...(highWaterMark === undefined ? {} : { highWaterMark }),
    write(chunk, _encoding, callback) {
      // The handler's stream waits while the Runtime API is not reading (as the RIC's does).
      start().write(chunk, callback);
    },
    final(callback) {
      if (!ended) {
        ended = true;
        start().end('');
      }
      callback();
    },
  });
  stream.setContentType = (value) => {
    if (request !== null) {
      throw new Error('Content-Type can only be set before the first write.');
    }
    contentType = value;
  };
  return {
    stream,
    response: () => start().response,
    /** Ends the response with the error in the trailers, unless it has already ended. */
    fail(error) {
      if (ended) {
        return;
      }
      ended = true;
      const document = toErrorDocument(error);
      start().end(
        'Lambda-Runtime-Function-Error-Type: ' +
          headerSafe(document.errorType) +
          '\r\nLambda-Runtime-Function-Error-Body: ' +
          Buffer.from(JSON.stringify(document)).toString('base64') +
          '\r\n',
      );
      stream.destroy();
    },
  };
}

async function invokeStreaming(requestId, headers, body) {
  const response = createResponseStream(requestId, handler[HANDLER_HIGHWATERMARK]);
  const fail = (error) => {
    beforeExitListener = NOOP;
    logFailure('Invoke Error', error);
    response.fail(error);
    response.response().then(scheduleNext, fatalClientError);
  };
  beforeExitListener = () => fail(new NodeJsExit());
  try {
    const event = JSON.parse(body.toString('utf8'));
    const result = handler(event, response.stream, attachInvocationData({}, headers));
    if (!result || typeof result.then !== 'function') {
      fail(new Error('Streaming does not support non-async handlers.'));
      return;
    }
    if ((await result) !== undefined) {
      console.warn('Streaming handlers ignore return values.');
    }
    if (!response.stream.writableEnded) {
      fail(new Error('Response stream is not finished.'));
      return;
    }
    beforeExitListener = NOOP;
    await response.response();
    scheduleNext();
  } catch (err) {
    fail(err);
  }
}

function parseJsonHeader(value, name) {
  if (value === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

/** The Runtime API is gone or broken: nothing sensible is left to do. */
function fatalClientError(err) {
  process.stderr.write(`fogbank runtime: ${err.message}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------
// Start-up (index.mjs of the RIC).

const CALLBACK_WARNING =
  'AWS Lambda plans to remove support for callback-based function handlers starting with Node.js 24. You will need to update this function to use an async handler to use Node.js 24 or later. For more information and to provide feedback on this change, see https://github.com/aws/aws-lambda-nodejs-runtime-interface-client/issues/137. To disable this warning, set the AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING environment variable.';

async function main() {
  const runtimeApi = env.AWS_LAMBDA_RUNTIME_API;
  const blank = env._FOGBANK_BLANK === '1';
  const runtimeSocket = startSandboxRelays(env);
  const colon = runtimeApi.lastIndexOf(':');
  client = new RuntimeApiClient(
    runtimeSocket
      ? { path: runtimeSocket }
      : { host: runtimeApi.slice(0, colon), port: Number(runtimeApi.slice(colon + 1)) },
    runtimeApi,
  );
  client.open();
  if (blank) {
    const specialization = client.specialization();
    warmUpLoader();
    becomeFunction(await specialization);
  }

  patchConsole();
  process.on('uncaughtException', (error) => {
    logFailure('Uncaught Exception', error);
    reportFatal(error, 129);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logFailure('Unhandled Promise Rejection', error);
    reportFatal(error, 128);
  });
  process.on('beforeExit', () => beforeExitListener());

  const noGlobal = env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA;
  if (noGlobal !== '1' && noGlobal !== 'true') {
    globalThis.awslambda = {
      streamifyResponse(streamingHandler, options) {
        streamingHandler[HANDLER_STREAMING] = STREAM_RESPONSE;
        if (typeof options?.highWaterMark === 'number') {
          streamingHandler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark);
        }
        return streamingHandler;
      },
      HttpResponseStream,
    };
  }

  handler = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER ?? '');
  handlerIsAsync = handler.constructor?.name === 'AsyncFunction';
  handlerIsStreaming = handler[HANDLER_STREAMING] === STREAM_RESPONSE;
  if (handlerIsStreaming) {
    ({ Writable } = await import('node:stream'));
  }
  if (
    env.AWS_LAMBDA_NODEJS_DISABLE_CALLBACK_WARNING === undefined &&
    handler.length === 3 &&
    !handlerIsAsync &&
    !handlerIsStreaming
  ) {
    console.warn(CALLBACK_WARNING);
  }
  scheduleNext();
}

/** Loads (and forgets) a module of the runtime, so that loading the handler starts warm. */
function warmUpLoader() {
  const file = requireFromRuntime.resolve('./warm-up.cjs');
  requireFromRuntime(file);
  delete requireFromRuntime.cache[file];
}

/**
 * A pre-booted blank runtime becomes its function: the function's variables replace the
 * blank's, its code (mounted at /var/task after the sandbox started) becomes the working
 * directory, and NODE_PATH is read again. Init, as Lambda measures it, starts here.
 */
function becomeFunction(variables) {
  for (const name of Object.keys(env)) {
    delete env[name];
  }
  Object.assign(env, variables);
  process.chdir(env.LAMBDA_TASK_ROOT);
  // The CommonJS loader read NODE_PATH at start-up, when it was the blank's.
  Module._initPaths();
}

main().catch((error) => {
  // An init failure is an uncaught exception of the init phase, as in the RIC.
  logFailure('Uncaught Exception', error);
  reportFatal(error, 129);
});
