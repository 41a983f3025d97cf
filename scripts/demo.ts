// `npm run demo`: the main job on the embedded default. Starts the Temporal dev server, the
// sandbox and a worker, onboards examples/sandbox.yaml, approves it as the sandbox's Partner
// Admin through the same update a person sends, prints the summary and stops everything
// (`--keep` leaves it all running to look at). Exit 0 only when the run completed. Roles as in
// production: the worker and the codec server hold the key ring; this script is a client like
// the CLI, encoding and decoding through the codec server with the local token.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { loadSpecFile } from '../src/spec/load.js';
import { dataConverterFor } from '../src/security/data-converter.js';
import { remoteCodecFor } from '../src/security/remote-codec.js';
import { startApprovalsPage } from '../src/approvals-page/server.js';
import {
  DEFAULT_APPROVALS_ORIGIN,
  DEFAULT_APPROVALS_PORT,
  DEFAULT_SESSION_MINUTES,
} from '../src/config/approvals-page.js';
import { startDevServer, PortInUseError, type DevServer } from './temporal/dev-server.js';
import { startConfiguredCodecServer } from '../src/security/codec-server-setup.js';
import { codecServerConfigFrom, localUiOrigins } from '../src/config/codec-server.js';
import { cliConfigFrom } from '../src/config/cli.js';
import { projectRoot } from '../src/project-root.js';
import { temporalUiUrl } from '../src/temporal/connection.js';
import { approveUpdate } from '../src/workflows/messages.js';
import { ensureSandboxKey, SANDBOX_APPROVER, SANDBOX_POLICY_FILE, SANDBOX_STAFF } from '../sandbox/identities.js';
import { loadApproverPrivateKey } from '../src/approvals/keys.js';
import { signDecision } from '../src/approvals/sign.js';
import { readFile } from 'node:fs/promises';
import { renderResult, renderStep } from '../src/cli/render.js';
import { sendUpdate, startOnboarding, watchRun } from '../src/cli/runs.js';
import { startProcess, WORKER_LAUNCHER, type ManagedProcess } from './processes.js';

const { values } = parseArgs({ options: { keep: { type: 'boolean' }, spec: { type: 'string' } } });
const specFile = resolve(values.spec ?? join(projectRoot, 'examples', 'sandbox.yaml'));
const TEMPORAL_ADDRESS = '127.0.0.1:7233';
/** Where the demo keeps its services' logs (owner-only, like the rest of .data/). */
const LOG_DIR = '.data/demo';

