// `npm run codec-server`: the codec server on its own, for a Temporal UI that `npm run temporal`
// does not start (a cluster's UI, docker compose). Settings come from the environment, read by
// src/config/codec-server.ts (README, "Configuration" and "Reading encrypted runs"). Each decode it makes
// is logged here, one line per request, naming the caller.
import { codecServerConfigFrom } from '../src/config/codec-server.js';
import { startConfiguredCodecServer } from '../src/security/codec-server-setup.js';

let server;
try {
  const settings = codecServerConfigFrom();
  server = await startConfiguredCodecServer(settings, (line) => console.log(`codec-server: ${line}`));
  console.log(`codec server:      ${server.url}   (sign in there once per browser)`);
  console.log(`allowed UI origins: ${settings.uiOrigins.join(', ')}`);
  console.log(`token:             ${server.tokenRef}`);
  console.log(`Temporal UI:       TEMPORAL_CODEC_ENDPOINT=${server.url} TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true`);
  console.log(`temporal CLI:      --codec-endpoint ${server.url} --codec-auth "Bearer <token>"`);
  console.log(`g2p-onboard CLI:   TEMPORAL_CODEC_ENDPOINT=${server.url} TEMPORAL_CODEC_AUTH="Bearer <token>"`);
  console.log('press Ctrl-C to stop');
} catch (err) {
  const code = (err as NodeJS.ErrnoException).code;
  console.error(
    `error: ${code === 'EADDRINUSE' ? `the codec server port is in use (is \`npm run temporal\` running? it serves one already): ${(err as Error).message}` : (err as Error).message}`,
  );
  process.exit(1);
}

const running = server;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void running.close().then(() => process.exit(0));
  });
}
