// `npm run capture-histories`: runs every scenario of scripts/histories/scenarios.ts as a real
// onboarding (Temporal dev server in memory, the sandbox and a worker in this process) and writes
// each run's history, in Temporal's JSON form, to test/histories/<version>/<scenario>.json with
// a manifest. test/workflow/replay-corpus.test.ts replays them all against today's workflow code.
//
// Payloads are encrypted with the corpus's TEST-ONLY codec key (test/helpers/history-corpus.ts),
// public by design, so the replay can decode inputs and activity results.
//
// When to run it: for each release, before tagging it (README, Upgrading); a released version's
// folder is never re-captured. `--replace` overwrites the folder of an unreleased version.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { temporalCliPath } from './temporal/binaries.js';
import { ONBOARDING_SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes.js';
import { createOnboardingWorker, workerBuildId } from '../src/worker.js';
import { bundledSdkVersion } from '../src/workflow-bundle.js';
import { releaseVersion } from '../src/build-id.js';
import { auditTrailQuery, RUN_REFUSED, type OnboardingResult } from '../src/workflows/messages.js';
import { AesGcmCodec, keyRingFromKeys } from '../src/security/codec.js';
import { sandboxSpec, testDeps } from '../test/helpers/fixtures.js';
import { waitForStatus } from '../test/helpers/harness.js';
import { startWebhookReceiver } from '../test/helpers/webhook.js';
import {
  CORPUS_DIR,
  corpusDataConverter,
  historyToJSON,
  MANIFEST_FILE,
  TEST_ONLY_CORPUS_CODEC_KEY,
  type CorpusManifest,
} from '../test/helpers/history-corpus.js';
import { GENERATIONS, SCENARIOS, type Scenario, type ScenarioContext } from './histories/scenarios.js';
import { actions } from './histories/actions.js';
import { projectRoot } from '../src/project-root.js';

/**
 * The server suggests continue-as-new past this many events (its default is 4,096; the workflow's
 * own mark is 2,000): low enough that a run reminded every second continues within seconds, above
 * the ~100 events of any other scenario.
 */
const SUGGEST_CONTINUE_AS_NEW_AT = 130;
const WAIT_MS = 60_000;

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    replace: { type: 'boolean' },
    only: { type: 'string' },
  },
});

type Captured = CorpusManifest['histories'][number];

async function main(): Promise<void> {
  const version = releaseVersion();
  const outDir = values.out ?? join(CORPUS_DIR, version);
  if (existsSync(outDir) && !values.replace) {
    throw new Error(
      `${relative(projectRoot, outDir)} exists: a released version's corpus is never re-captured (pass --replace for an unreleased one)`,
    );
  }
  const only = values.only?.split(',');
  const scenarios = SCENARIOS.filter((s) => !only || only.includes(s.name));
  const buildId = await workerBuildId();
  console.log(
    `capturing ${scenarios.length} scenarios for ${version}, build ${buildId} → ${relative(projectRoot, outDir)}`,
  );

  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...ONBOARDING_SEARCH_ATTRIBUTES],
      extraArgs: ['--dynamic-config-value', `limit.historyCount.suggestContinueAsNew=${SUGGEST_CONTINUE_AS_NEW_AT}`],
    },
  });
  const webhook = await startWebhookReceiver();
  // Fixed identities: history records them, and the corpus should not name this machine.
  const client = new Client({
    connection: env.connection,
    namespace: 'default',
    dataConverter: corpusDataConverter(),
    identity: 'capture-histories-client',
  });
  const captured: Captured[] = [];
  const files = new Map<string, string>();
  try {
    // One generation at a time: each has its own sandbox, and a worker on the one task queue.
    for (const [key, generation] of Object.entries(GENERATIONS)) {
      const mine = scenarios.filter((s) => s.generation === key);
      if (!mine.length) continue;
      console.log(`\n${generation.name}`);
      const sandbox = await startSandbox(generation.options);
      await sandbox.mosip.ready;
      let worker: Worker | undefined;
      let running: Promise<void> | undefined;
      const open: WorkflowHandle[] = [];
      try {
        worker = await createOnboardingWorker({
          connection: env.nativeConnection,
          namespace: 'default',
          codec: new AesGcmCodec(keyRingFromKeys(Buffer.from(TEST_ONLY_CORPUS_CODEC_KEY, 'utf8'))),
          deps: await testDeps(sandbox),
          tuning: { identity: 'capture-histories-worker' },
        });
        running = worker.run();
        const results = await Promise.allSettled(
          mine.map(async (scenario) => {
            const handle = await runScenario(client, sandbox, scenario, webhook.url);
            if (scenario.state === 'open') open.push(handle);
            for (const [file, entry, json] of await captureChain(client, handle, scenario)) {
              files.set(file, json);
              captured.push(entry);
              console.log(
                `  ${file.padEnd(42)} ${String(entry.events).padStart(4)} events  ${entry.state}${entry.closedAs ? ` (${entry.closedAs})` : ''}`,
              );
            }
          }),
        );
        const failed = results.flatMap((r, i) =>
          r.status === 'rejected' ? [`${mine[i]!.name}: ${(r.reason as Error).message}`] : [],
        );
        if (failed.length) throw new Error(`scenarios failed:\n  ${failed.join('\n  ')}`);
      } finally {
        // Open runs would otherwise go on waiting on the next generation's worker.
        for (const handle of open) await handle.terminate('history captured').catch(() => undefined);
        worker?.shutdown();
        await running;
        await sandbox.close();
      }
    }
  } finally {
    await webhook.close();
    await env.teardown();
  }

  if (existsSync(outDir)) rmSync(outDir, { recursive: true });
  mkdirSync(outDir, { recursive: true });
  for (const [file, json] of files) writeFileSync(join(outDir, file), json);
  const manifest: CorpusManifest = {
    version,
    buildId,
    sdkVersion: bundledSdkVersion(),
    capturedAt: new Date().toISOString(),
    histories: captured.sort((a, b) => a.file.localeCompare(b.file)),
  };
  writeFileSync(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`\nwrote ${files.size} histories and ${MANIFEST_FILE} to ${relative(projectRoot, outDir)}`);
}

