// ESLint flat config: the recommended JavaScript rules, and typescript-eslint's type-checked rules over the TypeScript
// sources (types from the project's tsconfig through the project service); plain JS files get the untyped rules.
// (src: https://typescript-eslint.io/getting-started/typed-linting/)
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/node_modules/", "dist/", "**/dist/", "out/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // Fakes, stubs and local stand-ins implement async interfaces (storage, Pub/Sub, sleep) without awaiting anything;
    // `async` keeps their throws as rejections, as the interface promises.
    files: ["test/**/*.ts", "bench/**/*.ts", "images/etl/local/folder-storage.ts", "cli/src/local/emulator.ts", "images/scorer/src/store.ts"],
    rules: { "@typescript-eslint/require-await": "off" },
  },
  {
    // These render values typed `unknown` on purpose (the mock runtime's resource inputs and outputs, DuckDB's JSON rows),
    // which are strings and numbers there: String(...) on each would only repeat what the template does.
    files: ["cli/src/preview/**/*.ts", "cli/src/local/plan.ts", "images/etl/src/jobs/extract.ts"],
    rules: { "@typescript-eslint/no-base-to-string": "off", "@typescript-eslint/restrict-template-expressions": "off" },
  },
  // The packages import only packages and their own files, so each works installed alone: @cloudrun-pipelines/components
  // (components/) and cloudrun-pipelines (cli/src/). A relative import that leaves the folder is an error.
  // (src: https://eslint.org/docs/latest/rules/no-restricted-imports, `patterns` with `group`)
  ...[
    ["components/*.ts", "../*", "@cloudrun-pipelines/components"],
    ["components/shared/*.ts", "../../*", "@cloudrun-pipelines/components"],
    ["cli/src/*.ts", "../*", "cloudrun-pipelines"],
    ["cli/src/*/*.ts", "../../*", "cloudrun-pipelines"],
  ].map(([files, outside, name]) => ({
    files: [files],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ group: [outside], message: `${name} is self-contained: import only packages and files of its own folder.` }] },
      ],
    },
  })),
  {
    // Plain JS files (the mocha reporter, this config) are in no tsconfig: untyped rules only.
    // (src: https://typescript-eslint.io/troubleshooting/typed-linting)
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Plain CommonJS files (the mocha reporter) run on Node.
    files: ["**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
