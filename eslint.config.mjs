// Type-aware lint: the rule that matters most here is no-floating-promises,
// since an unawaited shutdown call is a silent failure in the one moment that counts.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'scripts/**', '*.mjs', '*.cjs', 'test/reporter.cjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // knex types rows loosely; we assert row shapes where the query ends, which this rule mistakes for inference.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
);
