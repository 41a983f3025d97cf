// The codec server as the Temporal UI and CLI call it: protobuf-JSON payloads, any URL prefix,
// CORS for the UI's origin, and nothing decoded without a token or a signed-in browser session.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DefaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, keyRingFromKeys } from '../../src/security/codec.js';
import { CodecAccess, SESSION_COOKIE } from '../../src/security/codec-server-auth.js';
import { startCodecServer, type RunningCodecServer } from '../../src/security/codec-server.js';

const converter = new DefaultPayloadConverter();
const UI_ORIGIN = 'http://127.0.0.1:8233';
const TOKEN = randomBytes(32).toString('base64url');
const oldKey = randomBytes(32);
const currentKey = randomBytes(32);

const asJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});
const fromJson = (p: { metadata: Record<string, string>; data: string }): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data, 'base64'),
});
const encodingOf = (p: { metadata: Record<string, string> }) => Buffer.from(p.metadata.encoding ?? '', 'base64').toString();

describe('codec server', () => {
  let server: RunningCodecServer;
  const lines: string[] = [];
  let encrypted: { metadata: Record<string, string>; data: string }[];

  before(async () => {
    const codec = new AesGcmCodec(keyRingFromKeys(currentKey, [oldKey]));
    server = await startCodecServer({ codec, access: new CodecAccess([TOKEN]), allowedOrigins: [UI_ORIGIN], log: (l) => lines.push(l) });
    const fromLastYear = await new AesGcmCodec(keyRingFromKeys(oldKey)).encode([converter.toPayload({ deploymentId: 'old-run' })]);
    const current = await codec.encode([converter.toPayload({ deploymentId: 'kenya-pilot', password: 'env:ODOO_PASSWORD' })]);
    encrypted = [...current, ...fromLastYear].map(asJson);
  });
  after(() => server?.close());

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body: JSON.stringify(body) });

  test('the CLI decodes with its bearer token, under any URL prefix, including payloads under a rotated-out key', async () => {
    const res = await post('/codec/default/decode?preserveStorageRefs=true', { payloads: encrypted }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const { payloads } = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.deepEqual(payloads.map(encodingOf), ['json/plain', 'json/plain']);
    assert.deepEqual(converter.fromPayload(fromJson(payloads[0]!)), { deploymentId: 'kenya-pilot', password: 'env:ODOO_PASSWORD' });
    assert.deepEqual(converter.fromPayload(fromJson(payloads[1]!)), { deploymentId: 'old-run' });
  });

  test('without a token, with a wrong one, or with the token not as a bearer, nothing is decoded', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: `Bearer ${randomBytes(32).toString('base64url')}` }, { authorization: TOKEN }, { cookie: `${SESSION_COOKIE}=123.abc` }];
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
    const encoded = (await (await post('/encode', { payloads: [plain] }, { authorization: `Bearer ${TOKEN}` })).json()) as { payloads: typeof encrypted };
    assert.equal(encodingOf(encoded.payloads[0]!), 'binary/encrypted');
    const decoded = (await (await post('/decode', encoded, { authorization: `Bearer ${TOKEN}` })).json()) as { payloads: typeof encrypted };
    assert.deepEqual(decoded.payloads[0], plain);
    assert.equal((await post('/encode', { payloads: [plain] })).status, 401);
  });

  test("the Temporal UI's preflight is allowed with credentials and its headers; other origins are refused", async () => {
    const preflight = await fetch(server.url + '/decode', {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.deepEqual(preflight.headers.get('access-control-allow-headers')?.split(', ').sort(), ['authorization', 'content-type', 'x-namespace']);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);

    const evil = await fetch(server.url + '/decode', { method: 'OPTIONS', headers: { origin: 'http://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(evil.status, 403);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    // Even with the token, a page from another origin gets nothing.
    const fromEvil = await post('/decode', { payloads: encrypted }, { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` });
    assert.equal(fromEvil.status, 403);
  });

  test('a browser signs in with the token and its HttpOnly session cookie then decodes for the UI', async () => {
    const wrong = await fetch(server.url + '/login', { method: 'POST', body: new URLSearchParams({ token: 'not-the-token-at-all' }), redirect: 'manual' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const signIn = await fetch(server.url + '/login', { method: 'POST', body: new URLSearchParams({ token: TOKEN }), redirect: 'manual' });
    assert.equal(signIn.status, 303);
    const setCookie = signIn.headers.get('set-cookie') ?? '';
    assert.match(setCookie, new RegExp(`^${SESSION_COOKIE}=\\d+\\.[\\w-]+; HttpOnly; SameSite=Strict; Path=/; Max-Age=\\d+`));
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

  test('a session ends when it expires or when the token is changed', () => {
    const access = new CodecAccess([TOKEN], 60);
    const now = Date.now();
    const session = access.newSession(now);
    assert.ok(access.sessionAllowed(session, now + 59_000));
    assert.ok(!access.sessionAllowed(session, now + 61_000));
    assert.ok(!new CodecAccess([randomBytes(32).toString('base64url')]).sessionAllowed(session, now));
    // While a new token is rolled out, sessions signed with the old one still count.
    assert.ok(new CodecAccess([randomBytes(32).toString('base64url'), TOKEN]).sessionAllowed(session, now));
    const [expiry, mac] = session.split('.');
    assert.ok(!access.sessionAllowed(`${Number(expiry) + 3600}.${mac}`, now), 'a later expiry cannot be forged');
  });

  test('a body that is not protobuf-JSON payloads is refused with 400', async () => {
    const res = await post('/decode', { payload: 'x' }, { authorization: `Bearer ${TOKEN}` });
    assert.equal(res.status, 400);
  });
});
