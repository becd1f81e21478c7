import { caseSensitiveRouter } from "../router.js";

export function healthRoutes(isHealthy: () => Promise<boolean>) {
  const router = caseSensitiveRouter();
  router.get("/healthz", async (ctx) => {
    const ok = await isHealthy();
    ctx.status = ok ? 200 : 503;
    ctx.body = ok ? { ok: true } : { ok: false, database: "unreachable" };
  });
  return router;
}
