// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

export default tseslint.config(
  { ignores: ['lib/**', 'dist/**', 'node_modules/**', 'coverage/**', '.data/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      // Forgetting to await an activity, a workflow API or an Alma call is a bug, never a style choice.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'object-shorthand': 'error',
    },
  },
  {
    // Workflow code and the contract it bundles run in Temporal's deterministic sandbox: no Node built-ins there.
    // The workflow knows its activities only through the contract.
    files: ['src/workflows/**/*.ts', 'src/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].filter((m) => m !== 'assert'),
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/alma', '**/alma/**'],
              message: 'import the contract instead',
            },
          ],
        },
      ],
    },
  },
  {
    // Staff tools (the CLI, the desk) reach the relink through RelinkClient (src/client.ts) and the contract, never
    // the workflow code.
    files: ['src/cli/**/*.ts', 'src/desk/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/workflows', '**/workflows/**'], message: 'go through RelinkClient (src/client.ts)' },
          ],
        },
      ],
      // Nor its Temporal client or connection: deadlines and the rest are options of RelinkClient's methods.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'MemberExpression[property.name=/^(client|connection)$/]',
          message: 'go through RelinkClient methods (deadlines are their timeoutMs option)',
        },
      ],
    },
  },
  {
    // The chaos runs and the benchmark are not tests: what they share with the tests (the simulator's records, the
    // relink input) lives in src/, in src/alma-sim/builders.ts and src/dev/relink-input.ts, never in test/.
    files: ['chaos/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/test', '**/test/**'], message: 'move what is shared out of test/ into src/' }] },
      ],
    },
  },
  {
    // Tests and the chaos runs read the simulator's loosely shaped Alma JSON; strict typing there adds noise, not safety.
    files: ['test/**/*.ts', 'chaos/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