async function main(): Promise<number> {
  process.chdir(projectRoot);
  // The sandbox's people sign as real ones do: staff the start, the Partner Admin the approval.
  const signingKey = async (name: string) =>
    loadApproverPrivateKey(await readFile(await ensureSandboxKey(name), 'utf8'));
  const spec = await loadSpecFile(specFile);
  // The demo plays two programs' parts: the codec server's and, as a client, the CLI's.
  const codecServerConfig = codecServerConfigFrom();
  const cliConfig = cliConfigFrom();
  const started: { stop(): Promise<void> }[] = [];
  let keep = false;
  try {
    console.log('1/4 Temporal dev server (SQLite in .data/temporal, UI on :8233)');
    let server: DevServer | undefined;
    // The UI decodes the run through the codec server, for a browser signed in there (README).
    const codecServer = await startConfiguredCodecServer(
      { ...codecServerConfig, uiOrigins: localUiOrigins(8233) },
      () => undefined,
    ).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EADDRINUSE') throw err;
      console.log('    the codec server port is in use (`npm run temporal` running?): the UI keeps using that one');
      return undefined;
    });
    // In this process: its pid is the demo's own.
    if (codecServer) started.push({ pid: process.pid, stop: () => codecServer.close() } as { stop(): Promise<void> });
    try {
      server = await startDevServer({
        dbFile: '.data/temporal/temporal.db',
        port: 7233,
        uiPort: 8233,
        codecEndpoint: codecServer?.url,
      });
      started.push(server);
    } catch (err) {
      if (!(err instanceof PortInUseError)) throw err;
      console.log('    a server already listens on 7233: using it');
    }

    console.log(`2/4 sandbox: MOSIP, e-Signet and OpenG2P stand-ins (log: ${LOG_DIR}/sandbox.log)`);
    await mkdir(LOG_DIR, { recursive: true, mode: 0o700 });
    const sandbox = await startProcess('sandbox', process.execPath, ['dist/sandbox/main.js'], {
      readyLine: /credentials written/,
      logFile: `${LOG_DIR}/sandbox.log`,
    });
    started.push(sandbox);

    console.log(`3/4 worker (log: ${LOG_DIR}/worker.log)`);
    // The sandbox starts empty every time, so the demo's worker starts with an empty credential store too.
    const credentialsDir = '.data/demo/credentials';
    await rm(credentialsDir, { recursive: true, force: true });
    const worker: ManagedProcess = await startProcess('worker', WORKER_LAUNCHER, [], {
      readyLine: /g2p-onboard worker:/,
      logFile: `${LOG_DIR}/worker.log`,
      // The sandbox wrote this worker policy: loopback hosts, its secrets folder, its people.
      env: {
        ...process.env,
        NODE: process.execPath,
        TEMPORAL_ADDRESS,
        G2P_ONBOARD_CREDENTIALS_DIR: credentialsDir,
        G2P_ONBOARD_POLICY: SANDBOX_POLICY_FILE,
        // With --keep the demo serves the approvals page: notices link it.
        ...(values.keep ? { G2P_ONBOARD_APPROVALS_ORIGIN: DEFAULT_APPROVALS_ORIGIN } : {}),
      },
      timeoutMs: 60_000,
    });
    started.push(worker);

    console.log(`4/4 onboarding ${spec.deploymentId} from ${specFile}\n`);
    const connection = await Connection.connect({ address: TEMPORAL_ADDRESS });
    // The demo's codec server, or the one already on its port (`npm run temporal`), with the local token.
    const codec = remoteCodecFor(
      'default',
      { ...cliConfig.codec, endpoint: codecServer?.url ?? cliConfig.codec.endpoint },
      cliConfig.secrets,
    );
    const client = new Client({ connection, dataConverter: dataConverterFor(codec) });
    const handle = await startOnboarding(client, spec, { name: SANDBOX_STAFF, key: await signingKey(SANDBOX_STAFF) });
    const link = temporalUiUrl('default', handle.workflowId, handle.firstExecutionRunId, cliConfig.uiUrl);
    const result = await watchRun(handle, {
      onStep: (name, status) => console.log(renderStep(status.steps.find((s) => s.name === name)!)),
      onApprovalPending: (status) => {
        console.log(`  … waiting for the Partner Admin; approving as ${SANDBOX_APPROVER} with a signed decision`);
        const approve = async () => {
          const key = await signingKey(SANDBOX_APPROVER);
          const token = signDecision(key, {
            wid: status.workflowId,
            rid: status.firstRunId,
            decision: 'approve',
            approver: SANDBOX_APPROVER,
            comment: 'approved by the sandbox Partner Admin (demo)',
          });
          await sendUpdate(() => handle.executeUpdate(approveUpdate, { args: [{ token }] }));
        };
        approve().catch((err) => console.error(`  approval failed: ${(err as Error).message}`));
      },
      onBlocked: (status) => console.log(`  ✖ blocked at ${status.lastError!.step}: ${status.lastError!.message}`),
    });
    // The server stops with the demo unless --keep: say how to open the link afterwards.
    console.log(
      `\n${renderResult(result, values.keep ? link : `${link}\n${''.padEnd(29)}(the server stops with the demo; \`npm run temporal\` serves this run again from .data/, or use --keep)`)}`,
    );
    if (values.keep) {
      keep = true;
      console.log(
        `\nStill running (--keep): Temporal UI ${server?.uiUrl ?? 'http://127.0.0.1:8233'}, sandbox, worker.`,
      );
      const page = await startApprovalsPage({
        client,
        origin: DEFAULT_APPROVALS_ORIGIN,
        rpId: new URL(DEFAULT_APPROVALS_ORIGIN).hostname,
        policyFile: SANDBOX_POLICY_FILE,
        host: '127.0.0.1',
        port: DEFAULT_APPROVALS_PORT,
        sessionMinutes: DEFAULT_SESSION_MINUTES,
        secureCookies: false,
        log: (line) => console.log(`  approvals page: ${line}`),
      }).catch((err: unknown) => {
        console.log(`Approvals page not started (${(err as Error).message}): \`npm run approvals\` serves it`);
        return undefined;
      });
      if (page) {
        started.push({ pid: process.pid, stop: () => page.close() } as { stop(): Promise<void> });
        console.log(
          `Approvals page ${DEFAULT_APPROVALS_ORIGIN}: enroll a passkey there as ${SANDBOX_APPROVER}, add the printed webauthn item to ${SANDBOX_APPROVER} in ${SANDBOX_POLICY_FILE} and run the demo again with --keep (the worker reads the registry at start; the sandbox keeps the entry); then a run started with \`npx g2p-onboard start examples/sandbox.yaml --as ${SANDBOX_STAFF} --key .data/sandbox/identities/${SANDBOX_STAFF}.pem\` waits for your decision there (README, "Approvals").`,
        );
      }
      if (codecServer)
        console.log(
          `Codec server ${codecServer.url}: sign in there with the token in .data/codec-server-token to see decoded payloads in the UI (README, "Reading encrypted runs"); the CLI uses it too: npx g2p-onboard status ${spec.deploymentId}`,
        );
      console.log(
        `Stop them with Ctrl-C, or: kill ${started.map((s) => ('pid' in s ? s.pid : (s as ManagedProcess).child.pid)).join(' ')}`,
      );
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
      keep = false;
    }
    await connection.close();
    return result.outcome === 'completed' ? 0 : 1;
  } finally {
    if (!keep) for (const s of started.reverse()) await s.stop().catch(() => undefined);
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`demo failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
