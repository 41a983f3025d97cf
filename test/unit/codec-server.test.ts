// The codec server as the Temporal UI and CLI call it: protobuf-JSON payloads, any URL prefix,
// CORS for the UI's origin, and nothing decoded without a token or a signed-in browser session;
// wrong tokens are throttled, signing out ends a session for good, every decode is logged by caller.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, keyRingFromKeys } from '../../src/security/codec.js';
import {
  CodecAccess,
  SESSION_COOKIE,
  parseCodecServerTokens,
  tokenFingerprint,
} from '../../src/security/codec-server-auth.js';
import { startCodecServer, type RunningCodecServer } from '../../src/security/codec-server.js';
import { SignInThrottle } from '../../src/security/codec-server-throttle.js';
import { startConfiguredCodecServer } from '../../src/security/codec-server-setup.js';
import { codecServerConfigFrom } from '../../src/config/codec-server.js';

const converter = new DefaultPayloadConverter();
const UI_ORIGIN = 'http://127.0.0.1:8233';
const TOKEN = randomBytes(32).toString('base64url');
const oldKey = randomBytes(32);
const currentKey = randomBytes(32);

const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});
const encodingOf = (p: { metadata: Record<string, string> }) =>
  Buffer.from(p.metadata.encoding ?? '', 'base64').toString();

