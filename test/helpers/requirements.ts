// What a suite needs from the machine, and what happens when it is missing: on a developer's
// machine the suite is skipped with the reason; under CI (CI=true) it fails with the same reason,
// so a green CI never hides a suite that did not run.
import { test } from 'node:test';

/** `false` to run; the reason to skip locally. Under CI a missing requirement is a failing test. */
export function requirement(reason: string | undefined): false | string {
  if (!reason) return false;
  if (process.env.CI === 'true') {
    test(`required by CI: ${reason}`, () => {
      throw new Error(`this suite cannot run here: ${reason}`);
    });
  }
  return reason;
}
