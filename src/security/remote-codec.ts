// The payload codec of clients (the CLI, scripts): encodes and decodes through the codec server
// with the caller's own credentials, so the AES key ring stays on the workers and the codec
// server, and every decode is authorised and logged there under the caller's name. Temporal's
// remote codec protocol: POST <endpoint>/encode and /decode with {"payloads":[…]} in protobuf
// JSON (base64 metadata values and data), X-Namespace and Authorization headers. Configured like
// the `temporal` CLI: TEMPORAL_CODEC_ENDPOINT and TEMPORAL_CODEC_AUTH (the header's full value).
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { request } from 'undici';
import { DEFAULT_CODEC_ENDPOINT } from './codec-defaults.js';
import type { SecretSource } from './secrets.js';
import { isLoopbackHost } from './loopback.js';
import { assertEncrypted } from './payload-encoding.js';

const REQUEST_TIMEOUT_MS = 30_000;
/** Our codec server refuses larger bodies; a larger batch is sent in parts. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;

/** The codec server could not be used; the message names the endpoint and the setting to fix, never a token. */
export class CodecServerError extends Error {
  override name = 'CodecServerError';
}

export interface RemoteCodecOptions {
  /** Base URL of the codec server (…/encode and …/decode are appended). */
  endpoint: string;
  /** Resolves the Authorization header's value, once, when the first payload needs it. */
  authorization: () => Promise<string>;
  /** Sent as X-Namespace: the codec server logs it with each request. */
  namespace: string;
}

type PayloadJson = { metadata?: Record<string, string>; data?: string };

function toJson(payload: Payload): PayloadJson {
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.metadata ?? {}))
    if (value) metadata[key] = Buffer.from(value).toString('base64');
  return { metadata, data: Buffer.from(payload.data ?? []).toString('base64') };
}

function fromJson(json: PayloadJson): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [key, value] of Object.entries(json.metadata ?? {})) metadata[key] = Buffer.from(value, 'base64');
  return { metadata, data: Buffer.from(json.data ?? '', 'base64') };
}

/**
 * The endpoint, checked: a token must not travel over plain http beyond this machine. Throws
 * what is wrong with it; the configuration names the variable (src/config/cli.ts).
 */
export function checkedCodecEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CodecServerError(`not a URL such as ${DEFAULT_CODEC_ENDPOINT} or https://codec.example.org`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CodecServerError('use an http(s) URL');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new CodecServerError(
      'a codec server on another machine must be reached over https (your token and the decoded payloads would cross the network in clear)',
    );
  }
  return value.replace(/\/+$/, '');
}

export class RemoteCodec implements PayloadCodec {
  private authorization?: Promise<string>;

