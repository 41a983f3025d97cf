// `npm run sandbox`: serves the stand-ins on fixed loopback ports (those examples/sandbox.yaml
// names) and writes the credentials it generated to owner-only files the example specs reference,
// in one folder per deployment (`<secrets-dir>/<deploymentId>/`), as a worker policy's secretsDir expects.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSandbox, type SandboxOptions } from './index.js';
import { FAULT_KINDS, FAILING_KINDS, parseFaultRule, type FaultKind } from './faults.js';
import { DEFAULT_PORTS, DEFAULT_SECRETS_DIR, EXAMPLE_DEPLOYMENTS, writeSandboxSecrets } from './local.js';
import { ensureSandboxKey, SANDBOX_APPROVER, SANDBOX_OPERATOR, SANDBOX_POLICY_FILE, SANDBOX_STAFF, writeSandboxWorkerPolicy } from './identities.js';
import { isDeploymentId } from '../src/spec/deployment-id.js';

const USAGE = `usage: npm run sandbox -- [options]
  --mosip-port N        MOSIP API gateway (authmanager, PMS, policy manager, keymanager, Keycloak) [${DEFAULT_PORTS.mosip}]
  --esignet-port N      e-Signet [${DEFAULT_PORTS.esignet}]
  --odoo-port N         OpenG2P / Odoo [${DEFAULT_PORTS.odoo}]
  --control-port N      control API for tests and demos [${DEFAULT_PORTS.control}]
  --esignet-version V   1.4.1 (default) or 1.7.0
  --odoo-version N      15 (OpenG2P 1.x, default) or 17 (OpenG2P 1.2+)
  --auto-approve-ms N   demo mode: the Partner Admin approves policy mappings in the "portal" after N ms
  --partner-user ID     create a partner login (repeatable)
  --host ADDR           interface to listen on [127.0.0.1]
  --secrets-dir DIR     where to write the generated credentials, one folder per deployment
                        (a worker policy's secretsDir) [${DEFAULT_SECRETS_DIR}]
  --deployment ID       a deployment whose folder gets them (repeatable) [${EXAMPLE_DEPLOYMENTS.join(', ')}]
fault injection (MOSIP, e-Signet and OpenG2P ports; never the control port):
  --fault RULE          '<METHOD> <path> [~text…]=<kind>[:<mode>]' (repeatable), e.g.
                        'POST /v1/partnermanager/partners=commit-then-fail:0.5'
                        kind: latency-<ms> | error[-<status>] | reset | hang | commit-then-fail |
                              commit-then-reset | commit-then-hang
                        mode: a probability, once, or x<N>; ~text: the query or body must contain it
  --fault-rate P        probability that any request gets a fault of --fault-kinds [0]
  --fault-kinds K,…     kinds the rate picks from [${FAILING_KINDS.join(',')}]
  --latency-ms N        added to every request [0]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'mosip-port': { type: 'string' },
      'esignet-port': { type: 'string' },
      'odoo-port': { type: 'string' },
      'control-port': { type: 'string' },
      'esignet-version': { type: 'string' },
      'odoo-version': { type: 'string' },
      'auto-approve-ms': { type: 'string' },
      'partner-user': { type: 'string', multiple: true },
      'secrets-dir': { type: 'string' },
      deployment: { type: 'string', multiple: true },
      host: { type: 'string' },
      fault: { type: 'string', multiple: true },
      'fault-rate': { type: 'string' },
      'fault-kinds': { type: 'string' },
      'latency-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const esignetVersion = (values['esignet-version'] ?? '1.4.1') as SandboxOptions['esignetVersion'];
  if (!['1.4.1', '1.7.0'].includes(esignetVersion!)) throw new Error('--esignet-version must be 1.4.1 or 1.7.0');
  const odooVersion = Number(values['odoo-version'] ?? 15);
  if (odooVersion !== 15 && odooVersion !== 17) throw new Error('--odoo-version must be 15 or 17');
  const faultRate = Number(values['fault-rate'] ?? 0);
  if (!(faultRate >= 0 && faultRate <= 1)) throw new Error('--fault-rate must be a probability between 0 and 1');
  const latencyMs = Number(values['latency-ms'] ?? 0);
  if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new Error('--latency-ms must be a whole number of milliseconds');
  const faultKinds = (values['fault-kinds']?.split(',').map((k) => k.trim()) ?? FAILING_KINDS) as FaultKind[];
  const unknownKind = faultKinds.find((k) => !FAULT_KINDS.includes(k));
  if (unknownKind) throw new Error(`--fault-kinds: unknown kind ${unknownKind} (${FAULT_KINDS.join(', ')})`);
  // Parsed here so a typo stops the sandbox with the rule's own message.
  const faultRules = (values.fault ?? []).map(parseFaultRule);
  const sandbox = await startSandbox({
    ports: {
      mosip: port(values['mosip-port'], DEFAULT_PORTS.mosip),
      esignet: port(values['esignet-port'], DEFAULT_PORTS.esignet),
      odoo: port(values['odoo-port'], DEFAULT_PORTS.odoo),
      control: port(values['control-port'], DEFAULT_PORTS.control),
    },
    host: values.host,
    esignetVersion,
    odooVersion,
    autoApproveMappingsAfterMs: values['auto-approve-ms'] ? Number(values['auto-approve-ms']) : undefined,
    partnerUsers: values['partner-user'] ?? ['openg2p-sandbox-auth'],
    faults: { rules: faultRules, global: { rate: faultRate, kinds: faultKinds, latencyMs } },
  });
  const secretsDir = resolve(values['secrets-dir'] ?? DEFAULT_SECRETS_DIR);
  const deployments = values.deployment ?? [...EXAMPLE_DEPLOYMENTS];
  const badId = deployments.find((id) => !isDeploymentId(id));
  if (badId !== undefined) throw new Error(`--deployment ${badId}: not a deployment id (lower-case letters, digits and -)`);
  await writeSandboxSecrets(sandbox, secretsDir, deployments);
  await writeSandboxWorkerPolicy(resolve(SANDBOX_POLICY_FILE), { secretsDir });
  console.log(`sandbox ready (e-Signet ${esignetVersion}, OpenG2P on Odoo ${odooVersion})`);
  console.log(`  MOSIP   ${sandbox.urls.mosip}`);
  console.log(`  e-Signet ${sandbox.urls.esignet}/v1/esignet`);
  console.log(`  OpenG2P ${sandbox.urls.odoo}`);
  console.log(`  control ${sandbox.urls.control}`);
  console.log(`  signing keys: staff ${await ensureSandboxKey(SANDBOX_STAFF)}, Partner Admin ${await ensureSandboxKey(SANDBOX_APPROVER)}, ops ${await ensureSandboxKey(SANDBOX_OPERATOR)}`);
  console.log(`  worker policy for the sandbox: ${SANDBOX_POLICY_FILE} (run the worker with G2P_ONBOARD_POLICY=${SANDBOX_POLICY_FILE})`);
  console.log(`  credentials written to ${secretsDir}/{${deployments.join(',')}}`);
  if (faultRules.length || faultRate > 0 || latencyMs > 0) {
    console.log(`  faults: ${faultRules.length} rule(s), rate ${faultRate} of ${faultKinds.join('/')}, latency ${latencyMs} ms`);
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
