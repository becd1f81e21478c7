import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "vitest";
import { startFakeMiniMax, type FakeMiniMax } from "./fake-minimax.js";

/**
 * Loopback servers standing in for our callback endpoint, for the fake MiniMax's own tests: each
 * keeps the JSON bodies it gets and answers what `answer` returns. `closeAll` ends them.
 */
export function callbackReceivers() {
  const servers: http.Server[] = [];
  return {
    async start(answer: (body: Record<string, unknown>) => unknown = (body) => body) {
      const got: Array<Record<string, unknown>> = [];
      const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
          const body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
          got.push(body);
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer(body)));
        });
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      servers.push(server);
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cb/secret`, got };
    },
    /** A server of the test's own, closed with the others. */
    adopt: (server: http.Server) => void servers.push(server),
    closeAll: () => Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r)))),
  };
}

/**
 * The fake MiniMax's own test files: fakes and callback receivers started during a test are closed
 * after it.
 */
export function fakesClosedAfterEachTest() {
  const receivers = callbackReceivers();
  const fakes: FakeMiniMax[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.close()));
    await receivers.closeAll();
  });
  return {
    receiver: receivers.start,
    adopt: receivers.adopt,
    async startFake(...args: Parameters<typeof startFakeMiniMax>) {
      const fake = await startFakeMiniMax(...args);
      fakes.push(fake);
      return fake;
    },
  };
}
