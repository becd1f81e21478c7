import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Koa from "koa";
import { afterAll, describe, expect, it } from "vitest";
import { errorMiddleware } from "../../src/server/middlewares/errors.js";
import { launchDataViewer } from "../../src/server/middlewares/launch-data.js";
import { createLogger } from "../../src/logger.js";

describe("the studio's viewer", () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it("a route that reads it without the launch-data check in front answers 401, not a 500 or another user's data", async () => {
    const app = new Koa();
    app.use(errorMiddleware(createLogger({ level: "silent", secrets: [] })));
    let reached = false;
    app.use((ctx) => {
      const viewer = launchDataViewer<{ id: number }>(ctx);
      reached = true;
      ctx.body = { id: viewer.id };
    });
    const server = createServer(app.callback()).listen(0, "127.0.0.1");
    servers.push(server);
    await once(server, "listening");
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ ok: false, error: "Unauthorized" });
    expect(reached).toBe(false);
  });
});
