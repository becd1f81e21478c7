import { caseSensitiveRouter } from "../router.js";
import type { Registry } from "prom-client";
import { secretsEqual } from "../../secrets.js";

/** Prometheus scrapes; with METRICS_TOKEN set, only with `Authorization: Bearer <token>`. */
export function metricsRoutes({ registry, token }: { registry: Registry; token?: string }) {
  const router = caseSensitiveRouter();
  router.get("/metrics", async (ctx) => {
    if (token) {
      const given = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get("Authorization"))?.[1];
      if (!(given && secretsEqual(given, token))) {
        ctx.set("WWW-Authenticate", 'Bearer realm="metrics"');
        ctx.throw(401, "Unauthorized");
      }
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  });
  return router;
}
