// The one redaction function: every activity error message and log line passes through it.
const MIN_SECRET_LENGTH = 4;

const MAX_CACHED_FORMS = 4_096;
/** Forms by secret: the worker redacts every log line against the same few hundred values. */
const formsCache = new Map<string, string[]>();

/** The shapes a secret takes in text: as is, base64, base64url, and JSON-escaped (a PEM in a JSON log line). */
function formsOf(secret: string): string[] {
  let forms = formsCache.get(secret);
  if (forms) return forms;
  forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
  const escaped = JSON.stringify(secret).slice(1, -1);
  if (escaped !== secret) forms.push(escaped);
  if (formsCache.size >= MAX_CACHED_FORMS) formsCache.clear();
  formsCache.set(secret, forms);
  return forms;
}

/** Replaces every known secret value (and its base64 and JSON-escaped forms) with `[redacted]`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of formsOf(secret)) {
      // includes() first: a log line rarely holds a secret, and split/join would copy it every time.
      if (out.includes(form)) out = out.split(form).join('[redacted]');
    }
  }
  // Bearer tokens and cookies may appear in echoed remote messages even when not known to us.
  return out
    .replace(/(Authorization=)[^;\s"]+/gi, '$1[redacted]')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]');
}
