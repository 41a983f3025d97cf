// The history corpus: histories of real onboarding runs of every release, kept under
// test/histories/<version>/<scenario>.json (Temporal's JSON form) and replayed against today's
// workflow code by test/workflow/replay-corpus.test.ts. Written by `npm run capture-histories`.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root.js';
import { projectRoot } from '../../src/project-root.js';
import { AesGcmCodec, keyRingFromKeys } from '../../src/security/codec.js';
import { dataConverterFor } from '../../src/security/data-converter.js';

type History = proto.temporal.api.history.v1.IHistory;

// The SDK's historyToJSON/historyFromJSON (@temporalio/common/lib/proto-utils) fail here with
// "type must be a Type": @temporalio/common and @temporalio/proto each get their own copy of
// protobufjs 8 (the root holds grpc's protobufjs 7), and its protojson checks `instanceof Type`
// across copies. The same two calls with the protojson of @temporalio/proto's own copy produce
// and read the same JSON (Temporal's canonical history JSON, as the CLI and UI export it).
const protojson = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'))(
  'protobufjs/ext/protojson',
) as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): unknown;
};
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType(
  'temporal.api.history.v1.History',
);

export function historyToJSON(history: History): string {
  return JSON.stringify(
    protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)),
    null,
    1,
  );
}

export function historyFromJSON(json: unknown): History {
  const loaded = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!loaded) throw new TypeError('not a Temporal history');
  return loaded as History;
}

export const CORPUS_DIR = join(projectRoot, 'test', 'histories');

/**
 * !!! TEST-ONLY CODEC KEY — PUBLIC, COMMITTED, NEVER FOR A REAL WORKER !!!
 * The corpus is captured with it so the replay test can decode the runs' inputs and activity
 * results (replay needs them: the workflow branches on them). Anyone can read the corpus with
 * it; the runs it encrypts are sandbox runs holding sandbox values only. A worker's keys come
 * from G2P_ONBOARD_CODEC_KEYS and must never be this one.
 */
/** The 32 key bytes are this ASCII text (base64 VEVTVC1PTkxZIGNvcnB1cyBrZXksIHB1YmxpYyEhISE=). */
export const TEST_ONLY_CORPUS_CODEC_KEY = 'TEST-ONLY corpus key, public!!!!';

export function corpusDataConverter(): ReturnType<typeof dataConverterFor> {
  return dataConverterFor(new AesGcmCodec(keyRingFromKeys(Buffer.from(TEST_ONLY_CORPUS_CODEC_KEY, 'utf8'))));
}

/** What a capture wrote beside its histories. */
export interface CorpusManifest {
  version: string;
  buildId: string;
  sdkVersion: string;
  capturedAt: string;
  histories: {
    file: string;
    scenario: string;
    what: string;
    state: 'closed' | 'open';
    closedAs?: string;
    events: number;
  }[];
}

export const MANIFEST_FILE = 'manifest.json';

export interface CorpusHistory {
  /** `<version>/<file>`, as tests and failures name it. */
  name: string;
  version: string;
  history: History;
}

/** Every stored history of every version, oldest version first. */
export function readCorpus(dir = CORPUS_DIR): CorpusHistory[] {
  const versions = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort(compareVersions);
  return versions.flatMap((version) =>
    readdirSync(join(dir, version))
      .filter((f) => f.endsWith('.json') && f !== MANIFEST_FILE)
      .sort()
      .map((file) => ({
        name: `${version}/${file}`,
        version,
        history: historyFromJSON(JSON.parse(readFileSync(join(dir, version, file), 'utf8'))),
      })),
  );
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    if (typeof x[i] === 'number' && typeof y[i] === 'number') return (x[i] as number) - (y[i] as number);
    return String(x[i] ?? '').localeCompare(String(y[i] ?? ''));
  }
  return 0;
}

/** The workflow id the run had: replay must use it (signed decisions name it). */
export function workflowIdOf(history: History): string {
  const id = history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId;
  if (!id) throw new Error('the history does not start with a WorkflowExecutionStarted event naming its workflow id');
  return id;
}

/** Replays `histories` against a workflow bundle; one line per history that does not replay: `<name>: <why>`. */
export async function replayFailures(
  workflowBundle: { codePath: string } | { code: string },
  histories: CorpusHistory[],
): Promise<string[]> {
  const failures: string[] = [];
  // One history at a time, so each failure is tied to its file whatever order the SDK reports in.
  for (const entry of histories) {
    try {
      await Worker.runReplayHistory(
        { workflowBundle, dataConverter: corpusDataConverter(), replayName: entry.name },
        entry.history,
        workflowIdOf(entry.history),
      );
    } catch (err) {
      failures.push(`${entry.name}: ${(err as Error).name}: ${(err as Error).message}`);
    }
  }
  return failures;
}
