#!/usr/bin/env node
// g2p-onboard: the commands are in app.ts. They run from the bundle `npm run build` prepares
// when it matches the compiled code (one file and a code cache load far faster than ~300
// modules), else as modules: same commands, same output, same exit codes.
import { loadCliBundle } from './bundle.js';

type Cli = typeof import('./app.js');

const cli = loadCliBundle<Cli>() ?? (await import('./app.js'));
// main() reports its own errors; anything escaping it still ends with a message and exit 1.
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`g2p-onboard: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
