// g2p-onboard's entry: finds the command in the table (commands.ts), reads the CLI's configuration
// (src/config/cli.ts), parses the arguments against the command's declaration and reports every
// failure with the documented exit code. Help, global and per command, is generated from the table.
// Talks to Temporal through the standard environment configuration (TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TLS, API key, TOML profile).
// main.ts runs it, from the prepared bundle when there is a fresh one (bundle.ts).
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SpecError } from '../spec/load.js';
import { loadConnectionConfig } from '../temporal/connection.js';
import { CLI_VARIABLES, cliConfigFrom } from '../config/cli.js';
import { describeVariables } from '../config/variables.js';
import { Refused } from './runs.js';
import {
  commandHelp,
  commandList,
  HELP_OPTION,
  parseCommandArgs,
  usage,
  UsageError,
  variableRows,
  type CommandSpec,
} from './command-table.js';
import { COMMANDS, EXIT, PROGRAM, type Context } from './commands.js';
import { closest } from '../spec/suggest.js';

export { EXIT };

function help(): string {
  return [
    `${PROGRAM} — onboard an OpenG2P deployment to MOSIP e-Signet as a durable Temporal workflow`,
    '',
    `usage: ${PROGRAM} <command> [arguments] [options]     ${PROGRAM} <command> --help: its arguments and options`,
    '',
    ...commandList(COMMANDS),
    '',
    `Every command takes --output text|json (audit also md) and --help. Runs are named by their deployment id or workflow id.`,
    '',
    'Temporal connection: TEMPORAL_ADDRESS (default localhost:7233), TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,',
    'TEMPORAL_TLS_* or a TOML profile (TEMPORAL_PROFILE). Payloads are encrypted: the CLI encodes and decodes',
    'them through the codec server with your token (the key ring stays on the workers and the codec server).',
    'Also read from the environment:',
    ...variableRows(describeVariables(CLI_VARIABLES)),
    '',
    'exit codes: 0 ok, 1 run failed or server error, 2 invalid input, 3 refused, 4 not found, 5 blocked (watch, start --wait),',
    '  6 drift, 7 expiring (check)',
  ].join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? EXIT.ok : EXIT.invalidInput;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const guess = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    console.error(
      `${PROGRAM}: unknown command "${name}"${guess ? `: did you mean ${PROGRAM} ${guess}?` : ''}\n\n${help()}`,
    );
    return EXIT.invalidInput;
  }
  if (rest.some((arg) => arg === `--${Object.keys(HELP_OPTION)[0]}` || arg === '-h')) {
    console.log(commandHelp(PROGRAM, command));
    return EXIT.ok;
  }
  try {
    // Read once, before anything runs: a wrong variable is named, and nothing is sent.
    const config = cliConfigFrom(env);
    const { values, positionals } = parseCommandArgs(command, rest);
    return await command.run({ values, positionals, config });
  } catch (err) {
    return reportError(name, command, rest, err);
  }
}

/** Every failure as one message and the documented exit code. */
async function reportError(name: string, command: CommandSpec<Context>, rest: string[], err: unknown): Promise<number> {
  if ((err as Error)?.name === 'ConfigError') {
    console.error(`${PROGRAM} ${name}: ${(err as Error).message}`);
    return EXIT.invalidInput;
  }
  if (err instanceof UsageError || (err as Error)?.name === 'KeyRefError') {
    console.error(`${PROGRAM} ${name}: ${(err as Error).message}\nusage: ${usage(PROGRAM, command)}`);
    return EXIT.invalidInput;
  }
  if ((err as Error)?.name === 'SpecError') {
    const { formatProblem } = await import('../spec/load.js');
    const specError = err as SpecError;
    console.error(
      `${specError.file}: ${specError.problems.length} problem${specError.problems.length === 1 ? '' : 's'}; nothing was started`,
    );
    for (const p of specError.problems) console.error(`  ${formatProblem(p)}`);
    return EXIT.invalidInput;
  }
  if (err instanceof Refused) {
    console.error(`${PROGRAM} ${name}: refused: ${err.message}`);
    return EXIT.refused;
  }
  if (err instanceof WorkflowNotFoundError || (err as Error)?.name === 'WorkflowNotFoundError') {
    console.error(`${PROGRAM} ${name}: no onboarding run ${rest[0]} in namespace ${loadConnectionConfig().namespace}`);
    return EXIT.notFound;
  }
  console.error(`${PROGRAM} ${name}: ${(err as Error)?.message ?? err}`);
  return EXIT.failed;
}
