// The clients' codec: payloads go through the codec server with the caller's own token; the
// client never needs the key ring, and it says what to fix when the codec server cannot help.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultPayloadConverter } from '@temporalio/common';
import { AesGcmCodec, keyRingFromKeys } from '../../src/security/codec.js';
import { CodecAccess } from '../../src/security/codec-server-auth.js';
import { startCodecServer, type RunningCodecServer } from '../../src/security/codec-server.js';
import { codecAuthorization, RemoteCodec, remoteCodecFor } from '../../src/security/remote-codec.js';
import { cliConfigFrom } from '../../src/config/cli.js';
import { claimPort } from '../../scripts/temporal/dev-server.js';

const converter = new DefaultPayloadConverter();
const TOKEN = randomBytes(32).toString('base64url');

describe('remote codec', () => {
  let server: RunningCodecServer;
  const log: string[] = [];
  const workerCodec = new AesGcmCodec(keyRingFromKeys(randomBytes(32)));

  before(async () => {
    server = await startCodecServer({
      codec: workerCodec,
      access: new CodecAccess([{ label: 'carol', token: TOKEN }]),
      allowedOrigins: [],
      log: (l) => log.push(l),
    });
  });
  after(() => server?.close());

  const remote = (authorization = `Bearer ${TOKEN}`, endpoint = server.url) =>
    new RemoteCodec({ endpoint, namespace: 'staff', authorization: async () => authorization });

  test("what a client encodes through the codec server, the worker's codec reads, and the other way round", async () => {
    const spec = { deploymentId: 'kenya-pilot', password: 'env:ODOO_PASSWORD' };
    const [sent] = await remote().encode([converter.toPayload(spec)]);
    assert.deepEqual(converter.fromPayload((await workerCodec.decode([sent!]))[0]!), spec);
    const [answer] = await workerCodec.encode([converter.toPayload({ phase: 'awaiting_approval' })]);
    assert.deepEqual(converter.fromPayload((await remote().decode([answer!]))[0]!), { phase: 'awaiting_approval' });
    assert.ok(log.includes('decode 1 payload(s) for carol (token) at /decode (namespace staff)'), log.join('\n'));
    assert.deepEqual(
      await remote('Bearer nobody').decode([]),
      [],
      'nothing to convert: no call, no credentials needed',
    );
  });

  test('a plain payload in history is refused by the client too, before anything is sent', async () => {
    const before = log.length;
    await assert.rejects(
      remote().decode([converter.toPayload({ outcome: 'completed' })]),
      /refused a payload that is not encrypted/,
    );
    assert.equal(log.length, before, 'the codec server was not asked');
  });

  test('an unreachable codec server, or one that refuses the token, is named with the setting to fix, never the token', async () => {
    const [answer] = await workerCodec.encode([converter.toPayload('x')]);
    const nobody = `http://127.0.0.1:${await claimPort(0, '127.0.0.1', 'no codec server')}`;
    await assert.rejects(
      remote(undefined, nobody).decode([answer!]),
      (err: Error) =>
        err.name === 'CodecServerError' &&
        err.message.includes(`cannot reach the codec server at ${nobody} (ECONNREFUSED)`) &&
        err.message.includes('TEMPORAL_CODEC_ENDPOINT'),
    );
    const wrong = randomBytes(32).toString('base64url');
    await assert.rejects(
      remote(`Bearer ${wrong}`).decode([answer!]),
      (err: Error) =>
        /refused this client \(HTTP 401\): set TEMPORAL_CODEC_AUTH/.test(err.message) && !err.message.includes(wrong),
    );
  });

  test('the token comes from TEMPORAL_CODEC_AUTH, else from the token reference, whose line may carry a label', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'g2p-remote-codec-'));
    await writeFile(join(dir, 'token'), `# mine\ncarol ${TOKEN}\n`);
    // What a CLI started in `dir` with this environment sends.
    const authorization = (env: NodeJS.ProcessEnv) => {
      const config = cliConfigFrom(env, dir);
      return codecAuthorization(config.codec, config.secrets);
    };
    assert.equal(await authorization({ G2P_ONBOARD_CODEC_SERVER_TOKEN: 'file:token' }), `Bearer ${TOKEN}`);
    assert.equal(
      await authorization({ TEMPORAL_CODEC_AUTH: 'Bearer abc', G2P_ONBOARD_CODEC_SERVER_TOKEN: 'file:token' }),
      'Bearer abc',
    );
    await assert.rejects(
      authorization({}),
      /no codec server token for this client: G2P_ONBOARD_CODEC_SERVER_TOKEN=file:\.data\/codec-server-token: the file cannot be read \(ENOENT\)\. Set TEMPORAL_CODEC_AUTH/,
    );
    const [answer] = await workerCodec.encode([converter.toPayload('x')]);
    const config = cliConfigFrom(
      { TEMPORAL_CODEC_ENDPOINT: `${server.url}/`, G2P_ONBOARD_CODEC_SERVER_TOKEN: 'file:token' },
      dir,
    );
    const fromEnv = remoteCodecFor('default', config.codec, config.secrets);
    assert.equal(converter.fromPayload((await fromEnv.decode([answer!]))[0]!), 'x');
  });

  test('a codec server on another machine is reached over https only', () => {
    assert.throws(
      () => cliConfigFrom({ TEMPORAL_CODEC_ENDPOINT: 'http://codec.example.org' }),
      /TEMPORAL_CODEC_ENDPOINT="http:\/\/codec\.example\.org": a codec server on another machine must be reached over https/,
    );
    assert.equal(
      cliConfigFrom({ TEMPORAL_CODEC_ENDPOINT: 'https://codec.example.org/' }).codec.endpoint,
      'https://codec.example.org',
    );
  });
});
