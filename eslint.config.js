import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "studio/dist/", "data/", "node_modules/", ".ci/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The lifecycle and its adapters sit below the inbound side: nothing imports upwards.
    files: ["src/intake/**", "src/generations/**", "src/telegram/**", "src/minimax/**", "src/credits/**", "src/db/**", "src/images/**", "src/templates/**"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: ["**/bot/*", "**/server/*", "**/studio/*", "**/app.js", "**/main.js"], message: "import downwards only (server/, bot/ and studio/ sit above the lifecycle)" }] }],
    },
  },
  {
    // Routers come from server/router.ts, case-sensitive, so no route is reached past its guards by a path's case.
    files: ["src/server/**", "src/studio/**", "src/bot/**"],
    ignores: ["src/server/router.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "@koa/router", message: "use caseSensitiveRouter from server/router.ts" }] }],
    },
  },
);
