import dotenv from "dotenv";
import { ConfigError, createConfig } from "./config.js";
import { loggerFor, startApp, type RunningApp } from "./app.js";

// A .env file is for development; real environment variables always win.
dotenv.config({ quiet: true });

let config;
try {
  config = createConfig(process.env);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
  process.exit(1);
}

const logger = loggerFor(config);

let app: RunningApp | undefined;
let stopping = false;
function shutDown(reason: string, exitCode: number) {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, "shutting down");
  // Whatever happens, the process is gone within 10 seconds.
  setTimeout(() => {
    logger.error("shutdown took too long; exiting");
    process.exit(1);
  }, 10_000).unref();
  // Still starting (waiting for Telegram, say): nothing is in flight yet.
  if (!app) process.exit(exitCode);
  app.stop().then(
    () => process.exit(exitCode),
    (err: Error) => {
      logger.error({ err: err.message }, "shutdown failed");
      process.exit(1);
    },
  );
}
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => shutDown(signal, 0));
process.on("unhandledRejection", (reason) => logger.error({ err: String(reason) }, "unhandled rejection"));

try {
  app = await startApp(config, { logger, onFatal: (err) => shutDown(err.message, 1) });
} catch (err) {
  logger.fatal({ err: (err as Error).message }, "Astrolus could not start");
  process.exit(1);
}
