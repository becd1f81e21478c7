import { caseSensitiveRouter } from "../router.js";
import type { Context } from "koa";
import { parseRange, RangedDownloadError } from "../../byte-range.js";
import { TelegramFileError, type LocatedFile } from "../../telegram/files.js";
import { MiniMaxTransportError } from "../../minimax/errors.js";
import { mediaTokenUser, type MediaKind } from "../../studio/media-links.js";
import type { Studio } from "../../studio/index.js";
import { STUDIO_API_PATH } from "../paths.js";
import type { Gate } from "../../intake/gate.js";
import { SHORT_ID } from "./studio-api.js";

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

/**
 * Sends a file Telegram or MiniMax keeps, streamed (never held whole in memory), with HTTP Range:
 * a player asks for the part it needs and gets 206 with exactly those bytes. HEAD opens nothing.
 */
async function sendFile(ctx: Context, file: LocatedFile, type: string, linkExpiresS: number) {
  const range = parseRange(ctx.get("Range"), file.size);
  ctx.set("Accept-Ranges", "bytes");
  if (range === "unsatisfiable") {
    ctx.status = 416;
    ctx.set("Content-Range", `bytes */${file.size}`);
    ctx.body = { ok: false, error: "Range Not Satisfiable" };
    return;
  }
  const body = ctx.method === "HEAD" ? null : await file.open(range);
  ctx.status = range ? 206 : 200;
  ctx.type = type;
  // Same link, same bytes, until the token expires: the browser may keep what it fetched till then.
  ctx.set("Cache-Control", `private, max-age=${Math.max(0, linkExpiresS - Math.floor(Date.now() / 1000))}`);
  if (range) ctx.set("Content-Range", `bytes ${range.start}-${range.end}/${file.size}`);
  if (body) {
    // A player that gives up before the answer starts (a seek, a closed page) has the stream
    // destroyed before Koa pipes it: that error must not go unheard and end the process.
    body.on("error", () => undefined);
    ctx.body = body;
  }
  const length = range ? range.end - range.start + 1 : file.size;
  if (length !== undefined) ctx.length = length;
}

/**
 * /app/api/videos/<id>/file and /app/api/photos/<id>: a user's own videos and the photos they were
 * made from, for <video> and <img> (which cannot send the launch data, so a media token from the
 * API authorises them). The Bot API's file URL carries the bot token and never leaves the server.
 */
export function studioMediaRoutes(opts: { studio: Studio; gate: Gate; mediaSecret: string }) {
  const { studio } = opts;
  const router = caseSensitiveRouter({ prefix: STUDIO_API_PATH });
  router.param("id", (id, ctx, next) => (SHORT_ID.test(id) ? next() : ctx.throw(404, "No such file")));
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // Telegram or MiniMax could not be asked just now: worth another try, not our failure.
      if (err instanceof TelegramFileError || err instanceof MiniMaxTransportError || err instanceof RangedDownloadError) ctx.throw(502, "The file could not be read just now");
      throw err;
    }
  });
  /** The user a link was made for, and when it expires; 401 for a bad or old link, 403 for a user ALLOWED_USER_IDS leaves out. */
  const ownerOf = (ctx: Context, kind: MediaKind) => {
    const owner = mediaTokenUser(opts.mediaSecret, typeof ctx.query.t === "string" ? ctx.query.t : undefined, ctx.params.id!, kind);
    if (owner === null) return ctx.throw(401, "This link is not valid (or no longer): reload the studio");
    if (!opts.gate.admits(owner.userId)) return ctx.throw(403, "Forbidden");
    return owner;
  };

  router.get("/videos/:id/file", async (ctx) => {
    const shortId = ctx.params.id!;
    const owner = ownerOf(ctx, "video");
    const video = await studio.video(owner.userId, shortId);
    if (!video) return ctx.throw(404, "No such file");
    if (video === "in-chat") {
      // Neither Telegram (over 20 MB) nor MiniMax (expired) lets us read it: it is in the chat only.
      ctx.status = 410;
      ctx.body = { ok: false, error: "in-chat" };
      return;
    }
    if (ctx.query.download === "1") ctx.attachment(`astrolus-${shortId}.mp4`, { type: "attachment" });
    await sendFile(ctx, video, "video/mp4", owner.expiresS);
  });

  router.get("/photos/:id", async (ctx) => {
    const owner = ownerOf(ctx, "photo");
    const photo = await studio.photo(owner.userId, ctx.params.id!);
    if (!photo) return ctx.throw(404, "No such file");
    await sendFile(ctx, photo.file, IMAGE_TYPES.has(photo.mime) ? photo.mime : "application/octet-stream", owner.expiresS);
  });

  return router;
}
