// What `npm run codec-server` and `npm run temporal` share: the codec server built from the
// environment (the worker's key ring, the codec server tokens) with the local setup's defaults.
// The codec server is, with the workers, the only place the key ring is loaded: clients (the
// CLI, scripts) encode and decode through it with their own token (remote-codec.ts).
import { readFile } from 'node:fs/promises';
import { ensureLocalCodecKeys, loadCodec } from './codec-keys.js';
import { CodecAccess, codecServerTokenRef, ensureLocalCodecServerToken, loadCodecServerTokens } from './codec-server-auth.js';
import { startCodecServer, type RunningCodecServer } from './codec-server.js';
import { DEFAULT_CODEC_SERVER_PORT } from './codec-defaults.js';

export { DEFAULT_CODEC_SERVER_PORT };

export interface CodecServerSettings {
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
}

/** The local dev server's UI, under both names a browser may use for it. */
export function localUiOrigins(uiPort: number): string[] {
  return [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`];
}

export function codecServerSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CodecServerSettings {
  const port = Number(env.G2P_ONBOARD_CODEC_SERVER_PORT ?? DEFAULT_CODEC_SERVER_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`G2P_ONBOARD_CODEC_SERVER_PORT=${env.G2P_ONBOARD_CODEC_SERVER_PORT}: not a port number`);
  const origins = env.G2P_ONBOARD_CODEC_SERVER_UI_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean) ?? localUiOrigins(8233);
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin.replace(/\/+$/, '')) {
      throw new Error(`G2P_ONBOARD_CODEC_SERVER_UI_ORIGINS: ${origin} is not an origin such as https://temporal.example.org (scheme, host, port; no path)`);
    }
  }
  return {
    host: env.G2P_ONBOARD_CODEC_SERVER_HOST ?? '127.0.0.1',
    port,
    uiOrigins: origins,
    tlsCertFile: env.G2P_ONBOARD_CODEC_SERVER_TLS_CERT,
    tlsKeyFile: env.G2P_ONBOARD_CODEC_SERVER_TLS_KEY,
    crossSiteCookie: env.G2P_ONBOARD_CODEC_SERVER_CROSS_SITE === 'true',
    behindTls: env.G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS === 'true',
  };
}

/** Starts the codec server; on the local setup (no references configured) it creates the key and token files first. */
export async function startCodecServerFromEnv(
  settings: CodecServerSettings,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningCodecServer & { tokenRef: string }> {
  await ensureLocalCodecKeys(process.cwd(), env);
  await ensureLocalCodecServerToken(process.cwd(), env);
  const codec = await loadCodec(env);
  const access = new CodecAccess(await loadCodecServerTokens(env));
  if ((settings.tlsCertFile === undefined) !== (settings.tlsKeyFile === undefined)) {
    throw new Error('set both G2P_ONBOARD_CODEC_SERVER_TLS_CERT and G2P_ONBOARD_CODEC_SERVER_TLS_KEY, or neither');
  }
  const tls = settings.tlsCertFile && settings.tlsKeyFile
    ? { cert: await readFile(settings.tlsCertFile, 'utf8'), key: await readFile(settings.tlsKeyFile, 'utf8') }
    : undefined;
  if (settings.crossSiteCookie && !tls && !settings.behindTls) {
    throw new Error('G2P_ONBOARD_CODEC_SERVER_CROSS_SITE needs https (browsers drop SameSite=None cookies without Secure): give a TLS certificate or G2P_ONBOARD_CODEC_SERVER_BEHIND_TLS=true');
  }
  const server = await startCodecServer({
    codec,
    access,
    allowedOrigins: settings.uiOrigins,
    crossSiteCookie: settings.crossSiteCookie,
    secure: tls !== undefined || settings.behindTls,
    behindProxy: settings.behindTls,
    host: settings.host,
    port: settings.port,
    tls,
    log,
  });
  return { ...server, tokenRef: codecServerTokenRef(env) };
}
