// The sandbox program's settings: its command line, validated in one place (zod) before anything
// starts, so a typo stops it with the flag named and nothing half-written to disk.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { isDeploymentId } from '../src/spec/deployment-id.js';
import { ESIGNET_RELEASES, type EsignetRelease, type SandboxOptions } from './context.js';
import { FAULT_KINDS, FAILING_KINDS, parseFaultRule, type FaultKind, type FaultRule } from './faults.js';
import { DEFAULT_PORTS, DEFAULT_SECRETS_DIR, EXAMPLE_DEPLOYMENTS } from './local.js';

export const USAGE = `usage: npm run sandbox -- [options]
  --mosip-port N        MOSIP API gateway (authmanager, PMS, policy manager, keymanager, Keycloak) [${DEFAULT_PORTS.mosip}]
  --esignet-port N      e-Signet [${DEFAULT_PORTS.esignet}]
  --odoo-port N         OpenG2P / Odoo [${DEFAULT_PORTS.odoo}]
  --control-port N      control API for tests and demos [${DEFAULT_PORTS.control}]
  --esignet-version V   ${ESIGNET_RELEASES.join(', ')} [1.4.1]
  --esignet-without-ui-front
                        e-Signet without its UI front: discovery's jwks_uri (<domain>/.well-known/jwks.json)
                        answers HTTP 200 with an empty body, as the bare service does
  --odoo-version N      15 (OpenG2P 1.x, default) or 17 (OpenG2P 1.2+)
  --openg2p-module M=V  installed version of an OpenG2P OIDC module (repeatable), e.g. auth_oidc=15.0.1.1.0
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

const FLAGS = {
  'mosip-port': { type: 'string' },
  'esignet-port': { type: 'string' },
  'odoo-port': { type: 'string' },
  'control-port': { type: 'string' },
  'esignet-version': { type: 'string' },
  'esignet-without-ui-front': { type: 'boolean' },
  'odoo-version': { type: 'string' },
  'openg2p-module': { type: 'string', multiple: true },
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
} as const;

const wholeNumber = (what: string, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^\d+$/, { message: `must be ${what}` })
    .transform(Number)
    .refine((n) => n <= max, { message: `must be ${what}` });
const port = wholeNumber('a port number (0 for any free port)', 65535);

const flagsSchema = z.object({
  'mosip-port': port.default(DEFAULT_PORTS.mosip),
  'esignet-port': port.default(DEFAULT_PORTS.esignet),
  'odoo-port': port.default(DEFAULT_PORTS.odoo),
  'control-port': port.default(DEFAULT_PORTS.control),
  'esignet-version': z
    .enum(ESIGNET_RELEASES, { message: `must be one of ${ESIGNET_RELEASES.join(', ')}` })
    .default('1.4.1'),
  'openg2p-module': z
    .array(
      z
        .string()
        .regex(/^[a-z0-9_]+=\d+(\.\d+)+$/, { message: 'must be <module>=<version>, e.g. auth_oidc=15.0.1.1.0' }),
    )
    .default([])
    .transform((pairs) => Object.fromEntries(pairs.map((p) => p.split('=') as [string, string]))),
  'odoo-version': z
    .enum(['15', '17'], { message: 'must be 15 or 17' })
    .default('15')
    .transform((v) => (v === '17' ? 17 : 15) as 15 | 17),
  'auto-approve-ms': wholeNumber('a whole number of milliseconds').optional(),
  'partner-user': z.array(z.string().min(1)).default(['openg2p-sandbox-auth']),
  host: z.string().min(1).optional(),
  'secrets-dir': z
    .string()
    .min(1)
    .default(DEFAULT_SECRETS_DIR)
    .transform((dir) => resolve(dir)),
  deployment: z
    .array(z.string().refine(isDeploymentId, { message: 'not a deployment id (lower-case letters, digits and -)' }))
    .default([...EXAMPLE_DEPLOYMENTS]),
  fault: z.array(z.string()).default([]),
  'fault-rate': z
    .string()
    .transform(Number)
    .refine((p) => p >= 0 && p <= 1, { message: 'must be a probability between 0 and 1' })
    .default(0),
  'fault-kinds': z
    .string()
    .transform((list) => list.split(',').map((k) => k.trim()))
    .pipe(z.array(z.enum(FAULT_KINDS, { message: `unknown kind (${FAULT_KINDS.join(', ')})` })))
    .default(FAILING_KINDS),
  'latency-ms': wholeNumber('a whole number of milliseconds').default(0),
  'esignet-without-ui-front': z.boolean().default(false),
  help: z.boolean().default(false),
});

export interface SandboxConfig {
  /** `--help`: print USAGE and start nothing. */
  help: boolean;
  /** What startSandbox is given. */
  options: SandboxOptions & {
    esignetVersion: EsignetRelease;
    odooVersion: 15 | 17;
    faults: { rules: FaultRule[]; global: { rate: number; kinds: FaultKind[]; latencyMs: number } };
  };
  /** Absolute folder the generated credentials go to, one sub-folder per deployment. */
  secretsDir: string;
  deployments: string[];
}

/** The sandbox's settings from its command line; throws naming the flag and what it must be. */
export function sandboxConfigFromArgs(args: string[]): SandboxConfig {
  const { values } = parseArgs({ args, options: FLAGS, strict: true });
  const parsed = flagsSchema.safeParse(values);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const flag = String(issue.path[0]);
      const index = issue.path[1];
      const given = values[flag as keyof typeof values];
      const got =
        Array.isArray(given) && typeof index === 'number'
          ? given[index]
          : typeof given === 'string'
            ? given
            : undefined;
      return `--${flag} ${issue.message}${got !== undefined ? ` (got ${JSON.stringify(got)})` : ''}`;
    });
    throw new Error(problems.join('; '));
  }
  const f = parsed.data;
  // Parsed here so a typo stops the sandbox with the rule's own message.
  const rules = f.fault.map(parseFaultRule);
  return {
    help: f.help,
    options: {
      ports: { mosip: f['mosip-port'], esignet: f['esignet-port'], odoo: f['odoo-port'], control: f['control-port'] },
      host: f.host,
      esignetVersion: f['esignet-version'],
      ...(f['esignet-without-ui-front'] ? { esignetWithoutUiFront: true } : {}),
      odooVersion: f['odoo-version'],
      ...(Object.keys(f['openg2p-module']).length ? { openg2pModuleVersions: f['openg2p-module'] } : {}),
      autoApproveMappingsAfterMs: f['auto-approve-ms'],
      partnerUsers: f['partner-user'],
      faults: { rules, global: { rate: f['fault-rate'], kinds: f['fault-kinds'], latencyMs: f['latency-ms'] } },
    },
    secretsDir: f['secrets-dir'],
    deployments: f.deployment,
  };
}
