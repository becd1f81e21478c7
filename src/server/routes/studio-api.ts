import { caseSensitiveRouter } from "../router.js";
import type { Context, Middleware } from "koa";
import { BadCursorError } from "../../studio/gallery.js";
import type { GalleryEntry, NamedItem } from "../../studio/shapes.js";
import { linkExpiry, mediaToken } from "../../studio/media-links.js";
import { StudioInputError, type Studio, type Viewer } from "../../studio/index.js";
import { launchDataViewer, requireLaunchData } from "../middlewares/launch-data.js";
import { jsonBody, objectBody } from "../middlewares/body.js";
import { STUDIO_API_PATH } from "../paths.js";
import type { Gate } from "../../intake/gate.js";

export interface StudioApiOptions {
  studio: Studio;
  gate: Gate;
  /** How long a media link stays good (never past the launch data that got it). */
  mediaLinkTtlS: number;
  botToken: string;
  maxAgeS: number;
  mediaSecret: string;
}

/** Short ids as createGeneration makes them; anything else is not a video of ours. */
export const SHORT_ID = /^[2-9a-hjkmnp-z]{7}$/;
const viewerOf = (ctx: Context) => launchDataViewer<Viewer>(ctx);
const one = (value: string | string[] | undefined) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * The studio's JSON API. Each route acts for the user the launch data names and reads or changes
 * only that user's generations, ledger and settings. Links to media are relative to the page
 * (/app), and carry a token good for that user and file for STUDIO_MEDIA_LINK_TTL_S (see media-links.ts).
 */
