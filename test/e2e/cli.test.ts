// End to end: the CLI, the worker, the codec server and the sandbox as separate processes, as a
// user runs them. The CLI holds no key ring (its G2P_ONBOARD_CODEC_KEYS names no file): it
// encodes and decodes through the codec server with the user's own token.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { startDevServer, claimPort, type DevServer } from '../../scripts/temporal/dev-server.js';
import { projectRoot } from '../../src/project-root.js';
import { startProcess, type ManagedProcess } from '../../scripts/processes.js';
import { writeLoopbackPolicyFile } from '../helpers/loopback-policy.js';

const run = promisify(execFile);
const CLI = join(projectRoot, 'dist', 'src', 'cli', 'main.js');

let dir: string;
let server: DevServer;
let sandbox: ManagedProcess;
let ports: { mosip: number; esignet: number; odoo: number; control: number };
let worker: ManagedProcess;
let codecServer: ManagedProcess;
let codecUrl: string;
/** The staff member's own codec server token (the server's token file lists it under e2e-staff). */
const staffToken = randomBytes(32).toString('base64url');
/** The CLI's environment: Temporal, the codec server and the user's token; no key ring. */
let env: NodeJS.ProcessEnv;
let specFile: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWith(env, ...args);
}

async function cliWith(
  cliEnv: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: cliEnv, cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'g2p-onboard-e2e-'));
  server = await startDevServer({ ui: false });
  ports = {
    mosip: await claimPort(0, '127.0.0.1', 'mosip'),
    esignet: await claimPort(0, '127.0.0.1', 'esignet'),
    odoo: await claimPort(0, '127.0.0.1', 'odoo'),
    control: await claimPort(0, '127.0.0.1', 'control'),
  };
  const secrets = join(dir, 'secrets');
  sandbox = await startProcess(
    'sandbox',
    process.execPath,
    [
      join(projectRoot, 'dist/sandbox/main.js'),
      '--mosip-port',
      String(ports.mosip),
      '--esignet-port',
      String(ports.esignet),
      '--odoo-port',
      String(ports.odoo),
      '--control-port',
      String(ports.control),
      '--secrets-dir',
      secrets,
      '--deployment',
      'e2e',
      '--partner-user',
      'e2e-auth',
    ],
    { readyLine: /credentials written/ },
  );
  await writeFile(join(dir, 'codec-keys'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  // The people: e2e-staff starts, alice approves, ops-e2e operates; mallory is nobody.
  const people: Record<string, string[]> = {
    'e2e-staff': ['initiator'],
    alice: ['approver'],
    'ops-e2e': ['operator'],
    mallory: [],
  };
  const identities = [];
  for (const [name, roles] of Object.entries(people)) {
    const pair = generateKeyPairSync('ed25519');
    await writeFile(join(dir, `${name}.pem`), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    if (roles.length)
      identities.push({ name, roles, publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) });
  }
  const policyFile = join(dir, 'worker-policy.yaml');
  await writeFile(
    policyFile,
    stringify({
      secretsDir: 'secrets',
      deployments: [{ match: '*', hosts: ['127.0.0.1'], privateNetworks: true }],
      identities,
    }),
    { mode: 0o600 },
  );
  // The key ring is where the workers and the codec server run; each user has a token of their own.
  const keyHolder = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    G2P_ONBOARD_CODEC_KEYS: `file:${join(dir, 'codec-keys')}`,
  };
  await writeFile(
    join(dir, 'codec-server-tokens'),
    `# one line per user\ne2e-staff ${staffToken}\nauditor ${randomBytes(32).toString('base64url')}\n`,
    { mode: 0o600 },
  );
  await writeFile(join(dir, 'my-codec-token'), `${staffToken}\n`, { mode: 0o600 });
  codecServer = await startProcess(
    'codec-server',
    process.execPath,
    [join(projectRoot, 'dist/scripts/codec-server.js')],
    {
      env: {
        ...keyHolder,
        G2P_ONBOARD_CODEC_SERVER_TOKEN: `file:${join(dir, 'codec-server-tokens')}`,
        G2P_ONBOARD_CODEC_SERVER_PORT: '0',
      },
      cwd: dir,
      readyLine: /^press Ctrl-C to stop/,
    },
  );
  codecUrl = /^codec server:\s+(\S+)/m.exec(codecServer.output.join('\n'))![1]!;
  worker = await startProcess('worker', process.execPath, [join(projectRoot, 'dist/src/worker.js')], {
    env: { ...keyHolder, G2P_ONBOARD_CREDENTIALS_DIR: join(dir, 'credentials'), G2P_ONBOARD_POLICY: policyFile },
    cwd: dir,
    readyLine: /g2p-onboard worker:/,
    timeoutMs: 60_000,
  });
  env = {
    ...process.env,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    // Proof the CLI never loads a key ring: there is none where this points.
    G2P_ONBOARD_CODEC_KEYS: `file:${join(dir, 'no-key-ring-on-staff-machines')}`,
    TEMPORAL_CODEC_ENDPOINT: codecUrl,
    G2P_ONBOARD_CODEC_SERVER_TOKEN: `file:${join(dir, 'my-codec-token')}`,
    G2P_ONBOARD_USER: 'e2e-staff',
    G2P_ONBOARD_KEY: join(dir, 'e2e-staff.pem'),
    // validate --policy reads the same policy the worker runs with.
    G2P_ONBOARD_POLICY: policyFile,
  };
  const m = `http://127.0.0.1:${ports.mosip}`;
  const spec = {
    deploymentId: 'e2e',
    mosip: {
      apiBaseUrl: m,
      version: '1.2.0.1',
      clientId: 'mosip-pms-client',
      clientSecret: 'file:mosip-client-secret',
      partnerAdmin: { userName: 'partneradmin', password: 'file:partner-admin-password' },
      certificateReader: { clientId: 'mosip-ida-client', clientSecret: 'file:ida-client-secret' },
    },
    esignet: {
      baseUrl: `http://127.0.0.1:${ports.esignet}/v1/esignet`,
      version: '1.4.1',
      clientManagement: {
        tokenUrl: `${m}/auth/realms/mosip/protocol/openid-connect/token`,
        clientId: 'mosip-pms-client',
        clientSecret: 'file:esignet-client-secret',
      },
    },
    openg2p: {
      url: `http://127.0.0.1:${ports.odoo}`,
      database: 'openg2p',
      login: 'admin',
      password: 'file:odoo-password',
    },
    partners: {
      auth: {
        id: 'e2e-auth',
        organisation: 'E2E Org',
        address: 'Street 1',
        contactNumber: '+1000',
        email: 'auth@e2e.example',
        policyGroup: 'openg2p-policy-group',
        policy: 'openg2p-auth-policy',
        password: 'file:partner-password',
      },
      misp: {
        id: 'e2e-misp',
        organisation: 'E2E Org',
        address: 'Street 1',
        contactNumber: '+1001',
        email: 'misp@e2e.example',
      },
    },
    oidcClient: { name: 'OpenG2P E2E', logoUri: 'https://openg2p.org/logo.png' },
    approval: { approvers: [{ name: 'alice' }], pollInterval: '1s' },
    verification: { individualId: '8267411571', otp: 'file:verification-otp' },
  };
  specFile = join(dir, 'e2e.yaml');
  await writeFile(specFile, stringify(spec));
});

