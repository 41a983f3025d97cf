// Secrets stay secret, seen from outside as an operator with namespace access sees a run: the
// whole history fetched raw from the server (no codec) and the worker's complete log output hold
// no secret value of the run, nor its base64 form; the codec server decodes that history for a
// token holder only (also for the `temporal` CLI); a key rotation keeps old runs readable; an
// unresolvable reference blocks the run naming the reference, never a value; and failure
// messages reach history encrypted, readable only through the codec.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, WorkflowUpdateFailedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
// What a Client runs on every failure it reads (codec, then failure converter); not re-exported publicly.
import { decodeOptionalFailureToOptionalError } from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto, { type temporal as protoTypes } from '@temporalio/proto';
import { startDevServer, type DevServer } from '../../scripts/temporal/dev-server.js';
import { projectRoot } from '../../src/project-root.js';
import { temporalCliPath } from '../../scripts/temporal/binaries.js';
import { startProcess, type ManagedProcess } from '../../scripts/processes.js';
import { AesGcmCodec, keyIdOf, keyRingFromKeys } from '../../src/security/codec.js';
import { CodecAccess } from '../../src/security/codec-server-auth.js';
import { startCodecServer, type RunningCodecServer } from '../../src/security/codec-server.js';
import type { StoredCredentials } from '../../src/activities/credential-store.js';
import type { Sandbox } from '../../sandbox/index.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { abortUpdate, statusQuery } from '../../src/workflows/messages.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { sandboxSpec, secretEnv, startTestSandbox, withLoginCheck } from '../helpers/fixtures.js';
import { writeLoopbackPolicyFile } from '../helpers/loopback-policy.js';
import { completeOnboarding, waitForPhase, type CompletedRun } from '../helpers/completed-run.js';
import { signer } from '../helpers/identities.js';
import { commandToken } from '../helpers/approve.js';

const { temporal } = proto;
type History = protoTypes.api.history.v1.History;
type PayloadJson = { metadata?: Record<string, string>; data?: string };
type Failure = protoTypes.api.failure.v1.IFailure;
const run = promisify(execFile);
const ENCRYPTED = 'binary/encrypted';
/** The message DefaultFailureConverter leaves in place of an encoded one. */
const ENCODED_FAILURE = 'Encoded failure';

/** A failure and every cause under it. */
function failureChain(failure: Failure | null | undefined): Failure[] {
  const chain: Failure[] = [];
  for (let f = failure; f; f = f.cause) chain.push(f);
  return chain;
}

/** Every shape a secret could leak in: as is, base64, base64url, JSON-escaped, and each long line of a PEM. */
function leakForms(value: string): string[] {
  const forms = new Set([
    value,
    Buffer.from(value).toString('base64'),
    Buffer.from(value).toString('base64url'),
    JSON.stringify(value).slice(1, -1),
  ]);
  for (const line of value.split(/\r?\n/)) if (line.length >= 24 && !line.startsWith('-----')) forms.add(line);
  return [...forms];
}

/** Which secrets (by label, never by value) appear in which text. */
function leaks(texts: Record<string, string>, secrets: Map<string, string>): string[] {
  const found: string[] = [];
  for (const [label, value] of secrets) {
    for (const [where, text] of Object.entries(texts))
      if (leakForms(value).some((form) => text.includes(form))) found.push(`${label} in ${where}`);
  }
  return found;
}

