// What `npm run codec-server` and `npm run temporal` share: the codec server built from its
// configuration (src/config/codec-server.ts: the worker's key ring, the codec server tokens)
// with the local setup's defaults. The codec server is, with the workers, the only place the key
// ring is loaded: clients (the CLI, scripts) encode and decode through it with their own token
// (remote-codec.ts).
import { readFile } from 'node:fs/promises';
import type { CodecServerConfig } from '../config/codec-server.js';
import { ensureLocalCodecKeys, loadCodec } from './codec-keys.js';
import { CodecAccess, ensureLocalCodecServerToken, loadCodecServerTokens } from './codec-server-auth.js';
import { startCodecServer, type RunningCodecServer } from './codec-server.js';

/** Starts the codec server; on the local setup (no references configured) it creates the key and token files first. */
export async function startConfiguredCodecServer(
  config: CodecServerConfig,
  log: (line: string) => void,
): Promise<RunningCodecServer & { tokenRef: string }> {
  if (config.localCodecKeys) await ensureLocalCodecKeys(config.secrets.baseDir);
  if (config.localToken) await ensureLocalCodecServerToken(config.secrets.baseDir);
  const codec = await loadCodec(config.codecKeysRef, config.secrets);
  const access = new CodecAccess(await loadCodecServerTokens(config.tokenRef, config.secrets));
  const tls =
    config.tlsCertFile && config.tlsKeyFile
      ? { cert: await readFile(config.tlsCertFile, 'utf8'), key: await readFile(config.tlsKeyFile, 'utf8') }
      : undefined;
  const server = await startCodecServer({
    codec,
    access,
    allowedOrigins: config.uiOrigins,
    crossSiteCookie: config.crossSiteCookie,
    secure: tls !== undefined || config.behindTls,
    behindProxy: config.behindTls,
    host: config.host,
    port: config.port,
    tls,
    log,
  });
  return { ...server, tokenRef: config.tokenRef };
}
