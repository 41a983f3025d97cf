// Secret references (`env:NAME`, `file:path`) are resolved here, inside activities only.
// Two kinds of reference meet here, trusted differently:
// - the operator's own (G2P_ONBOARD_CODEC_KEYS, the codec server token): resolveSecretRef, any
//   variable or path, because the operator wrote them;
// - a spec's: written by someone these controls check, so the worker policy confines them
//   (SpecSecretSource): `env:` names with the policy's prefix only, `file:` paths relative to and
//   inside `<secretsDir>/<deploymentId>/` only, and never the worker's own keys or credential store.
import { constants } from 'node:fs';
import { open, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { SecretRef } from '../spec/schema.js';
import { isDeploymentId } from '../spec/deployment-id.js';
import { rememberSecretValue } from './known-secrets.js';
import { envNameRefusal, type WorkerPolicy } from './worker-policy.js';

/** A reference could not be resolved; the message names the reference, never a value. */
export class SecretUnavailable extends Error {
  override name = 'SecretUnavailable';
  constructor(
    readonly ref: string,
    reason: string,
  ) {
    super(`secret reference ${ref} cannot be resolved: ${reason}`);
  }
}

/** The operator's references: the worker's environment and files relative to `baseDir`. */
export interface SecretSource {
  env: NodeJS.ProcessEnv;
  /** Base folder for relative `file:` references (the worker's working directory by default). */
  baseDir: string;
}

/** Where a spec's references may be read from, derived from the worker policy and the deployment. */
export interface SpecSecretSource {
  env: NodeJS.ProcessEnv;
  /** `env:` names must start with this (the policy's envPrefix). */
  envPrefix: string;
  /** `<policy.secretsDir>/<deploymentId>`: the only folder a spec's `file:` reference reads. */
  folder: string;
  /**
   * Files and folders no spec may read even when the operator put them inside `folder` by
   * mistake: the credential store, the codec key file, the codec server token file.
   */
  protectedPaths: readonly string[];
  /** Variables holding the worker's own keys (an `env:` codec key ring may carry any name). */
  protectedEnvNames?: readonly string[];
}

/** Largest secret a `file:` reference reads: far above any password or key, far below /dev/zero. */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** The confined source of `deploymentId`'s references under `policy`. */
export function specSecretSource(
  policy: Pick<WorkerPolicy, 'secretsDir' | 'envPrefix'>,
  deploymentId: string,
  worker: { env: NodeJS.ProcessEnv; protectedPaths: readonly string[]; protectedEnvNames?: readonly string[] },
): SpecSecretSource {
  // It names the folder: never `..` or a path.
  if (!isDeploymentId(deploymentId)) throw new Error(`not a deployment id: ${JSON.stringify(deploymentId)}`);
  return { ...worker, envPrefix: policy.envPrefix, folder: join(policy.secretsDir, deploymentId) };
}

/** Why a spec's relative file path is refused before anything is read (also checked offline by validate). */
export function filePathRefusal(path: string): string | undefined {
  if (isAbsolute(path) || /^[a-zA-Z]:|^[\\/]/.test(path))
    return "absolute paths are refused: name a file inside the deployment's secrets folder, relative to it";
  if (path.split(/[\\/]/).includes('..')) return "`..` is refused: name a file inside the deployment's secrets folder";
  if (path.includes('\0') || path.trim() === '') return 'not a file name';
  return undefined;
}

/** A file a spec named could not be read; `reason` says nothing about anything outside the folder. */
export class ConfinedFileError extends Error {
  override name = 'ConfinedFileError';
}

/**
 * One reason for every file the spec may not see: missing, unreadable, a link leading outside, a
 * protected file. Distinct reasons would let a spec author probe the worker's disk.
 */
const NOT_AVAILABLE = "no readable file of that name in the deployment's secrets folder on the worker";

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function realOrResolved(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

/**
 * Reads `path` (relative) inside `source.folder`: resolved with realpath, so a symlink leading
 * out is refused like a missing file; a regular file only, at most `maxBytes` (read no further).
 */
export async function readConfinedFile(source: SpecSecretSource, path: string, maxBytes: number): Promise<string> {
  const refusal = filePathRefusal(path);
  if (refusal) throw new ConfinedFileError(refusal);
  let real: string;
  try {
    const folder = await realpath(source.folder);
    real = await realpath(join(folder, path));
    if (!isInside(folder, real)) throw new ConfinedFileError(NOT_AVAILABLE);
  } catch {
    throw new ConfinedFileError(NOT_AVAILABLE);
  }
  // Whatever secretsDir says: the worker's own keys and stored credentials are never a spec's to read.
  for (const guarded of source.protectedPaths) {
    if (isInside(await realOrResolved(guarded), real)) throw new ConfinedFileError(NOT_AVAILABLE);
  }
  // O_NOFOLLOW: the checked path is what opens; O_NONBLOCK: a FIFO cannot stall the activity.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(() => {
    throw new ConfinedFileError(NOT_AVAILABLE);
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ConfinedFileError('not a regular file');
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await handle.read(buffer, 0, maxBytes + 1, 0);
    if (bytesRead > maxBytes)
      throw new ConfinedFileError(`larger than the ${Math.round(maxBytes / 1024)} KiB the worker reads`);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

function secretValue(ref: string, text: string): string {
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new SecretUnavailable(ref, 'the file is empty');
  return value;
}

/** A spec's reference, within what the policy lets this deployment read. */
export async function resolveSpecSecretRef(ref: SecretRef, source: SpecSecretSource): Promise<string> {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const refusal =
      envNameRefusal(name, source.envPrefix) ??
      (source.protectedEnvNames?.includes(name)
        ? `${name} holds one of the worker's own keys, never a spec's secret`
        : undefined);
    if (refusal) throw new SecretUnavailable(ref, refusal);
    const value = source.env[name];
    if (value === undefined || value === '')
      throw new SecretUnavailable(ref, `environment variable ${name} is not set on the worker`);
    return value;
  }
  if (ref.startsWith('file:')) {
    try {
      return secretValue(ref, await readConfinedFile(source, ref.slice(5), MAX_SECRET_FILE_BYTES));
    } catch (err) {
      if (err instanceof ConfinedFileError) throw new SecretUnavailable(ref, err.message);
      throw err;
    }
  }
  throw new SecretUnavailable(ref, 'unknown reference kind (use env:NAME or file:path)');
}

/** The operator's reference (codec keys, codec server token): any variable, any path. */
export async function resolveSecretRef(ref: SecretRef, source: SecretSource): Promise<string> {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = source.env[name];
    if (value === undefined || value === '')
      throw new SecretUnavailable(ref, `environment variable ${name} is not set on the worker`);
    return value;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    const full = isAbsolute(path) ? path : resolve(source.baseDir, path);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (err) {
      throw new SecretUnavailable(
        ref,
        `the file cannot be read on the worker (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    return secretValue(ref, text);
  }
  throw new SecretUnavailable(ref, 'unknown reference kind (use env:NAME or file:path)');
}

/**
 * Resolves a spec's references and remembers the values, so anything leaving the activity can be
 * scrubbed; the values are also registered process-wide, for the worker's log redaction.
 * Without a source (a step that belongs to no spec) every reference is refused.
 */
export class SecretScope {
  private readonly values = new Set<string>();

  constructor(private readonly source?: SpecSecretSource) {}

  async get(ref: SecretRef): Promise<string> {
    if (!this.source) throw new SecretUnavailable(ref, 'this step reads no secrets');
    const value = await resolveSpecSecretRef(ref, this.source);
    this.values.add(value);
    rememberSecretValue(value);
    return value;
  }

  /** Registers a value obtained at run time (an issued API key, a token) as secret. */
  remember(value: string): string {
    if (value) this.values.add(value);
    rememberSecretValue(value);
    return value;
  }

  known(): string[] {
    return [...this.values];
  }
}
