// The worker's build identity: the release in package.json and a hash of the workflow bundle it
// runs, e.g. `0.1.0+3f2a9c1b7d4e`. The bundle is all that decides how a run replays (activities can
// change without touching it), so two workers with the same bundle are the same build for Temporal.
// The worker reports it as its Worker Deployment Version (`g2p-onboard.<build id>`) without opting
// into Worker Versioning: Temporal then stamps every workflow task it completes with it, and the
// workflow copies it into the run's memo (src/workflows/build.ts). Why no versioning: README, Upgrading.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './project-root.js';

/** package.json's version: the release this worker belongs to. */
export function releaseVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** `<release>+<first 12 hex of the bundle's sha256>`. */
export function buildIdFor(bundleCode: string | Buffer, release = releaseVersion()): string {
  return `${release}+${createHash('sha256').update(bundleCode).digest('hex').slice(0, 12)}`;
}