after(async () => {
  await worker?.stop();
  await codecServer?.stop();
  await sandbox?.stop();
  await server?.stop();
});

test('validate lists every problem of a bad spec with exit code 2', async () => {
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'deploymentId: Bad Id\nmosip: {}\n');
  const res = await cli('validate', bad);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /deploymentId \(line 1\)/);
  assert.match(res.stderr, /mosip\.apiBaseUrl/);
  assert.match(res.stderr, /nothing was started/);
  assert.equal((await cli('validate', specFile)).code, 0);
});

test('a user starts, is refused a second start, approves and watches a run to completion', async () => {
  // The plan of a deployment nothing was done for: everything to create (exit 8), nothing touched.
  const planned = await cli('plan', specFile);
  assert.equal(planned.code, 8, planned.stderr + planned.stdout);
  assert.match(planned.stdout, /plan for deployment e2e \(read [^)]+\): 9 create, 1 in sync/);
  console.log(planned.stdout);
  const started = await cli('start', specFile, '--plan');
  assert.equal(started.code, 0, started.stderr);
  assert.match(started.stdout, /\+ create\s+Auth partner\s+e2e-auth/);
  assert.match(started.stdout, /started onboard-e2e/);

  const again = await cli('start', specFile);
  assert.equal(again.code, 3);
  assert.match(again.stderr, /already running/);

  let status: { phase: string } | undefined;
  for (let i = 0; i < 100 && status?.phase !== 'awaiting_approval'; i++) {
    const res = await cli('status', 'e2e', '--output', 'json');
    assert.equal(res.code, 0, res.stderr);
    status = JSON.parse(res.stdout);
    if (status?.phase !== 'awaiting_approval') await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(status?.phase, 'awaiting_approval');
  // Visibility is eventually consistent: give the search attributes a moment to be indexed.
  const listed = async (...args: string[]) => {
    for (let i = 0; i < 30; i++) {
      const rows = JSON.parse((await cli('list', ...args, '--output', 'json')).stdout) as { workflowId: string }[];
      if (rows.some((r) => r.workflowId === 'onboard-e2e')) return true;
      await new Promise((r) => setTimeout(r, 300));
    }
    return false;
  };
  assert.ok(await listed('--pending-approval'), 'list --pending-approval shows the waiting run');
  // Whom a waiting run asks: the approvals page lists the same runs for the signed-in approver.
  assert.ok(
    await listed('--pending-approval', '--approver', 'alice'),
    'the waiting run is listed for alice, whom it asks',
  );
  const notAsked = JSON.parse(
    (await cli('list', '--pending-approval', '--approver', 'carol', '--output', 'json')).stdout,
  ) as { workflowId: string }[];
  assert.ok(!notAsked.some((r) => r.workflowId === 'onboard-e2e'), 'nor for carol, whom it does not ask');
  // The PMS watch (1 s poll here) leaves no history; status reads its progress from Temporal.
  let watch: { checks: number; lastOutcome?: string; nextCheckAt?: string } | undefined;
  for (let i = 0; i < 50 && !(watch && watch.checks >= 2); i++) {
    watch = (JSON.parse((await cli('status', 'e2e', '--output', 'json')).stdout) as { pmsWatch?: typeof watch })
      .pmsWatch;
    if (!(watch && watch.checks >= 2)) await new Promise((r) => setTimeout(r, 300));
  }
  assert.ok(watch && watch.checks >= 2, `PMS was checked repeatedly (${JSON.stringify(watch)})`);
  assert.equal(watch.lastOutcome, 'MappingStillPending');
  // The count is PMS's own: the mapping searches it received from the wait's start to the last check's end.
  const shown = JSON.parse((await cli('status', 'e2e', '--output', 'json')).stdout) as {
    steps: { name: string; startedAt?: string }[];
    pmsWatch: { checks: number; lastCheckAt: string };
  };
  const waitBegan = Date.parse(shown.steps.find((s) => s.name === 'awaitApproval')!.startedAt!);
  const requests = (await (await fetch(`http://127.0.0.1:${ports.control}/requests?system=mosip`)).json()) as {
    route?: string;
    at: string;
  }[];
  const searches = requests.filter(
    (r) =>
      r.route === '/v1/partnermanager/partners/apikey/request/search' &&
      Date.parse(r.at) >= waitBegan &&
      Date.parse(r.at) <= Date.parse(shown.pmsWatch.lastCheckAt),
  );
  assert.equal(
    searches.length,
    shown.pmsWatch.checks,
    `status counts the checks PMS saw (${JSON.stringify(shown.pmsWatch)})`,
  );
  const text = await cli('status', 'e2e');
  assert.match(text.stdout, /g2p-onboard approve e2e --as <approver>/);
  // The build the worker names at start is the one status says started the run and runs it.
  const build = /, build (\S+)$/.exec(worker.output.find((l) => l.startsWith('g2p-onboard worker:')) ?? '')?.[1];
  assert.match(build ?? '', /^\d+\.\d+\.\d+\+[0-9a-f]{12}$/, 'the worker logs its build at start');
  assert.ok(text.stdout.split('\n').includes(`build: ${build}`), text.stdout);
  // Between checks the next one is shown; during one (a 1 s poll makes that likely) that it runs.
  assert.match(
    text.stdout,
    /PMS: {7}checked \d+ time\(s\), last \S+: still in progress; (next check \S+|checking again now)\n/,
  );

  const intruder = await cli('approve', 'e2e', '--as', 'mallory', '--key', join(dir, 'mallory.pem'));
  assert.equal(intruder.code, 3);
  assert.match(intruder.stderr, /mallory is not an approver/);

  const forged = await cli('approve', 'e2e', '--as', 'alice', '--key', join(dir, 'mallory.pem'));
  assert.equal(forged.code, 3);
  assert.match(forged.stderr, /signature does not verify with alice's public key/);

  const unsigned = await cli('approve', 'e2e', '--as', 'alice');
  assert.equal(unsigned.code, 2);
  assert.match(unsigned.stderr, /needs --key/);

  const approved = await cli(
    'approve',
    'e2e',
    '--as',
    'alice',
    '--key',
    join(dir, 'alice.pem'),
    '--comment',
    'ok',
    '--output',
    'json',
  );
  assert.equal(approved.code, 0, approved.stderr);
  assert.deepEqual(
    (({ workflowId, approver, decision, comment }) => ({ workflowId, approver, decision, comment }))(
      JSON.parse(approved.stdout) as Record<string, unknown>,
    ),
    { workflowId: 'onboard-e2e', approver: 'alice', decision: 'approve', comment: 'ok' },
  );

  const watched = await cli('watch', 'e2e');
  assert.equal(watched.code, 0, watched.stderr + watched.stdout);
  assert.match(watched.stdout, /outcome\s+completed/);
  assert.match(watched.stdout, /OIDC client id\s+e2e-/);

  const audit = await cli('audit', 'e2e', '--verify', '--output', 'json');
  assert.equal(audit.code, 0, audit.stderr);
  const exported = JSON.parse(audit.stdout) as {
    source: string;
    entries: { event: string; actor?: string; verified?: boolean }[];
  };
  // The old spelling still works, with a warning naming the new one.
  const formatted = await cli('audit', 'e2e', '--format', 'json');
  assert.equal(formatted.code, 0, formatted.stderr);
  assert.equal((JSON.parse(formatted.stdout) as { workflowId: string }).workflowId, 'onboard-e2e');
  assert.match(formatted.stderr, /--format is deprecated; use --output json/);
  assert.equal(exported.source, 'history');
  const decision = exported.entries.find((e) => e.event === 'approval.approve');
  assert.equal(decision?.actor, 'alice');
  assert.equal(decision?.verified, true);

  // The plan the run was started on is in its audit trail, bound to the signed start.
  const auditText = await cli('audit', 'e2e');
  assert.match(auditText.stdout, /run\.started[^\n]*\[plan \S+…: 9 create, 1 in sync\]/);
  // Onboarded: the plan finds everything in sync (exit 0), and the drift watch is scheduled.
  const inSync = await cli('plan', specFile);
  assert.equal(inSync.code, 0, inSync.stderr + inSync.stdout);
  assert.match(inSync.stdout, /: 10 in sync\n/);
  console.log(inSync.stdout);
  const driftWatch = await cli('drift-watch', 'e2e', 'show');
  assert.equal(driftWatch.code, 0, driftWatch.stderr);
  assert.match(driftWatch.stdout, /drift watch drift-watch-e2e of e2e: active/);
  // Changing it is an operator's signed command, checked by the worker: staff are refused (exit 3).
  const notOps = await cli('drift-watch', 'e2e', 'pause', '--comment', 'mine now');
  assert.equal(notOps.code, 3, notOps.stderr + notOps.stdout);
  assert.match(notOps.stderr, /refused/);
  const paused = await cli(
    'drift-watch',
    'e2e',
    'pause',
    '--as',
    'ops-e2e',
    '--key',
    join(dir, 'ops-e2e.pem'),
    '--comment',
    'maintenance',
  );
  assert.equal(paused.code, 0, paused.stderr);
  assert.match(paused.stdout, /drift-watch-e2e of e2e: PAUSED \(pause by ops-e2e: maintenance\)/);
  const checked = await cli('check', 'e2e');
  console.log(checked.stdout);

  assert.ok(await listed('--approver', 'alice'), 'list --approver alice finds the run she approved');
  const list = await cli('list', '--output', 'json');
  const rows = JSON.parse(list.stdout) as { workflowId: string; status: string; state: string }[];
  assert.ok(rows.some((r) => r.workflowId === 'onboard-e2e' && r.status === 'COMPLETED' && r.state === 'completed'));
});

// History holds failure messages encrypted (test/workflow/secrets.test.ts); status must still show the real one.
test('a blocked run shows its real error in status', async () => {
  const missingRef = 'env:G2P_SECRET_E2E_PASSWORD_NOT_ON_THE_WORKER';
  const spec = parse(await readFile(specFile, 'utf8')) as { deploymentId: string; openg2p: { password: string } };
  spec.deploymentId = 'e2e-blocked';
  spec.openg2p.password = missingRef;
  const blockedFile = join(dir, 'e2e-blocked.yaml');
  await writeFile(blockedFile, stringify(spec));
  const started = await cli('start', blockedFile);
  assert.equal(started.code, 0, started.stderr);

  let phase: string | undefined;
  for (let i = 0; i < 100 && phase !== 'blocked'; i++) {
    phase = (JSON.parse((await cli('status', 'e2e-blocked', '--output', 'json')).stdout) as { phase: string }).phase;
    if (phase !== 'blocked') await new Promise((r) => setTimeout(r, 300));
  }
  assert.equal(phase, 'blocked');
  const text = await cli('status', 'e2e-blocked');
  assert.match(text.stdout, /BLOCKED at verifyPrerequisites: SecretUnavailable/);
  assert.ok(text.stdout.includes(missingRef), text.stdout);
  assert.doesNotMatch(text.stdout, /Encoded failure/);
  // watch stops at a blocked run with exit 5 and what to do, instead of waiting silently.
  const watched = await cli('watch', 'e2e-blocked');
  assert.equal(watched.code, 5, watched.stderr);
  assert.match(watched.stdout, /BLOCKED at verifyPrerequisites[\s\S]*what to do[\s\S]*--follow/);

  // retry --spec shows the plan of the change before it sends the retry (nothing finished yet: nothing re-applied).
  const corrected = {
    ...spec,
    oidcClient: {
      name: 'OpenG2P E2E',
      logoUri: 'https://openg2p.org/logo.png',
      extraRedirectUris: ['https://portal.example/cb'],
    },
  };
  const correctedFile = join(dir, 'e2e-blocked-corrected.yaml');
  await writeFile(correctedFile, stringify(corrected));
  const retried = await cli(
    'retry',
    'e2e-blocked',
    '--spec',
    correctedFile,
    '--as',
    'ops-e2e',
    '--key',
    join(dir, 'ops-e2e.pem'),
  );
  assert.equal(retried.code, 0, retried.stderr + retried.stdout);
  assert.match(
    retried.stdout,
    /changes no input of a finished step: nothing is re-applied\nthen verifyPrerequisites runs again/,
  );
  assert.match(
    retried.stdout,
    /plan for deployment e2e-blocked[\s\S]*\? cannot check\s+OpenG2P provider[\s\S]*resumed by ops-e2e/,
  );
  for (let i = 0, p = ''; i < 100 && p !== 'blocked'; i++) {
    p = (JSON.parse((await cli('status', 'e2e-blocked', '--output', 'json')).stdout) as { phase: string }).phase;
    if (p !== 'blocked') await new Promise((r) => setTimeout(r, 300));
  }

  const aborted = await cli(
    'abort',
    'e2e-blocked',
    '--as',
    'ops-e2e',
    '--key',
    join(dir, 'ops-e2e.pem'),
    '--comment',
    'e2e done',
  );
  assert.equal(aborted.code, 0, aborted.stderr);
  // Told apart from a completed onboarding in `list`, and no longer advised to retry or abort.
  let state: string | undefined;
  for (let i = 0; i < 50 && state !== 'aborted'; i++) {
    const rows = JSON.parse((await cli('list', '--deployment', 'e2e-blocked', '--output', 'json')).stdout) as {
      state: string;
    }[];
    state = rows[0]?.state;
    if (state !== 'aborted') await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(state, 'aborted');
  const after = await cli('status', 'e2e-blocked');
  assert.doesNotMatch(after.stdout, /g2p-onboard retry/);
  const again = await cli(
    'abort',
    'e2e-blocked',
    '--as',
    'ops-e2e',
    '--key',
    join(dir, 'ops-e2e.pem'),
    '--comment',
    'again',
  );
  assert.equal(again.code, 3, again.stderr);
  assert.match(again.stderr, /has ended \(aborted\)/);
});

test('a run the worker refuses (an approver its registry does not know) is reported by status as refused, exit 3', async () => {
  const spec = parse(await readFile(specFile, 'utf8')) as {
    deploymentId: string;
    approval: { approvers: { name: string }[] };
  };
  spec.deploymentId = 'e2e-refused';
  spec.approval.approvers = [{ name: 'mallory' }];
  const file = join(dir, 'e2e-refused.yaml');
  await writeFile(file, stringify(spec));
  assert.equal((await cli('start', file)).code, 0);
  let res = await cli('status', 'e2e-refused');
  for (let i = 0; i < 50 && res.code !== 3; i++) {
    await new Promise((r) => setTimeout(r, 200));
    res = await cli('status', 'e2e-refused');
  }
  assert.equal(res.code, 3, res.stderr);
  assert.match(
    res.stderr,
    /refused by the worker before anything was touched: .*mallory is not an approver in the worker's identity registry/,
  );
});

test('an unknown run is reported with exit code 4', async () => {
  const res = await cli('status', 'no-such-deployment');
  assert.equal(res.code, 4, res.stderr);
});

test("the CLI works without the key ring, and the codec server logs each of its decodes under the user's name, never the token", async () => {
  const before = codecServer.output.length;
  const res = await cli('status', 'e2e', '--output', 'json');
  assert.equal(res.code, 0, res.stderr);
  assert.equal((JSON.parse(res.stdout) as { phase: string }).phase, 'completed');
  const logged = codecServer.output.slice(before);
  assert.ok(
    logged.some((l) =>
      /^codec-server: decode \d+ payload\(s\) for e2e-staff \(token\) at \/decode \(namespace default\)$/.test(l),
    ),
    logged.join('\n'),
  );
  assert.ok(
    codecServer.output.every((l) => !l.includes(staffToken)),
    'the token is never logged',
  );
});

test('without a codec server the CLI stops with exit 1, naming the endpoint and the setting to fix; nothing is started', async () => {
  const nobody = `http://127.0.0.1:${await claimPort(0, '127.0.0.1', 'no codec server')}`;
  const status = await cliWith({ ...env, TEMPORAL_CODEC_ENDPOINT: nobody }, 'status', 'e2e');
  assert.equal(status.code, 1, status.stderr);
  assert.match(
    status.stderr,
    new RegExp(`cannot reach the codec server at ${nobody} \\(ECONNREFUSED\\).*TEMPORAL_CODEC_ENDPOINT`),
  );

  const spec = parse(await readFile(specFile, 'utf8')) as { deploymentId: string };
  spec.deploymentId = 'e2e-no-codec';
  const file = join(dir, 'e2e-no-codec.yaml');
  await writeFile(file, stringify(spec));
  const start = await cliWith({ ...env, TEMPORAL_CODEC_ENDPOINT: nobody }, 'start', file);
  assert.equal(start.code, 1, start.stderr);
  assert.match(start.stderr, /cannot reach the codec server/);
  assert.equal((await cli('status', 'e2e-no-codec')).code, 4, 'no run was started');
});

test('with a token the codec server does not accept, the CLI is refused with exit 1 and the setting to fix, and the token is not shown', async () => {
  const wrong = randomBytes(32).toString('base64url');
  const res = await cliWith({ ...env, TEMPORAL_CODEC_AUTH: `Bearer ${wrong}` }, 'status', 'e2e');
  assert.equal(res.code, 1, res.stderr);
  assert.match(res.stderr, /the codec server at \S+ refused this client \(HTTP 401\): set TEMPORAL_CODEC_AUTH/);
  assert.ok(!res.stderr.includes(wrong) && !res.stdout.includes(wrong));
});
