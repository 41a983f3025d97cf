// What real MOSIP 1.2.0.1 and e-Signet 1.7.1 answered, as an operator meets it through the
// real activities against the sandbox: the IDA certificate read where MOSIP serves it, one
// fingerprint per certificate however its PEM is written, claims kept within the Auth policy,
// and a JWKS that is not there named for what it is.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { createActivities } from '../../src/activities/index.js';
import { certificateFingerprint, sha256Hex } from '../../src/security/fingerprint.js';
import { x509 } from '../../src/security/x509.js';
import { specRefusals } from '../../src/security/spec-admission.js';
import { parseWorkerPolicy } from '../../src/security/worker-policy.js';
import { parseSpec, validateSpec } from '../../src/spec/load.js';
import { projectRoot } from '../../src/project-root.js';
import { mosipServiceUrls } from '../../src/spec/derived.js';
import { SEEDED_BASIC_POLICY } from '../../sandbox/mosip/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { sandboxSpec, sandboxSpecInput, startTestSandbox, testDeps } from '../helpers/fixtures.js';
import { runRunbookStraight } from '../helpers/straight-runbook.js';

/** A blocking failure of `type`, with its message. */
async function blocked(attempt: Promise<unknown>, type: string): Promise<string> {
  let caught: unknown;
  await attempt.catch((err) => (caught = err));
  assert.ok(caught instanceof ApplicationFailure, `expected a failure, got ${String(caught)}`);
  assert.equal(caught.type, type, caught.message);
  assert.equal(caught.nonRetryable, true);
  return caught.message;
}

