// Every secret value this process has resolved or obtained, so that anything leaving it (log
// lines from any component, failure messages) can be scrubbed even where no SecretScope is at
// hand: the worker's Runtime logger sees SDK, Core and activity logs alike.
import { MIN_SECRET_LENGTH, SecretMatcher } from './redact.js';

/** Bounded: a long-lived worker obtains a fresh token per login; the least recently seen go first. */
const MAX_KNOWN = 2_000;

const known = new Set<string>();
/** Kept in step with `known`: a login adds one token, and rebuilding the index per log line would not scale. */
const matcher = new SecretMatcher();

/** Registers a value as secret for this process (idempotent; refreshes its recency). */
export function rememberSecretValue(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  if (known.delete(value)) {
    known.add(value);
    return;
  }
  known.add(value);
  matcher.add(value);
  if (known.size > MAX_KNOWN) {
    const oldest = known.values().next().value!;
    known.delete(oldest);
    matcher.remove(oldest);
  }
}

/** Finds every registered value (and its encoded forms) in one pass over a text. */
export function knownSecretMatcher(): SecretMatcher {
  return matcher;
}
