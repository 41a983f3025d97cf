// What the worker writes to its log and reports as failures is scrubbed of every secret value
// it has seen, wherever in the process the value was resolved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure, type LogLevel, type LogMetadata, type Logger } from '@temporalio/common';
import { SecretScope } from '../../src/security/secrets.js';
import { RedactingLogger } from '../../src/security/redacting-logger.js';
import { redact, SecretMatcher } from '../../src/security/redact.js';
import { toFailure, blockingFailure } from '../../src/activities/failures.js';

class Capture implements Logger {
  lines: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata) {
    this.lines.push({ level, message, meta });
  }
  trace = (m: string, meta?: LogMetadata) => this.log('TRACE', m, meta);
  debug = (m: string, meta?: LogMetadata) => this.log('DEBUG', m, meta);
  info = (m: string, meta?: LogMetadata) => this.log('INFO', m, meta);
  warn = (m: string, meta?: LogMetadata) => this.log('WARN', m, meta);
  error = (m: string, meta?: LogMetadata) => this.log('ERROR', m, meta);
}

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

test("the worker's logger scrubs values an activity resolved, in message and metadata, plain, base64 and JSON-escaped", async () => {
  // A scope in one activity; the log line comes from anywhere else in the process.
  const scope = new SecretScope({
    env: { G2P_SECRET_ODOO_PASSWORD: 'odoo-admin-pw-42' },
    envPrefix: 'G2P_SECRET_',
    folder: '.',
    protectedPaths: [],
  });
  const password = await scope.get('env:G2P_SECRET_ODOO_PASSWORD');
  scope.remember(PEM);
  const sink = new Capture();
  const logger = new RedactingLogger(sink);
  logger.warn(`login as admin/${password} failed`, {
    request: { body: JSON.stringify({ password, key: PEM }), basic: Buffer.from(password).toString('base64') },
    error: new Error(`odoo refused ${password}`),
    attempt: 3,
  });
  const written = JSON.stringify(sink.lines);
  assert.ok(!written.includes(password), written);
  assert.ok(!written.includes(Buffer.from(password).toString('base64')));
  assert.ok(!written.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'));
  assert.match(sink.lines[0]!.message, /admin\/\[redacted\] failed/);
  assert.equal(sink.lines[0]!.meta?.attempt, 3, 'other metadata is kept');
});

test('a failure an activity built itself is scrubbed too, details included', () => {
  const scope = new SecretScope();
  const apiKey = scope.remember('api-key-9f8e7d6c5b4a');
  const failure = toFailure(
    blockingFailure('PrerequisiteFailed', `mosip.login: PMS echoed ${apiKey}`, { hint: `key ${apiKey} is wrong` }),
    scope,
  ) as ApplicationFailure;
  assert.ok(failure instanceof ApplicationFailure);
  assert.equal(failure.type, 'PrerequisiteFailed');
  assert.equal(failure.nonRetryable, true);
  assert.ok(!failure.message.includes(apiKey));
  assert.ok(!JSON.stringify(failure.details).includes(apiKey));
});

test('lines below the worker log level are neither redacted nor written; the rest still are', () => {
  let asked = 0;
  const sink = new Capture();
  const logger = new RedactingLogger(sink, () => (asked++, ['secret-token-123']), 'INFO');
  logger.debug('activity attempt with secret-token-123');
  assert.equal(sink.lines.length, 0);
  assert.equal(asked, 0, 'the secret list is not even read for a dropped line');
  logger.warn('remote echoed secret-token-123');
  assert.deepEqual(
    sink.lines.map((l) => [l.level, l.message]),
    [['WARN', 'remote echoed [redacted]']],
  );
});

test('one pass finds any of thousands of known values, the longest at a place, and forgets removed ones', () => {
  const tokens = Array.from({ length: 3_000 }, (_, i) => `tok-${i.toString(36)}-${'x'.repeat(i % 17)}`);
  const matcher = new SecretMatcher(tokens);
  const line = `polled with ${tokens[2_999]} and ${Buffer.from(tokens[7]!).toString('base64')}; not a secret: tok-`;
  assert.equal(redact(line, matcher), 'polled with [redacted] and [redacted]; not a secret: tok-');
  // 'tok-1-x' and 'tok-1-xx…' share a beginning: the whole longer one goes.
  const nested = new SecretMatcher(['abcd', 'abcdefgh']);
  assert.equal(nested.replaceIn('>abcdefgh< >abcd<'), '>[redacted]< >[redacted]<');
  nested.remove('abcdefgh');
  assert.equal(nested.replaceIn('>abcdefgh<'), '>[redacted]efgh<');
  nested.remove('abcd');
  assert.equal(nested.replaceIn('>abcd<'), '>abcd<');
});
