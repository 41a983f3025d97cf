// The worker's policy: what runs on this worker may read, reach, and who may act on them.
// It is written by the worker's operator, not by spec authors: a spec is written by someone
// these controls exist to check, so a spec only *names* things (secret references, hosts,
// approvers) and this file decides whether the name is allowed. See SECURITY.md.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ApproverKeyError, jwkThumbprint, normaliseApproverKey } from '../approvals/keys.js';
import type { ApproverJwk } from '../approvals/decision.js';
import { coseToJwk, CoseKeyError } from '../approvals/cose.js';
import { fromBase64Url } from '../approvals/jws.js';
import type { TrustedPasskey } from '../approvals/passkey.js';

/** Where the worker looks for its policy when G2P_ONBOARD_POLICY is not set. */
export const DEFAULT_POLICY_FILE = '.data/worker-policy.yaml';
/** The prefix an `env:` reference must carry unless the policy names another. */
export const DEFAULT_ENV_PREFIX = 'G2P_SECRET_';
/** Environment variables no spec may name, whatever the prefix: Temporal's and the product's own. */
export const RESERVED_ENV_PREFIXES = ['TEMPORAL_', 'G2P_ONBOARD_'] as const;

export const ROLES = ['initiator', 'approver', 'operator'] as const;
export type Role = (typeof ROLES)[number];

/** A person the worker trusts, as the workflow sees them: public keys only. */
export interface Identity {
  name: string;
  roles: Role[];
  /** The key their signed tokens (JWS) verify with; an approver deciding only with passkeys may have none. */
  publicKey?: ApproverJwk;
  /** RFC 7638 thumbprint (SHA-256, base64url) of `publicKey`: names the key in the audit trail. */
  thumbprint?: string;
  /** Passkeys enrolled on the approvals page: their decisions there verify with these. */
  passkeys: TrustedPasskey[];
}

/** What one deployment's activities may reach over the network. */
export interface EgressPolicy {
  /** `host`, `host:port` or `*.domain` patterns; a request to any other host is refused. */
  hosts: string[];
  /** Loopback, private and link-local addresses are refused after resolution unless this is true. */
  privateNetworks: boolean;
}

export interface WorkerPolicy {
  /** The file it was read from (for messages). */
  source: string;
  /** Root of `file:` references: a spec reads only inside `<secretsDir>/<deploymentId>/`. */
  secretsDir: string;
  /** `env:` references must start with this. */
  envPrefix: string;
  deployments: { match: string; egress: EgressPolicy }[];
  identities: Identity[];
}

const hostPattern = z.string().regex(/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i, {
  message: 'must be host, host:port or *.domain',
});

/** A page origin a passkey may be used on: https, or plain http on localhost (the demo). */
const passkeyOrigin = z.string().refine(
  (o) => {
    if (!URL.canParse(o)) return false;
    const url = new URL(o);
    return url.origin === o && (url.protocol === 'https:' || url.hostname === 'localhost');
  },
  { message: 'an origin such as https://approvals.example.org (http only on localhost)' },
);

/** A passkey (WebAuthn credential) as the approvals page prints it at enrollment. */
const passkeySchema = z
  .object({
    credentialId: z.string().regex(/^[A-Za-z0-9_-]{16,1400}$/, { message: 'the credential id, base64url' }),
    publicKey: z.union([
      z.record(z.string(), z.unknown()),
      z.string().regex(/^[A-Za-z0-9_-]+$/, { message: 'a JWK, or the COSE key in base64url' }),
    ]),
    rpId: z
      .string()
      .regex(/^(?![\d.]+$)[a-z0-9.-]+$/i, { message: "the page's host name (WebAuthn takes no IP address)" }),
    origins: z.array(passkeyOrigin).min(1),
  })
  .strict()
  .refine((p) => p.origins.every((o) => new URL(o).hostname === p.rpId || new URL(o).hostname.endsWith(`.${p.rpId}`)), {
    message: 'each origin must be on rpId or a subdomain of it',
    path: ['origins'],
  });

