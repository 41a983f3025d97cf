// The codec server's configuration (`npm run codec-server`, and the one `npm run temporal` and the
// demo start beside the dev server): its key ring, its tokens and where and how it listens.
// Read once at start; settings that only make sense together are checked together here.
import { z } from 'zod';
import { DEFAULT_CODEC_KEYS_REF } from '../security/codec-keys.js';
import { DEFAULT_CODEC_SERVER_PORT, DEFAULT_CODEC_SERVER_TOKEN_REF } from '../security/codec-defaults.js';
import type { SecretSource } from '../security/secrets.js';
import { ConfigError, readVariables, variableProblem, type VariableTable } from './variables.js';
import { optionalString, portNumber, secretRef, trueOrFalse, zodVariable } from './zod-variable.js';

/** The dev server's UI port, whose origins the local codec server admits by default. */
const LOCAL_UI_PORT = 8233;

/** The local dev server's UI, under both names a browser may use for it. */
export function localUiOrigins(uiPort: number): string[] {
  return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
}

const uiOrigins = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
  )
  .superRefine((origins, ctx) => {
    for (const origin of origins) {
      if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/+$/, '')) {
        ctx.addIssue({
          code: 'custom',
          message: `${origin} is not an origin such as https://temporal.example.org (scheme, host, port; no path)`,
        });
      }
    }
  })
  .optional()
  .transform((origins) => origins ?? localUiOrigins(LOCAL_UI_PORT));

export const CODEC_SERVER_VARIABLES = {
  G2P_ONBOARD_CODEC_KEYS: zodVariable(secretRef, {
    default: DEFAULT_CODEC_KEYS_REF,
    meaning:
      "secret reference to the payload key ring, the same as the workers' (unset: the local file, created on first use)",
  }),
  G2P_ONBOARD_CODEC_SERVER_TOKEN: zodVariable(secretRef, {
    default: DEFAULT_CODEC_SERVER_TOKEN_REF,
    meaning:
      'secret reference to the accepted tokens, one per line, `<label> <token>` or `<token>` (unset: the local file, created on first use)',
  }),
  G2P_ONBOARD_CODEC_SERVER_HOST: zodVariable(optionalString, {
    default: '127.0.0.1',
    meaning: 'address to listen on; beyond loopback only with _TLS_CERT/_TLS_KEY or _BEHIND_TLS=true',
  }),
  G2P_ONBOARD_CODEC_SERVER_PORT: zodVariable(portNumber(DEFAULT_CODEC_SERVER_PORT), {
    default: String(DEFAULT_CODEC_SERVER_PORT),
    meaning: 'port to listen on (0: any free port)',
  }),
  G2P_ONBOARD_CODEC_SERVER_UI_ORIGINS: zodVariable(uiOrigins, {
    default: localUiOrigins(LOCAL_UI_PORT).join(','),
    meaning: 'comma-separated Temporal UI origins allowed to call with credentials',
  }),
  G2P_ONBOARD_CODEC_SERVER_TLS_CERT: zodVariable(optionalString, {
    meaning: 'PEM certificate file: serve https itself (with _TLS_KEY)',
  }),
  G2P_ONBOARD_CODEC_SERVER_TLS_KEY: zodVariable(optionalString, {
    meaning: 'PEM private key file of that certificate',
  }),
  G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS: zodVariable(trueOrFalse, {
    default: 'false',
    meaning:
      "`true`: a TLS proxy faces the network (cookies get Secure; the client address is the proxy's last X-Forwarded-For)",
  }),
  G2P_ONBOARD_CODEC_SERVER_CROSS_SITE: zodVariable(trueOrFalse, {
    default: 'false',
    meaning: '`true`: the UI is on another site (cookie SameSite=None; Secure; needs https)',
  }),
} satisfies VariableTable;

export interface CodecServerConfig {
  codecKeysRef: string;
  /** No key reference configured: the local setup's key file, created on first use. */
  localCodecKeys: boolean;
  tokenRef: string;
  /** No token reference configured: the local setup's token file, created on first use. */
  localToken: boolean;
  host: string;
  port: number;
  /** Temporal UI origins allowed to call with credentials. */
  uiOrigins: string[];
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** The UI is on another site than this server: cookie `SameSite=None; Secure` (https only). */
  crossSiteCookie: boolean;
  /** Served behind a TLS-terminating proxy: cookies get `Secure`. */
  behindTls: boolean;
  /** Where the key and token references are resolved. */
  secrets: SecretSource;
}

/** The codec server's configuration from `env`; throws a ConfigError naming each wrong variable and what to set. */
export function codecServerConfigFrom(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CodecServerConfig {
  const v = readVariables('codec server', CODEC_SERVER_VARIABLES, env);
  const table = CODEC_SERVER_VARIABLES;
  const problems: string[] = [];
  if ((v.G2P_ONBOARD_CODEC_SERVER_TLS_CERT === undefined) !== (v.G2P_ONBOARD_CODEC_SERVER_TLS_KEY === undefined)) {
    const given =
      v.G2P_ONBOARD_CODEC_SERVER_TLS_CERT !== undefined
        ? 'G2P_ONBOARD_CODEC_SERVER_TLS_CERT'
        : 'G2P_ONBOARD_CODEC_SERVER_TLS_KEY';
    problems.push(
      variableProblem(
        given,
        table[given],
        env[given],
        'set both G2P_ONBOARD_CODEC_SERVER_TLS_CERT and G2P_ONBOARD_CODEC_SERVER_TLS_KEY, or neither',
      ),
    );
  }
  const https = v.G2P_ONBOARD_CODEC_SERVER_TLS_CERT !== undefined || v.G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS;
  if (v.G2P_ONBOARD_CODEC_SERVER_CROSS_SITE && !https) {
    problems.push(
      variableProblem(
        'G2P_ONBOARD_CODEC_SERVER_CROSS_SITE',
        table.G2P_ONBOARD_CODEC_SERVER_CROSS_SITE,
        'true',
        'needs https (browsers drop SameSite=None cookies without Secure): give a TLS certificate or G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS=true',
      ),
    );
  }
  if (problems.length) throw new ConfigError('codec server', problems);
  return {
    codecKeysRef: v.G2P_ONBOARD_CODEC_KEYS ?? DEFAULT_CODEC_KEYS_REF,
    localCodecKeys: v.G2P_ONBOARD_CODEC_KEYS === undefined,
    tokenRef: v.G2P_ONBOARD_CODEC_SERVER_TOKEN ?? DEFAULT_CODEC_SERVER_TOKEN_REF,
    localToken: v.G2P_ONBOARD_CODEC_SERVER_TOKEN === undefined,
    host: v.G2P_ONBOARD_CODEC_SERVER_HOST ?? '127.0.0.1',
    port: v.G2P_ONBOARD_CODEC_SERVER_PORT,
    uiOrigins: v.G2P_ONBOARD_CODEC_SERVER_UI_ORIGINS,
    ...(v.G2P_ONBOARD_CODEC_SERVER_TLS_CERT !== undefined ? { tlsCertFile: v.G2P_ONBOARD_CODEC_SERVER_TLS_CERT } : {}),
    ...(v.G2P_ONBOARD_CODEC_SERVER_TLS_KEY !== undefined ? { tlsKeyFile: v.G2P_ONBOARD_CODEC_SERVER_TLS_KEY } : {}),
    crossSiteCookie: v.G2P_ONBOARD_CODEC_SERVER_CROSS_SITE,
    behindTls: v.G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS,
    secrets: { env, baseDir: cwd },
  };
}
