#!/usr/bin/env node
// `g2p-onboard-approvals` (and `npm run approvals`): the approvals page, configured from the
// environment (src/config/approvals-page.ts; README, Configuration). It reads runs through the
// codec server with its own token, like the CLI, and signs people in against the worker
// policy's identity registry.
import { approvalsPageConfigFrom } from '../config/approvals-page.js';
import { ConfigError } from '../config/variables.js';
import { remoteCodecFor } from '../security/remote-codec.js';
import { connectClient, loadConnectionConfig } from '../temporal/connection.js';
import { startApprovalsPage } from './server.js';

try {
  const config = approvalsPageConfigFrom();
  const codec = remoteCodecFor(loadConnectionConfig().namespace, config.codec, config.secrets);
  const client = await connectClient({ client: { dataConverter: { payloadCodecs: [codec] } } });
  const page = await startApprovalsPage({
    client,
    origin: config.origin,
    rpId: config.rpId,
    policyFile: config.policyFile,
    host: config.host,
    port: config.port,
    sessionMinutes: config.sessionMinutes,
    secureCookies: config.secureCookies,
    ...(config.tlsCertFile && config.tlsKeyFile ? { tls: { cert: config.tlsCertFile, key: config.tlsKeyFile } } : {}),
    log: (line) => console.log(`approvals: ${line}`),
  });
  console.log(`approvals page:  ${config.origin}   (listening on ${page.url})`);
  console.log(`identity registry: ${config.policyFile} (passkeys sign in; re-read at each sign-in)`);
  console.log('press Ctrl-C to stop');
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.on(signal, () => {
      void page
        .close()
        .then(() => client.connection.close())
        .then(() => process.exit(0));
    });
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  console.error(
    `g2p-onboard-approvals: ${code === 'EADDRINUSE' ? `the port is in use (set G2P_ONBOARD_APPROVALS_PORT): ${(err as Error).message}` : (err as Error).message}`,
  );
  process.exit(err instanceof ConfigError ? 2 : 1);
}
