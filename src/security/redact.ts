// The one redaction function: every activity error message and log line passes through it.
/** Shorter values are not treated as secrets: redacting them would mangle ordinary text. */
export const MIN_SECRET_LENGTH = 4;
const REDACTED = '[redacted]';

/** The shapes a secret takes in text: as is, base64, base64url, and JSON-escaped (a PEM in a JSON log line). */
function formsOf(secret: string): string[] {
  const forms = [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
  const escaped = JSON.stringify(secret).slice(1, -1);
  if (escaped !== secret) forms.push(escaped);
  return forms;
}

/** FNV-1a over the MIN_SECRET_LENGTH characters at `at`: the index key of a form's first characters. */
function keyAt(text: string, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + MIN_SECRET_LENGTH; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h;
}

/**
 * Every form of a set of secrets, indexed by their first characters, so that one pass over a text
 * finds them all. A worker knows up to a few thousand values (tokens included); searching a log
 * line for each form in turn cost it most of its CPU with a thousand runs polling PMS.
 */
export class SecretMatcher {
  private readonly byKey = new Map<number, string[]>();
  /** How many of the added secrets have each form (two secrets may share one). */
  private readonly formCounts = new Map<string, number>();

  constructor(secrets: Iterable<string> = []) {
    for (const secret of secrets) this.add(secret);
  }

  add(secret: string): void {
    if (secret.length < MIN_SECRET_LENGTH) return;
    for (const form of new Set(formsOf(secret))) {
      const count = this.formCounts.get(form) ?? 0;
      this.formCounts.set(form, count + 1);
      if (count > 0) continue;
      const key = keyAt(form, 0);
      const forms = this.byKey.get(key);
      if (!forms) this.byKey.set(key, [form]);
      else {
        forms.push(form);
        // Longest first: a secret that begins with another one is replaced whole.
        forms.sort((a, b) => b.length - a.length);
      }
    }
  }

  remove(secret: string): void {
    if (secret.length < MIN_SECRET_LENGTH) return;
    for (const form of new Set(formsOf(secret))) {
      const count = this.formCounts.get(form);
      if (count === undefined) continue;
      if (count > 1) {
        this.formCounts.set(form, count - 1);
        continue;
      }
      this.formCounts.delete(form);
      const key = keyAt(form, 0);
      const rest = this.byKey.get(key)?.filter((f) => f !== form) ?? [];
      if (rest.length) this.byKey.set(key, rest);
      else this.byKey.delete(key);
    }
  }

  /** `text` with every occurrence of a known form replaced, leftmost first. */
  replaceIn(text: string): string {
    if (this.byKey.size === 0) return text;
    let out = '';
    let copiedTo = 0;
    let at = 0;
    while (at <= text.length - MIN_SECRET_LENGTH) {
      const hit = this.byKey.get(keyAt(text, at))?.find((form) => text.startsWith(form, at));
      if (hit) {
        out += text.slice(copiedTo, at) + REDACTED;
        at += hit.length;
        copiedTo = at;
      } else {
        at++;
      }
    }
    return copiedTo === 0 ? text : out + text.slice(copiedTo);
  }
}

/** Replaces every known secret value (and its base64 and JSON-escaped forms) with `[redacted]`. */
export function redact(text: string, secrets: Iterable<string> | SecretMatcher): string {
  const matcher = secrets instanceof SecretMatcher ? secrets : new SecretMatcher(secrets);
  // Bearer tokens and cookies may appear in echoed remote messages even when not known to us.
  return matcher
    .replaceIn(text)
    .replace(/(Authorization=)[^;\s"]+/gi, '$1[redacted]')
    .replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, '$1[redacted]');
}
