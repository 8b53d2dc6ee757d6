/**
 * A receipt handle names one receive of one message: the queue, the message's sequence in the
 * store and the receive's nonce. Opaque to clients, as on SQS; a handle that does not decode
 * is ReceiptHandleIsInvalid.
 */
export interface ReceiptHandle {
  readonly queueId: number;
  readonly seq: number;
  readonly receipt: string;
}

const PREFIX = 'fb1';
const DECODED = new RegExp(`^${PREFIX}:(\\d{1,15}):(\\d{1,15}):([0-9a-f]{32})$`);

export function encodeReceiptHandle(handle: ReceiptHandle): string {
  return Buffer.from(
    `${PREFIX}:${String(handle.queueId)}:${String(handle.seq)}:${handle.receipt}`,
  ).toString('base64url');
}

export function decodeReceiptHandle(text: string): ReceiptHandle | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) {
    return undefined;
  }
  const m = DECODED.exec(Buffer.from(text, 'base64url').toString('latin1'));
  if (!m?.[1] || !m[2] || !m[3]) {
    return undefined;
  }
  return { queueId: Number(m[1]), seq: Number(m[2]), receipt: m[3] };
}
