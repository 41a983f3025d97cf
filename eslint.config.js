// `npm run lint`: determinism guard rails, as Temporal's TypeScript samples set them up
// (@typescript-eslint/no-floating-promises everywhere; no Node built-ins in workflow code),
// plus what our workflow code must not reach for. Not a style checker: tsc --strict and review
// keep the style.
import { builtinModules } from 'node:module';
import { tseslint } from './tools/lint/index.js';

/**
 * Everything webpack puts into the workflow bundle (dist/workflow-bundle.json lists it; a unit
 * test keeps the two in step), and the test-only workflow modules. This code runs inside
 * Temporal's deterministic sandbox and is replayed from history for weeks.
 */
export const WORKFLOW_CODE = [
  'src/workflows/**/*.ts',
  'src/approvals/command.ts',
  'src/approvals/decision.ts',
  'src/approvals/jws.ts',
  'src/approvals/passkey.ts',
  'src/security/failure-converter.ts',
  'src/spec/derived.ts',
  'src/spec/duration.ts',
  'src/temporal/build-memo.ts',
  'test/upgrade/onboarding-*.ts',
  'test/upgrade/announce.ts',
  'test/helpers/timer-workflows.ts',
];

const nodeBuiltins = [...new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))];
const why =
  'workflow code is replayed from history: a Node built-in is unavailable in the workflow sandbox or differs on replay; do it in an activity';

export default tseslint.config(
  { ignores: ['dist/', '**/node_modules/', '.tools/', '.data/', 'tools/', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An unawaited promise in workflow code is a step that may or may not have happened when the
      // task completes; elsewhere it is an error nobody sees. Mark the deliberate ones with `void`.
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test collects describe()/test() itself; their promises are not ours to await.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'test', 'it', 'suite'] },
          ],
        },
      ],
    },
  },
  {
    files: WORKFLOW_CODE,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: why })),
          patterns: [
            // Workflows know activities, clients and the worker by their types only (DESIGN.md).
            {
              group: ['**/activities/*', '!**/activities/types.js'],
              allowTypeImports: true,
              message: 'import activities as types and call them through proxyActivities',
            },
            {
              group: [
                '**/clients/*',
                '**/worker.js',
                '**/cli/*',
                '**/sandbox/*',
                '**/security/*',
                '!**/security/failure-converter.js',
              ],
              allowTypeImports: true,
              message: 'not workflow code: import its types only',
            },
            {
              group: [
                '@temporalio/client',
                '@temporalio/worker',
                '@temporalio/activity',
                '@temporalio/testing',
                'undici',
                'zod',
              ],
              allowTypeImports: true,
              message: 'not for workflow code: import its types only',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: why },
        { name: 'Buffer', message: why },
        { name: 'require', message: why },
        {
          name: 'performance',
          message: 'wall-clock time differs on replay: use Date.now() (workflow time) or a timer',
        },
        { name: 'setImmediate', message: 'use a workflow timer (sleep) or condition()' },
        { name: 'crypto', message: 'use uuid4() from @temporalio/workflow, or generate it in an activity' },
        { name: 'WeakRef', message: 'garbage collection differs on replay' },
        { name: 'FinalizationRegistry', message: 'garbage collection differs on replay' },
      ],
    },
  },
);
