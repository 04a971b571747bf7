/**
 * The Jupyter messaging protocol's wire format (version 5.3), as tslab speaks it: a multipart ZeroMQ message
 * `[...identities, "<IDS|MSG>", hmac, header, parent_header, metadata, content, ...buffers]`, where `hmac` is the
 * hex HMAC-SHA256 of the four JSON frames under the connection file's key.
 * https://jupyter-client.readthedocs.io/en/stable/messaging.html#the-wire-protocol
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

const DELIMITER = '<IDS|MSG>';

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded message; `parent_header` is `{}` for requests. */
export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: C;
}

export function newHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: 'rlrepro',
    date: new Date().toISOString(),
    version: '5.3',
  };
}

function sign(key: string, frames: readonly (string | Buffer)[]): string {
  const hmac = createHmac('sha256', key);
  for (const f of frames) hmac.update(f);
  return hmac.digest('hex');
}

/** The frames to send on a DEALER socket (no identities). */
export function encodeMessage(key: string, msg: JupyterMessage<unknown>): string[] {
  const body = [
    JSON.stringify(msg.header),
    JSON.stringify(msg.parent_header),
    JSON.stringify(msg.metadata),
    JSON.stringify(msg.content),
  ];
  return [DELIMITER, sign(key, body), ...body];
}

/** Decodes and verifies a received message; a bad signature is an error, never silently accepted. */
export function decodeMessage(key: string, frames: readonly Buffer[]): JupyterMessage {
  const at = frames.findIndex((f) => f.toString() === DELIMITER);
  if (at < 0) throw new Error('kernel message has no <IDS|MSG> delimiter');
  const hmac = frames[at + 1]?.toString() ?? '';
  const body = frames.slice(at + 2, at + 6);
  if (body.length !== 4) throw new Error(`kernel message has ${body.length} of 4 JSON frames`);
  const want = Buffer.from(sign(key, body));
  const got = Buffer.from(hmac);
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    throw new Error('kernel message has an invalid HMAC signature');
  }
  const [header, parent, metadata, content] = body.map((b) => JSON.parse(b.toString()) as unknown);
  return {
    header: header as MessageHeader,
    parent_header: parent as Partial<MessageHeader>,
    metadata: metadata as Record<string, unknown>,
    content: content as Record<string, unknown>,
  };
}
