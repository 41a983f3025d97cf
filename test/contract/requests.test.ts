// Contract tests: a full onboarding (twice: first run and re-run) on each registration path
// against the sandbox; every request the product sent and every answer the sandbox gave is
// checked against e-Signet's OpenAPI documents and the PMS / Odoo reference. If the sandbox
// drifted into accepting what the real systems refuse, or the clients into sending it, this fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index.js';
import type { RecordedRequest } from '../../sandbox/router.js';
import { PmsClient } from '../../src/clients/pms.js';
import { AuthmanagerClient } from '../../src/clients/authmanager.js';
import { newClientKey } from '../../src/activities/client-key.js';
import { sandboxSpec, testDeps, withLoginCheck } from '../helpers/fixtures.js';
import { EsignetOpenApi, OPENAPI_DIR, openApiAvailable, type EsignetDocVersion } from './openapi.js';
import { contractProblems } from './contract.js';
import { runLifecycle, runRunbook } from './runbook.js';
import { requirement } from '../helpers/requirements.js';

const skip = requirement(
  openApiAvailable()
    ? undefined
    : `e-Signet OpenAPI documents not found in ${OPENAPI_DIR} (CI lays shared/ beside the clone)`,
);

interface Scenario {
  name: string;
  registration: 'pms' | 'esignet';
  esignetVersion: EsignetDocVersion;
  odooVersion: 15 | 17;
  /** Routes the run must have used, so a scenario cannot pass by not calling what it covers. */
  mustUse: string[];
}

const SCENARIOS: Scenario[] = [
  {
    name: 'the PMS path (e-Signet 1.4.1, OpenG2P 1.x)',
    registration: 'pms',
    esignetVersion: '1.4.1',
    odooVersion: 15,
    mustUse: [
      'POST /v1/partnermanager/oidc/client',
      'PUT /v1/partnermanager/oidc/client/:client_id',
      'GET /v1/policymanager/policies/:policyId',
      'POST /v1/esignet/client-mgmt/oidc-client',
    ],
  },
  {
    name: "e-Signet's /client-mgmt/oidc-client (1.4.1, OpenG2P 1.x)",
    registration: 'esignet',
    esignetVersion: '1.4.1',
    odooVersion: 15,
    mustUse: ['POST /v1/esignet/client-mgmt/oidc-client', 'PUT /v1/esignet/client-mgmt/oidc-client/:client_id'],
  },
  {
    name: "e-Signet's /client-mgmt/client (1.7.0, OpenG2P 1.2+)",
    registration: 'esignet',
    esignetVersion: '1.7.0',
    odooVersion: 17,
    // No released OpenG2P logs in through e-Signet 1.7 (the login compatibility table): no login check here.
    mustUse: ['POST /v1/esignet/client-mgmt/client', 'PUT /v1/esignet/client-mgmt/client/:client_id'],
  },
];

/** Routes every run needs, whatever its path: the IDA certificate where a 1.2.0.1 deployment serves it. */
const EVERY_RUN_USES = [
  'GET /idauthentication/v1/internal/getCertificate',
  'POST /v1/partnermanager/partners/apikey/request/search',
  // Day two (runLifecycle): status changes on PMS.
  'PATCH /v1/partnermanager/partners/:partnerId',
  'PATCH /v1/partnermanager/partners/:partnerId/policy/:policyId/apiKey/status',
  'PUT /v1/partnermanager/misps',
];
/** Routes a run must not depend on (mosip-pms.md, "Observed on running servers" and §9). */
const NEVER_USED: [string, string][] = [
  [
    'GET /v1/partnermanager/partners/:partnerId/apikey/request',
    'PMS 1.2.0.1 fails it with a null pointer once the mapping is approved',
  ],
  [
    'GET /v1/keymanager/getCertificate',
    "the central keymanager has no IDA key policy (KER-KMS-002): IDA's certificate comes from IDA",
  ],
];

