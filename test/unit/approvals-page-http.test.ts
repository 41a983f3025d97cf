// The approvals page's HTTP surface without a browser or Temporal: what it sends to any visitor
// (its own scripts only, no caching, no framing), and what it refuses before anything happens —
// requests from another origin, non-JSON bodies, decisions without a sign-in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { request } from 'undici';
import { startApprovalsPage, type RunningApprovalsPage } from '../../src/approvals-page/server.js';

let page: RunningApprovalsPage;
const ORIGIN = 'http://localhost:8235';

before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'g2p-approvals-http-'));
  const policyFile = join(dir, 'worker-policy.yaml');
  await writeFile(policyFile, JSON.stringify({ secretsDir: dir, identities: [] }), { mode: 0o600 });
  // No route exercised here reaches Temporal.
  const client = {} as Client;
  page = await startApprovalsPage({
    client,
    origin: ORIGIN,
    rpId: 'localhost',
    policyFile,
    host: '127.0.0.1',
    port: 0,
    sessionMinutes: 15,
    secureCookies: false,
  });
});

after(() => page?.close());

const post = (path: string, headers: Record<string, string>, body = '{}') =>
  request(`${page.url}${path}`, { method: 'POST', headers, body });

test('the sign-in page allows only its own scripts, is never cached and cannot be framed', async () => {
  const res = await request(`${page.url}/`);
  assert.equal(res.statusCode, 200);
  const html = await res.body.text();
  assert.match(html, /Sign in with your passkey/);
  assert.match(String(res.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.equal(res.headers['cache-control'], 'no-store');
  const bundle = await request(`${page.url}/assets/webauthn.js`);
  assert.match(
    await bundle.body.text(),
    /SimpleWebAuthnBrowser/,
    "SimpleWebAuthn's browser bundle is served by the page",
  );
});

test('requests from another origin, or not JSON, are refused before anything happens', async () => {
  const crossSite = await post('/api/signin/options', {
    origin: 'https://evil.example',
    'content-type': 'application/json',
  });
  assert.equal(crossSite.statusCode, 403);
  const noOrigin = await post('/api/signin/options', { 'content-type': 'application/json' });
  assert.equal(noOrigin.statusCode, 403);
  const form = await post(
    '/api/signin/options',
    { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    'a=b',
  );
  assert.equal(form.statusCode, 415);
});

test('a sign-in ceremony is bound to its browser by an HttpOnly SameSite=Strict cookie', async () => {
  const res = await post('/api/signin/options', { origin: ORIGIN, 'content-type': 'application/json' });
  assert.equal(res.statusCode, 200);
  const options = (await res.body.json()) as { challenge: string; rpId: string; userVerification: string };
  assert.equal(options.rpId, 'localhost');
  assert.equal(options.userVerification, 'required');
  assert.match(
    String(res.headers['set-cookie']),
    /^g2p_approvals_ceremony=[\w-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=300$/,
  );
});

test('decisions without a sign-in are refused', async () => {
  const res = await post(
    '/api/decisions/options',
    { origin: ORIGIN, 'content-type': 'application/json' },
    JSON.stringify({ workflowId: 'onboard-x', decision: 'approve' }),
  );
  assert.equal(res.statusCode, 401);
  assert.match(((await res.body.json()) as { error: string }).error, /sign in again/);
});
