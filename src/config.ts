import { createHash } from "node:crypto";
import { z } from "zod";
import { combinationsOf, DEFAULT_MODEL_IDS, durationsOf, MODELS, modelSpec, resolutionHeight, resolutionsOf, type ModelSpec } from "./minimax/models.js";
import { parsePrices, type PriceTable } from "./prices.js";
import { DEFAULT_TEMPLATES_FILE, loadTemplates, TemplatesError, type TemplateLibrary } from "./templates/library.js";

const KNOWN_DURATIONS = [...new Set(MODELS.flatMap(durationsOf))].sort((a, b) => a - b);
const KNOWN_RESOLUTIONS = [...new Set(MODELS.flatMap((m) => combinationsOf(m).map((c) => c.resolution)))].sort((a, b) => resolutionHeight(a) - resolutionHeight(b)) as [string, ...string[]];

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const httpUrl = z.url({ protocol: /^https?$/ }).transform((v) => v.replace(/\/+$/, ""));
const optionalHttpUrl = optionalString.pipe(httpUrl.optional());
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    BOT_TOKEN: z.string().regex(/^\d+:[\w-]{20,}$/, "must look like 123456:ABC… (from @BotFather)"),
    MINIMAX_API_KEY: z.string().min(8, "is required"),
    MONGODB_URI: optionalString.pipe(
      z.string().regex(/^mongodb(\+srv)?:\/\//, "must start with mongodb:// or mongodb+srv://").optional(),
    ),
    MONGODB_DATA_DIR: z.string().default("./data/mongo"),
    MONGODB_EMBEDDED_ENGINE: z.enum(["auto", "mongodb", "ferretdb"]).default("auto"),
    PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
    MINIMAX_CALLBACK_URL: optionalHttpUrl,
    PORT: int(3000, 0).pipe(z.number().max(65535)),
    HOST: z.string().default("0.0.0.0"),
    TELEGRAM_API_ROOT: httpUrl.default("https://api.telegram.org"),
    MINIMAX_API_BASE: httpUrl.default("https://api.minimax.io"),
    TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, "may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        .optional(),
    ),
    CALLBACK_SECRET: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
    MINIMAX_MODELS: z
      .string()
      .trim()
      .default(DEFAULT_MODEL_IDS.join(","))
      .transform((v, ctx) => {
        const ids = [...new Set(v.split(",").map((id) => id.trim()).filter(Boolean))];
        const unknown = ids.filter((id) => !modelSpec(id));
        if (unknown.length || ids.length === 0) {
          ctx.addIssue({ code: "custom", message: `${unknown.length ? `unknown model ${unknown.join(", ")}` : "is empty"}; image-to-video models: ${MODELS.map((m) => m.id).join(", ")}` });
          return z.NEVER;
        }
        return ids.map((id) => modelSpec(id)!);
      }),
    MINIMAX_MODEL: z.string().trim().default("MiniMax-Hailuo-02"),
    // Checked here against every known model, so a value no model has is named beside the other
    // bad variables; against the default model once all are valid (below).
    DEFAULT_DURATION: z.coerce.number().pipe(z.union(KNOWN_DURATIONS.map((d) => z.literal(d)), { error: `must be one of ${KNOWN_DURATIONS.join(", ")}` })).default(6),
    DEFAULT_RESOLUTION: z.string().trim().pipe(z.enum(KNOWN_RESOLUTIONS, { error: `must be one of ${KNOWN_RESOLUTIONS.join(", ")}` })).default("768P"),
    MINIMAX_POLL_INTERVAL_MS: int(15_000, 200),
    MINIMAX_RPM: int(5, 1),
    MINIMAX_RPM_WINDOW_MS: int(60_000, 100),
    MINIMAX_V2_RPM: int(300, 1),
    MINIMAX_V2_MAX_IN_FLIGHT: int(30, 1),
    GENERATION_TIMEOUT_MIN: z.coerce.number().positive().default(30),
    DELIVERY_TIMEOUT_MIN: z.coerce.number().positive().default(360),
    MAX_ACTIVE_PER_USER: int(10, 1),
    ALLOWED_USER_IDS: optionalString.pipe(
      z
        .string()
        .regex(/^\d+(\s*,\s*\d+)*$/, "must be a comma-separated list of numeric Telegram user ids")
        .transform((v) => v.split(",").map((id) => Number(id.trim())))
        .optional(),
    ),
    TELEGRAM_UPLOAD_LIMIT_MB: int(50, 1).pipe(z.number().max(2000)),
    SWEEP_INTERVAL_MS: int(5_000, 50),
    RETRY_BASE_MS: int(2_000, 10),
    LEASE_MS: int(60_000, 500),
    SHUTDOWN_TIMEOUT_MS: int(7_000, 100),
    FREE_CREDITS: int(3, 0),
    PRICES: optionalString,
    STARS_PACKS: z
      .string()
      .trim()
      .default("10:50,50:200")
      .pipe(
        z
          .string()
          .regex(/^\d+:\d+(\s*,\s*\d+:\d+)*$/, "must be comma-separated credits:stars pairs, like 10:50,50:200")
          .transform((v) => v.split(",").map((pair) => pair.trim().split(":").map(Number) as [number, number])),
      ),
    PLANS: z
      .string()
      .trim()
      .default("")
      .pipe(
        z
          .string()
          .regex(/^(\d+:\d+(\s*,\s*\d+:\d+)*)?$/, "must be empty or comma-separated credits:stars pairs, like 30:450")
          .transform((v) => (v ? v.split(",").map((pair) => pair.trim().split(":").map(Number) as [number, number]) : [])),
      ),
    REFERRAL_BONUS_INVITER: int(5, 0),
    REFERRAL_BONUS_INVITEE: int(3, 0),
    ADMIN_USER_IDS: optionalString.pipe(
      z
        .string()
        .regex(/^\d+(\s*,\s*\d+)*$/, "must be a comma-separated list of numeric Telegram user ids")
        .transform((v) => v.split(",").map((id) => Number(id.trim())))
        .optional(),
    ),
    SUPPORT_CONTACT: optionalString,
    STARS_RECONCILE_INTERVAL_S: int(600, 0),
    METRICS_TOKEN: optionalString.pipe(z.string().min(16, "must be at least 16 characters").optional()),
    WEBAPP_URL: optionalHttpUrl,
    WEBAPP_AUTH_MAX_AGE_S: int(86_400, 1),
    STUDIO_MEDIA_LINK_TTL_S: int(3_600, 10),
    STUDIO_ACTION_LIMIT: int(10, 1),
    STUDIO_ACTION_WINDOW_S: int(60, 1),
    HTTP_REQUEST_TIMEOUT_MS: int(30_000, 100),
    HTTP_HEADERS_TIMEOUT_MS: int(10_000, 100),
    HTTP_MAX_CONNECTIONS: int(1_000, 1),
    MONGODB_TIMEOUT_MS: int(5_000, 100),
    DB_STUCK_EXIT_S: z.coerce.number().positive().default(120),
    TEMPLATES_FILE: optionalString,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((env, ctx) => {
    if (env.PUBLIC_URL && env.NODE_ENV === "production" && !env.PUBLIC_URL.startsWith("https://")) {
      ctx.addIssue({ code: "custom", path: ["PUBLIC_URL"], message: "must be https:// (Telegram sends webhooks to https only)" });
    }
    // The callback URL carries the per-generation token: over plain http anyone on the path reads it.
    if (env.MINIMAX_CALLBACK_URL && env.NODE_ENV === "production" && !env.MINIMAX_CALLBACK_URL.startsWith("https://")) {
      ctx.addIssue({ code: "custom", path: ["MINIMAX_CALLBACK_URL"], message: "must be https:// in production (it carries a secret token)" });
    }
    // Telegram opens Mini Apps over https only.
    if (env.WEBAPP_URL && env.NODE_ENV === "production" && !env.WEBAPP_URL.startsWith("https://")) {
      ctx.addIssue({ code: "custom", path: ["WEBAPP_URL"], message: "must be https:// (Telegram opens Mini Apps over https only)" });
    }
    // Every scrape runs several counts in MongoDB: a public /metrics is a way to load the database.
    if (env.NODE_ENV === "production" && !env.METRICS_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["METRICS_TOKEN"], message: "is required in production (at least 16 characters): /metrics asks for it as a bearer token" });
    }
    // Node refuses a headers timeout longer than the request's.
    if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS) {
      ctx.addIssue({ code: "custom", path: ["HTTP_HEADERS_TIMEOUT_MS"], message: "must not exceed HTTP_REQUEST_TIMEOUT_MS" });
    }
    const prices = parsePrices(env.MINIMAX_MODELS, env.PRICES);
    if (typeof prices === "string") ctx.addIssue({ code: "custom", path: ["PRICES"], message: prices });
    for (const [credits, stars] of env.STARS_PACKS) {
      if (credits < 1 || stars < 1 || stars > 10_000) {
        ctx.addIssue({ code: "custom", path: ["STARS_PACKS"], message: "each pack needs at least 1 credit and 1 to 10000 Stars" });
      }
    }
    for (const [credits, stars] of env.PLANS) {
      if (credits < 1 || stars < 1 || stars > 10_000) {
        ctx.addIssue({ code: "custom", path: ["PLANS"], message: "each plan needs at least 1 credit and 1 to 10000 Stars" });
      }
    }
    const model = env.MINIMAX_MODELS.find((m) => m.id === env.MINIMAX_MODEL);
    if (!model) {
      const known = modelSpec(env.MINIMAX_MODEL) ? "is not among MINIMAX_MODELS" : "is not an image-to-video model";
      ctx.addIssue({ code: "custom", path: ["MINIMAX_MODEL"], message: `${env.MINIMAX_MODEL} ${known} (${env.MINIMAX_MODELS.map((m) => m.id).join(", ")})` });
      return;
    }
    // A fixed-output model (I2V-01) ignores both settings, so only the others are checked.
    if (!model.fixedOutput && !resolutionsOf(model, env.DEFAULT_DURATION).includes(env.DEFAULT_RESOLUTION)) {
      const options = durationsOf(model)
        .map((d) => `${d}s: ${resolutionsOf(model, d).join("/")}`)
        .join("; ");
      ctx.addIssue({
        code: "custom",
        path: ["DEFAULT_RESOLUTION"],
        message: `${env.DEFAULT_RESOLUTION} at ${env.DEFAULT_DURATION}s is not offered by ${env.MINIMAX_MODEL} (${options})`,
      });
    }
  });

