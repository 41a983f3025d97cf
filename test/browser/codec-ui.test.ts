// The Temporal UI (served by `temporal server start-dev`, as `npm run temporal` runs it) shows a
// finished onboarding run decoded through our codec server for a signed-in browser, and only
// ciphertext for any other browser. Debian's chromium, driven by playwright-core.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { claimPort, startDevServer, type DevServer } from '../../scripts/temporal/dev-server.js';
import { startCodecServer, type RunningCodecServer } from '../../src/security/codec-server.js';
import { CodecAccess, SESSION_COOKIE } from '../../src/security/codec-server-auth.js';
import { dataConverterFor } from '../../src/security/data-converter.js';
import { RemoteCodec } from '../../src/security/remote-codec.js';
import { createOnboardingWorker } from '../../src/worker.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startTestSandbox, testCodec, testDeps } from '../helpers/fixtures.js';
import { completeOnboarding, type CompletedRun } from '../helpers/completed-run.js';
import { projectRoot } from '../../src/project-root.js';
import { chromiumMissing, freshBrowser } from '../helpers/chromium.js';
import { requirement } from '../helpers/requirements.js';

/** Screenshots to check by eye, kept in the git-ignored data folder. */
const SHOT_DIR = join(projectRoot, '.data', 'test-screenshots');

describe('the Temporal UI through the codec server', { skip: requirement(chromiumMissing()) }, () => {
  let server: DevServer;
  let codecServer: RunningCodecServer;
  let sandbox: Sandbox;
  let nativeConnection: NativeConnection;
  let connection: Connection;
  let worker: Worker;
  let running: Promise<void>;
  let run: CompletedRun;
  const token = randomBytes(32).toString('base64url');
  const codec = testCodec();

  before(async () => {
    const uiPort = await claimPort(0, '127.0.0.1', 'Temporal Web UI');
    codecServer = await startCodecServer({
      codec,
      access: new CodecAccess([token]),
      allowedOrigins: [`http://127.0.0.1:${uiPort}`],
    });
    server = await startDevServer({ uiPort, codecEndpoint: codecServer.url });
    sandbox = await startTestSandbox();
    nativeConnection = await NativeConnection.connect({ address: server.address });
    connection = await Connection.connect({ address: server.address });
    worker = await createOnboardingWorker({
      connection: nativeConnection,
      namespace: 'default',
      codec,
      deps: await testDeps(sandbox),
    });
    running = worker.run();
    // The worker holds the key ring; the client, like the CLI, goes through the codec server.
    const clientCodec = new RemoteCodec({
      endpoint: codecServer.url,
      namespace: 'default',
      authorization: async () => `Bearer ${token}`,
    });
    const client = new Client({ connection, namespace: 'default', dataConverter: dataConverterFor(clientCodec) });
    run = await completeOnboarding(client, sandbox, 'browser-ui');
    await mkdir(SHOT_DIR, { recursive: true });
  });

  after(async () => {
    worker?.shutdown();
    await running;
    await nativeConnection?.close();
    await connection?.close();
    await sandbox?.close();
    await server?.stop();
    await codecServer?.close();
  });

  /** A fresh browser profile. */
  async function browser(): Promise<BrowserContext> {
    return freshBrowser();
  }

  /** What the README asks of a browser once: the UI's Codec Server settings, endpoint, cross-origin credentials on. */
  async function pointUiAtCodecServer(page: Page): Promise<void> {
    await page.goto(`${server.uiUrl}/namespaces/default/workflows`);
    await page.getByRole('button', { name: 'Codec Server is configured' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Codec Server' });
    await dialog.getByText('Use my browser setting and ignore Cluster-level setting.').click();
    await dialog.getByLabel('Codec Server browser endpoint').fill(codecServer.url);
    await dialog.getByText('Include cross-origin credentials').click();
    await dialog.getByRole('button', { name: 'Apply' }).click();
  }

  /** The start of the run input's payload data as Temporal stores it, read without the codec. */
  async function storedInputCiphertext(): Promise<string> {
    const { history } = await connection.workflowService.getWorkflowExecutionHistory({
      namespace: 'default',
      execution: { workflowId: run.handle.workflowId, runId: run.runId },
    });
    const input = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    assert.equal(Buffer.from(input?.metadata?.encoding ?? []).toString(), 'binary/encrypted');
    return Buffer.from(input!.data!).toString('base64').slice(0, 40);
  }

  async function openRun(page: Page): Promise<void> {
    await page.goto(`${server.uiUrl}/namespaces/default/workflows/${run.handle.workflowId}/${run.runId}/history`);
    await page.getByText(run.handle.workflowId).first().waitFor({ timeout: 20_000 });
  }

  // Not the deployment id: that is also in the workflow id and search attributes, which are never
  // encrypted. MOSIP's URL is among the first lines of the input card (its code view renders only what is in view).
  const inputMarker = () => `"${run.spec.mosip.apiBaseUrl}"`;

  test('a browser signed in on the codec server sees the run input decoded', async () => {
    const context = await browser();
    try {
      const page = await context.newPage();
      await page.goto(codecServer.url);
      await page.getByLabel('Codec server token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('This browser is signed in').waitFor();

      await pointUiAtCodecServer(page);
      await openRun(page);
      await page.getByText(inputMarker()).first().waitFor({ timeout: 20_000 });
      await page.screenshot({ path: join(SHOT_DIR, 'codec-ui-signed-in.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  test('a browser that has not signed in sees only ciphertext', async () => {
    const context = await browser();
    try {
      const page = await context.newPage();
      const refused: number[] = [];
      page.on('response', (res) => {
        if (res.url().startsWith(codecServer.url) && res.request().method() === 'POST') refused.push(res.status());
      });
      await pointUiAtCodecServer(page);
      await openRun(page);
      await page
        .getByText('Codec Server could not connect')
        .filter({ visible: true })
        .first()
        .waitFor({ timeout: 20_000 });
      // The input card shows the stored ciphertext itself: the start event's payload, base64.
      await page
        .getByText(await storedInputCiphertext())
        .first()
        .waitFor({ timeout: 20_000 });
      await page.screenshot({ path: join(SHOT_DIR, 'codec-ui-not-signed-in.png'), fullPage: true });
      assert.equal(await page.getByText(inputMarker()).count(), 0, 'the spec must not be readable');
      assert.ok(
        refused.length > 0 && refused.every((s) => s === 401),
        `the codec server refused every call: ${refused.join(', ')}`,
      );
    } finally {
      await context.close();
    }
  });

  test('after signing out, the browser sees only ciphertext, even with a copy of its old session cookie', async () => {
    const context = await browser();
    try {
      const page = await context.newPage();
      await page.goto(codecServer.url);
      await page.getByLabel('Codec server token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('This browser is signed in').waitFor();
      const copied = (await context.cookies(codecServer.url)).filter((c) => c.name === SESSION_COOKIE);
      assert.equal(copied.length, 1);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Codec server token').waitFor();
      // Put back as someone who had copied it would: the server has ended that session.
      await context.addCookies(copied);
      await pointUiAtCodecServer(page);
      await openRun(page);
      await page
        .getByText('Codec Server could not connect')
        .filter({ visible: true })
        .first()
        .waitFor({ timeout: 20_000 });
      assert.equal(await page.getByText(inputMarker()).count(), 0, 'the spec must not be readable');
    } finally {
      await context.close();
    }
  });
});