describe('onboarding against what real MOSIP 1.2.0.1 serves', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox();
    await sandbox.mosip.ready;
  });
  after(() => sandbox.close());

  test("the IDA partner certificate is read from IDA's internal API by default, so the prerequisites pass where keymanager has no IDA key policy", async () => {
    const mark = sandbox.requests.length;
    const report = await createActivities(await testDeps(sandbox)).verifyPrerequisites(
      sandboxSpec(sandbox, 'real-ida-default'),
    );
    const check = report.checks.find((c) => c.name === 'mosip.idaCertificate');
    assert.equal(check?.ok, true);
    assert.match(
      check!.evidence,
      /IDA's internal API at http:\/\/127\.0\.0\.1:\d+\/idauthentication\/v1\/internal serves the IDA\/PARTNER certificate/,
    );
    const called = sandbox.requests.slice(mark).map((r) => `${r.method} ${r.path}`);
    assert.ok(called.includes('GET /idauthentication/v1/internal/getCertificate'));
    assert.ok(!called.includes('GET /v1/keymanager/getCertificate'), 'keymanager is not asked for IDA');
  });

  test('a spec that sends the IDA certificate to keymanager is blocked at verifyPrerequisites with KER-KMS-002, as on a real deployment', async () => {
    const spec = sandboxSpec(sandbox, 'real-ida-keymanager', (s) => {
      s.mosip.idaCertificate = { source: 'keymanager' };
    });
    const message = await blocked(
      createActivities(await testDeps(sandbox)).verifyPrerequisites(spec),
      'PrerequisiteFailed',
    );
    assert.match(message, /mosip\.idaCertificate: keymanager KER-KMS-002/);
  });

  test("mosip.idaUrl names IDA's service, and the worker policy's hosts apply to it like to every other URL", async () => {
    const spec = sandboxSpec(sandbox, 'real-ida-url', (s) => {
      s.mosip.idaUrl = 'https://ida.example.test/idauthentication/v1/internal';
    });
    const sandboxHosts = [sandbox.urls.mosip, sandbox.urls.esignet, sandbox.urls.odoo].map((u) => new URL(u).host);
    const policy = parseWorkerPolicy(
      {
        secretsDir: 'secrets',
        deployments: [{ match: '*', hosts: sandboxHosts, privateNetworks: true }],
        identities: [],
      },
      'test policy',
    );
    const refusals = specRefusals(spec, policy);
    assert.deepEqual(
      refusals.map((r) => r.path),
      ['mosip.idaUrl'],
    );
    assert.match(refusals[0]!.message, /ida\.example\.test is not a host the worker policy allows/);
    const message = await blocked(createActivities(await testDeps(sandbox)).verifyPrerequisites(spec), 'EgressRefused');
    assert.match(message, /ida\.example\.test is not a host the worker policy allows/);
  });

  test('a certificate keeps one fingerprint over its DER bytes, however many newlines its PEM carries when read back', async () => {
    const spec = sandboxSpec(sandbox, 'real-fingerprints');
    const activities = createActivities(await testDeps(sandbox));
    const partner = await activities.createAuthPartner(spec);
    // PMS hands the same certificate back with one more trailing newline.
    const certificateId = sandbox.mosip.state.partners.get(spec.partners.auth.id)!.certificateAlias!;
    const record = sandbox.mosip.state.partnerCertificates.get(certificateId)!;
    record.signedCertificatePem = `${record.signedCertificatePem}\n`;
    const mapping = await activities.requestAuthPolicyMapping(spec);
    await activities.createMispPartner(spec);
    await activities.requestMispLicense(spec);
    sandbox.mosip.approveMapping(mapping.mappingKey);
    const credentials = await activities.collectCredentials(spec);
    assert.equal(credentials.signedPartnerCertificateFingerprint, partner.signedCertificateFingerprint);
    const der = new Uint8Array(new x509.X509Certificate(record.signedCertificatePem).rawData);
    assert.equal(partner.signedCertificateFingerprint, sha256Hex(der), 'SHA-256 over the DER, as openssl shows it');
  });

  test('certificateFingerprint ignores the PEM wrapping and trailing newlines, and tells certificates apart', async () => {
    const pem = (await import('../../src/security/partner-certificates.js')).generatePartnerCertificates;
    const { caCertificatePem, certificatePem } = await pem('Fingerprint Org', 'fp');
    const rewrapped = certificatePem.replace(/\n/g, '\r\n').replace(/\r\n-----END/, '\r\n\r\n-----END') + '\n\n';
    assert.equal(certificateFingerprint(rewrapped), certificateFingerprint(certificatePem));
    assert.notEqual(certificateFingerprint(caCertificatePem), certificateFingerprint(certificatePem));
    assert.throws(() => certificateFingerprint('not a certificate'), /not a PEM certificate/);
  });
});

