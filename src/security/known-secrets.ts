// Every secret value this process has resolved or obtained, so that anything leaving it (log
// lines from any component, failure messages) can be scrubbed even where no SecretScope is at
// hand: the worker's Runtime logger sees SDK, Core and activity logs alike.
const MIN_SECRET_LENGTH = 4;
/** Bounded: a long-lived worker obtains a fresh token per login; the least recently seen go first. */
const MAX_KNOWN = 2_000;

const known = new Set<string>();

/** Registers a value as secret for this process (idempotent; refreshes its recency). */
export function rememberSecretValue(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  known.delete(value);
  known.add(value);
  if (known.size > MAX_KNOWN) known.delete(known.values().next().value!);
}

/** The values registered so far, oldest first. */
export function knownSecretValues(): string[] {
  return [...known];
}
