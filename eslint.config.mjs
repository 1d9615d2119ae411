// Lint: typescript-eslint's strict type-checked rules over everything tsc checks, plus the
// build scripts. Formatting is Prettier's job (`npm run format:check`), not the linter's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist-vsix/**',
      'node_modules/**',
      'test-artifacts/**',
      '.e2e/**',
      // Debian roots with torch 2.x for the tracer's tests (scripts/torch2-env.sh).
      '.torch2/**',
      '.torch2.partial/**',
      '.torch2-*/**',
      'python/**',
      'src/engine/wasm/*.generated.ts',
      // Scripts written as a user writes them (and hostile ones on purpose).
      'examples/**',
      'test/**/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Numbers and booleans print as users expect in messages; objects and undefined do not.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // `const { key: _, ...rest } = o` is how a copy without `key` is written; a method that
      // subclasses override names the parameters its base does not use `_x`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { ignoreRestSiblings: true, argsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // In a test a wrong assumption throws and fails the test, which is what `!` should do there.
    files: ['test/**', 'bench/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        performance: 'readonly',
        fetch: 'readonly',
        WebAssembly: 'readonly',
      },
    },
  },
  {
    // CommonJS is what a .cjs file is for: the CLI shim must `require` the bundle.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Its page.evaluate callbacks run in the browser.
    files: ['webview/monitor/bench.mjs'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        requestAnimationFrame: 'readonly',
        MouseEvent: 'readonly',
      },
    },
  },
);
