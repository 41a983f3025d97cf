// The sandbox's fault injector as a client sees it: what each fault kind does to a call, that
// "commit then fail" really commits, that rules can be narrowed to one deployment and counted,
// and that the control port is never faulted.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { parseFaultRule } from '../../sandbox/faults.js';
import { AuthmanagerClient } from '../../src/clients/authmanager.js';
import { PmsClient } from '../../src/clients/pms.js';
import { TransientRemoteError } from '../../src/clients/errors.js';
import { EsignetClient } from '../../src/clients/esignet.js';

const DISCOVERY = '/v1/esignet/oidc/.well-known/openid-configuration';

describe('sandbox fault injection', () => {
  let sandbox: Sandbox;
  let admin: PmsClient;
  let adminToken: string;
  let esignet: EsignetClient;

  before(async () => {
    sandbox = await startSandbox();
    const c = sandbox.credentials;
    adminToken = await new AuthmanagerClient(`${sandbox.urls.mosip}/v1/authmanager`).loginWithPassword({
      userName: c.partnerAdminUser,
      password: c.partnerAdminPassword,
      appId: 'partner',
      clientId: c.mosipClientId,
      clientSecret: c.mosipClientSecret,
    });
    admin = new PmsClient(`${sandbox.urls.mosip}/v1/partnermanager`, adminToken, {
      timeoutMs: 1_000,
      writeTimeoutMs: 1_000,
    });
    esignet = new EsignetClient(`${sandbox.urls.esignet}/v1/esignet`, { timeoutMs: 500 });
  });

  after(async () => {
    await sandbox?.close();
  });

  const register = (partnerId: string) =>
    admin.registerPartner({
      partnerId,
      organizationName: `Org ${partnerId}`,
      address: '1 Road',
      contactNumber: '+1000',
      emailId: `${partnerId}@faults.example`,
      partnerType: 'MISP_Partner',
    });

  test('the command-line syntax names route, body text, kind and mode', () => {
    assert.deepEqual(
      { ...parseFaultRule('POST /v1/partnermanager/partners ~"f-1"=commit-then-fail:0.5') },
      {
        method: 'POST',
        path: '/v1/partnermanager/partners',
        match: ['"f-1"'],
        kind: 'commit-then-fail',
        latencyMs: 1000,
        status: 503,
        rate: 0.5,
      },
    );
    assert.equal(parseFaultRule('/jsonrpc=latency-250:x3').latencyMs, 250);
    assert.equal(parseFaultRule('/jsonrpc=latency-250:x3').count, 3);
    assert.equal(parseFaultRule('GET /x=error-502:once').status, 502);
    assert.throws(() => parseFaultRule('POST /x=explode'), /unknown kind "explode"/);
    assert.throws(() => parseFaultRule('POST /x=hang:sometimes'), /mode "sometimes"/);
  });

  test('commit-then-fail registers the partner but the client sees a retryable 500', async () => {
    const rule = sandbox.faults.add('POST /v1/partnermanager/partners ~"ctf-1"=commit-then-fail:once');
    await assert.rejects(register('ctf-1'), (err) => err instanceof TransientRemoteError && err.httpStatus === 500);
    assert.equal(rule.injected, 1);
    assert.equal(sandbox.mosip.counts().partners['ctf-1'], 1, 'the write happened');
    assert.equal((await admin.getPartner('ctf-1'))?.partnerId, 'ctf-1');
    assert.equal(
      sandbox.requests.filter((r) => r.path === '/v1/partnermanager/partners').at(-1)?.fault,
      'commit-then-fail',
    );
  });

  test('a rule narrowed by body text leaves other deployments alone, and once means once', async () => {
    sandbox.faults.add('POST /v1/partnermanager/partners ~"narrow-b"=error:once');
    await register('narrow-a');
    await assert.rejects(register('narrow-b'), (err) => err instanceof TransientRemoteError && err.httpStatus === 503);
    assert.equal(sandbox.mosip.counts().partners['narrow-b'], undefined, 'an error fault does not run the handler');
    await register('narrow-b');
  });

  test('reset drops the connection; commit-then-reset drops it after the write, which is not sent again', async () => {
    // A read is tried three times before its error reaches the caller.
    const resets = sandbox.faults.add(`GET ${DISCOVERY}=reset:x3`);
    await assert.rejects(
      esignet.discovery(),
      (err) => err instanceof TransientRemoteError && /UND_ERR_SOCKET|ECONNRESET/.test(err.message),
    );
    assert.equal(resets.injected, 3);
    sandbox.faults.add('POST /v1/partnermanager/partners ~"ctr-1"=commit-then-reset:once');
    await assert.rejects(register('ctr-1'), TransientRemoteError);
    assert.equal(sandbox.mosip.counts().partners['ctr-1'], 1);
    assert.equal(
      sandbox.requests.filter(
        (r) => r.path === '/v1/partnermanager/partners' && JSON.stringify(r.body).includes('ctr-1'),
      ).length,
      1,
    );
  });

  test('hang never answers, so the client gives up at its own timeout', async () => {
    const rule = sandbox.faults.add(`${DISCOVERY}=hang:once`);
    const started = Date.now();
    await assert.rejects(
      esignet.discovery(),
      (err) => err instanceof TransientRemoteError && /TIMEOUT/.test(err.message),
    );
    await rule.firstHit;
    assert.ok(Date.now() - started >= 450, 'waited for the client timeout');
    assert.equal((await esignet.discovery()).issuer.length > 0, true, 'the next call is served');
  });

  test('commit-then-hang writes, then keeps the client waiting', async () => {
    sandbox.faults.add('POST /v1/partnermanager/partners ~"cth-1"=commit-then-hang:once');
    await assert.rejects(
      register('cth-1'),
      (err) => err instanceof TransientRemoteError && /TIMEOUT/.test(err.message),
    );
    assert.equal(sandbox.mosip.counts().partners['cth-1'], 1);
  });

  test('latency delays the answer; a client that leaves meanwhile never reaches the handler', async () => {
    sandbox.faults.add('POST /v1/partnermanager/partners ~"lat-1"=latency-2000:once');
    const impatient = new PmsClient(`${sandbox.urls.mosip}/v1/partnermanager`, adminToken, { writeTimeoutMs: 300 });
    await assert.rejects(
      impatient.registerPartner({
        partnerId: 'lat-1',
        organizationName: 'Org',
        address: '1 Road',
        contactNumber: '+1000',
        emailId: 'lat-1@faults.example',
        partnerType: 'MISP_Partner',
      }),
      (err) => err instanceof TransientRemoteError && /TIMEOUT/.test(err.message),
    );
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(sandbox.mosip.counts().partners['lat-1'], undefined, 'the abandoned request was dropped');
    sandbox.faults.add(`${DISCOVERY}=latency-200:once`);
    const started = Date.now();
    await esignet.discovery();
    assert.ok(Date.now() - started >= 190);
  });

  test('a read that meets a 5xx is tried again at once and succeeds', async () => {
    const rule = sandbox.faults.add(`GET ${DISCOVERY}=error:x2`);
    assert.ok((await esignet.discovery()).issuer);
    assert.equal(rule.injected, 2);
  });

  test('the control API sets and clears faults, and is never faulted itself', async () => {
    const control = (method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
      request(`${sandbox.urls.control}${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      }).then(async (res) => ({ status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> }));
    const set = await control('POST', '/faults', {
      rules: [`GET ${DISCOVERY}=error-502`],
      global: { rate: 1, kinds: ['error'] },
    });
    assert.equal(set.status, 201);
    await assert.rejects(esignet.discovery(), (err) => err instanceof TransientRemoteError && err.httpStatus === 502);
    assert.equal((await control('GET', '/counts')).status, 200, 'control port answers under a global rate of 1');
    assert.equal((await control('POST', '/faults', { rules: ['POST /x=explode'] })).status, 400);
    assert.equal((await control('DELETE', '/faults')).status, 200);
    await esignet.discovery();
    assert.deepEqual((await control('GET', '/faults')).body.rules, []);
  });
});
