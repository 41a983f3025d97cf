// How a command is declared (app.ts holds the table), and what is derived from the declarations
// alone: argument parsing, usage lines, per-command and global help. Like the `temporal` CLI's
// commands.yml: options come in shared sets (who acts, which run, output format), so each means
// the same on every verb and is described once.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder of the value in usage and help: `<file>`; `choices` are shown instead when given. */
  value?: string;
  /** The values accepted; anything else is a usage error (exit 2). */
  choices?: readonly string[];
  default?: string;
  /** Shown without brackets in the usage line (the command checks it: some have an environment fallback). */
  required?: boolean;
  description: string;
  /** Still accepted, not shown in the usage line; the help says what replaces it. */
  deprecatedFor?: string;
}

export type OptionSet = Readonly<Record<string, OptionSpec>>;

export interface Positional {
  name: string;
  description: string;
}

export type Values = Record<string, string | boolean | undefined>;

export interface CommandSpec<Context> {
  name: string;
  /** Who uses it; the global help groups commands by it. */
  role: string;
  summary: string;
  positionals: readonly Positional[];
  /** Shared sets and the command's own, merged in this order. */
  options: readonly OptionSet[];
  run(context: Context): Promise<number>;
}

/** A problem with the arguments: reported with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP_OPTION: OptionSet = { help: { type: 'boolean', short: 'h', description: 'this help' } };

export function optionsOf(command: CommandSpec<unknown>): OptionSet {
  return Object.assign({}, ...command.options) as OptionSet;
}

/** Parses argv against the command's declaration: unknown options, a wrong number of arguments and values outside `choices` are usage errors. */
export function parseCommandArgs(
  command: CommandSpec<unknown>,
  args: string[],
): { values: Values; positionals: string[] } {
  const options = optionsOf(command);
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(options)) {
    config[name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
    };
  }
  let parsed;
  try {
    parsed = parseArgs({ args, options: config, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length !== command.positionals.length) {
    throw new UsageError(
      `expected ${command.positionals.map((p) => `<${p.name}>`).join(' ') || 'no arguments'}, got ${parsed.positionals.length}`,
    );
  }
  for (const [name, o] of Object.entries(options)) {
    const value = parsed.values[name];
    if (o.choices && value !== undefined && !o.choices.includes(String(value)))
      throw new UsageError(`--${name} must be ${listed(o.choices)}`);
  }
  // No option is declared `multiple`: every value is a string or a boolean.
  return { values: parsed.values as Values, positionals: parsed.positionals };
}

function listed(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function valueOf(o: OptionSpec): string {
  return o.type === 'boolean' ? '' : ` ${o.choices ? o.choices.join('|') : (o.value ?? '<value>')}`;
}

export function usage(program: string, command: CommandSpec<unknown>): string {
  const options = Object.entries(optionsOf(command))
    .filter(([, o]) => !o.deprecatedFor)
    .map(([name, o]) => (o.required ? `--${name}${valueOf(o)}` : `[--${name}${valueOf(o)}]`));
  return [`${program} ${command.name}`, ...command.positionals.map((p) => `<${p.name}>`), ...options].join(' ');
}

/** Two columns: the left padded to the widest entry. */
function columns(rows: [string, string][], indent = '  '): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `${indent}${left.padEnd(width)}  ${right}`.trimEnd());
}

function optionRows(options: OptionSet): [string, string][] {
  return Object.entries(options).map(([name, o]) => {
    const flags = `${o.short ? `-${o.short}, ` : '    '}--${name}${valueOf(o)}`;
    const notes = [
      o.default !== undefined ? `default ${o.default}` : '',
      o.deprecatedFor ? `deprecated: use --${o.deprecatedFor}` : '',
    ].filter(Boolean);
    return [flags, `${o.description}${notes.length ? ` (${notes.join('; ')})` : ''}`];
  });
}

export function commandHelp(program: string, command: CommandSpec<unknown>): string {
  const lines = [command.summary, '', `usage: ${usage(program, command)}`];
  if (command.positionals.length)
    lines.push('', 'arguments:', ...columns(command.positionals.map((p) => [`<${p.name}>`, p.description])));
  lines.push('', 'options:', ...columns(optionRows({ ...optionsOf(command), ...HELP_OPTION })));
  return lines.join('\n');
}

/** The commands grouped by role, each with its summary. */
export function commandList(commands: readonly CommandSpec<unknown>[]): string[] {
  const width = Math.max(...commands.map((c) => c.name.length));
  const roles = [...new Set(commands.map((c) => c.role))];
  return roles.flatMap((role) => [
    `${role}:`,
    ...commands.filter((c) => c.role === role).map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ]);
}

/** Rows of variables (name, meaning, default) for the global help. */
export function variableRows(variables: { name: string; default: string; meaning: string }[]): string[] {
  return columns(variables.map((v) => [v.name, `${v.meaning}${v.default === '—' ? '' : ` (default ${v.default})`}`]));
}
