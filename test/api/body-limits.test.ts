import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { InvokeCommand, LambdaServiceException } from '@aws-sdk/client-lambda';
import { callsTo, startApi } from './harness.js';

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A raw HTTP/1.1 connection, so a test controls exactly how much of a body is ever sent. */
class RawConnection {
  readonly socket: Socket;
  #text = '';
  #closed = false;
  #waiter: (() => void) | undefined;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('latin1');
    // Writes after the server has cut the connection may fail; the responses are what count.
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: string) => {
      this.#text += d;
      this.#waiter?.();
    });
    this.socket.on('close', () => {
      this.#closed = true;
      this.#waiter?.();
    });
  }

  /** The next whole response (head and Content-Length bytes), as soon as it has arrived. */
  async next(): Promise<RawResponse> {
    for (;;) {
      const end = this.#text.indexOf('\r\n\r\n');
      if (end >= 0) {
        const [statusLine = '', ...lines] = this.#text.slice(0, end).split('\r\n');
        const headers: Record<string, string> = {};
        for (const line of lines) {
          const colon = line.indexOf(':');
          headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length']);
        if (this.#text.length - end - 4 >= length) {
          const body = this.#text.slice(end + 4, end + 4 + length);
          this.#text = this.#text.slice(end + 4 + length);
          return { status: Number(statusLine.split(' ')[1]), headers, body };
        }
      }
      if (this.#closed) {
        throw new Error(`connection closed after: ${this.#text}`);
      }
      await new Promise<void>((resolve) => (this.#waiter = resolve));
    }
  }

  /** Writes and waits until the data has been handed to the kernel. */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve) => {
      this.socket.write(data, () => {
        resolve();
      });
    });
  }
}

function message(res: RawResponse): string {
  return (JSON.parse(res.body) as { message: string }).message;
}

test('CreateFunction over 70167211 bytes is refused from its Content-Length, before the body is sent', async (t) => {
  const api = await startApi(t);
  const raw = new RawConnection(api.port);
  t.after(() => raw.socket.destroy());
  await raw.write(
    'POST /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      'Content-Length: 70167212\r\n\r\n{"FunctionName":"orders","Code":{"ZipFile":"',
  );
  // Only 44 bytes of 70 MB were sent; the answer must not wait for the rest.
  const res = await raw.next();
  assert.equal(res.status, 413);
  assert.equal(res.headers['x-amzn-errortype'], 'RequestEntityTooLargeException');
  assert.deepEqual(JSON.parse(res.body), {
    Type: 'User',
    message: 'Request must be smaller than 70167211 bytes for the CreateFunction operation',
  });
  assert.equal(callsTo(api, 'createFunction').length, 0);
});

test('Invoke over 6291456 bytes is RequestEntityTooLargeException; exactly 6291456 is accepted', async (t) => {
  const api = await startApi(t);
  const atLimit = await api.client.send(
    new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.alloc(6_291_456, 0x20) }),
  );
  assert.equal(atLimit.StatusCode, 200);
  assert.equal(api.inputs[0]?.payload.length, 6_291_456);

  const error = await api.client
    .send(new InvokeCommand({ FunctionName: 'orders', Payload: Buffer.alloc(6_291_457, 0x20) }))
    .then(
      () => assert.fail('expected a 413'),
      (e: unknown) => e,
    );
  assert.ok(error instanceof LambdaServiceException);
  assert.equal(error.name, 'RequestEntityTooLargeException');
  assert.equal(error.$metadata.httpStatusCode, 413);
  assert.equal(
    error.message,
    'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
  );
  assert.equal(api.inputs.length, 1);
});

test('a chunked Invoke body is refused as soon as it passes the limit, without its end', async (t) => {
  const api = await startApi(t);
  const raw = new RawConnection(api.port);
  t.after(() => raw.socket.destroy());
  let answer: RawResponse | undefined;
  const answered = raw.next().then((res) => (answer = res));
  await raw.write(
    'POST /2015-03-31/functions/orders/invocations HTTP/1.1\r\nHost: x\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n',
  );
  const chunk = Buffer.alloc(1 << 20, 0x20);
  let sent = 0;
  // Never the terminating zero-size chunk: the server must decide from the bytes it has counted.
  while (answer === undefined && sent < 32 * chunk.length) {
    await raw.write(
      Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
    );
    sent += chunk.length;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await answered;
  assert.equal(answer?.status, 413);
  assert.equal(
    message(answer),
    'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
  );
  assert.ok(sent < 32 * chunk.length, `the server answered only after ${sent} bytes`);
  assert.equal(api.inputs.length, 0);
});

test('other operations have a limit too; a client that sends the rest keeps its connection', async (t) => {
  const api = await startApi(t);
  const raw = new RawConnection(api.port);
  t.after(() => raw.socket.destroy());
  await raw.write(
    'PUT /2015-03-31/functions/orders/configuration HTTP/1.1\r\nHost: x\r\n' +
      'Content-Length: 6291457\r\n\r\n{',
  );
  const res = await raw.next();
  assert.equal(res.status, 413);
  assert.equal(
    message(res),
    'Request must be smaller than 6291456 bytes for the UpdateFunctionConfiguration operation',
  );
  // The rest is read and dropped, so the connection can carry the next request.
  await raw.write(Buffer.alloc(6_291_456, 0x20));
  await raw.write('GET /_fogbank/health HTTP/1.1\r\nHost: x\r\n\r\n');
  const health = await raw.next();
  assert.equal(health.status, 200);
  assert.equal(health.body, '{"status":"ok"}');
  assert.equal(callsTo(api, 'updateFunctionConfiguration').length, 0);
});

test('a body cut short by the client is its fault, not an internal error', async (t) => {
  const api = await startApi(t);
  const raw = new RawConnection(api.port);
  await raw.write(
    'POST /2015-03-31/functions/orders/invocations HTTP/1.1\r\nHost: x\r\n' +
      'Content-Length: 1000\r\n\r\n{"partial":',
  );
  raw.socket.destroy();
  for (let i = 0; i < 200 && api.records.length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const [record] = api.records;
  assert.equal(record?.operation, 'Invoke');
  assert.equal(record.statusCode, 400);
  assert.equal(record.unexpectedError, undefined);
  assert.equal(api.inputs.length, 0);
});
