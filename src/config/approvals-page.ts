// The approvals page's configuration (`npm run approvals`, `g2p-onboard-approvals`): the origin
// approvers open (its host name is the passkeys' WebAuthn relying party id), where it listens,
// TLS, the identity registry it signs people in against, and the codec server it reads runs
// through with its own token, like the CLI (it holds no payload key). Read once at start.
import { z } from 'zod';
import { CLI_VARIABLES } from './cli.js';
import { isLoopbackHost } from '../security/loopback.js';
import type { CodecClientSettings } from '../security/remote-codec.js';
import type { SecretSource } from '../security/secrets.js';
import { DEFAULT_POLICY_FILE } from '../security/worker-policy.js';
import { ConfigError, readVariables, variableProblem, type VariableTable } from './variables.js';
import { optionalString, portNumber, trueOrFalse, wholeNumber, zodVariable } from './zod-variable.js';

export const DEFAULT_APPROVALS_PORT = 8235;
/** localhost, not 127.0.0.1: WebAuthn takes no IP address as a relying party id. */
export const DEFAULT_APPROVALS_ORIGIN = `http://localhost:${DEFAULT_APPROVALS_PORT}`;
export const DEFAULT_SESSION_MINUTES = 15;

const pageOrigin = z
  .string()
  .optional()
  .transform((raw) => raw ?? DEFAULT_APPROVALS_ORIGIN)
  .superRefine((origin, ctx) => {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/+$/, '')) {
      ctx.addIssue({ code: 'custom', message: 'an origin such as https://approvals.example.org (no path)' });
      return;
    }
    const url = new URL(origin);
    if (/^[\d.]+$|^\[/.test(url.hostname))
      ctx.addIssue({
        code: 'custom',
        message: 'a host name, not an IP address: passkeys (WebAuthn) are bound to a domain (use localhost here)',
      });
    else if (url.protocol !== 'https:' && url.hostname !== 'localhost')
      ctx.addIssue({ code: 'custom', message: 'https: browsers offer passkeys over plain http on localhost only' });
  })
  .transform((origin) => new URL(origin).origin);

export const APPROVALS_PAGE_VARIABLES = {
  G2P_ONBOARD_APPROVALS_ORIGIN: zodVariable(pageOrigin, {
    default: DEFAULT_APPROVALS_ORIGIN,
    meaning:
      "the page's origin as approvers' browsers open it; its host name is the passkeys' relying party id (https, or http on localhost)",
  }),
  G2P_ONBOARD_APPROVALS_HOST: zodVariable(optionalString, {
    default: '127.0.0.1',
    meaning: 'address to listen on; beyond loopback only with _TLS_CERT/_TLS_KEY or _BEHIND_TLS=true',
  }),
  G2P_ONBOARD_APPROVALS_PORT: zodVariable(portNumber(DEFAULT_APPROVALS_PORT), {
    default: String(DEFAULT_APPROVALS_PORT),
    meaning: 'port to listen on (0: any free port)',
  }),
  G2P_ONBOARD_APPROVALS_TLS_CERT: zodVariable(optionalString, {
    meaning: 'PEM certificate file: serve https itself (with _TLS_KEY)',
  }),
  G2P_ONBOARD_APPROVALS_TLS_KEY: zodVariable(optionalString, { meaning: 'PEM private key file of that certificate' }),
  G2P_ONBOARD_APPROVALS_BEHIND_TLS: zodVariable(trueOrFalse, {
    default: 'false',
    meaning: '`true`: a TLS proxy serves the origin (cookies get Secure)',
  }),
  G2P_ONBOARD_APPROVALS_SESSION_MINUTES: zodVariable(wholeNumber(1), {
    default: String(DEFAULT_SESSION_MINUTES),
    meaning: 'how long a sign-in lasts (minutes; at most 60)',
  }),
  G2P_ONBOARD_POLICY: zodVariable(optionalString, {
    default: DEFAULT_POLICY_FILE,
    meaning:
      "the worker policy whose identity registry (approvers' passkeys) people sign in against; re-read at each sign-in",
  }),
  TEMPORAL_CODEC_ENDPOINT: {
    ...CLI_VARIABLES.TEMPORAL_CODEC_ENDPOINT,
    meaning: 'the codec server runs are read through',
  },
  TEMPORAL_CODEC_AUTH: { ...CLI_VARIABLES.TEMPORAL_CODEC_AUTH, meaning: "the page's Authorization header there" },
  G2P_ONBOARD_CODEC_SERVER_TOKEN: {
    ...CLI_VARIABLES.G2P_ONBOARD_CODEC_SERVER_TOKEN,
    meaning: "else: secret reference to the page's codec-server token (give it a line of its own)",
  },
} satisfies VariableTable;

