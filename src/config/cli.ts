// The g2p-onboard CLI's configuration: every variable it reads, read once per command before it
// runs (a wrong one exits 2, naming it), and listed by `g2p-onboard --help`. Validated by plain
// checks rather than zod: zod would add a megabyte of code to every command's start, and
// `status` must answer within half a second (README, Performance). The Temporal connection
// (TEMPORAL_ADDRESS, TLS, API key, profile) is Temporal's own environment configuration, read by
// src/temporal/connection.ts.
import { checkedCodecEndpoint, type CodecClientSettings } from '../security/remote-codec.js';
import { DEFAULT_CODEC_ENDPOINT, DEFAULT_CODEC_SERVER_TOKEN_REF } from '../security/codec-defaults.js';
import { DEFAULT_TEMPORAL_UI_URL } from '../temporal/connection.js';
import type { SecretSource } from '../security/secrets.js';
import { optionalText, readVariables, secretRefProblem, type VariableTable } from './variables.js';

/** `--key` and its variables name a key (a file, `file:path`, `env:NAME`), never hold one: it would stay in shell history and `ps`. */
export function keyRefProblem(ref: string): string | undefined {
  return ref.includes('PRIVATE KEY')
    ? 'takes a file path or env:NAME, never the key itself (it would stay in your shell history)'
    : undefined;
}

const keyRef = (raw: string | undefined): string | undefined => {
  const problem = raw === undefined ? undefined : keyRefProblem(raw);
  if (problem) throw new Error(problem);
  return raw;
};

const tokenRef = (raw: string | undefined): string => {
  const problem = raw === undefined ? undefined : secretRefProblem(raw);
  if (problem) throw new Error(problem);
  return raw ?? DEFAULT_CODEC_SERVER_TOKEN_REF;
};

const httpUrl = (raw: string | undefined): string => {
  if (raw === undefined) return DEFAULT_TEMPORAL_UI_URL;
  if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol))
    throw new Error(`use an http(s) URL such as ${DEFAULT_TEMPORAL_UI_URL}`);
  return raw.replace(/\/+$/, '');
};

const bundleSwitch = (raw: string | undefined): boolean => {
  if (raw === undefined || raw === '1') return true;
  if (raw === '0') return false;
  throw new Error('use 0 (load the CLI as separate modules) or 1');
};

export const CLI_VARIABLES = {
  G2P_ONBOARD_USER: {
    meaning: 'who you are when --as is not given (start, retry, abort, approve, reject)',
    parse: optionalText,
  },
  G2P_ONBOARD_KEY: {
    meaning: "G2P_ONBOARD_USER's private key (file path or env:NAME) when --key is not given",
    secret: true,
    parse: keyRef,
  },
  G2P_ONBOARD_APPROVER_KEY: {
    meaning: 'the private key approve and reject sign with when --key is not given',
    secret: true,
    parse: keyRef,
  },
  G2P_ONBOARD_POLICY: {
    meaning: 'the worker policy validate checks a spec against when --policy is not given',
    parse: optionalText,
  },
  TEMPORAL_CODEC_ENDPOINT: {
    default: DEFAULT_CODEC_ENDPOINT,
    meaning: 'the codec server that encodes and decodes payloads (another machine only over https)',
    parse: (raw) => (raw === undefined ? DEFAULT_CODEC_ENDPOINT : checkedCodecEndpoint(raw)),
  },
  TEMPORAL_CODEC_AUTH: {
    meaning: 'the Authorization header sent to it, "Bearer <your token>"',
    secret: true,
    parse: optionalText,
  },
  G2P_ONBOARD_CODEC_SERVER_TOKEN: {
    default: DEFAULT_CODEC_SERVER_TOKEN_REF,
    meaning: 'else: secret reference (file:path or env:NAME) to your token, the first of a `<label> <token>` file',
    parse: tokenRef,
  },
  TEMPORAL_UI_URL: {
    default: DEFAULT_TEMPORAL_UI_URL,
    meaning: 'the Temporal UI that links to runs point at',
    parse: httpUrl,
  },
  // Read by main.ts before any of this loads (it decides what loads); listed so the table is whole.
  G2P_ONBOARD_CLI_BUNDLE: {
    default: '1',
    meaning: '0 loads the CLI as separate modules instead of the prepared bundle',
    parse: bundleSwitch,
  },
} satisfies VariableTable;

export interface CliConfig {
  user?: string;
  /** A key reference (file path, file:path, env:NAME). */
  key?: string;
  approverKey?: string;
  policyFile?: string;
  codec: CodecClientSettings;
  uiUrl: string;
  /** Where `env:` and relative `file:` references (the codec token, --key) are read. */
  secrets: SecretSource;
}

/** The CLI's configuration from `env`; throws a ConfigError naming each wrong variable (exit code 2). */
export function cliConfigFrom(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CliConfig {
  const v = readVariables('CLI', CLI_VARIABLES, env);
  return {
    ...(v.G2P_ONBOARD_USER !== undefined ? { user: v.G2P_ONBOARD_USER } : {}),
    ...(v.G2P_ONBOARD_KEY !== undefined ? { key: v.G2P_ONBOARD_KEY } : {}),
    ...(v.G2P_ONBOARD_APPROVER_KEY !== undefined ? { approverKey: v.G2P_ONBOARD_APPROVER_KEY } : {}),
    ...(v.G2P_ONBOARD_POLICY !== undefined ? { policyFile: v.G2P_ONBOARD_POLICY } : {}),
    codec: {
      endpoint: v.TEMPORAL_CODEC_ENDPOINT,
      ...(v.TEMPORAL_CODEC_AUTH !== undefined ? { authorization: v.TEMPORAL_CODEC_AUTH } : {}),
      tokenRef: v.G2P_ONBOARD_CODEC_SERVER_TOKEN,
    },
    uiUrl: v.TEMPORAL_UI_URL,
    secrets: { env, baseDir: cwd },
  };
}