describe('claims within the Auth policy (e-Signet path)', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox();
    await sandbox.mosip.ready;
  });
  after(() => sandbox.close());

  test("the guide's claims against a policy without address and photo block at verifyPrerequisites, naming the difference", async () => {
    const spec = sandboxSpec(sandbox, 'claims-block', (s) => {
      s.partners.auth.policy = SEEDED_BASIC_POLICY;
    });
    const message = await blocked(
      createActivities(await testDeps(sandbox)).verifyPrerequisites(spec),
      'PrerequisiteFailed',
    );
    assert.match(
      message,
      /oidcClient\.claims: oidcClient\.claims address, picture are not allowed by the Auth policy "openg2p-auth-basic-policy"/,
    );
    assert.match(message, /address \(needs addressLine1 or /);
    assert.match(message, /picture \(needs face\)/);
    assert.match(message, /claimsOutsidePolicy: drop/);
  });

  test('with claimsOutsidePolicy: drop the client is registered with the claims the policy allows, and a re-run keeps them', async () => {
    const spec = sandboxSpec(sandbox, 'claims-drop', (s) => {
      s.partners.auth.policy = SEEDED_BASIC_POLICY;
      s.oidcClient.claimsOutsidePolicy = 'drop';
    });
    const activities = createActivities(await testDeps(sandbox));
    const report = await activities.verifyPrerequisites(spec);
    assert.match(
      report.checks.find((c) => c.name === 'oidcClient.claims')!.evidence,
      /address, picture left out: not allowed/,
    );
    const approve = async (m: { mappingKey: string; status: string }) => {
      if (m.status === 'InProgress') sandbox.mosip.approveMapping(m.mappingKey);
    };
    const client = await runRunbookStraight(activities, spec, approve);
    assert.deepEqual(sandbox.esignet.clients.get(client.clientId)?.userClaims, [
      'birthdate',
      'gender',
      'name',
      'phone_number',
      'email',
    ]);
    const again = await runRunbookStraight(activities, spec, approve);
    assert.equal(again.adopted, true);
    assert.deepEqual(sandbox.esignet.clients.get(client.clientId)?.userClaims, [
      'birthdate',
      'gender',
      'name',
      'phone_number',
      'email',
    ]);
  });

  test('when the policy allows none of the claims, registration blocks as ClaimsOutsidePolicy and nothing reaches e-Signet', async () => {
    const spec = sandboxSpec(sandbox, 'claims-none', (s) => {
      s.partners.auth.policy = SEEDED_BASIC_POLICY;
      s.oidcClient.claims = ['picture', 'address'];
      s.oidcClient.claimsOutsidePolicy = 'drop';
    });
    const activities = createActivities(await testDeps(sandbox));
    const prerequisites = await blocked(activities.verifyPrerequisites(spec), 'PrerequisiteFailed');
    assert.match(prerequisites, /picture, address are not allowed/);
    // The Partner Admin narrowed the policy after the prerequisites passed: the registration itself refuses.
    const key = await activities.generateClientKey(spec.deploymentId);
    const before = sandbox.requests.filter((r) => r.system === 'esignet' && r.path.includes('/client-mgmt/')).length;
    const message = await blocked(activities.registerOidcClient(spec, key.publicJwk), 'ClaimsOutsidePolicy');
    assert.match(message, /picture \(needs face\)/);
    assert.equal(
      sandbox.requests.filter((r) => r.system === 'esignet' && r.path.includes('/client-mgmt/')).length,
      before,
    );
  });

  test('claims the policy allows pass, and the PMS path (claims taken from the policy) is not checked against the spec', async () => {
    const allowed = await createActivities(await testDeps(sandbox)).verifyPrerequisites(
      sandboxSpec(sandbox, 'claims-ok'),
    );
    assert.match(
      allowed.checks.find((c) => c.name === 'oidcClient.claims')!.evidence,
      /all 7 claims .* are allowed by the Auth policy "openg2p-auth-policy"/,
    );
    const pms = await createActivities(await testDeps(sandbox)).verifyPrerequisites(
      sandboxSpec(sandbox, 'claims-pms', (s) => {
        s.partners.auth.policy = SEEDED_BASIC_POLICY;
        s.oidcClient.registration = 'pms';
      }),
    );
    assert.equal(
      pms.checks.find((c) => c.name === 'oidcClient.claims'),
      undefined,
    );
  });
});

