import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createServer as createHttpServer, type Server } from "node:http";
import type { Types } from "mongoose";
import { GrammyError } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Config } from "./config.js";
import { createLogger, type Logger } from "./logger.js";
import { connectDatabase, type Database } from "./db/connection.js";
import { watchDatabase } from "./db/health.js";
import { ALLOWED_UPDATES, createBot, registerCommands, registerMenuButton } from "./bot/index.js";
import { retryUnstoredUpdates } from "./bot/polling.js";
import { createInbox } from "./bot/inbox.js";
import { createStarsReconciler } from "./credits/reconcile.js";
import { createAccounts } from "./credits/accounts.js";
import { createI18n } from "./telegram/i18n.js";
import { createTelegramFiles } from "./telegram/files.js";
import type { BotContext } from "./bot/context.js";
import { createMiniMaxClient } from "./minimax/client.js";
import { createGenerationWorker } from "./generations/worker.js";
import { createProgressUpdater } from "./generations/progress.js";
import { ALBUM_QUIET_MS, createAlbumCollector } from "./intake/albums.js";
import { handleCallback, signedChallenge } from "./generations/status.js";
import { createServer } from "./server/index.js";
import { createMetrics } from "./metrics.js";
import { TELEGRAM_WEBHOOK_PATH } from "./server/paths.js";
import { createStudio } from "./studio/index.js";
import { createGate } from "./intake/gate.js";

export interface StartOptions {
  logger?: Logger;
  /** Skips getMe at start (tests that know the bot already). */
  botInfo?: UserFromGetMe;
  /** Called when the app can no longer do its job (long polling died, the database driver is stuck): main.ts exits on it. */
  onFatal?: (err: Error) => void;
}

export type RunningApp = Awaited<ReturnType<typeof startApp>>;

/** The process logger: every secret of the configuration is scrubbed from every line. */
export const loggerFor = (config: Config) =>
  createLogger({ level: config.logLevel, secrets: [config.botToken, config.minimaxApiKey, config.webhookSecret, config.metricsToken, config.callbackSecret, config.studioMediaSecret] });

/**
 * A request must arrive whole within HTTP_REQUEST_TIMEOUT_MS (its headers within
 * HTTP_HEADERS_TIMEOUT_MS), or its connection is cut (408): a body trickled a byte at a time holds
 * a connection for seconds, not minutes. Node looks for such requests every so often; checking at a
 * quarter of the shorter limit keeps the cut close to it.
 */
const httpServerOptions = (config: Config) => ({
  requestTimeout: config.httpRequestTimeoutMs,
  headersTimeout: config.httpHeadersTimeoutMs,
  connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(config.httpHeadersTimeoutMs / 4))),
});

/** Retries `step` while Telegram cannot be reached; gives up at once when it refuses the token. */
async function untilTelegramAnswers(step: () => Promise<void>, logger: Logger) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (err instanceof GrammyError) throw new Error(`Telegram refused the bot: ${err.description}`);
      const delay = Math.min(30_000, 500 * 2 ** attempt);
      logger.warn({ err: (err as Error).message, retryInMs: delay }, "Telegram is unreachable; retrying");
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/**
 * Wires config, database, bot, worker and HTTP server together and starts them. main.ts calls it
 * once; end-to-end tests call it several times against one database to act as several instances.
 */
