// Lint keeps the code honest; the layer rules (a pure domain, no cycles, no dead modules, nothing but the feature
// imports its GraphQL layer) are dependency-cruiser's, in .dependency-cruiser.cjs, run by the same `npm run lint`.
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
);
