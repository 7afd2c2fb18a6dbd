// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Imports the pure domain may not make: anything but the contracts and its own files. */
const domainOnlyContracts = {
  patterns: [
    {
      regex: '^(?!@ferry/contracts$)(?!\\.{1,2}/)',
      message: 'libs/domain is pure: it may import only @ferry/contracts and its own files.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
    },
  },
  {
    files: ['**/libs/domain/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', domainOnlyContracts] },
  },
  {
    files: ['**/libs/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@ferry/service-*', '**/services/**'],
              message: 'Nothing in libs/ imports a service.',
            },
          ],
        },
      ],
    },
    ignores: ['**/libs/domain/src/**'],
  },
  { files: ['**/libs/tooling/src/**/*.ts', '**/*.spec.ts'], rules: { 'no-console': 'off' } },
);