const policyFileSchema = z
  .object({
    secretsDir: z.string().min(1),
    envPrefix: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*_$/, {
        message: 'must be upper-case letters, digits and _ ending in _ (e.g. G2P_SECRET_)',
      })
      .refine((p) => !RESERVED_ENV_PREFIXES.some((r) => p.startsWith(r) || r.startsWith(p)), {
        message: `must not overlap ${RESERVED_ENV_PREFIXES.join(' or ')} (Temporal's and the product's own settings)`,
      })
      .default(DEFAULT_ENV_PREFIX),
    deployments: z
      .array(
        z
          .object({
            match: z.string().regex(/^[a-z0-9*-]+$/, { message: 'a deployment id, or a pattern with *' }),
            hosts: z.array(hostPattern).min(1),
            privateNetworks: z.boolean().default(false),
          })
          .strict(),
      )
      .default([]),
    identities: z
      .array(
        z
          .object({
            name: z.string().regex(/^\S{1,64}$/, { message: 'one word, at most 64 characters' }),
            roles: z.array(z.enum(ROLES)).min(1),
            publicKey: z.unknown().optional(),
            publicKeyFile: z.string().optional(),
            webauthn: z.array(passkeySchema).optional(),
            email: z.string().optional(),
          })
          .strict(),
      )
      .default([])
      .refine((list) => new Set(list.map((i) => i.name)).size === list.length, {
        message: 'identity names must be unique',
      }),
  })
  .strict();

export type WorkerPolicyFile = z.input<typeof policyFileSchema>;

export class PolicyError extends Error {
  override name = 'PolicyError';
}

/** A registry passkey entry → the passkey a run trusts (its key as a JWK, with its thumbprint). */
function readPasskey(entry: z.infer<typeof passkeySchema>, where: string): TrustedPasskey {
  let publicKey: ApproverJwk;
  try {
    publicKey =
      typeof entry.publicKey === 'string'
        ? coseToJwk(fromBase64Url(entry.publicKey))
        : normaliseApproverKey(entry.publicKey);
  } catch (err) {
    if (!(err instanceof ApproverKeyError || err instanceof CoseKeyError)) throw err;
    throw new PolicyError(`${where}.publicKey: ${err.message}`);
  }
  return {
    credentialId: entry.credentialId,
    publicKey,
    thumbprint: jwkThumbprint(publicKey),
    rpId: entry.rpId,
    origins: entry.origins,
  };
}

/**
 * The policy file must be the operator's: owned by the worker's user (or root) and writable by
 * nobody else, or a spec author with a shell account could widen their own reach.
 */
function assertOwnedByOperator(file: string): void {
  const st = statSync(file);
  if (!st.isFile()) throw new PolicyError(`${file} is not a regular file`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid && st.uid !== 0) {
    throw new PolicyError(
      `${file} belongs to user ${st.uid}, not to the worker's user (${uid}) or root: the worker trusts only a policy its operator owns`,
    );
  }
  if ((st.mode & 0o022) !== 0) {
    throw new PolicyError(
      `${file} is writable by group or others (mode ${(st.mode & 0o777).toString(8)}): chmod go-w it; the worker trusts only a policy its operator alone can change`,
    );
  }
}

