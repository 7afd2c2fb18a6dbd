// @ts-check
import { resolve } from 'node:path';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Every project lints with this file; its globs are relative to the workspace root.
const basePath = resolve(import.meta.dirname, '../..');

const noServiceImports = {
  regex: '^@ferry/service-|/services/',
  message: 'Nothing in libs/ imports a service.',
};

export default defineConfig(
  { basePath, ignores: ['**/dist/**', '**/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    basePath,
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'error',
      // NestJS modules are empty classes that their decorator describes.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
    },
  },
  {
    basePath,
    files: ['libs/*/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noServiceImports] }] },
  },
  {
    // The domain is pure: its own files and the contracts, nothing else (tests may use their runner).
    basePath,
    files: ['libs/domain/src/**/*.ts'],
    ignores: ['libs/domain/src/**/*.spec.ts', 'libs/domain/src/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noServiceImports,
            {
              regex: '^(?!@ferry/contracts$)(?!\\.{1,2}/)',
              message: 'libs/domain may import only @ferry/contracts and its own files.',
            },
          ],
        },
      ],
    },
  },
  { basePath, files: ['libs/tooling/src/**/*.ts', '**/*.spec.ts'], rules: { 'no-console': 'off' } },
  {
    // The console's React code: the rules of hooks (and of the React compiler) catch what types do not.
    basePath,
    files: ['services/console/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
  },
);