export async function startApp(config: Config, opts: StartOptions = {}) {
  const logger = opts.logger ?? loggerFor(config);
  const instanceId = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const db: Database = await connectDatabase({
    uri: config.mongodbUri,
    dataDir: config.mongodbDataDir,
    embeddedEngine: config.mongodbEmbeddedEngine,
    logger,
    timeoutMs: config.mongodbTimeoutMs,
  });

  const metrics = createMetrics({ models: db.models, templates: config.templates });
  const onCreated = (template: string | undefined) => metrics.generationCreated(template);
  const i18n = createI18n<BotContext>();
  const minimax = createMiniMaxClient({
    apiBase: config.minimaxApiBase,
    apiKey: config.minimaxApiKey,
    observe: (label, code, seconds) => {
      metrics.minimaxRequest(label, code, seconds);
      logger.debug({ ...label, code, durationMs: Math.round(seconds * 1000) }, "MiniMax request");
    },
  });
  let acceptingUpdates = true;
  let dbWatch: ReturnType<typeof watchDatabase> | undefined = undefined;

  const files = createTelegramFiles({ apiRoot: config.telegramApiRoot, token: config.botToken });
  // The bot wakes the worker, and the worker sends through the bot's api: the bot comes first.
  let kick = () => {};
  let takeNew = (_id: Types.ObjectId, _model?: string) => {};
  const onQueued = (id?: Types.ObjectId, model?: string) => (id ? takeNew(id, model) : kick());
  let albumPart = (_album: string) => {};
  const t = (locale: string, key: string, variables?: Record<string, string | number>) => i18n.t(locale, key, variables);
  const bot = createBot({ config, models: db.models, logger, i18n, t, botInfo: opts.botInfo, files, minimax, onQueued, onCreated, onAlbumPart: (album) => albumPart(album) });
  bot.api.config.use(metrics.telegramTransformer());
  const lifecycle = {
    config,
    models: db.models,
    minimax,
    telegram: bot.api,
    files,
    t,
    logger,
    instanceId,
    metrics,
  };
  // Updates that outlast Telegram's patience, or fail after it, are kept and handled from here.
  const inbox = createInbox({
    models: db.models,
    logger,
    instanceId,
    leaseMs: config.leaseMs,
    retryBaseMs: config.retryBaseMs,
    sweepEveryMs: Math.max(config.sweepIntervalMs, 1_000),
    handle: (update) => bot.handleUpdate(update),
  });
  const reconciler = createStarsReconciler({
    models: db.models,
    accounts: createAccounts(db.models, config),
    config,
    telegram: bot.api,
    t: lifecycle.t,
    logger,
    instanceId,
    intervalMs: config.starsReconcileIntervalMs,
    onReconciled: (kind) => metrics.starsReconciled(kind),
  });
  const progress = createProgressUpdater(lifecycle);
  // Albums are decided once their quiet window has passed: by the instance that got the last part,
  // or by any instance's periodic look should that one be gone.
  const albums = createAlbumCollector({
    config,
    models: db.models,
    logger,
    onQueued,
    onCreated,
    telegram: bot.api,
    t: lifecycle.t,
    leaseMs: config.leaseMs,
    everyMs: Math.max(config.sweepIntervalMs, ALBUM_QUIET_MS),
  });
  albumPart = albums.partArrived;
  const worker = createGenerationWorker(lifecycle);
  kick = worker.kick;
  takeNew = worker.takeNew;

  const app = createServer({
    logger,
    // While the watch knows MongoDB is away, say so at once; otherwise a ping bounded to half a second.
    isHealthy: async () => !dbWatch?.down && (await db.isHealthy()),
    metrics: { registry: metrics.registry, token: config.metricsToken },
    webhook: config.publicUrl ? { bot, inbox, secret: config.webhookSecret, isAccepting: () => acceptingUpdates } : undefined,
    handleCallback: (params, body) => handleCallback({ models: db.models, logger, callbackSecret: config.callbackSecret, submittingHere: worker.submittingHere }, params, body),
    answerChallenge: (params, body) => signedChallenge(config.callbackSecret, params, body),
    onCallbackRecheck: ({ shortId, taskId }) => worker.checkNow(shortId, taskId),
    studio: config.webappUrl
      ? {
          studio: createStudio({ config, models: db.models, logger, api: bot.api, files, minimax, t: lifecycle.t, onQueued, onCreated, botUsername: () => bot.botInfo.username }),
          gate: createGate(config, db.models),
          botToken: config.botToken,
          maxAgeS: config.webappAuthMaxAgeS,
          mediaSecret: config.studioMediaSecret,
          mediaLinkTtlS: config.studioMediaLinkTtlS,
        }
      : undefined,
  });

  let server: Server;
  try {
    server = await new Promise((resolve, reject) => {
      const s = createHttpServer(httpServerOptions(config), app.listener())
        .listen(config.port, config.host, () => resolve(s))
        .once("error", reject);
      // Past this many open connections, new ones are closed at once until some end.
      s.maxConnections = config.httpMaxConnections;
    });
  } catch (err) {
    await db.close();
    throw new Error(`Could not listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  const port = (server.address() as AddressInfo).port;

  // /healthz is up meanwhile: an unreachable Telegram is waited for, a refused token is fatal.
  logger.info({ port }, "HTTP server listening; connecting to Telegram");
  try {
    await untilTelegramAnswers(async () => {
      if (!opts.botInfo) await bot.init();
      await registerCommands(bot, i18n);
      if (config.webappUrl) await registerMenuButton(bot, i18n, config.webappUrl);
    }, logger);
  } catch (err) {
    server.close();
    await db.close();
    throw err;
  }
  let polling: Promise<void> | undefined;
  let pollingRetries: ReturnType<typeof retryUnstoredUpdates> | undefined;
  if (config.publicUrl) {
    await bot.api.setWebhook(config.publicUrl + TELEGRAM_WEBHOOK_PATH, {
      secret_token: config.webhookSecret,
      allowed_updates: ALLOWED_UPDATES,
    });
    logger.info({ port, mode: "webhook" }, "Astrolus is running");
  } else {
    await bot.api.deleteWebhook();
    pollingRetries = retryUnstoredUpdates(bot, { logger, retryBaseMs: Math.min(config.retryBaseMs, 1_000), inbox });
    polling = bot.start({ allowed_updates: ALLOWED_UPDATES }).catch((err: Error) => {
      // A 409 means another process polls with this token; a bot that hears nothing must not look alive.
      logger.fatal({ err: err.message }, "long polling stopped");
      opts.onFatal?.(err);
    });
    logger.info({ port, mode: "polling" }, "Astrolus is running");
  }
  worker.start();
  progress.start();
  albums.start();
  inbox.start();
  reconciler.start();
  // Logs outages and the return of MongoDB, wakes the worker then, and ends a process whose driver stays stuck.
  dbWatch = watchDatabase({
    db,
    logger,
    // Each look is a ping: no more than one a second, however short the sweep interval.
    everyMs: Math.max(config.sweepIntervalMs, 1_000),
    stuckExitMs: config.dbStuckExitMs,
    onReconnected: () => worker.kick(),
    onStuck: (err) => opts.onFatal?.(err),
  });

  let stopped: Promise<void> | undefined;
  return {
    config,
    logger,
    db,
    metrics,
    bot,
    worker,
    reconciler,
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    /**
     * Graceful stop: take no new updates, let work in flight finish (the HTTP server stays up
     * meanwhile, since MiniMax may be calling back for a create we are waiting on), hand back
     * every lease, then close the server and the database.
     */
    stop(): Promise<void> {
      stopped ??= (async () => {
        acceptingUpdates = false;
        dbWatch?.stop();
        if (polling) {
          pollingRetries?.beforeStop();
          await bot.stop().catch(() => undefined);
          await polling;
        }
        await inbox.stop(config.shutdownTimeoutMs / 2);
        await albums.stop();
        await reconciler.stop();
        await progress.stop();
        await worker.stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // Requests still open now belong to work already handed back: end them, don't wait for them.
        await Promise.race([minimax.close(), new Promise((r) => setTimeout(r, 250))]).catch(() => undefined);
        await minimax.destroy().catch(() => undefined);
        await db.close();
        logger.info("Astrolus stopped");
      })();
      return stopped;
    },
  };
}
