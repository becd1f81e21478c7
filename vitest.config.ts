import { defineConfig } from "vitest/config";
import { findChromium } from "./test/support/chromium.js";

// The studio's browser tests need a Chromium on this machine (nothing downloads one). Without it
// they are left out, with one line saying so; .ci/run installs Chromium and requires them.
const chromium = findChromium();
if (!chromium) {
  if (process.env.STUDIO_BROWSER_TESTS === "required") throw new Error("STUDIO_BROWSER_TESTS=required, but no Chromium was found (CHROME_PATH or PATH)");
  console.log("Browser tests (test/browser) not run: no Chromium found. Install one (apt-get install chromium) or set CHROME_PATH, then run npm test again.");
}

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", ...(chromium ? [] : ["test/browser/**"])],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // End-to-end files each start servers and a database; two cores run two at a time.
    maxWorkers: 2,
  },
});
