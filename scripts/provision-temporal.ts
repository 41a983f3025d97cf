// Installs the Temporal CLI and the time-skipping test server when they are not already
// available (see scripts/temporal/binaries.ts for the lookup order). Run by `npm install`.
import { temporalCliPath, temporalTestServerPath } from './temporal/binaries.js';

const quiet = process.argv.includes('--quiet');
const cli = temporalCliPath();
const testServer = temporalTestServerPath();
if (!quiet) {
  console.log(`temporal CLI:         ${cli}`);
  console.log(`temporal test server: ${testServer}`);
}
