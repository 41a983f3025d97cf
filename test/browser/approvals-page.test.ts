// Partner Admins decide on the approvals page with a passkey, in Debian's chromium driven by
// playwright-core with a virtual authenticator (Chrome DevTools Protocol WebAuthn domain): they
// enroll, the worker operator adds the printed entries to the registry and restarts the worker,
// they sign in, see the runs awaiting them with the evidence, approve and reject; a decision
// replayed from a captured request is refused by the workflow and leaves no history event.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { parse as parseYaml } from 'yaml';
import { claimPort } from '../../scripts/temporal/dev-server.js';
import { startApprovalsPage, type RunningApprovalsPage } from '../../src/approvals-page/server.js';
import { loadAudit } from '../../src/cli/audit.js';
import { startOnboarding } from '../../src/cli/runs.js';
import { projectRoot } from '../../src/project-root.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { parseWorkerPolicy, type WorkerPolicyFile } from '../../src/security/worker-policy.js';
import { createOnboardingWorker } from '../../src/worker.js';
import type { OnboardingResult } from '../../src/workflows/messages.js';
import type { Sandbox } from '../../sandbox/index.js';
import { sandboxSpec, startTestSandbox, testCodec, testDeps } from '../helpers/fixtures.js';
import { waitForStatus } from '../helpers/harness.js';
import { signer } from '../helpers/identities.js';
import { loopbackPolicyDocument } from '../helpers/loopback-policy.js';
import { chromiumMissing, freshBrowser } from '../helpers/chromium.js';
import { requirement } from '../helpers/requirements.js';
import { createTestEnv } from '../helpers/temporal.js';

/** Screenshots of each page, kept in the git-ignored data folder. */
const SHOT_DIR = join(projectRoot, '.data', 'test-screenshots', 'approvals-page');