export type Env = z.infer<typeof schema>;

export interface Config {
  env: Env["NODE_ENV"];
  botToken: string;
  minimaxApiKey: string;
  mongodbUri: string | undefined;
  mongodbDataDir: string;
  /** Which embedded server runs when MONGODB_URI is unset: auto tries MongoDB, then FerretDB. */
  mongodbEmbeddedEngine: Env["MONGODB_EMBEDDED_ENGINE"];
  /** Webhook mode when set; long polling when not. */
  publicUrl: string | undefined;
  callbackUrl: string | undefined;
  port: number;
  host: string;
  telegramApiRoot: string;
  minimaxApiBase: string;
  webhookSecret: string;
  /** Signs the per-generation callback token (an HMAC of the generation id), so it is checked without a lookup. */
  callbackSecret: string;
  /** The models users may choose from (MINIMAX_MODELS), in the operator's order. */
  models: readonly ModelSpec[];
  /** The default model's id (MINIMAX_MODEL), one of `models`. */
  model: string;
  /** Default length (seconds) and quality, offered by the default model. */
  duration: number;
  resolution: string;
  pollIntervalMs: number;
  minimaxRpm: number;
  /** The window MINIMAX_RPM and MINIMAX_V2_RPM count over: a minute, except for tests and accounts with other terms. */
  minimaxRpmWindowMs: number;
  /** Creates a minute on MiniMax's v2 API (MiniMax-H3), shared by all instances. */
  minimaxV2Rpm: number;
  /** Tasks queued or running at once on MiniMax's v2 API, shared by all instances. */
  minimaxV2MaxInFlight: number;
  generationTimeoutMs: number;
  /** How long a paid video's delivery is retried (fresh retrieve each time) before the user is told. */
  deliveryTimeoutMs: number;
  maxActivePerUser: number;
  allowedUserIds: number[] | undefined;
  uploadLimitBytes: number;
  sweepIntervalMs: number;
  /** First retry delay after a retryable failure; doubles each attempt. */
  retryBaseMs: number;
  leaseMs: number;
  shutdownTimeoutMs: number;
  /** Credits a new user starts with. */
  freeCredits: number;
  /** Credits per video: model id → priceKey(duration, resolution) → credits (see prices.ts). */
  prices: PriceTable;
  /** What /buy offers: credits for Telegram Stars. */
  starsPacks: Array<{ credits: number; stars: number }>;
  /** Monthly plans /buy and the studio offer as Stars subscriptions: credits every 30 days for Stars (PLANS; empty: none). */
  plans: Array<{ credits: number; stars: number }>;
  /** Credits each side of a referral gets when the invited user's first Stars payment is credited. */
  referralBonusInviter: number;
  referralBonusInvitee: number;
  /** Key of the tag in referral codes, so a code names its inviter and cannot be made up for another user. */
  referralSecret: string;
  adminUserIds: number[];
  /** How often Telegram's account of Stars is checked against the ledger (0: never). */
  starsReconcileIntervalMs: number;
  /** Who answers payment questions (/paysupport); unset: the bot's own chat. */
  supportContact: string | undefined;
  /** Bearer token /metrics asks for; required in production; unset elsewhere: /metrics is open. */
  metricsToken: string | undefined;
  /**
   * The studio Mini App's page (WEBAPP_URL, or PUBLIC_URL + /app when that is https); unset: the
   * Mini App is off (no routes, no menu button, no Studio buttons).
   */
  webappUrl: string | undefined;
  /** Launch data older than this is refused by the studio's API. */
  webappAuthMaxAgeS: number;
  /** How long a media link the studio hands out stays good (never past its launch data). */
  studioMediaLinkTtlS: number;
  /** Studio actions that call Telegram or MiniMax: at most this many per user per window, across all instances. */
  studioActionLimit: number;
  studioActionWindowMs: number;
  /** The HTTP server: the whole request (headers and body) must arrive within this. */
  httpRequestTimeoutMs: number;
  /** The HTTP server: a request's headers must arrive within this. */
  httpHeadersTimeoutMs: number;
  /** Connections open at once; more are refused until some close. */
  httpMaxConnections: number;
  /** Key of the short-lived links to a user's videos and photos that the studio's API hands out. */
  studioMediaSecret: string;
  /** How long one database operation waits for an unreachable MongoDB before it fails. */
  mongodbTimeoutMs: number;
  /** The driver failing this long while a fresh connection gets through: the process exits for its supervisor. */
  dbStuckExitMs: number;
  logLevel: Env["LOG_LEVEL"];
  /** The template library (templates.yaml, or TEMPLATES_FILE), checked at start. */
  templates: TemplateLibrary;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates the environment once; throws a ConfigError naming every bad variable (never its value). */
export function createConfig(source: NodeJS.ProcessEnv): Config {
  const parsed = schema.safeParse(source);
  const templates = readTemplates(source.TEMPLATES_FILE?.trim() || undefined);
  if (!parsed.success || Array.isArray(templates)) {
    const problems = (parsed.error?.issues ?? []).map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const missing = issue.code === "invalid_type" && source[name] === undefined;
      return missing ? `${name} is required` : `${name}: ${issue.message}`;
    });
    throw new ConfigError([...new Set(problems), ...(Array.isArray(templates) ? templates : [])]);
  }
  const env = parsed.data;
  const publicUrl = env.PUBLIC_URL?.replace(/\/+$/, "");
  return {
    env: env.NODE_ENV,
    botToken: env.BOT_TOKEN,
    minimaxApiKey: env.MINIMAX_API_KEY,
    mongodbUri: env.MONGODB_URI,
    mongodbDataDir: env.MONGODB_DATA_DIR,
    mongodbEmbeddedEngine: env.MONGODB_EMBEDDED_ENGINE,
    publicUrl,
    callbackUrl: env.MINIMAX_CALLBACK_URL ?? (publicUrl ? `${publicUrl}/api/minimax_callback` : undefined),
    port: env.PORT,
    host: env.HOST,
    telegramApiRoot: env.TELEGRAM_API_ROOT,
    minimaxApiBase: env.MINIMAX_API_BASE,
    // Telegram echoes this header on every webhook call; derived so operators need not invent one.
    webhookSecret:
      env.TELEGRAM_WEBHOOK_SECRET ?? createHash("sha256").update(`astrolus-webhook:${env.BOT_TOKEN}`).digest("hex"),
    callbackSecret:
      env.CALLBACK_SECRET ?? createHash("sha256").update(`astrolus-callback:${env.BOT_TOKEN}`).digest("hex"),
    models: env.MINIMAX_MODELS,
    model: env.MINIMAX_MODEL,
    duration: env.DEFAULT_DURATION,
    resolution: env.DEFAULT_RESOLUTION,
    pollIntervalMs: env.MINIMAX_POLL_INTERVAL_MS,
    minimaxRpm: env.MINIMAX_RPM,
    minimaxRpmWindowMs: env.MINIMAX_RPM_WINDOW_MS,
    minimaxV2Rpm: env.MINIMAX_V2_RPM,
    minimaxV2MaxInFlight: env.MINIMAX_V2_MAX_IN_FLIGHT,
    generationTimeoutMs: env.GENERATION_TIMEOUT_MIN * 60_000,
    deliveryTimeoutMs: env.DELIVERY_TIMEOUT_MIN * 60_000,
    maxActivePerUser: env.MAX_ACTIVE_PER_USER,
    allowedUserIds: env.ALLOWED_USER_IDS,
    uploadLimitBytes: env.TELEGRAM_UPLOAD_LIMIT_MB * 1024 * 1024,
    sweepIntervalMs: env.SWEEP_INTERVAL_MS,
    retryBaseMs: env.RETRY_BASE_MS,
    leaseMs: env.LEASE_MS,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    freeCredits: env.FREE_CREDITS,
    prices: parsePrices(env.MINIMAX_MODELS, env.PRICES) as PriceTable,
    starsPacks: env.STARS_PACKS.map(([credits, stars]) => ({ credits, stars })),
    plans: env.PLANS.map(([credits, stars]) => ({ credits, stars })),
    referralBonusInviter: env.REFERRAL_BONUS_INVITER,
    referralBonusInvitee: env.REFERRAL_BONUS_INVITEE,
    referralSecret: createHash("sha256").update(`astrolus-referral:${env.BOT_TOKEN}`).digest("hex"),
    adminUserIds: env.ADMIN_USER_IDS ?? [],
    supportContact: env.SUPPORT_CONTACT,
    starsReconcileIntervalMs: env.STARS_RECONCILE_INTERVAL_S * 1000,
    metricsToken: env.METRICS_TOKEN,
    // Telegram refuses a web_app button that is not https, so a plain-http PUBLIC_URL (development) does not turn it on.
    webappUrl: env.WEBAPP_URL ?? (publicUrl?.startsWith("https://") ? `${publicUrl}/app` : undefined),
    webappAuthMaxAgeS: env.WEBAPP_AUTH_MAX_AGE_S,
    studioMediaLinkTtlS: env.STUDIO_MEDIA_LINK_TTL_S,
    studioActionLimit: env.STUDIO_ACTION_LIMIT,
    studioActionWindowMs: env.STUDIO_ACTION_WINDOW_S * 1000,
    httpRequestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
    httpHeadersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
    httpMaxConnections: env.HTTP_MAX_CONNECTIONS,
    studioMediaSecret: createHash("sha256").update(`astrolus-studio-media:${env.BOT_TOKEN}`).digest("hex"),
    mongodbTimeoutMs: env.MONGODB_TIMEOUT_MS,
    dbStuckExitMs: env.DB_STUCK_EXIT_S * 1000,
    logLevel: env.LOG_LEVEL,
    templates,
  };
}

/** The template library, or what is wrong with it (each template and field named). */
function readTemplates(file: string | undefined): TemplateLibrary | string[] {
  try {
    return loadTemplates(file ?? DEFAULT_TEMPLATES_FILE);
  } catch (err) {
    if (err instanceof TemplatesError) return err.problems.map((p) => `TEMPLATES_FILE ${err.file}: ${p}`);
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [`TEMPLATES_FILE: ${file ?? DEFAULT_TEMPLATES_FILE} does not exist`];
    throw err;
  }
}
