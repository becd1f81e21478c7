import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { caseSensitiveRouter } from "../router.js";
import { packageRoot } from "../../db/embedded/common.js";
import { STUDIO_PATH } from "../paths.js";

/** Where `npm run build` puts the page (studio/build.ts), found from the package root whether this runs from src/ or dist/. */
export const STUDIO_PAGE_DIR = join(packageRoot(), "studio/dist");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};
const typeOf = (name: string) => TYPES[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream";

/**
 * The studio's page: index.html at /app, and its assets (names carry a hash of their content, so
 * they are cached for good) at /app/assets/. The page is a few tens of KB, read once at start.
 */
export function studioPageRoutes(dir = STUDIO_PAGE_DIR) {
  // Strict: /app and /app/ are different pages to the browser's relative links.
  const router = caseSensitiveRouter({ strict: true });
  const built = existsSync(join(dir, "index.html"));
  const index = built ? readFileSync(join(dir, "index.html")) : null;
  const assets = new Map<string, Buffer>();
  if (built && existsSync(join(dir, "assets"))) {
    for (const name of readdirSync(join(dir, "assets"))) assets.set(name, readFileSync(join(dir, "assets", name)));
  }

  router.get(STUDIO_PATH, (ctx) => {
    if (!index) {
      ctx.status = 503;
      ctx.body = { ok: false, error: "The studio page is not built: run npm run build" };
      return;
    }
    ctx.type = TYPES[".html"]!;
    ctx.set("Cache-Control", "no-cache");
    ctx.body = index;
  });
  // The page's relative links resolve from /app, not /app/ (the fragment survives the redirect).
  router.get(`${STUDIO_PATH}/`, (ctx) => {
    ctx.status = 301;
    ctx.redirect(`${STUDIO_PATH}${ctx.querystring ? `?${ctx.querystring}` : ""}`);
  });
  router.get(`${STUDIO_PATH}/assets/:name`, (ctx) => {
    const body = assets.get(ctx.params.name!);
    if (!body) return ctx.throw(404);
    ctx.type = typeOf(ctx.params.name!);
    ctx.set("Cache-Control", "public, max-age=31536000, immutable");
    ctx.body = body;
  });
  return { router, built };
}