describe('claims and ACRs PMS derives from the Auth policy (PMS path)', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox();
    await sandbox.mosip.ready;
  });
  after(() => sandbox.close());

  /** The seeded basic policy with its KYC attributes or auth types replaced. */
  function narrowBasicPolicy(change: (policies: Record<string, unknown>) => void): void {
    const policy = [...sandbox.mosip.state.policies.values()].find((p) => p.name === SEEDED_BASIC_POLICY)!;
    policy.policies = structuredClone(policy.policies);
    change(policy.policies);
  }

  test('the prerequisites name the claims and ACRs PMS will register from the policy, not the spec', async () => {
    const report = await createActivities(await testDeps(sandbox)).verifyPrerequisites(
      sandboxSpec(sandbox, 'pms-claims', (s) => {
        s.partners.auth.policy = SEEDED_BASIC_POLICY;
        s.oidcClient.registration = 'pms';
      }),
    );
    const evidence = report.checks.find((c) => c.name === 'oidcClient.policyClaims')!.evidence;
    // The basic policy leaves out the face and the address: PMS will not register picture or address.
    assert.match(evidence, /PMS will register claims name, gender, birthdate, email, phone_number, individual_id/);
    assert.doesNotMatch(evidence, /picture|address/);
    assert.match(evidence, /ACRs mosip:idp:acr:generated-code, mosip:idp:acr:biometrics/);
  });

  test('a policy that yields no claim blocks at verifyPrerequisites with PMS_IDP_005 before any partner exists', async (t) => {
    const saved = structuredClone(
      [...sandbox.mosip.state.policies.values()].find((p) => p.name === SEEDED_BASIC_POLICY)!.policies,
    );
    t.after(() => narrowBasicPolicy((p) => Object.assign(p, saved)));
    narrowBasicPolicy((p) => {
      p.allowedKycAttributes = [{ attributeName: 'nickname' }];
      p.allowedAuthTypes = [{ authType: 'demo', authSubType: '', mandatory: false }];
    });
    const spec = sandboxSpec(sandbox, 'pms-no-claims', (s) => {
      s.partners.auth.policy = SEEDED_BASIC_POLICY;
      s.oidcClient.registration = 'pms';
    });
    const message = await blocked(
      createActivities(await testDeps(sandbox)).verifyPrerequisites(spec),
      'PrerequisiteFailed',
    );
    assert.match(message, /oidcClient\.policyClaims: .*allows no KYC attribute behind a claim e-Signet supports/);
    assert.match(message, /allows no auth type that maps to an ACR/);
    assert.match(message, /PMS_IDP_005/);
    assert.equal(sandbox.mosip.state.partners.has(spec.partners.auth.id), false);
  });
});

describe('an e-Signet without its UI front', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startTestSandbox({ esignetWithoutUiFront: true });
  });
  after(() => sandbox.close());

  test("a jwks_uri answering HTTP 200 with an empty body blocks naming the URL, the empty body and e-Signet's mosip.esignet.jwks-uri", async () => {
    const message = await blocked(
      createActivities(await testDeps(sandbox)).verifyPrerequisites(sandboxSpec(sandbox, 'no-ui-front')),
      'PrerequisiteFailed',
    );
    const front = `${sandbox.urls.esignet}/.well-known/jwks.json`;
    assert.ok(message.includes(`esignet.jwks: esignet GET ${front}`), message);
    assert.ok(message.includes(`jwks_uri ${front} answered HTTP 200 with an empty body`), message);
    assert.ok(
      message.includes(
        `set e-Signet's mosip.esignet.jwks-uri to ${sandbox.urls.esignet}/v1/esignet/oauth/.well-known/jwks.json`,
      ),
      message,
    );
    assert.doesNotMatch(message, /body is not JSON/);
  });
});

