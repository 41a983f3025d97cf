// `npm run sandbox`: serves the stand-ins on fixed loopback ports (those examples/sandbox.yaml
// names) and writes the credentials it generated to owner-only files the example specs reference,
// in one folder per deployment (`<secrets-dir>/<deploymentId>/`), as a worker policy's secretsDir expects.
import { resolve } from 'node:path';
import { startSandbox } from './index.js';
import { sandboxConfigFromArgs, USAGE } from './config.js';
import { writeSandboxSecrets } from './local.js';
import {
  ensureSandboxKey,
  SANDBOX_APPROVER,
  SANDBOX_OPERATOR,
  SANDBOX_POLICY_FILE,
  SANDBOX_STAFF,
  writeSandboxWorkerPolicy,
} from './identities.js';

async function main(): Promise<void> {
  const config = sandboxConfigFromArgs(process.argv.slice(2));
  if (config.help) {
    console.log(USAGE);
    return;
  }
  const { options, secretsDir, deployments } = config;
  const sandbox = await startSandbox(options);
  await writeSandboxSecrets(sandbox, secretsDir, deployments);
  await writeSandboxWorkerPolicy(resolve(SANDBOX_POLICY_FILE), { secretsDir });
  console.log(`sandbox ready (e-Signet ${options.esignetVersion}, OpenG2P on Odoo ${options.odooVersion})`);
  console.log(`  MOSIP   ${sandbox.urls.mosip}`);
  console.log(`  e-Signet ${sandbox.urls.esignet}/v1/esignet`);
  console.log(`  OpenG2P ${sandbox.urls.odoo}`);
  console.log(`  control ${sandbox.urls.control}`);
  console.log(
    `  signing keys: staff ${await ensureSandboxKey(SANDBOX_STAFF)}, Partner Admin ${await ensureSandboxKey(SANDBOX_APPROVER)}, ops ${await ensureSandboxKey(SANDBOX_OPERATOR)}`,
  );
  console.log(
    `  worker policy for the sandbox: ${SANDBOX_POLICY_FILE} (run the worker with G2P_ONBOARD_POLICY=${SANDBOX_POLICY_FILE})`,
  );
  console.log(`  credentials written to ${secretsDir}/{${deployments.join(',')}}`);
  const { rules, global } = options.faults;
  if (rules.length || global.rate > 0 || global.latencyMs > 0) {
    console.log(
      `  faults: ${rules.length} rule(s), rate ${global.rate} of ${global.kinds.join('/')}, latency ${global.latencyMs} ms`,
    );
  }
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`sandbox: ${(err as Error).message}\n${USAGE}`);
  process.exit(1);
});
