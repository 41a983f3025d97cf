// The one redaction function: every activity error message and log line passes through it.
const MIN_SECRET_LENGTH = 4;

/** Replaces every known secret value (and its base64 forms) with `[redacted]`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')]) {
      out = out.split(form).join('[redacted]');
    }
  }
  // Bearer tokens and cookies may appear in echoed remote messages even when not known to us.
  return out
    .replace(/(Authorization=)[^;\s"]+/gi, '$1[redacted]')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]');
}