describe('the spec for a real 1.2.0.1 deployment', () => {
  test("examples/mosip-1.2.0.1.yaml, written from the README, passes every prerequisite but the login compatibility once its hosts, names and secrets are a deployment's", async () => {
    const sandbox = await startTestSandbox({ esignetVersion: '1.7.1' });
    try {
      const c = sandbox.credentials;
      const secrets: Record<string, string> = {
        'file:mosip-client-secret': 'env:G2P_SECRET_MOSIP_CLIENT_SECRET',
        'file:partner-admin-password': 'env:G2P_SECRET_PARTNER_ADMIN_PASSWORD',
        'file:ida-client-secret': 'env:G2P_SECRET_IDA_CLIENT_SECRET',
        'file:esignet-client-secret': 'env:G2P_SECRET_ESIGNET_CLIENT_SECRET',
        'file:odoo-password': 'env:G2P_SECRET_ODOO_PASSWORD',
        'file:auth-partner-password': 'env:G2P_SECRET_PARTNER_PASSWORD',
      };
      const text = (await readFile(join(projectRoot, 'examples', 'mosip-1.2.0.1.yaml'), 'utf8'))
        .replaceAll('https://api-internal.mosip.example.org', sandbox.urls.mosip)
        .replaceAll('https://iam.mosip.example.org', sandbox.urls.mosip)
        .replaceAll('https://esignet.mosip.example.org', sandbox.urls.esignet)
        .replaceAll('https://openg2p.example.org', sandbox.urls.odoo)
        .replace(/file:[\w-]+/g, (ref) => secrets[ref] ?? ref)
        .replace('clientId: mosip-ida-client', `clientId: ${c.idaClientId}`)
        .replace('userName: partneradmin', `userName: ${c.partnerAdminUser}`)
        .replace(
          /clientId: mosip-pms-client\n  clientSecret: env:G2P_SECRET_MOSIP/,
          `clientId: ${c.mosipClientId}\n  clientSecret: env:G2P_SECRET_MOSIP`,
        )
        .replace(
          /clientId: mosip-pms-client\n    clientSecret: env:G2P_SECRET_ESIGNET/,
          `clientId: ${c.esignetClientMgmtClientId}\n    clientSecret: env:G2P_SECRET_ESIGNET`,
        )
        .replace('database: openg2p', `database: ${c.odooDatabase}`)
        .replace('login: admin', `login: ${c.odooLogin}`);
      const spec = parseSpec(text, 'examples/mosip-1.2.0.1.yaml');
      sandbox.addPartnerUser(spec.partners.auth.id);
      // e-Signet 1.7.1 (the release observed with MOSIP 1.2.0.1) refuses OpenG2P's assertion and signs PS256.
      await assert.rejects(
        createActivities(await testDeps(sandbox)).verifyPrerequisites(spec),
        (err: Error & { type?: string }) => {
          assert.equal(err.type, 'LoginIncompatible');
          assert.match(err.message, /^e-Signet 1\.7\.1 with OpenG2P 1\.x .*cannot complete a private_key_jwt login/);
          return true;
        },
      );
      const warned = { ...spec, openg2p: { ...spec.openg2p, loginCompatibility: 'warn' as const } };
      const report = await createActivities(await testDeps(sandbox)).verifyPrerequisites(warned);
      assert.deepEqual(
        report.checks.filter((check) => !check.ok),
        [],
      );
      assert.ok(report.checks.find((check) => check.name === 'login.compatibility')?.warning);
      assert.ok(
        report.checks.some(
          (check) => check.name === 'mosip.idaCertificate' && /IDA's internal API/.test(check.evidence),
        ),
      );
    } finally {
      await sandbox.close();
    }
  });

  test("defaults read the IDA certificate from IDA's internal API behind the gateway and keep the guide's claims within the policy", () => {
    const input = sandboxSpecInput(
      {
        urls: {
          mosip: 'https://api-internal.mosip.example.org',
          esignet: 'https://esignet.mosip.example.org',
          odoo: 'https://openg2p.example.org',
        },
        credentials: {
          mosipClientId: 'mosip-pms-client',
          partnerAdminUser: 'partneradmin',
          idaClientId: 'mosip-ida-client',
          esignetClientMgmtClientId: 'mosip-pms-client',
          odooDatabase: 'openg2p',
          odooLogin: 'admin',
        },
      } as unknown as Sandbox,
      'openg2p-real',
    );
    const spec = validateSpec(input, 'real spec');
    assert.deepEqual(spec.mosip.idaCertificate, { applicationId: 'IDA', referenceId: 'PARTNER', source: 'ida' });
    assert.equal(
      mosipServiceUrls(spec.mosip).ida,
      'https://api-internal.mosip.example.org/idauthentication/v1/internal',
    );
    assert.equal(spec.oidcClient.claimsOutsidePolicy, 'block');
  });
});