/** Parses and checks a policy document; `file` anchors its relative paths. */
export function parseWorkerPolicy(data: unknown, file: string): WorkerPolicy {
  const parsed = policyFileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PolicyError(`${file}: ${problems.join('; ')}`);
  }
  const base = dirname(resolve(file));
  const identities = parsed.data.identities.map((entry, i): Identity => {
    let raw = entry.publicKey;
    if (entry.publicKeyFile !== undefined) {
      try {
        raw = readFileSync(resolve(base, entry.publicKeyFile), 'utf8');
      } catch (err) {
        throw new PolicyError(
          `${file}: identities[${i}].publicKeyFile: cannot read ${entry.publicKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'}), relative to the policy's folder`,
        );
      }
    }
    const roles = [...new Set(entry.roles)];
    const passkeys = (entry.webauthn ?? []).map((p, j) => readPasskey(p, `${file}: identities[${i}].webauthn[${j}]`));
    // Starting, retrying and aborting are signed tokens; an approver may decide with passkeys alone.
    if (raw === undefined && !(passkeys.length && roles.every((r) => r === 'approver')))
      throw new PolicyError(
        `${file}: identities[${i}] (${entry.name}): give publicKey or publicKeyFile${roles.every((r) => r === 'approver') ? ', or webauthn (a passkey enrolled on the approvals page)' : ''}`,
      );
    let publicKey: ApproverJwk | undefined;
    try {
      publicKey = raw === undefined ? undefined : normaliseApproverKey(raw);
    } catch (err) {
      if (!(err instanceof ApproverKeyError)) throw err;
      throw new PolicyError(`${file}: identities[${i}] (${entry.name}): ${err.message}`);
    }
    return {
      name: entry.name,
      roles,
      ...(publicKey ? { publicKey, thumbprint: jwkThumbprint(publicKey) } : {}),
      passkeys,
    };
  });
  const credentialIds = identities.flatMap((i) => i.passkeys.map((p) => p.credentialId));
  if (new Set(credentialIds).size !== credentialIds.length)
    throw new PolicyError(`${file}: a passkey credential id is listed twice: each passkey belongs to one person`);
  return {
    source: file,
    secretsDir: isAbsolute(parsed.data.secretsDir) ? parsed.data.secretsDir : resolve(base, parsed.data.secretsDir),
    envPrefix: parsed.data.envPrefix,
    deployments: parsed.data.deployments.map((d) => ({
      match: d.match,
      egress: { hosts: d.hosts, privateNetworks: d.privateNetworks },
    })),
    identities,
  };
}

/**
 * Reads, checks and parses the worker's policy; a missing or unsafe one stops the worker.
 * `forChecksOnly`: a copy read to *check* a spec against (`g2p-onboard validate --policy`), which
 * grants nothing, so it need not belong to the worker's operator.
 */
export function loadWorkerPolicy(file: string, options: { forChecksOnly?: boolean } = {}): WorkerPolicy {
  let text: string;
  try {
    if (!options.forChecksOnly) assertOwnedByOperator(file);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    throw new PolicyError(
      `no worker policy at ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}): set G2P_ONBOARD_POLICY to the file that says which secrets, hosts and people this worker's runs may use (SECURITY.md); \`npm run sandbox\` writes one for the local sandbox`,
    );
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw new PolicyError(`${file}: not valid YAML/JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseWorkerPolicy(data, file);
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** The egress rule of a deployment: its first matching entry; none means it may reach nothing. */
export function egressFor(policy: Pick<WorkerPolicy, 'deployments'>, deploymentId: string): EgressPolicy | undefined {
  return policy.deployments.find((d) => globToRegExp(d.match).test(deploymentId))?.egress;
}

/** Whether `host` (hostname, optionally with :port) is allowed by one of `patterns`. */
export function hostAllowed(patterns: readonly string[], hostname: string, port: string): boolean {
  const host = hostname.toLowerCase();
  return patterns.some((pattern) => {
    const p = pattern.toLowerCase();
    const portAt = p.lastIndexOf(':');
    const bracketed = p.startsWith('[');
    const hasPort = portAt > 0 && (!bracketed || p.lastIndexOf(']') < portAt);
    const patternHost = hasPort ? p.slice(0, portAt) : p;
    if (hasPort && p.slice(portAt + 1) !== port) return false;
    if (patternHost.startsWith('*.'))
      return host.endsWith(patternHost.slice(1)) && host.length > patternHost.length - 1;
    return host === patternHost;
  });
}

/** The identities holding `role`. */
export function withRole(policy: Pick<WorkerPolicy, 'identities'>, role: Role): Identity[] {
  return policy.identities.filter((i) => i.roles.includes(role));
}

/** Whether an `env:` reference's variable may be read under this policy; the reason when not. */
export function envNameRefusal(name: string, envPrefix: string): string | undefined {
  if (RESERVED_ENV_PREFIXES.some((r) => name.startsWith(r)))
    return `${name} is one of the worker's own settings (${RESERVED_ENV_PREFIXES.join(', ')}…), never a spec's secret`;
  if (!name.startsWith(envPrefix))
    return `the worker lets specs read only environment variables starting with ${envPrefix}`;
  return undefined;
}