describe('every request and answer of a full run follows the real APIs', { skip }, () => {
  for (const scenario of SCENARIOS) {
    describe(scenario.name, () => {
      let sandbox: Sandbox;
      let doc: EsignetOpenApi;

      before(async () => {
        const options: SandboxOptions = { esignetVersion: scenario.esignetVersion, odooVersion: scenario.odooVersion };
        sandbox = await startSandbox(options);
        await sandbox.mosip.ready;
        doc = new EsignetOpenApi(scenario.esignetVersion);
        const spec = sandboxSpec(sandbox, `contract-${scenario.registration}-${scenario.odooVersion}`, (s) => {
          s.oidcClient.registration = scenario.registration;
          s.esignet.version = scenario.esignetVersion;
          if (scenario.esignetVersion === '1.7.0') s.openg2p.loginCompatibility = 'warn';
          else withLoginCheck(sandbox)(s);
        });
        const deps = await testDeps(sandbox);
        const first = await runRunbook(sandbox, spec, deps);
        const again = await runRunbook(sandbox, spec, deps);
        assert.equal(again.clientId, first.clientId, 'the re-run finds the same client');
        // Day two: key and credential rotation, then offboarding.
        await runLifecycle(spec, deps);
      });
      after(() => sandbox?.close());

      test('the run used the routes this scenario covers', () => {
        const used = new Set(sandbox.requests.map((r) => `${r.method} ${r.route ?? r.path}`));
        for (const route of [...scenario.mustUse, ...EVERY_RUN_USES])
          assert.ok(used.has(route), `${route} was not called`);
      });

      test('the run never calls what fails on a running 1.2.0.1 deployment', () => {
        const used = new Set(sandbox.requests.map((r) => `${r.method} ${r.route ?? r.path}`));
        for (const [route, why] of NEVER_USED) assert.ok(!used.has(route), `${route} was called: ${why}`);
      });

      test('each exchange matches its documented request and response', () => {
        const problems = sandbox.requests.flatMap((r) => contractProblems(r, doc));
        assert.deepEqual(problems, []);
      });
    });
  }
});

describe('the contract checks themselves', { skip }, () => {
  const doc141 = () => new EsignetOpenApi('1.4.1');
  const recorded = (r: Partial<RecordedRequest>): RecordedRequest => ({
    system: 'mosip',
    method: 'POST',
    path: '/v1/partnermanager/oidc/client',
    route: '/v1/partnermanager/oidc/client',
    status: 200,
    at: '',
    cookieNames: ['Authorization'],
    contentType: 'application/json',
    body: undefined,
    ...r,
  });
  const pmsCreate = (request: Record<string, unknown>) => ({
    id: 'x',
    version: '1.0',
    requesttime: '2024-01-01T10:00:00.000Z',
    metadata: {},
    request,
  });
  const okResponse = {
    id: null,
    version: null,
    responsetime: '2024-01-01T10:00:00.000Z',
    metadata: null,
    response: { clientId: 'c', status: 'ACTIVE' },
    errors: [],
  };
  const createFields = {
    name: 'OpenG2P',
    policyId: 'p1',
    publicKey: { kty: 'RSA', n: 'AQAB', e: 'AQAB' },
    logoUri: 'https://x.org/l.png',
    redirectUris: ['https://x.org/auth_oauth/signin'],
    grantTypes: ['authorization_code'],
    clientAuthMethods: ['private_key_jwt'],
  };

  test("the guide's `authParnterId` spelling is refused: PMS's DTO field is authPartnerId", () => {
    const typo = contractProblems(
      recorded({ body: pmsCreate({ ...createFields, authParnterId: 'p' }), response: okResponse }),
      doc141(),
    );
    assert.ok(
      typo.some((p) => /authPartnerId|authParnterId/.test(p)),
      typo.join('\n'),
    );
    assert.deepEqual(
      contractProblems(
        recorded({ body: pmsCreate({ ...createFields, authPartnerId: 'p' }), response: okResponse }),
        doc141(),
      ),
      [],
    );
  });

  test('a PMS call that carries its token as a Bearer header only is flagged', () => {
    const problems = contractProblems(
      recorded({
        cookieNames: [],
        authorizationScheme: 'Bearer',
        body: pmsCreate({ ...createFields, authPartnerId: 'p' }),
        response: okResponse,
      }),
      doc141(),
    );
    assert.ok(problems.some((p) => /Authorization cookie/.test(p)));
  });

  test('an e-Signet error keyed `message` (PMS style) instead of `errorMessage` is flagged', () => {
    const exchange = (error: Record<string, unknown>) =>
      recorded({
        system: 'esignet',
        method: 'POST',
        path: '/v1/esignet/client-mgmt/oidc-client',
        route: undefined,
        authorizationScheme: 'Bearer',
        cookieNames: [],
        body: {
          requestTime: '2024-01-01T10:00:00.000Z',
          request: {
            clientId: 'c',
            clientName: 'n',
            relyingPartyId: 'r',
            logoUri: 'https://x.org/l',
            redirectUris: ['https://x.org/cb'],
            authContextRefs: ['mosip:idp:acr:generated-code'],
            publicKey: {},
            userClaims: ['name'],
            grantTypes: ['authorization_code'],
            clientAuthMethods: ['private_key_jwt'],
          },
        },
        response: { responseTime: '2024-01-01T10:00:00.000Z', response: null, errors: [error] },
      });
    assert.deepEqual(
      contractProblems(exchange({ errorCode: 'duplicate_client_id', errorMessage: 'duplicate_client_id' }), doc141()),
      [],
    );
    assert.ok(
      contractProblems(exchange({ errorCode: 'duplicate_client_id', message: 'duplicate_client_id' }), doc141())
        .length > 0,
    );
  });

  test("a client id longer than e-Signet's code allows (100) is flagged, one within it is not", () => {
    const create = (clientId: string) =>
      recorded({
        system: 'esignet',
        path: '/v1/esignet/client-mgmt/oidc-client',
        authorizationScheme: 'Bearer',
        body: {
          requestTime: '2024-01-01T10:00:00.000Z',
          request: {
            clientId,
            clientName: 'n',
            relyingPartyId: 'r',
            logoUri: 'https://x.org/l',
            redirectUris: ['https://x.org/cb'],
            authContextRefs: ['mosip:idp:acr:generated-code'],
            publicKey: {},
            userClaims: ['individual_id'],
            grantTypes: ['authorization_code'],
            clientAuthMethods: ['private_key_jwt'],
          },
        },
        response: { responseTime: '2024-01-01T10:00:00.000Z', response: { clientId, status: 'ACTIVE' }, errors: [] },
      });
    assert.deepEqual(contractProblems(create('c'.repeat(80)), doc141()), []);
    assert.ok(contractProblems(create('c'.repeat(101)), doc141()).some((p) => /clientId/.test(p)));
  });
});

