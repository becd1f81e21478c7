import { createServer } from "node:net";
import { createConfig, type Config } from "../../src/config.js";
import { createLogger } from "../../src/logger.js";
import { startApp, type RunningApp } from "../../src/app.js";
import { startFakeTelegram, type FakeTelegram } from "./fake-telegram.js";
import { startFakeMiniMax, type FakeMiniMax } from "./fake-minimax.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface TestAppOptions {
  mode: "webhook" | "polling";
  telegram: FakeTelegram;
  minimax: FakeMiniMax;
  mongoUri: string;
  env?: Record<string, string>;
}

export interface TestApp extends RunningApp {
  /** Every log line this instance wrote, as written (after scrubbing). */
  logs: string[];
}

/** The environment a real deployment would have, pointed at the fakes. */
export async function testEnv(opts: TestAppOptions): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    NODE_ENV: "test",
    BOT_TOKEN: opts.telegram.token,
    MINIMAX_API_KEY: opts.minimax.apiKey,
    MONGODB_URI: opts.mongoUri,
    TELEGRAM_API_ROOT: opts.telegram.apiRoot,
    MINIMAX_API_BASE: opts.minimax.baseUrl,
    HOST: "127.0.0.1",
    PORT: String(port),
    ...(opts.mode === "webhook" ? { PUBLIC_URL: `http://127.0.0.1:${port}` } : {}),
    MINIMAX_POLL_INTERVAL_MS: "300",
    SWEEP_INTERVAL_MS: "100",
    LEASE_MS: "3000",
    RETRY_BASE_MS: "100",
    // A one-second rate window keeps MiniMax's 5-per-minute rule, scaled down for tests.
    MINIMAX_RPM_WINDOW_MS: "1000",
    LOG_LEVEL: "debug",
    ...opts.env,
  };
}

/** Starts the real app (Koa, grammY, mongoose, worker) in this process against the fakes. */
export async function startTestApp(opts: TestAppOptions): Promise<TestApp> {
  const config: Config = createConfig(await testEnv(opts));
  const logs: string[] = [];
  const logger = createLogger({
    level: config.logLevel,
    secrets: [config.botToken, config.minimaxApiKey, config.webhookSecret, config.metricsToken, config.callbackSecret, config.studioMediaSecret],
    sink: { write: (line) => void logs.push(line) },
  });
  const app = await startApp(config, { logger });
  return Object.assign(app, { logs });
}

/** A token shaped like BotFather's, so it passes the same validation as in production. */
export const TEST_BOT_TOKEN = "7012345678:AAFtest-token-0123456789abcdefghijk";

export async function startFakes(opts: { minimax?: Parameters<typeof startFakeMiniMax>[0]; telegram?: Parameters<typeof startFakeTelegram>[0] } = {}) {
  const telegram = await startFakeTelegram({ token: TEST_BOT_TOKEN, ...opts.telegram });
  const minimax = await startFakeMiniMax(opts.minimax);
  return {
    telegram,
    minimax,
    close: async () => {
      await telegram.close();
      await minimax.close();
    },
  };
}

/** Polls until `check` returns something truthy (it may be async), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 10_000, label = "condition"): Promise<Exclude<T, false | null | undefined | "" | 0>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, false | null | undefined | "" | 0>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
