// `npm run temporal`, the demo and the e2e tests rely on startDevServer: state kept in the
// SQLite file across restarts, our search attributes usable, a clear error on a busy port.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { PortInUseError, startDevServer } from '../../scripts/temporal/dev-server.js';
import { OnboardingDeploymentId } from '../../src/workflows/search-attributes.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withClient<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

test('a run started before a restart is still there, searchable by deployment id, after restarting on the same SQLite file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'g2p-dev-server-'));
  const dbFile = join(dir, 'nested', 'temporal.db');
  try {
    const first = await startDevServer({ dbFile });
    assert.ok(first.uiUrl, 'the UI is served by default');
    const ui = await fetch(first.uiUrl);
    assert.equal(ui.status, 200);
    await ui.body?.cancel();
    await withClient(first.address, (client) =>
      client.workflow.start('onboardDeployment', {
        taskQueue: 'no-worker-here',
        workflowId: 'onboard-restart-check',
        typedSearchAttributes: new TypedSearchAttributes([{ key: OnboardingDeploymentId, value: 'restart-check' }]),
      }),
    );
    await first.stop();
    assert.equal(isAlive(first.pid), false, 'the server process is gone after stop()');
    assert.equal(statSync(dbFile).mode & 0o777, 0o600, 'the runs kept on disk are readable by their owner only');

    // Same file, same --search-attribute flags: must start, not fail on "already exists".
    const second = await startDevServer({ dbFile, ui: false });
    try {
      await withClient(second.address, async (client) => {
        const description = await client.workflow.getHandle('onboard-restart-check').describe();
        assert.equal(description.status.name, 'RUNNING');
        assert.equal(description.typedSearchAttributes.get(OnboardingDeploymentId), 'restart-check');
        const found = [];
        for await (const run of client.workflow.list({ query: `OnboardingDeploymentId = "restart-check"` }))
          found.push(run.workflowId);
        assert.deepEqual(found, ['onboard-restart-check']);
      });
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('starting a second server on a port that is in use fails with PortInUseError naming the port', async () => {
  const running = await startDevServer({ ui: false });
  try {
    const port = Number(running.address.split(':')[1]);
    await assert.rejects(startDevServer({ port, ui: false }), (err: unknown) => {
      assert.ok(err instanceof PortInUseError);
      assert.equal(err.port, port);
      assert.match(err.message, new RegExp(`port ${port} .* already in use`));
      return true;
    });
  } finally {
    await running.stop();
  }
});

test('a server that dies during start-up is reported with its exit code and last output, not waited on until the timeout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'g2p-dev-server-'));
  try {
    const fakeCli = join(dir, 'temporal');
    writeFileSync(fakeCli, '#!/bin/sh\necho "unknown flag: --search-attribute" >&2\nexit 3\n');
    chmodSync(fakeCli, 0o755);
    const started = Date.now();
    await assert.rejects(
      startDevServer({ executable: fakeCli, ui: false, startTimeoutMs: 30_000 }),
      /exited during start-up \(code 3\)[\s\S]*unknown flag: --search-attribute/,
    );
    assert.ok(Date.now() - started < 10_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
