// What every program's configuration module shares: a table of the environment variables the
// program reads (name, default, meaning, how to read the value), read once at start into a typed
// object. The tables are the single list of variables: the README's Configuration table is
// checked against them, and the CLI prints its own in `--help`. No zod here: the CLI loads this
// module on every command and must start fast (see cli.ts); the worker's and the codec server's
// tables validate with zod (zod-variable.ts).

/** One environment variable a program reads. */
export interface Variable<T> {
  /** The default as the README shows it; absent when unset means "not used". */
  default?: string;
  /** What it sets, for the README and `--help`. */
  meaning: string;
  /** Its value hides in error messages (a token, a key reference that may hold a key by mistake). */
  secret?: boolean;
  /** The value, or a thrown Error whose message says what is wrong and how to fix it. Unset and empty arrive as undefined. */
  parse(raw: string | undefined): T;
}

export type VariableTable = Record<string, Variable<unknown>>;

/** What reading a table gives: each variable's parsed value under its own name. */
export type Values<Table extends VariableTable> = { [Name in keyof Table]: ReturnType<Table[Name]['parse']> };

/** A setting the program cannot start with; the message names every wrong variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly program: string,
    readonly problems: string[],
  ) {
    super(`invalid ${program} setting${problems.length === 1 ? '' : 's'}: ${problems.join('; ')}`);
  }
}

/** How a problem with one variable reads: its name, its value (unless secret), what is wrong. */
export function variableProblem(
  name: string,
  variable: Pick<Variable<unknown>, 'secret'>,
  raw: string | undefined,
  message: string,
): string {
  const shown = raw === undefined ? '(unset)' : variable.secret ? '(value hidden)' : JSON.stringify(raw);
  return `${name}=${shown}: ${message}`;
}

/**
 * Reads every variable of `table` from `env`, all problems at once. An empty variable counts as
 * unset (`FOO= cmd` is how a shell clears one for a command).
 */
export function readVariables<Table extends VariableTable>(
  program: string,
  table: Table,
  env: NodeJS.ProcessEnv,
): Values<Table> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, variable] of Object.entries(table)) {
    const raw = env[name] === '' ? undefined : env[name];
    try {
      values[name] = variable.parse(raw);
    } catch (err) {
      problems.push(variableProblem(name, variable, raw, (err as Error).message));
    }
  }
  if (problems.length) throw new ConfigError(program, problems);
  return values as Values<Table>;
}

/** The table as README rows and help lines: name, default, meaning. */
export function describeVariables(table: VariableTable): { name: string; default: string; meaning: string }[] {
  return Object.entries(table).map(([name, v]) => ({ name, default: v.default ?? '—', meaning: v.meaning }));
}

// Plain parsers for the values more than one program reads.

/** An operator's secret reference: `file:path` or `env:NAME` (resolved later, by secrets.ts). */
export function secretRefProblem(value: string): string | undefined {
  if (/^file:.+/.test(value) || /^env:[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return undefined;
  return 'use a secret reference, file:path or env:NAME';
}

export function optionalText(raw: string | undefined): string | undefined {
  return raw;
}

/** `true` or `false`, nothing else: a typo must not silently mean false. */
export function flag(raw: string | undefined): boolean {
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error('use true or false');
}
