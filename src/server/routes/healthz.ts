import Router from "@koa/router";

export function healthRoutes(isHealthy: () => Promise<boolean>) {
  const router = new Router();
  router.get("/healthz", async (ctx) => {
    const ok = await isHealthy();
    ctx.status = ok ? 200 : 503;
    ctx.body = ok ? { ok: true } : { ok: false, database: "unreachable" };
  });
  return router;
}