describe('PMS forwards to e-Signet and passes its refusals through', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await startSandbox();
    await sandbox.mosip.ready;
  });
  after(() => sandbox?.close());

  test("e-Signet's errorCode and errorMessage come back as PMS's errorCode and message", async () => {
    const spec = sandboxSpec(sandbox, 'passthrough', (s) => (s.oidcClient.registration = 'pms'));
    const deps = await testDeps(sandbox);
    await runRunbook(sandbox, spec, deps);
    const login = await new AuthmanagerClient(`${sandbox.urls.mosip}/v1/authmanager`).loginWithPassword({
      userName: sandbox.credentials.partnerAdminUser,
      password: sandbox.credentials.partnerAdminPassword,
      appId: 'partner',
      clientId: sandbox.credentials.mosipClientId,
      clientSecret: sandbox.credentials.mosipClientSecret,
    });
    const pms = new PmsClient(`${sandbox.urls.mosip}/v1/partnermanager`, login);
    const policyId = (await deps.credentials.read(spec.deploymentId)).apiKey!.policyId;
    const key = await newClientKey();
    // PMS checks only the list's size; e-Signet refuses the URI.
    await assert.rejects(
      pms.createOidcClient({
        name: 'OpenG2P',
        policyId,
        publicKey: key.publicJwk,
        authPartnerId: spec.partners.auth.id,
        logoUri: 'https://openg2p.org/logo.png',
        redirectUris: ['not a uri'],
        grantTypes: ['authorization_code'],
        clientAuthMethods: ['private_key_jwt'],
      }),
      (err: Error) => /^pms invalid_redirect_uri: .*request\.redirectUris.*invalid_redirect_uri/.test(err.message),
    );
    const clientsForKey = [...sandbox.mosip.oidcClients.records.values()].filter((c) =>
      c.publicKey.includes(String(key.publicJwk.n)),
    );
    assert.equal(clientsForKey.length, 0, 'PMS stores nothing e-Signet refused');
  });
});
