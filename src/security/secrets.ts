// Secret references (`env:NAME`, `file:path`) are resolved here, inside activities only.
// A scope remembers every value it handed out so errors and logs can be redacted.
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { SecretRef } from '../spec/schema.js';
import { rememberSecretValue } from './known-secrets.js';

/** A reference could not be resolved; the message names the reference, never a value. */
export class SecretUnavailable extends Error {
  override name = 'SecretUnavailable';
  constructor(readonly ref: string, reason: string) {
    super(`secret reference ${ref} cannot be resolved: ${reason}`);
  }
}

export interface SecretSource {
  env: NodeJS.ProcessEnv;
  /** Base folder for relative `file:` references (the worker's working directory by default). */
  baseDir: string;
}

export async function resolveSecretRef(ref: SecretRef, source: SecretSource): Promise<string> {
  if (ref.startsWith('env:')) {
    const name = ref.slice(4);
    const value = source.env[name];
    if (value === undefined || value === '') throw new SecretUnavailable(ref, `environment variable ${name} is not set on the worker`);
    return value;
  }
  if (ref.startsWith('file:')) {
    const path = ref.slice(5);
    const full = isAbsolute(path) ? path : resolve(source.baseDir, path);
    let text: string;
    try {
      text = await readFile(full, 'utf8');
    } catch (err) {
      throw new SecretUnavailable(ref, `the file cannot be read on the worker (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (!value) throw new SecretUnavailable(ref, 'the file is empty');
    return value;
  }
  throw new SecretUnavailable(ref, 'unknown reference kind (use env:NAME or file:path)');
}

/**
 * Resolves references and remembers the values, so anything leaving the activity can be scrubbed;
 * the values are also registered process-wide, for the worker's log redaction.
 */
export class SecretScope {
  private readonly values = new Set<string>();

  constructor(private readonly source: SecretSource) {}

  async get(ref: SecretRef): Promise<string> {
    const value = await resolveSecretRef(ref, this.source);
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
