// One flat config for every package: typescript-eslint's strict rules everywhere,
// angular-eslint for the client's code and templates. Formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import angular from 'angular-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/.angular/**', '**/.turbo/**', '**/coverage/**', 'bench/results/**', '**/out-tsc/**'],
  },
  {
    files: ['**/*.{js,mjs,ts}'],
    extends: [js.configs.recommended, ...tseslint.configs.strict],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'error',
    },
  },
  {
    // Tests assert on parsed JSON bodies whose shape is the point of the test.
    files: ['**/*.test.ts', '**/*.spec.ts', '**/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // Command-line programs talk to their terminal.
    files: ['**/scripts/**', 'bench/src/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['client/src/**/*.ts', 'packages/bff-angular/src/**/*.ts'],
    extends: [...angular.configs.tsRecommended],
    languageOptions: { globals: { ...globals.browser } },
    processor: angular.processInlineTemplates,
    rules: {
      '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix: 'app', style: 'camelCase' }],
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: 'app', style: 'kebab-case' }],
      // Components and test hosts are classes whose body may be empty: the decorator is the point.
      '@typescript-eslint/no-extraneous-class': 'off',
    },
  },
  {
    // @oidc-bff/angular is built with plain tsc: a decorator would ship uncompiled (see its provide-bff.ts). Specs' test hosts may use them.
    files: ['packages/bff-angular/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'Decorator', message: 'No decorators in @oidc-bff/angular: provide a plain class with useFactory (see provide-bff.ts).' },
      ],
    },
  },
  {
    files: ['client/src/**/*.html'],
    extends: [...angular.configs.templateRecommended, ...angular.configs.templateAccessibility],
  },
);
