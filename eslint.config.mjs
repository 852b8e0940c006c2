// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.temporal/', '.onward/', 'coverage/', 'bin/', 'scripts/', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // Prototype pollution (issue 11): `node[key] ??= {}` with a key from input reaches Object.prototype through "__proto__".
      'no-restricted-syntax': [
        'error',
        {
          selector: "AssignmentExpression[operator=/^(\\?\\?|\\|\\||&&)=$/] > MemberExpression.left[computed=true]:not([property.type='Literal'])",
          message: 'x[key] ??= … may create "__proto__" or "constructor" entries: check Object.hasOwn first, or use a Map or Object.create(null)',
        },
      ],
      'no-prototype-builtins': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node APIs, no real clocks.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'crypto', 'nodemailer', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'] }],
    },
  },
);
