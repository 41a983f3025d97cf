// `npm run temporal`: a local Temporal dev server whose runs survive restarts (SQLite under
// .data/temporal/), on the standard ports, until Ctrl-C; beside it the codec server its UI
// decodes our encrypted payloads through (a browser signs in there once), and the CLI too.
import { join } from 'node:path';
import { projectRoot } from '../src/project-root.js';
import { PortInUseError, startDevServer } from './temporal/dev-server.js';
import { ONBOARDING_SEARCH_ATTRIBUTE_NAMES } from '../src/workflows/search-attributes.js';
import { codecServerConfigFrom, localUiOrigins } from '../src/config/codec-server.js';
import { startConfiguredCodecServer } from '../src/security/codec-server-setup.js';

const PORT = 7233;
const UI_PORT = 8233;
const dbFile = join(projectRoot, '.data', 'temporal', 'temporal.db');
const CLI_BANNER = /^Temporal (CLI|Server|Persistence|UI|Metrics)\b/;

let stopRequested = false;
let server;
let codecServer: Awaited<ReturnType<typeof startConfiguredCodecServer>> | undefined;
try {
  codecServer = await startConfiguredCodecServer(
    { ...codecServerConfigFrom(), uiOrigins: localUiOrigins(UI_PORT) },
    (line) => console.error(`codec-server: ${line}`),
  ).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new Error(
      `the codec server's port is in use (${err.message}): is \`npm run codec-server\` running? stop it, or set G2P_ONBOARD_CODEC_SERVER_PORT`,
    );
  });
  console.log('starting the Temporal dev server…');
  server = await startDevServer({
    dbFile,
    port: PORT,
    uiPort: UI_PORT,
    // localhost, as the CLI's links and the README use: a browser's session cookie belongs to the name it signed in under.
    codecEndpoint: codecServer.url.replace('127.0.0.1', 'localhost'),
    log: (line) => {
      // Our summary below replaces the CLI's banner; shutdown makes the server's internal
      // workers log dropped connections, which is not news either.
      if (!stopRequested && !CLI_BANNER.test(line)) console.error(line);
    },
  });
} catch (err) {
  if (err instanceof PortInUseError) {
    console.error(`error: ${err.message}.`);
    console.error(`Is \`npm run temporal\` already running? Check with: ss -ltnp 'sport = :${err.port}'`);
  } else {
    console.error(`error: ${(err as Error).message}`);
  }
  await codecServer?.close();
  process.exit(1);
}

console.log(`Temporal server:   ${server.address}   (TEMPORAL_ADDRESS=${server.address})`);
console.log(`Temporal UI:       ${server.uiUrl}`);
const codecUrl = codecServer.url.replace('127.0.0.1', 'localhost');
console.log(
  `codec server:      ${codecUrl}   (once per browser: sign in there with the token in ${codecServer.tokenRef.replace(/^file:/, '')},`,
);
console.log(
  `                   then in the UI's Codec Server settings: my browser setting, ${codecUrl}, include cross-origin credentials)`,
);
console.log(
  `g2p-onboard CLI:   encodes and decodes through this codec server (TEMPORAL_CODEC_ENDPOINT=${codecServer.url}, the default),`,
);
console.log(
  `                   with the token in ${codecServer.tokenRef.replace(/^file:/, '')}; only workers and this server read the key ring`,
);
console.log(`state:             ${dbFile}`);
console.log(`search attributes: ${ONBOARDING_SEARCH_ATTRIBUTE_NAMES.join(', ')}`);
console.log('press Ctrl-C to stop');

const running = server;
const shutDown = async (signal: string) => {
  if (stopRequested) return;
  stopRequested = true;
  console.log(`\n${signal}: stopping the Temporal server…`);
  await running.stop();
  await codecServer?.close();
  console.log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutDown('SIGINT'));
process.on('SIGTERM', () => void shutDown('SIGTERM'));

const { code, signal } = await running.exited;
if (!stopRequested) {
  // Ctrl-C in a terminal reaches the server too; it may exit before our own handler runs.
  if (signal === 'SIGINT' || signal === 'SIGTERM' || code === 0) {
    console.log('Temporal server stopped');
    process.exit(0);
  }
  console.error(`error: the Temporal server exited unexpectedly (${signal ?? `code ${code}`})`);
  process.exit(1);
}