export interface ApprovalsPageConfig {
  origin: string;
  /** The WebAuthn relying party id: the origin's host name. */
  rpId: string;
  host: string;
  port: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Cookies get `Secure`: the origin is https (served here or by a proxy). */
  secureCookies: boolean;
  sessionMinutes: number;
  policyFile: string;
  codec: CodecClientSettings;
  secrets: SecretSource;
}

/** The page's configuration from `env`; throws a ConfigError naming each wrong variable and what to set. */
export function approvalsPageConfigFrom(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): ApprovalsPageConfig {
  const table = APPROVALS_PAGE_VARIABLES;
  const v = readVariables('approvals page', table, env);
  const problems: string[] = [];
  const cert = v.G2P_ONBOARD_APPROVALS_TLS_CERT;
  const key = v.G2P_ONBOARD_APPROVALS_TLS_KEY;
  if ((cert === undefined) !== (key === undefined)) {
    const given = cert !== undefined ? 'G2P_ONBOARD_APPROVALS_TLS_CERT' : 'G2P_ONBOARD_APPROVALS_TLS_KEY';
    problems.push(
      variableProblem(
        given,
        table[given],
        env[given],
        'set both _TLS_CERT and _TLS_KEY of G2P_ONBOARD_APPROVALS, or neither',
      ),
    );
  }
  const tls = cert !== undefined || v.G2P_ONBOARD_APPROVALS_BEHIND_TLS;
  const host = v.G2P_ONBOARD_APPROVALS_HOST ?? '127.0.0.1';
  if (!tls && !isLoopbackHost(host))
    problems.push(
      variableProblem(
        'G2P_ONBOARD_APPROVALS_HOST',
        table.G2P_ONBOARD_APPROVALS_HOST,
        host,
        'beyond loopback the page serves only over https: give G2P_ONBOARD_APPROVALS_TLS_CERT and _TLS_KEY, or G2P_ONBOARD_APPROVALS_BEHIND_TLS=true',
      ),
    );
  const origin = v.G2P_ONBOARD_APPROVALS_ORIGIN;
  if (tls && !origin.startsWith('https:'))
    problems.push(
      variableProblem(
        'G2P_ONBOARD_APPROVALS_ORIGIN',
        table.G2P_ONBOARD_APPROVALS_ORIGIN,
        origin,
        'served over TLS, the origin is https://…',
      ),
    );
  const minutes = v.G2P_ONBOARD_APPROVALS_SESSION_MINUTES ?? DEFAULT_SESSION_MINUTES;
  if (minutes > 60)
    problems.push(
      variableProblem(
        'G2P_ONBOARD_APPROVALS_SESSION_MINUTES',
        table.G2P_ONBOARD_APPROVALS_SESSION_MINUTES,
        String(minutes),
        'at most 60: sessions are short-lived',
      ),
    );
  if (problems.length) throw new ConfigError('approvals page', problems);
  return {
    origin,
    rpId: new URL(origin).hostname,
    host,
    port: v.G2P_ONBOARD_APPROVALS_PORT,
    ...(cert !== undefined && key !== undefined ? { tlsCertFile: cert, tlsKeyFile: key } : {}),
    secureCookies: origin.startsWith('https:'),
    sessionMinutes: minutes,
    policyFile: v.G2P_ONBOARD_POLICY ?? DEFAULT_POLICY_FILE,
    codec: {
      endpoint: v.TEMPORAL_CODEC_ENDPOINT,
      ...(v.TEMPORAL_CODEC_AUTH !== undefined ? { authorization: v.TEMPORAL_CODEC_AUTH } : {}),
      tokenRef: v.G2P_ONBOARD_CODEC_SERVER_TOKEN,
    },
    secrets: { env, baseDir: cwd },
  };
}
