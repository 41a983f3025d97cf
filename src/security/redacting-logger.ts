// The worker's logger: every line the SDK, Core (forwarded), workflows and activities log goes
// through redact() against every secret value this process has seen, before it is written.
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { redact, type SecretMatcher } from './redact.js';
import { knownSecretMatcher } from './known-secrets.js';

export const LOG_LEVELS: readonly LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Redacts strings anywhere in log metadata; errors become plain objects with redacted message and stack. */
function redactValue(value: unknown, secrets: Iterable<string> | SecretMatcher, depth = 0): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redact(value.message, secrets),
      stack: value.stack && redact(value.stack, secrets),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  if (value instanceof Date || ArrayBuffer.isView(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets, depth + 1)]));
}

export class RedactingLogger implements Logger {
  private readonly minSeverity: number;

  /**
   * `level` drops lower lines before redaction: the SDK logs every activity attempt and workflow
   * task at DEBUG, and scrubbing lines nobody will see cost the worker seconds of CPU per minute
   * with a thousand runs polling PMS.
   */
  constructor(
    private readonly inner: Logger,
    private readonly secrets: () => Iterable<string> | SecretMatcher = knownSecretMatcher,
    level: LogLevel = 'TRACE',
  ) {
    this.minSeverity = LOG_LEVELS.indexOf(level);
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    if (LOG_LEVELS.indexOf(level) < this.minSeverity) return;
    const secrets = this.secrets();
    this.inner.log(level, redact(message, secrets), meta && (redactValue(meta, secrets) as LogMetadata));
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/**
 * Installs the redacting logger as the worker process's Runtime logger, with Core's native logs
 * forwarded to it (by default Core writes to the console directly, past any redaction).
 * Must run before the first connection or worker is created.
 */
export function installRedactingWorkerLogger(level: LogLevel): void {
  Runtime.install({
    logger: new RedactingLogger(new DefaultLogger(level), knownSecretMatcher, level),
    telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
  });
}
