// @ts-check
import tseslint from "typescript-eslint";

const coreOnlyEffect = {
  regex: "^(?!effect(/|$)|\\.{1,2}/)",
  message:
    "packages/core is the pure domain: it may import only `effect` and its own relative modules (no SDK, no node:*, no inversify, no sibling package)."
};

const noInversify = {
  paths: [
    { name: "inversify", message: "inversify lives only in packages/deploy/src/composition." },
    { name: "reflect-metadata", message: "reflect-metadata lives only in packages/deploy/src/composition." }
  ]
};

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/.sst/**", "**/coverage/**", "**/*.d.ts", "reports/**", ".stryker-tmp/**"]
  },
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module" },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-imports": ["error", noInversify]
    }
  },
  {
    files: ["packages/core/src/**/*.ts"],
    ignores: ["packages/core/src/**/*.test.ts", "packages/core/src/testing/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [coreOnlyEffect] }]
    }
  },
  {
    files: ["packages/core/src/testing/**/*.ts"],
    ignores: ["packages/core/src/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!effect(/|$)|fast-check$|\\.{1,2}/)",
              message: "core's testing entry may import only effect, fast-check and core modules."
            }
          ]
        }
      ]
    }
  },
  {
    files: ["packages/core/src/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!effect(/|$)|fast-check$|vitest$|node:(fs|path|url)$|\\.{1,2}/)",
              message: "core tests may import only effect, fast-check, vitest, node:fs/path/url (to read fixtures) and core modules."
            }
          ]
        }
      ]
    }
  },
  {
    files: ["packages/adapters/src/**/*.ts", "packages/agents/src/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          ...noInversify,
          patterns: [
            { group: ["@sre-on-call/deploy", "@sre-on-call/deploy/*"], message: "Only deploy composes packages." }
          ]
        }
      ]
    }
  },
  {
    files: ["packages/deploy/src/composition/**/*.ts"],
    rules: { "no-restricted-imports": "off" }
  }
);