export function studioApiRoutes(opts: StudioApiOptions) {
  const { studio } = opts;
  const router = caseSensitiveRouter({ prefix: STUDIO_API_PATH });
  router.param("id", (id, ctx, next) => (SHORT_ID.test(id) ? next() : ctx.throw(404, "No such video of yours")));
  router.param("credits", (credits, ctx, next) => (/^\d{1,6}$/.test(credits) ? next() : ctx.throw(404, "No such pack on sale")));
  router.use(requireLaunchData({ botToken: opts.botToken, maxAgeS: opts.maxAgeS, admits: opts.gate.admits, refusal: studio.private, viewer: studio.viewer }));
  router.use(async (ctx, next) => {
    ctx.set("Cache-Control", "no-store");
    try {
      await next();
    } catch (err) {
      if (err instanceof BadCursorError || err instanceof StudioInputError) ctx.throw(400, err.message);
      throw err;
    }
  });

  /** In front of each action that calls Telegram or MiniMax: the user's share of them, or 429 with Retry-After. */
  const limited: Middleware = async (ctx, next) => {
    const viewer = viewerOf(ctx);
    const taken = await opts.gate.takeAction(viewer.id);
    if (!taken.ok) {
      ctx.status = 429;
      ctx.set("Retry-After", String(taken.retryAfterS));
      ctx.body = { ok: false, error: "Too Many Requests", text: studio.slowDown(viewer) };
      return;
    }
    await next();
  };

  const withLinks = (viewer: Viewer) => (item: NamedItem): GalleryEntry => {
    const expiresS = linkExpiry(opts.mediaLinkTtlS, viewer.expiresS);
    const token = (kind: "video" | "photo") => mediaToken(opts.mediaSecret, viewer.id, item.id, kind, expiresS);
    const video = `api/videos/${item.id}/file?t=${token("video")}`;
    return { ...item, poster: `api/photos/${item.id}?t=${token("photo")}`, video, download: `${video}&download=1`, linksExpireAt: expiresS };
  };

  // The operator's dashboard: ADMIN_USER_IDS only, refused to everyone else whatever follows /admin/.
  router.use(async (ctx, next) => {
    if (ctx.path.startsWith(`${STUDIO_API_PATH}/admin/`) && !studio.isAdmin(viewerOf(ctx))) ctx.throw(403, "For the bot's operators only");
    await next();
  });

  router.get("/me", (ctx) => {
    const viewer = viewerOf(ctx);
    ctx.body = {
      user: { id: viewer.id, firstName: viewer.firstName ?? null },
      locale: viewer.locale,
      texts: studio.texts(viewer.locale),
      formats: studio.formats(viewer.locale),
      templates: studio.templates(viewer.locale),
      admin: studio.isAdmin(viewer),
    };
  });

  router.get("/admin/dashboard", async (ctx) => {
    ctx.body = await studio.dashboard();
  });
  // Any other /admin/ path is routed too, so the check above answers it (403) before the 404.
  router.all("/admin/{*rest}", (ctx) => ctx.throw(404, "No such page"));

  router.get("/gallery", async (ctx) => {
    const viewer = viewerOf(ctx);
    const limit = one(ctx.query.limit);
    const page = await studio.gallery(viewer, {
      cursor: one(ctx.query.cursor),
      format: one(ctx.query.format),
      model: one(ctx.query.model),
      ...(limit ? { limit: Number(limit) || undefined } : {}),
    });
    ctx.body = { ...page, items: page.items.map(withLinks(viewer)) };
  });

  router.get(`/videos/:id`, async (ctx) => {
    const viewer = viewerOf(ctx);
    const item = await studio.galleryItem(viewer, ctx.params.id!);
    if (!item) return ctx.throw(404, "No such video of yours");
    ctx.body = withLinks(viewer)(item);
  });

  router.post(`/videos/:id/again`, limited, async (ctx) => {
    ctx.body = (await studio.again(viewerOf(ctx), ctx.params.id!)) ?? ctx.throw(404, "No such video of yours");
  });

  router.post(`/videos/:id/format`, jsonBody(), limited, async (ctx) => {
    const body = objectBody(ctx.request.body);
    if (!body) return ctx.throw(400, "Expected a JSON object with a format");
    ctx.body = (await studio.format(viewerOf(ctx), ctx.params.id!, body.format)) ?? ctx.throw(404, "No such video of yours");
  });

  router.post(`/videos/:id/template`, jsonBody(), limited, async (ctx) => {
    const body = objectBody(ctx.request.body);
    if (!body) return ctx.throw(400, "Expected a JSON object with a template");
    ctx.body = (await studio.template(viewerOf(ctx), ctx.params.id!, body.template)) ?? ctx.throw(404, "No such video of yours");
  });

  router.post(`/videos/:id/variants`, limited, async (ctx) => {
    ctx.body = (await studio.variants(viewerOf(ctx), ctx.params.id!)) ?? ctx.throw(404, "No such video of yours");
  });

  router.post(`/videos/:id/2k`, limited, async (ctx) => {
    ctx.body = (await studio.regenerate(viewerOf(ctx), ctx.params.id!)) ?? ctx.throw(404, "No such video of yours");
  });

  router.get("/jobs", async (ctx) => {
    ctx.body = await studio.jobs(viewerOf(ctx));
  });

  router.post(`/jobs/:id/cancel`, limited, async (ctx) => {
    const result = await studio.cancel(viewerOf(ctx), ctx.params.id!);
    if (result.outcome === "not_found") ctx.throw(404, "No such job of yours");
    ctx.body = result;
  });

  router.get("/balance", async (ctx) => {
    ctx.body = await studio.balance(viewerOf(ctx));
  });

  router.post("/packs/:credits/invoice", limited, async (ctx) => {
    const result = await studio.invoiceLink(viewerOf(ctx), Number(ctx.params.credits));
    if (!result) ctx.throw(404, "No such pack on sale");
    ctx.body = result;
  });

  router.post("/plans/:credits/invoice", limited, async (ctx) => {
    const result = await studio.planInvoiceLink(viewerOf(ctx), Number(ctx.params.credits));
    if (!result) ctx.throw(404, "No such plan on sale");
    ctx.body = result;
  });

  router.put("/plan/renewal", jsonBody(), limited, async (ctx) => {
    const body = objectBody(ctx.request.body);
    if (!body) return ctx.throw(400, "Expected a JSON object with canceled");
    ctx.body = (await studio.setRenewal(viewerOf(ctx), body.canceled)) ?? ctx.throw(404, "No monthly plan running");
  });

  router.get("/settings", async (ctx) => {
    ctx.body = await studio.settings(viewerOf(ctx));
  });

  router.put("/settings", jsonBody(), async (ctx) => {
    const body = objectBody(ctx.request.body);
    if (!body) return ctx.throw(400, "Expected a JSON object of settings");
    ctx.body = await studio.saveSettings(viewerOf(ctx), body);
  });

  return router;
}
