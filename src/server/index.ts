import Koa from "koa";
import type { Bot } from "grammy";
import type { BotContext } from "../bot/index.js";
import type { Inbox } from "../bot/inbox.js";
import type { Logger } from "../logger.js";
import { errorMiddleware } from "./middlewares/errors.js";
import { answerChallengesFirst, type ChallengeAnswer } from "./middlewares/challenge.js";
import type { Registry } from "prom-client";
import { healthRoutes } from "./routes/healthz.js";
import { metricsRoutes } from "./routes/metrics.js";
import { telegramWebhookRoutes } from "./routes/telegram-webhook.js";
import { minimaxCallbackRoutes, type CallbackHandler, type Recheck } from "./routes/minimax-callback.js";
import type { Studio } from "../studio/index.js";
import { studioHeaders } from "./middlewares/studio-headers.js";
import { studioApiRoutes } from "./routes/studio-api.js";
import { studioMediaRoutes } from "./routes/studio-media.js";
import { studioPageRoutes } from "./routes/studio-page.js";
import { STUDIO_PATH } from "./paths.js";
import type { Gate } from "../intake/gate.js";

export interface ServerDeps {
  logger: Logger;
  isHealthy: () => Promise<boolean>;
  /** GET /metrics, behind a bearer token when one is set. */
  metrics?: { registry: Registry; token?: string };
  /** Webhook mode only: the bot whose updates arrive at /telegram/webhook. */
  webhook?: { bot: Bot<BotContext>; inbox: Inbox; secret: string; isAccepting: () => boolean };
  handleCallback: CallbackHandler;
  /** MiniMax's challenge answered from the token alone, before routing (see middlewares/challenge.ts). */
  answerChallenge: ChallengeAnswer;
  /** Called after a callback worth confirming has been answered. */
  onCallbackRecheck: (recheck: Recheck) => Promise<void>;
  /** The studio Mini App (page and API under /app), when it is on. */
  studio?: { studio: Studio; gate: Gate; botToken: string; maxAgeS: number; mediaSecret: string; mediaLinkTtlS: number; pageDir?: string };
}

/** Builds the Koa app without listening, so tests can drive it on any port. */
export function createServer(deps: ServerDeps) {
  const app = new Koa({ proxy: true });
  app.silent = true; // errorMiddleware logs what matters, without request bodies
  app.use(errorMiddleware(deps.logger));

  const routers = [healthRoutes(deps.isHealthy), minimaxCallbackRoutes(deps.handleCallback, deps.onCallbackRecheck, deps.logger)];
  if (deps.metrics) routers.push(metricsRoutes(deps.metrics));
  if (deps.webhook) routers.push(telegramWebhookRoutes({ ...deps.webhook, logger: deps.logger }));
  if (deps.studio) {
    const page = studioPageRoutes(deps.studio.pageDir);
    if (!page.built) deps.logger.warn("the studio page is not built (npm run build): /app answers 503");
    const headers = studioHeaders();
    app.use((ctx, next) => (ctx.path === STUDIO_PATH || ctx.path.startsWith(`${STUDIO_PATH}/`) ? headers(ctx, next) : next()));
    routers.push(page.router, studioMediaRoutes(deps.studio), studioApiRoutes(deps.studio));
  }
  for (const router of routers) app.use(router.routes()).use(router.allowedMethods({ throw: true }));
  return Object.assign(app, {
    /** The listener for an HTTP server: MiniMax's challenges first, then Koa. */
    listener: () => answerChallengesFirst(app.callback(), deps.answerChallenge, deps.logger),
  });
}
