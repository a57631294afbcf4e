// Lint keeps the design honest: the domain stays pure (no framework, ORM, logger or driver imports).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'test/generated/**', 'web/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name=/^(skip|only)$/][callee.object.name=/^(it|test|describe)$/]",
          message: 'Skipped or focused tests are defects.',
        },
      ],
    },
  },
  {
    files: ['src/shoes/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'typeorm', 'typeorm/*', 'winston', 'pg', 'pg-*', 'convict', 'graphql', 'graphql-*', 'jose'], message: 'The domain is pure: no framework, ORM, logger or driver imports.' },
            { group: ['../../*', '../commands/*', '../queries/*', '../projections/*', '../graphql/*'], message: 'The domain imports nothing outside src/shoes/domain.' },
          ],
        },
      ],
    },
  },
);