/** Starts the scenario's run and drives it to the point its history is captured. */
async function runScenario(
  client: Client,
  sandbox: Sandbox,
  scenario: Scenario,
  webhookUrl: string,
): Promise<WorkflowHandle> {
  const generation = GENERATIONS[scenario.generation];
  const spec = (change?: Parameters<ScenarioContext['spec']>[0]) =>
    sandboxSpec(sandbox, scenario.name, (s) => {
      generation.spec(s);
      scenario.spec?.(s, { sandbox, webhookUrl });
      change?.(s);
    });
  const handle = await actions.start(client, spec());
  const ctx: ScenarioContext = {
    handle,
    sandbox,
    spec,
    webhookUrl,
    waitFor: (until) => waitForStatus(handle, until, WAIT_MS),
    waitForAudit: async (event, count = 1) => {
      const deadline = Date.now() + WAIT_MS;
      while ((await handle.query(auditTrailQuery)).filter((e) => e.event === event).length < count) {
        if (Date.now() > deadline)
          throw new Error(`no ${count}× ${event} in the audit trail within ${WAIT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
  };
  await scenario.drive(ctx);
  // A closed run has ended; one the worker refused ends failed, which is its story, not the capture's.
  if (scenario.state === 'closed')
    await handle.result().catch((err: unknown) => {
      if ((err as { cause?: { type?: string } }).cause?.type !== RUN_REFUSED) throw err;
    });
  return handle;
}

const IN_FLIGHT = new Set(['workflowTaskScheduledEventAttributes', 'workflowTaskStartedEventAttributes']);

/** Every run of the chain (continue-as-new makes several), as [file, manifest entry, JSON]. */
async function captureChain(
  client: Client,
  handle: WorkflowHandle,
  scenario: Scenario,
): Promise<[string, Captured, string][]> {
  const runs: [Captured, string][] = [];
  let runId: string | undefined =
    (await client.workflow.getHandle(handle.workflowId).describe()).raw.workflowExecutionInfo?.firstRunId ?? undefined;
  while (runId) {
    const run = client.workflow.getHandle(handle.workflowId, runId);
    let history = await run.fetchHistory();
    // An open run is captured between workflow tasks, as a worker finds it after a release.
    for (let i = 0; i < 50 && scenario.state === 'open' && IN_FLIGHT.has(lastEventKind(history)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      history = await run.fetchHistory();
    }
    const last = history.events?.at(-1);
    const next = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    const description = await run.describe();
    const closedAs =
      description.status.name === 'RUNNING'
        ? undefined
        : description.status.name === 'COMPLETED'
          ? (await run.result()).outcome
          : description.status.name;
    runs.push([
      {
        file: '',
        scenario: scenario.name,
        what: scenario.what,
        state: closedAs ? 'closed' : 'open',
        ...(closedAs ? { closedAs } : {}),
        events: history.events?.length ?? 0,
      },
      `${historyToJSON(history)}\n`,
    ]);
    runId = next;
  }
  return runs.map(([entry, json], i) => {
    const file = runs.length === 1 ? `${scenario.name}.json` : `${scenario.name}.run-${i + 1}.json`;
    return [file, { ...entry, file }, json];
  });
}

function lastEventKind(history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>): string {
  const last = history.events?.at(-1) ?? {};
  return Object.keys(last).find((k) => k.endsWith('EventAttributes') && (last as Record<string, unknown>)[k]) ?? '';
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`capture-histories: ${(err as Error).stack ?? String(err)}`);
    process.exit(1);
  },
);