describe('codec server', () => {
  let server: RunningCodecServer;
  const lines: string[] = [];
  let encrypted: { metadata: Record<string, string>; data: string }[];

  before(async () => {
    const codec = new AesGcmCodec(keyRingFromKeys(currentKey, [oldKey]));
    server = await startCodecServer({
      codec,
      access: new CodecAccess([TOKEN]),
      allowedOrigins: [UI_ORIGIN],
      log: (l) => lines.push(l),
    });
    const fromLastYear = await new AesGcmCodec(keyRingFromKeys(oldKey)).encode([
      converter.toPayload({ deploymentId: 'old-run' }),
    ]);
    const current = await codec.encode([
      converter.toPayload({ deploymentId: 'kenya-pilot', password: 'env:ODOO_PASSWORD' }),
    ]);
    encrypted = [...current, ...fromLastYear].map(asJson);
  });
  after(() => server?.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
      body: JSON.stringify(body),
    });

  test('the CLI decodes with its bearer token, under any URL prefix, including payloads under a rotated-out key', async () => {
    const res = await post(
      '/codec/default/decode?preserveStorageRefs=true',
      { payloads: encrypted },
      { authorization: `Bearer ${TOKEN}` },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.deepEqual(payloads.map(encodingOf), ['json/plain', 'json/plain']);
    assert.deepEqual(converter.fromPayload(fromJson(payloads[0]!)), {
      deploymentId: 'kenya-pilot',
      password: 'env:ODOO_PASSWORD',
    });
    assert.deepEqual(converter.fromPayload(fromJson(payloads[1]!)), { deploymentId: 'old-run' });
  });

  test('without a token, with a wrong one, or with the token not as a bearer, nothing is decoded', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${randomBytes(32).toString('base64url')}` },
      { authorization: TOKEN },
      { cookie: `${SESSION_COOKIE}=123.abc` },
    ];
    for (const headers of attempts) {
      const res = await post('/decode', { payloads: encrypted }, headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      const text = await res.text();
      assert.ok(!text.includes('kenya-pilot') && !text.includes(encrypted[0]!.data), 'a refusal carries no payload');
    }
    assert.ok(lines.some((l) => l.startsWith('401 decode')));
  });

  test('encode encrypts with the current key, and decode gives back what was encoded', async () => {
    const plain = asJson(converter.toPayload({ approver: 'alice' }));
    const encoded = (await (
      await post('/encode', { payloads: [plain] }, { authorization: `Bearer ${TOKEN}` })
    ).json()) as { payloads: typeof encrypted };
    assert.equal(encodingOf(encoded.payloads[0]!), 'binary/encrypted');
    const decoded = (await (await post('/decode', encoded, { authorization: `Bearer ${TOKEN}` })).json()) as {
      payloads: typeof encrypted;
    };
    assert.deepEqual(decoded.payloads[0], plain);
    assert.equal((await post('/encode', { payloads: [plain] })).status, 401);
  });

  test("the Temporal UI's preflight is allowed with credentials and its headers; other origins are refused", async () => {
    const preflight = await fetch(server.url + '/decode', {
      method: 'OPTIONS',
      headers: {
        origin: UI_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.deepEqual(preflight.headers.get('access-control-allow-headers')?.split(', ').sort(), [
      'authorization',
      'content-type',
      'x-namespace',
    ]);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);

    const evil = await fetch(server.url + '/decode', {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    // Even with the token, a page from another origin gets nothing.
    const fromEvil = await post(
      '/decode',
      { payloads: encrypted },
      { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` },
    );
    assert.equal(fromEvil.status, 403);
  });

  test('a browser signs in with the token and its HttpOnly session cookie then decodes for the UI', async () => {
    const wrong = await fetch(server.url + '/login', {
      method: 'POST',
      body: new URLSearchParams({ token: 'not-the-token-at-all' }),
      redirect: 'manual',
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const signIn = await fetch(server.url + '/login', {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      redirect: 'manual',
    });
    assert.equal(signIn.status, 303);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(
      setCookie,
      new RegExp(`^${SESSION_COOKIE}=[\\w-]{43}; HttpOnly; SameSite=Strict; Path=/; Max-Age=\\d+`),
    );
    assert.ok(!setCookie.includes(TOKEN), 'the cookie does not carry the token');
    const cookie = setCookie.split(';')[0]!;

    const res = await post('/decode', { payloads: encrypted }, { origin: UI_ORIGIN, cookie });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const { payloads } = (await res.json()) as { payloads: typeof encrypted };
    assert.equal(encodingOf(payloads[0]!), 'json/plain');

    const page = await (await fetch(server.url + '/', { headers: { cookie } })).text();
    assert.match(page, /This browser is signed in/);
  });

  test('a session ends when it expires, and exists only on the server that started it', () => {
    const access = new CodecAccess([TOKEN], 60);
    const now = Date.now();
    const session = access.newSession('alice', now);
    assert.equal(access.sessionCaller(session, now + 59_000), 'alice');
    assert.ok(!access.sessionAllowed(session, now + 61_000));
    // A restarted server (or one with the token changed) knows no session: a cookie is no credential by itself.
    assert.ok(!new CodecAccess([TOKEN]).sessionAllowed(session, now));
    assert.ok(
      !access.sessionAllowed(`${session.slice(0, -1)}${session.endsWith('A') ? 'B' : 'A'}`, now),
      'a cookie cannot be forged',
    );
  });

  test('after signing out, a copy of the session cookie decodes nothing', async () => {
    const signIn = await fetch(server.url + '/login', {
      method: 'POST',
      body: new URLSearchParams({ token: TOKEN }),
      redirect: 'manual',
    });
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    assert.equal((await post('/decode', { payloads: encrypted }, { origin: UI_ORIGIN, cookie })).status, 200);

    const signOut = await fetch(server.url + '/logout', { method: 'POST', headers: { cookie }, redirect: 'manual' });
    assert.equal(signOut.status, 303);
    assert.match(signOut.headers.get('set-cookie') ?? '', /Max-Age=0/);

    const copied = await post('/decode', { payloads: encrypted }, { origin: UI_ORIGIN, cookie });
    assert.equal(copied.status, 401);
    const text = await copied.text();
    assert.ok(!text.includes('kenya-pilot') && !text.includes(encrypted[0]!.data), 'nothing decoded');
    assert.doesNotMatch(
      await (await fetch(server.url + '/', { headers: { cookie } })).text(),
      /This browser is signed in/,
    );
  });

  test('each decode is logged with the caller, the endpoint, the namespace and the payload count, never the token', async () => {
    const before = lines.length;
    await post('/codec/default/decode', { payloads: encrypted }, { authorization: `Bearer ${TOKEN}` });
    const line = lines.slice(before).find((l) => l.startsWith('decode'));
    assert.equal(
      line,
      `decode 2 payload(s) for ${tokenFingerprint(TOKEN)} (token) at /codec/default/decode (namespace default)`,
    );
    assert.ok(
      lines.every((l) => !l.includes(TOKEN)),
      'no log line carries the token',
    );
  });

  test('labelled tokens: each user decodes under their own name, and a token file may still hold bare tokens', async () => {
    const alice = randomBytes(32).toString('base64url');
    const legacy = randomBytes(32).toString('base64url');
    const tokens = parseCodecServerTokens(`# one line per user\nalice ${alice}\n${legacy}\n`, 'file:tokens');
    assert.deepEqual(tokens, [{ label: 'alice', token: alice }, { token: legacy }]);
    assert.throws(
      () => parseCodecServerTokens(`alice ${alice}\nalice ${legacy}\n`, 'file:tokens'),
      /file:tokens line 2: the label alice is used twice/,
    );
    assert.throws(
      () => parseCodecServerTokens('bob short\n', 'file:tokens'),
      (err: Error) =>
        /line 1: every codec server token must be at least 16/.test(err.message) && !err.message.includes('short'),
    );

    const log: string[] = [];
    const labelled = await startCodecServer({
      codec: new AesGcmCodec(keyRingFromKeys(currentKey)),
      access: new CodecAccess(tokens),
      allowedOrigins: [],
      log: (l) => log.push(l),
    });
    try {
      const payloads = (await new AesGcmCodec(keyRingFromKeys(currentKey)).encode([converter.toPayload('x')])).map(
        asJson,
      );
      for (const token of [alice, legacy]) {
        const res = await fetch(`${labelled.url}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-namespace': 'ops', authorization: `Bearer ${token}` },
          body: JSON.stringify({ payloads }),
        });
        assert.equal(res.status, 200);
      }
      assert.deepEqual(log, [
        `decode 1 payload(s) for alice (token) at /decode (namespace ops)`,
        `decode 1 payload(s) for ${tokenFingerprint(legacy)} (token) at /decode (namespace ops)`,
      ]);
    } finally {
      await labelled.close();
    }
  });

  test('after 5 wrong tokens in a minute an address is refused with 429 and Retry-After, even with the right token, until the minute has passed', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const log: string[] = [];
    const throttled = await startCodecServer({
      codec: new AesGcmCodec(keyRingFromKeys(currentKey, [oldKey])),
      access: new CodecAccess([TOKEN]),
      allowedOrigins: [],
      throttle: new SignInThrottle({ now: () => clock }),
      log: (l) => log.push(l),
    });
    try {
      const signIn = (token: string) =>
        fetch(`${throttled.url}/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
      const decode = (token: string) =>
        fetch(`${throttled.url}/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ payloads: encrypted }),
        });
      // Sign-in page and bearer tokens draw on the same allowance.
      for (let i = 0; i < 3; i++) assert.equal((await signIn(`wrong-token-number-${i}`)).status, 401);
      for (let i = 3; i < 5; i++) assert.equal((await decode(`wrong-token-number-${i}`)).status, 401);
      clock += 10_000;

      const refusedSignIn = await signIn(TOKEN);
      assert.equal(refusedSignIn.status, 429);
      assert.equal(refusedSignIn.headers.get('retry-after'), '50');
      assert.equal(refusedSignIn.headers.get('set-cookie'), null, 'no session');
      assert.match(await refusedSignIn.text(), /Too many wrong tokens from this address: try again in 50 s/);
      const refusedDecode = await decode(TOKEN);
      assert.equal(refusedDecode.status, 429);
      assert.ok(!(await refusedDecode.text()).includes('kenya-pilot'), 'nothing decoded');
      assert.ok(log.some((l) => /^429 sign-in from \S+: 5 wrong tokens within 60 s/.test(l)));

      clock += 50_000;
      assert.equal((await decode(TOKEN)).status, 200, 'the address may try again once the minute has passed');
    } finally {
      await throttled.close();
    }
  });

  test('a body that is not protobuf-JSON payloads is refused with 400', async () => {
    const res = await post('/decode', { payload: 'x' }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 400);
  });
});

describe('codec server address', () => {
  test('it will not listen beyond loopback over plain http, naming the settings that allow it', async () => {
    const codec = new AesGcmCodec(keyRingFromKeys(currentKey));
    await assert.rejects(
      startCodecServer({ codec, access: new CodecAccess([TOKEN]), allowedOrigins: [], host: '0.0.0.0' }),
      (err: Error) =>
        /will not listen on 0\.0\.0\.0 over plain http/.test(err.message) &&
        /G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS=true/.test(err.message) &&
        /G2P_ONBOARD_CODEC_SERVER_TLS_CERT/.test(err.message),
    );
    const env = {
      G2P_ONBOARD_CODEC_KEYS: `env:KEYS`,
      KEYS: currentKey.toString('base64'),
      G2P_ONBOARD_CODEC_SERVER_TOKEN: 'env:TOKEN',
      TOKEN,
      G2P_ONBOARD_CODEC_SERVER_HOST: '0.0.0.0',
      G2P_ONBOARD_CODEC_SERVER_PORT: '0',
    };
    await assert.rejects(
      startConfiguredCodecServer(codecServerConfigFrom(env), () => undefined),
      /G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS=true/,
    );

    // Behind a TLS proxy it is the proxy that faces the network: allowed, and its cookies are Secure.
    const behindTls = { ...env, G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS: 'true' };
    const server = await startConfiguredCodecServer(codecServerConfigFrom(behindTls), () => undefined);
    try {
      const signIn = await fetch(`http://127.0.0.1:${server.port}/login`, {
        method: 'POST',
        body: new URLSearchParams({ token: TOKEN }),
        redirect: 'manual',
      });
      assert.match(signIn.headers.get('set-cookie') ?? '', /; Secure$/);
    } finally {
      await server.close();
    }
  });
});