function updateEvents(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): number {
  return (history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length;
}

describe(
  'Partner Admins decide on the approvals page with their passkey',
  { skip: requirement(chromiumMissing()) },
  () => {
    let env: TestWorkflowEnvironment;
    let sandbox: Sandbox;
    let client: Client;
    let worker: Worker | undefined;
    let running: Promise<void> | undefined;
    let page: RunningApprovalsPage;
    let origin: string;
    let dir: string;
    let policyFile: string;
    const codec = testCodec();
    const policyDoc = (): WorkerPolicyFile => loopbackPolicyDocument(join(dir, 'secrets'));
    const browsers: BrowserContext[] = [];

    /** (Re)starts the worker with the registry in `doc`, as an operator restarts it after editing the policy. */
    async function restartWorker(doc: WorkerPolicyFile): Promise<void> {
      if (worker) {
        worker.shutdown();
        await running;
      }
      const deps = await testDeps(sandbox, (d) => {
        d.policy = parseWorkerPolicy(doc, policyFile);
      });
      worker = await createOnboardingWorker({ connection: env.nativeConnection, namespace: 'default', codec, deps });
      running = worker.run();
    }

    before(async () => {
      env = await createTestEnv();
      sandbox = await startTestSandbox();
      dir = await mkdtemp(join(tmpdir(), 'g2p-approvals-page-'));
      policyFile = join(dir, 'worker-policy.yaml');
      await writeFile(policyFile, JSON.stringify(policyDoc()), { mode: 0o600 });
      await restartWorker(policyDoc());
      client = new Client({ connection: env.connection, namespace: 'default', dataConverter: dataConverterFor(codec) });
      // WebAuthn binds passkeys to a host name, never an IP address: the page's origin is localhost.
      const port = await claimPort(0, '127.0.0.1', 'approvals page');
      origin = `http://localhost:${port}`;
      page = await startApprovalsPage({
        client,
        origin,
        rpId: 'localhost',
        policyFile,
        host: '127.0.0.1',
        port,
        sessionMinutes: 15,
        secureCookies: false,
      });
      await mkdir(SHOT_DIR, { recursive: true });
    });

    after(async () => {
      for (const b of browsers) await b.close().catch(() => undefined);
      await page?.close();
      worker?.shutdown();
      await running;
      await sandbox?.close();
      await env?.teardown();
    });

    /** A browser of its own per approver, with a passkey-capable platform authenticator. */
    async function approverBrowser(): Promise<Page> {
      const context = await freshBrowser();
      browsers.push(context);
      const tab = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(tab);
      await cdp.send('WebAuthn.enable');
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      return tab;
    }

    const shot = (tab: Page, name: string) => tab.screenshot({ path: join(SHOT_DIR, `${name}.png`), fullPage: true });

    /** Enrolls a passkey for `name`; returns the registry entry the page prints. */
    async function enroll(tab: Page, name: string): Promise<{ name: string; webauthn: unknown[] }> {
      await tab.goto(`${origin}/enroll`);
      await shot(tab, `enroll-${name}-form`);
      await tab.getByLabel('Your name in the registry').fill(name);
      await tab.getByRole('button', { name: /Create a passkey/ }).click();
      await tab.locator('#entry').waitFor({ state: 'visible' });
      await shot(tab, `enroll-${name}-entry`);
      const [entry] = parseYaml(await tab.locator('#entry-yaml').innerText()) as {
        name: string;
        webauthn: unknown[];
      }[];
      return entry!;
    }

    async function signIn(tab: Page, name: string): Promise<void> {
      await tab.goto(origin);
      await shot(tab, `sign-in-${name}`);
      await tab.getByRole('button', { name: 'Sign in with your passkey' }).click();
      await tab.getByText(`Signed in as ${name}`).waitFor();
    }

    const card = (tab: Page, workflowId: string) => tab.locator(`article.run[data-workflow-id="${workflowId}"]`);

    test('enroll, sign in, see the evidence, approve and reject; a replayed decision is refused without a trace', async () => {
      const alice = await approverBrowser();
      const bob = await approverBrowser();
      const entries = [await enroll(alice, 'alice'), await enroll(bob, 'bob')];
      for (const e of entries)
        assert.deepEqual(Object.keys(e.webauthn[0] as object).sort(), ['credentialId', 'origins', 'publicKey', 'rpId']);

      // Before the registry's owner adds the entry, the passkey signs nobody in.
      await alice.goto(origin);
      await alice.getByRole('button', { name: 'Sign in with your passkey' }).click();
      await alice.getByText(/not in the worker's identity registry/).waitFor();

      // The operator copies the entries into the policy and restarts the worker.
      const doc = policyDoc();
      for (const identity of doc.identities!) {
        const entry = entries.find((e) => e.name === identity.name);
        if (entry) identity.webauthn = entry.webauthn as never;
      }
      await writeFile(policyFile, JSON.stringify(doc), { mode: 0o600 });
      await restartWorker(doc);

      const twoOfTwo = sandboxSpec(sandbox, 'passkey-two', (s) => {
        s.approval.required = 2;
      });
      const other = sandboxSpec(sandbox, 'passkey-other');
      const runA = await startOnboarding(client, twoOfTwo, signer('staff-1'));
      const runB = await startOnboarding(client, other, signer('staff-1'));
      for (const h of [runA, runB]) await waitForStatus(h, (s) => s.phase === 'awaiting_approval');

      await signIn(alice, 'alice');
      const a = card(alice, runA.workflowId);
      await a.waitFor();
      await card(alice, runB.workflowId).waitFor();
      // The evidence an approver decides on.
      const evidence = await a.innerText();
      for (const expected of [
        'passkey-two',
        'passkey-two-auth',
        'passkey-two-misp',
        'Org passkey-two',
        'openg2p-auth-policy',
        'sha256:',
        'valid ',
        'Started by\tstaff-1',
        'Reminders sent\t0',
        '0 of 2 approvals',
      ])
        assert.ok(evidence.includes(expected), `the run's card shows ${expected}:\n${evidence}`);
      assert.match(evidence, /✓ \w+/, 'the prerequisite report is shown');
      await shot(alice, 'runs-alice');
      // The README's picture of the page: what an approver sees first.
      await alice.setViewportSize({ width: 1100, height: 1250 });
      await alice.screenshot({ path: join(SHOT_DIR, 'readme-runs.png') });

      // A signed-in browser's request without the page's CSRF token changes nothing.
      const forged = await alice.evaluate(async (workflowId) => {
        const r = await fetch('/api/decisions/options', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ workflowId, decision: 'approve' }),
        });
        return r.status;
      }, runA.workflowId);
      assert.equal(forged, 403);

      // alice approves run A; the request is captured on its way.
      const captured = alice.waitForRequest((r) => r.url().endsWith('/api/decisions') && r.method() === 'POST');
      await a.getByLabel(/Comment/).fill('certificates and policy checked');
      await a.getByRole('button', { name: 'Approve with your passkey' }).click();
      await a.getByText(/Approved: the workflow recorded your signed decision/).waitFor();
      await shot(alice, 'approved-alice');
      const request = await captured;

      // The same request again, from the same signed-in browser: the workflow refuses it before history.
      const before = updateEvents(await runA.fetchHistory());
      const replay = await alice.evaluate(
        async ({ body, csrf }) => {
          const r = await fetch('/api/decisions', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
            body,
          });
          return { status: r.status, body: (await r.json()) as { error?: string } };
        },
        { body: request.postData()!, csrf: (await request.allHeaders())['x-csrf-token']! },
      );
      assert.equal(replay.status, 409);
      assert.match(replay.body.error ?? '', /refused.*(already used|already decided)/);
      assert.equal(updateEvents(await runA.fetchHistory()), before, 'the replayed decision left no history event');

      // bob approves A (2 of 2) and rejects B.
      await signIn(bob, 'bob');
      await card(bob, runA.workflowId).getByText('1 of 2 approvals').waitFor();
      await shot(bob, 'runs-bob');
      await card(bob, runA.workflowId).getByRole('button', { name: 'Approve with your passkey' }).click();
      await card(bob, runA.workflowId)
        .getByText(/Approved: the workflow recorded/)
        .waitFor();
      const b = card(bob, runB.workflowId);
      await b.getByLabel(/Comment/).fill('wrong organisation for this policy');
      await b.getByRole('button', { name: 'Reject with your passkey' }).click();
      await b.getByText(/Rejected: the workflow recorded/).waitFor();
      await shot(bob, 'decided-bob');

      const [resultA, resultB] = (await Promise.all([runA.result(), runB.result()])) as OnboardingResult[];
      assert.equal(resultA!.outcome, 'completed');
      assert.deepEqual(
        resultA!.approvals.filter((d) => d.via === 'update').map((d) => [d.approver, d.decision]),
        [
          ['alice', 'approve'],
          ['bob', 'approve'],
        ],
      );
      assert.equal(resultB!.outcome, 'rejected');

      // The audit trail keeps each passkey decision whole, and `audit --verify` re-checks it.
      const audit = await loadAudit(client, runA.workflowId, true);
      const decisions = audit.entries.filter((e) => e.event === 'approval.approve');
      assert.equal(decisions.length, 2);
      for (const d of decisions) {
        assert.ok(d.token?.startsWith('passkey.'));
        assert.equal(d.verified, true, d.verification);
      }

      // Once decided, nothing awaits alice.
      await alice.reload();
      await alice.getByText('Nothing awaits your decision.').waitFor();
    });
  },
);