  constructor(private readonly opts: RemoteCodecOptions) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return this.convert('encode', payloads);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    // What this client acts on must have been encrypted by a worker or the codec server:
    // a plain payload in history was written past the codec (e.g. a forged result).
    assertEncrypted(payloads);
    return this.convert('decode', payloads);
  }

  private async convert(op: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> {
    // The SDK asks for empty lists (a query without arguments): no need to call anyone.
    if (payloads.length === 0) return [];
    const out: Payload[] = [];
    let batch: PayloadJson[] = [];
    let size = 0;
    for (const json of payloads.map(toJson)) {
      const bytes = (json.data?.length ?? 0) + 200;
      if (batch.length && size + bytes > MAX_BATCH_BYTES) {
        out.push(...(await this.post(op, batch)));
        batch = [];
        size = 0;
      }
      batch.push(json);
      size += bytes;
    }
    out.push(...(await this.post(op, batch)));
    return out;
  }

  private async post(op: 'encode' | 'decode', payloads: PayloadJson[]): Promise<Payload[]> {
    const { endpoint, namespace } = this.opts;
    this.authorization ??= this.opts.authorization();
    const authorization = await this.authorization;
    let response;
    try {
      response = await request(`${endpoint}/${op}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-namespace': namespace, authorization },
        body: JSON.stringify({ payloads }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const reason =
        e.code ?? (e.name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : e.message);
      throw new CodecServerError(
        `cannot reach the codec server at ${endpoint} (${reason}): payloads are encrypted, and this client encodes and decodes them through it. ` +
          'Start one where the key ring is (`npm run temporal` runs one locally, or `npm run codec-server`), or point TEMPORAL_CODEC_ENDPOINT at yours',
        { cause: err },
      );
    }
    const text = await response.body.text();
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw new CodecServerError(
        `the codec server at ${endpoint} refused this client (HTTP ${response.statusCode}): set TEMPORAL_CODEC_AUTH="Bearer <your token>", ` +
          'or G2P_ONBOARD_CODEC_SERVER_TOKEN to a reference (file:path or env:NAME) holding your token',
      );
    }
    if (response.statusCode === 429) {
      throw new CodecServerError(
        `the codec server at ${endpoint} refuses this address for now after too many wrong tokens (HTTP 429): try again in ${response.headers['retry-after'] ?? 'a minute'} s with the right TEMPORAL_CODEC_AUTH`,
      );
    }
    if (response.statusCode !== 200) {
      let detail = '';
      try {
        detail = String((JSON.parse(text) as { error?: unknown }).error ?? '').slice(0, 200);
      } catch {
        // Not our codec server's JSON: the status says enough.
      }
      throw new CodecServerError(
        `the codec server at ${endpoint} could not ${op} (HTTP ${response.statusCode}${detail ? `: ${detail}` : ''}); is TEMPORAL_CODEC_ENDPOINT a g2p-onboard codec server?`,
      );
    }
    let answer: PayloadJson[] | undefined;
    try {
      answer = (JSON.parse(text) as { payloads?: PayloadJson[] }).payloads;
    } catch {
      answer = undefined;
    }
    if (!Array.isArray(answer) || answer.length !== payloads.length) {
      throw new CodecServerError(
        `the codec server at ${endpoint} answered ${op} with something other than ${payloads.length} payload(s); is TEMPORAL_CODEC_ENDPOINT a g2p-onboard codec server?`,
      );
    }
    return answer.map(fromJson);
  }
}

/** The value of a `file:` or `env:` reference, or why not (naming the reference, never a value). */
async function readReference(ref: string, env: NodeJS.ProcessEnv, baseDir: string): Promise<string> {
  if (ref.startsWith('env:')) {
    const value = env[ref.slice(4)];
    if (!value) throw new Error(`environment variable ${ref.slice(4)} is not set`);
    return value;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    try {
      return await readFile(isAbsolute(path) ? path : resolve(baseDir, path), 'utf8');
    } catch (err) {
      throw new Error(`the file cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  throw new Error('use file:path or env:NAME');
}

/** How a client reaches the codec server: the CLI's configuration (src/config/cli.ts). */
export interface CodecClientSettings {
  /** TEMPORAL_CODEC_ENDPOINT, checked by checkedCodecEndpoint. */
  endpoint: string;
  /** TEMPORAL_CODEC_AUTH: the Authorization header's whole value. */
  authorization?: string;
  /** G2P_ONBOARD_CODEC_SERVER_TOKEN: where the token is when no header is given. */
  tokenRef: string;
}

/**
 * The Authorization header: TEMPORAL_CODEC_AUTH as given, else `Bearer <token>` with the first
 * token of G2P_ONBOARD_CODEC_SERVER_TOKEN (a line may be `<label> <token>`, as the codec server's file).
 */
export async function codecAuthorization(
  settings: Omit<CodecClientSettings, 'endpoint'>,
  source: SecretSource,
): Promise<string> {
  if (settings.authorization) return settings.authorization;
  const ref = settings.tokenRef;
  let text: string;
  try {
    text = await readReference(ref, source.env, source.baseDir);
  } catch (err) {
    throw new CodecServerError(
      `no codec server token for this client: G2P_ONBOARD_CODEC_SERVER_TOKEN=${ref}: ${(err as Error).message}. ` +
        'Set TEMPORAL_CODEC_AUTH="Bearer <your token>", or G2P_ONBOARD_CODEC_SERVER_TOKEN to a file:path or env:NAME holding your token',
    );
  }
  const line = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('#'));
  const token = line?.split(/\s+/).at(-1);
  if (!token) throw new CodecServerError(`G2P_ONBOARD_CODEC_SERVER_TOKEN=${ref} holds no token`);
  return `Bearer ${token}`;
}

/** The client codec: the configured codec server, with this user's credentials (read on first use). */
export function remoteCodecFor(namespace: string, settings: CodecClientSettings, source: SecretSource): RemoteCodec {
  return new RemoteCodec({
    endpoint: settings.endpoint,
    namespace,
    authorization: () => codecAuthorization(settings, source),
  });
}