describe('secrets in history, logs and the codec server', () => {
  let dir: string;
  let server: DevServer;
  let sandbox: Sandbox;
  let connection: Connection;
  let worker: ManagedProcess;
  const workerLog: string[] = [];
  let codecServer: RunningCodecServer;
  let completed: CompletedRun;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const codecToken = randomBytes(32).toString('base64url');
  /** Every token, cookie and authorization code the worker presented to the sandbox. */
  const presented = new Set<string>();
  const codecLog: string[] = [];

  const codecFor = (...keys: Buffer[]) => new AesGcmCodec(keyRingFromKeys(keys[0]!, keys.slice(1)));
  const clientWith = (...keys: Buffer[]) =>
    new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(codecFor(...keys)) });

  async function startWorker(keys: Buffer[]): Promise<void> {
    await writeFile(join(dir, 'codec-keys'), keys.map((k) => k.toString('base64')).join('\n') + '\n', { mode: 0o600 });
    worker = await startProcess('worker', process.execPath, [join(projectRoot, 'dist/src/worker.js')], {
      cwd: dir,
      readyLine: /g2p-onboard worker:/,
      timeoutMs: 60_000,
      env: {
        ...process.env,
        ...secretEnv(sandbox),
        TEMPORAL_ADDRESS: server.address,
        TEMPORAL_NAMESPACE: 'default',
        G2P_ONBOARD_CODEC_KEYS: `file:${join(dir, 'codec-keys')}`,
        G2P_ONBOARD_CREDENTIALS_DIR: join(dir, 'credentials'),
        G2P_ONBOARD_POLICY: await writeLoopbackPolicyFile(join(dir, 'worker-policy.json'), join(dir, 'secrets')),
        // The most the worker ever logs: SDK, Core and activity lines at DEBUG.
        G2P_ONBOARD_LOG_LEVEL: 'DEBUG',
      },
    });
  }

  async function stopWorker(): Promise<void> {
    await worker.stop();
    workerLog.push(...worker.output);
  }

  /** Every secret value the run used: the sandbox's credentials, what the worker stored, what it presented. */
  async function secretsOfRun(deploymentId: string): Promise<Map<string, string>> {
    const secrets = new Map<string, string>();
    for (const [name, value] of Object.entries(secretEnv(sandbox))) secrets.set(`spec secret ${name}`, value!);
    const stored = JSON.parse(
      await readFile(join(dir, 'credentials', `${deploymentId}.json`), 'utf8'),
    ) as StoredCredentials;
    if (stored.apiKey) secrets.set('API key', stored.apiKey.value);
    if (stored.mispLicenseKey) secrets.set('MISP license key', stored.mispLicenseKey);
    if (stored.clientKey) secrets.set('OIDC client private key', stored.clientKey.privateKeyPem);
    if (stored.authPartner?.privateKeyPem) secrets.set('Auth Partner private key', stored.authPartner.privateKeyPem);
    if (stored.mispPartner?.privateKeyPem) secrets.set('MISP Partner private key', stored.mispPartner.privateKeyPem);
    let i = 0;
    for (const token of presented) secrets.set(`token/cookie/code #${i++} presented by the worker`, token);
    secrets.set('codec key (old)', oldKey.toString('base64'));
    secrets.set('codec key (new)', newKey.toString('base64'));
    secrets.set('codec server token', codecToken);
    return secrets;
  }

  /** The whole history of a workflow, every run of its continue-as-new chain, as the server stores it. */
  async function rawHistories(workflowId: string, firstRunId: string): Promise<History[]> {
    const histories: History[] = [];
    let runId: string | undefined = firstRunId;
    while (runId) {
      const events = [];
      let nextPageToken: Uint8Array | undefined;
      do {
        const page: protoTypes.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse =
          await connection.workflowService.getWorkflowExecutionHistory({
            namespace: 'default',
            execution: { workflowId, runId },
            nextPageToken,
          });
        events.push(...(page.history?.events ?? []));
        nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
      } while (nextPageToken);
      const history = temporal.api.history.v1.History.create({ events });
      histories.push(history);
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return histories;
  }

  /** The history as bytes (what the server stores) and as the JSON `temporal workflow show -o json` prints. */
  const historyTexts = (histories: History[], label: string) =>
    Object.fromEntries(
      histories.flatMap((h, i) => [
        [
          `${label} run ${i} (protobuf)`,
          Buffer.from(temporal.api.history.v1.History.encode(h).finish()).toString('latin1'),
        ],
        [`${label} run ${i} (JSON)`, JSON.stringify(h.toJSON())],
      ]),
    );

  /** Every payload in the histories, in the codec protocol's JSON form. */
  function payloadsOf(histories: History[]): PayloadJson[] {
    const found: PayloadJson[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      if (o.metadata && typeof o.metadata === 'object' && 'encoding' in o.metadata) found.push(o as PayloadJson);
      else Object.values(o).forEach(walk);
    };
    histories.forEach((h) => walk(h.toJSON()));
    return found;
  }
  const encodingOf = (p: PayloadJson) => Buffer.from(p.metadata?.encoding ?? '', 'base64').toString();

  async function decodeThrough(
    codec: RunningCodecServer,
    payloads: PayloadJson[],
    token?: string,
  ): Promise<{ status: number; payloads: PayloadJson[] }> {
    const res = await fetch(`${codec.url}/decode`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-namespace': 'default',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ payloads }),
    });
    return { status: res.status, payloads: res.ok ? ((await res.json()) as { payloads: PayloadJson[] }).payloads : [] };
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'g2p-secrets-'));
    server = await startDevServer({ ui: false });
    connection = await Connection.connect({ address: server.address });
    sandbox = await startTestSandbox();
    for (const service of [sandbox.mosip, sandbox.esignet, sandbox.odoo]) {
      for (const route of service.routes) {
        const handle = route.handler;
        route.handler = (req) => {
          const bearer = /^Bearer\s+(\S+)/i.exec(String(req.headers.authorization ?? ''))?.[1];
          for (const value of [bearer, ...Object.values(req.cookies), req.query.get('code') ?? undefined])
            if (value && value.length >= 16) presented.add(value);
          return handle(req);
        };
      }
    }
    codecServer = await startCodecServer({
      codec: codecFor(oldKey),
      access: new CodecAccess([codecToken]),
      allowedOrigins: [],
      log: (l) => codecLog.push(l),
    });
    await startWorker([oldKey]);
    // With the end-to-end login: the OTP and an authorization code pass through the worker too.
    completed = await completeOnboarding(clientWith(oldKey), sandbox, 'secrets-scan', withLoginCheck(sandbox));
  });

  after(async () => {
    await worker?.stop();
    await codecServer?.close();
    await connection?.close();
    await sandbox?.close();
    await server?.stop();
  });

  test('a finished run leaves no secret in its raw history or in the worker log', async () => {
    const histories = await rawHistories(completed.handle.workflowId, completed.runId);
    const secrets = await secretsOfRun(completed.spec.deploymentId);
    assert.ok(presented.size >= 3, `the worker presented tokens, cookies and a code (${presented.size})`);
    assert.deepEqual(leaks(historyTexts(histories, 'history'), secrets), []);
    assert.deepEqual(leaks({ 'worker log': [...workerLog, ...worker.output].join('\n') }, secrets), []);
    assert.ok(
      worker.output.some((l) => /Activity (started|completed)/i.test(l)),
      'the log captured activity lines',
    );

    // Decoded, too: the private key stays in the worker's credential store (the run names it by
    // thumbprint); the scan does find what is there (the deployment id, as a control).
    const decoded = await decodeThrough(codecServer, payloadsOf(histories), codecToken);
    const plainText = decoded.payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString()).join('\n');
    assert.deepEqual(
      leaks(
        { 'decoded history': plainText },
        new Map([
          ['OIDC client private key', secrets.get('OIDC client private key')!],
          ['deployment id', completed.spec.deploymentId],
        ]),
      ),
      ['deployment id in decoded history'],
    );
  });

  test('the codec server decodes that history for a token holder, and nothing without the token', async () => {
    const payloads = payloadsOf(await rawHistories(completed.handle.workflowId, completed.runId));
    const encrypted = payloads.filter((p) => encodingOf(p) === ENCRYPTED);
    assert.ok(
      encrypted.length > 10,
      `the history's payloads are encrypted (${encrypted.length} of ${payloads.length})`,
    );

    const withToken = await decodeThrough(codecServer, encrypted, codecToken);
    assert.equal(withToken.status, 200);
    assert.deepEqual(
      withToken.payloads.filter((p) => encodingOf(p) === ENCRYPTED),
      [],
      'every payload decodes',
    );
    const startInput = JSON.parse(Buffer.from(withToken.payloads[0]!.data!, 'base64').toString()) as {
      deploymentId?: string;
    };
    assert.equal(startInput.deploymentId, 'secrets-scan');

    assert.equal((await decodeThrough(codecServer, encrypted)).status, 401);
    assert.equal((await decodeThrough(codecServer, encrypted, randomBytes(32).toString('base64url'))).status, 401);

    // The temporal CLI, as an operator runs it.
    const show = (...extra: string[]) =>
      run(temporalCliPath(), [
        'workflow',
        'show',
        '--address',
        server.address,
        '--namespace',
        'default',
        '-w',
        completed.handle.workflowId,
        '--output',
        'json',
        '--codec-endpoint',
        codecServer.url,
        ...extra,
      ]).then(
        ({ stdout }) => ({ ok: true, stdout }),
        (err: { stdout?: string; stderr?: string }) => ({
          ok: false,
          stdout: `${err.stdout ?? ''}${err.stderr ?? ''}`,
        }),
      );
    /** The run input as `workflow show -o json` prints it: its payload's encoding and, when readable, the spec. */
    const shownInput = (stdout: string) => {
      const events = (
        JSON.parse(stdout) as {
          events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: PayloadJson[] } } }[];
        }
      ).events;
      const payload = events[0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      const encoding = encodingOf(payload);
      return {
        encoding,
        spec:
          encoding === 'json/plain'
            ? (JSON.parse(Buffer.from(payload.data!, 'base64').toString()) as { partners: { auth: { email: string } } })
            : undefined,
      };
    };
    const authorised = await show('--codec-auth', `Bearer ${codecToken}`);
    assert.ok(authorised.ok, authorised.stdout.slice(0, 500));
    assert.equal(
      shownInput(authorised.stdout).spec?.partners.auth.email,
      completed.spec.partners.auth.email,
      'the CLI shows the decoded spec',
    );
    // Without the token the CLI gets 401s (it retries them until its command timeout) and shows nothing.
    const refused = await show('--command-timeout', '3s');
    assert.equal(refused.ok, false);
    assert.ok(
      !refused.stdout.includes(Buffer.from(completed.spec.partners.auth.email).toString('base64').slice(0, 12)) &&
        !refused.stdout.includes(completed.spec.partners.auth.email),
    );
    assert.ok(
      codecLog.some((l) => /^401 decode at \S*\/decode \(namespace default\b/.test(l)),
      'the codec server logged the refusal',
    );
  });

  test('a run with an unresolvable secret reference is blocked at the prerequisites, naming the reference and no value', async () => {
    const missingRef = 'env:G2P_SECRET_ODOO_PASSWORD_NOT_ON_THIS_WORKER';
    const spec = sandboxSpec(sandbox, 'secrets-missing', (s) => {
      s.openg2p.password = missingRef;
    });
    const handle = await startOnboarding(clientWith(oldKey), spec, signer('staff-1'));
    await waitForPhase(handle, ['blocked']);
    const status = await handle.query(statusQuery);
    assert.equal(status.lastError?.step, 'verifyPrerequisites');
    assert.equal(status.lastError?.type, 'SecretUnavailable');
    assert.match(status.lastError?.message ?? '', new RegExp(missingRef));
    assert.equal(status.lastError?.code, missingRef);

    const histories = await rawHistories(handle.workflowId, handle.firstExecutionRunId);
    const secrets = await secretsOfRun(completed.spec.deploymentId);
    assert.deepEqual(
      leaks({ ...historyTexts(histories, 'blocked run'), 'worker log': worker.output.join('\n') }, secrets),
      [],
    );
    await handle.terminate('test done');
  });

  test('failure messages reach history encrypted; the codec (client, codec server) reads them back', async () => {
    const missingRef = 'env:G2P_SECRET_ODOO_PASSWORD_NOT_ON_THIS_WORKER';
    const spec = sandboxSpec(sandbox, 'secrets-failure-text', (s) => {
      s.openg2p.password = missingRef;
    });
    const client = clientWith(oldKey);
    const handle = await startOnboarding(client, spec, signer('staff-1'));
    await waitForPhase(handle, ['blocked']);
    const blocked = (await handle.query(statusQuery)).lastError!;
    assert.match(blocked.message, new RegExp(missingRef), 'the status query still gives the real message');

    // Raw, as the server stores it: the activity's failures carry only the placeholder and an encrypted payload.
    const histories = await rawHistories(handle.workflowId, handle.firstExecutionRunId);
    const failed = histories
      .flatMap((h) => h.events ?? [])
      .map((e) => e.activityTaskFailedEventAttributes?.failure)
      .filter((f): f is Failure => !!f);
    assert.ok(failed.length >= 1, 'the blocked step left an ActivityTaskFailed event');
    for (const f of failed.flatMap(failureChain)) {
      assert.equal(f.message, ENCODED_FAILURE);
      assert.equal(f.stackTrace ?? '', '');
      assert.equal(Buffer.from(f.encodedAttributes?.metadata?.encoding ?? []).toString(), ENCRYPTED);
    }
    assert.deepEqual(
      leaks(
        historyTexts(histories, 'blocked run'),
        new Map([
          ['failure message', blocked.message],
          ['secret reference', missingRef],
        ]),
      ),
      [],
    );

    // The client's data converter gives the real message back.
    const read = await decodeOptionalFailureToOptionalError(client.workflow.options.loadedDataConverter, failed.at(-1));
    assert.match(read?.message ?? '', new RegExp(missingRef));

    // So does the codec server, which the Temporal UI and CLI call: encodedAttributes is an ordinary payload.
    const [attributes] = (
      await decodeThrough(
        codecServer,
        [temporal.api.common.v1.Payload.create(failed.at(-1)!.encodedAttributes!).toJSON() as PayloadJson],
        codecToken,
      )
    ).payloads;
    const shown = JSON.parse(Buffer.from(attributes!.data!, 'base64').toString()) as {
      message: string;
      stack_trace: string;
    };
    assert.match(shown.message, new RegExp(missingRef));

    // Workflow code encodes its failures too (the bundle's failure converter): a refused update, raw…
    const refusal = 'abort needs a --comment saying why';
    const [input] = await codecFor(oldKey).encode([
      defaultPayloadConverter.toPayload({ token: await commandToken(handle, 'ops-1', 'abort', { comment: '' }) }),
    ]);
    const raw = await connection.workflowService.updateWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId: handle.workflowId },
      waitPolicy: {
        lifecycleStage:
          temporal.api.enums.v1.UpdateWorkflowExecutionLifecycleStage
            .UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED,
      },
      request: {
        meta: { updateId: randomUUID(), identity: 'secrets-test' },
        input: { name: abortUpdate.name, args: { payloads: [input!] } },
      },
    });
    const rawRefusal = raw.outcome?.failure;
    assert.equal(rawRefusal?.message, ENCODED_FAILURE, JSON.stringify(raw.outcome));
    assert.equal(Buffer.from(rawRefusal?.encodedAttributes?.metadata?.encoding ?? []).toString(), ENCRYPTED);
    assert.ok(!JSON.stringify(raw.toJSON()).includes(refusal));
    // …and through the client, the operator's reason.
    await assert.rejects(
      handle.executeUpdate(abortUpdate, {
        args: [{ token: await commandToken(handle, 'ops-1', 'abort', { comment: '' }) }],
      }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && err.cause?.message === refusal,
    );
    await handle.terminate('test done');
  });

  test('after a key rotation old runs stay readable (worker, client, codec server) and new payloads use the new key', async () => {
    await stopWorker();
    await startWorker([newKey, oldKey]);
    const client = clientWith(newKey, oldKey);
    const old = client.workflow.getHandle(completed.handle.workflowId, completed.runId);
    assert.equal((await old.query(statusQuery)).phase, 'completed', 'the worker replays the old history');
    assert.equal(((await old.result()) as { outcome: string }).outcome, 'completed');

    const oldPayloads = payloadsOf(await rawHistories(completed.handle.workflowId, completed.runId)).filter(
      (p) => encodingOf(p) === ENCRYPTED,
    );
    const rotated = await startCodecServer({
      codec: codecFor(newKey, oldKey),
      access: new CodecAccess([codecToken]),
      allowedOrigins: [],
    });
    const newOnly = await startCodecServer({
      codec: codecFor(newKey),
      access: new CodecAccess([codecToken]),
      allowedOrigins: [],
    });
    try {
      const decoded = await decodeThrough(rotated, oldPayloads, codecToken);
      assert.deepEqual(
        decoded.payloads.filter((p) => encodingOf(p) === ENCRYPTED),
        [],
        'the rotated ring reads the old run',
      );
      const withoutOldKey = await decodeThrough(newOnly, oldPayloads, codecToken);
      assert.equal(
        withoutOldKey.payloads.filter((p) => encodingOf(p) === ENCRYPTED).length,
        oldPayloads.length,
        'dropping the old key makes the old run unreadable',
      );
    } finally {
      await rotated.close();
      await newOnly.close();
    }

    const fresh = await startOnboarding(client, sandboxSpec(sandbox, 'secrets-rotated'), signer('staff-1'));
    await waitForPhase(fresh, ['awaiting_approval']);
    const freshPayloads = payloadsOf(await rawHistories(fresh.workflowId, fresh.firstExecutionRunId)).filter(
      (p) => encodingOf(p) === ENCRYPTED,
    );
    const keyIds = new Set(
      freshPayloads.map((p) => Buffer.from(p.metadata!['encryption-key-id']!, 'base64').toString()),
    );
    assert.deepEqual([...keyIds], [keyIdOf(newKey)]);
    await fresh.terminate('test done');
    const secrets = await secretsOfRun(completed.spec.deploymentId);
    assert.deepEqual(leaks({ 'worker log after rotation': worker.output.join('\n') }, secrets), []);
  });
});
