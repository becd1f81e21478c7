/**
 * Both public HTTP endpoints (Telegram's webhook and MiniMax's callback) under hostile requests:
 * wrong or missing secrets, malformed and oversized bodies, forged callbacks. Webhook mode.
 */
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { Agent, Client, request, type Dispatcher } from "undici";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeMp4, type FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { createLeases } from "../../src/generations/leases.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { makeJpeg } from "../support/images.js";
import { sha256 } from "../support/scenario.js";

const WEBHOOK = "/telegram/webhook";
const CALLBACK = "/api/minimax_callback";
const ONE_MB = 1024 * 1024;

interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

let tg: FakeTelegram;
let mm: FakeMiniMax;
let app: TestApp;
/** Every photo this file sent, to look for its bytes in the logs. */
const photosSent: Buffer[] = [];

async function send(
  method: "GET" | "POST" | "PUT",
  path: string,
  opts: { body?: string | Buffer | Readable; headers?: Record<string, string>; dispatcher?: Dispatcher } = {},
): Promise<Answer> {
  const res = await request(app.url + path, {
    method,
    headers: opts.body === undefined ? opts.headers : { "content-type": "application/json", ...opts.headers },
    body: opts.body,
    dispatcher: opts.dispatcher,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, contentType: String(res.headers["content-type"] ?? ""), text, json };
}

const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  send("POST", path, { body: typeof body === "string" ? body : JSON.stringify(body), headers });
const webhookHeaders = (secret: string): Record<string, string> => ({ "x-telegram-bot-api-secret-token": secret });
const callbackPath = (q: Record<string, string | string[]>) => {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) for (const one of [v].flat()) sp.append(k, one);
  return `${CALLBACK}?${sp.toString()}`;
};

/**
 * Sends a body without Content-Length (chunked) on a connection of its own: the app stops reading
 * it at the limit, and that connection is not reusable afterwards (see the keep-alive test below).
 */
async function sendStreamed(path: string, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const dispatcher = new Agent();
  try {
    return await send("POST", path, { body: Readable.from([Buffer.from(body)]), headers, dispatcher });
  } finally {
    await dispatcher.destroy();
  }
}

/** A small JSON error answer with the given status: no stack trace, no file paths, no internals. */
function expectCleanError(res: Answer, status: number) {
  expect(res.status, res.text).toBe(status);
  expect(res.contentType).toMatch(/application\/json/);
  expect(res.json).toMatchObject({ ok: false, error: expect.any(String) });
  expect(Object.keys(res.json as object).sort()).toEqual(["error", "ok"]);
  expectNoInternals(res.text);
}

function expectNoInternals(text: string) {
  expect(text).not.toMatch(/\bat \S+ \(|\bat (?:async )?\S+:\d+:\d+|node_modules|\/work\/|\.ts:\d+|\.js:\d+|stack|SyntaxError|RangeError|TypeError/);
  expect(text.length).toBeLessThan(300);
}

/** A JSON body of `size` bytes (a valid object with one long string). */
const bigJson = (size: number, extra: Record<string, unknown> = {}) => {
  const head = JSON.stringify({ ...extra, pad: "" });
  return head.slice(0, -2) + "x".repeat(size - head.length) + '"}';
};

async function generationSnapshot(shortId: string) {
  const doc = await app.db.models.Generation.findOne({ short_id: shortId }).select("+callback_token").lean();
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

/**
 * Keeps the worker's hands off a generation (its status checks rewrite next_run_at, the lease and
 * updated_at every poll interval), so a before/after comparison sees only what a request changed.
 * It takes the lease the way another instance would, once no one holds it.
 */
async function holdFromWorker(shortId: string): Promise<() => Promise<void>> {
  // The same claim another instance would make, so the worker sees the lease as taken.
  const holder = createLeases(app.db.models, "test-hold", 3_600_000);
  const held = await eventually(() => holder.claim({ short_id: shortId }, { ignoreSchedule: true }), 5_000, "the generation's lease");
  return async () => {
    await holder.finish(held, {});
  };
}

beforeAll(async () => {
  ({ telegram: tg, minimax: mm } = await startFakes());
  app = await startTestApp({ mode: "webhook", telegram: tg, minimax: mm, mongoUri: testDatabaseUri("httphostile"), env: { MINIMAX_RPM: "100", METRICS_TOKEN: "metrics-secret-0123456789" } });
});
afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await mm?.close();
});

describe("HTTP endpoints under hostile requests (webhook mode)", () => {
  it("a full generation succeeds first, so there is something in the logs", async () => {
    const photo = makeJpeg(1280, 720, 16_000);
    photosSent.push(photo);
    const update = tg.photoUpdate({ chatId: 8101, photo: tg.addPhoto(photo, 1280, 720), caption: "full: the sneaker turns slowly" });
    // A few retried failures on the way, so error paths (whose messages carry URLs) are logged too.
    tg.failNext("getFile", { error_code: 500, description: "Internal Server Error" });
    mm.failNextCreate({ code: 1002 });
    mm.failNextQuery(1000);
    expect((await tg.deliver(update))?.status).toBe(200);
    const [task] = await mm.waitForTasks(1, 15_000);
    expect(task!.imageSha256).toBe(sha256(photo));
    // The challenge came through our callback endpoint while the create was open.
    expect(mm.challenges.map((c) => c.ok)).toEqual([true]);
    const video = makeMp4({ payloadBytes: 80_000 });
    await mm.process(task!.taskId);
    await mm.succeed(task!.taskId, video);
    const [sent] = await tg.waitFor(() => (tg.videosSent(8101).length ? tg.videosSent(8101) : undefined), 15_000, "the video");
    expect(sent!.sha256).toBe(sha256(video));
    await eventually(async () => (await app.db.models.Generation.findOne({ chat_id: 8101 }))?.phase === "delivered", 5_000, "delivered");

    // And one MiniMax refuses on content grounds, so the failure path is logged too.
    const refused = makeJpeg(1280, 720, 16_000);
    photosSent.push(refused);
    await tg.deliver(tg.photoUpdate({ chatId: 8102, photo: tg.addPhoto(refused, 1280, 720), caption: "full: the refused one" }));
    const [, refusedTask] = await mm.waitForTasks(2, 15_000);
    await mm.fail(refusedTask!.taskId, 1026);
    await eventually(async () => (await app.db.models.Generation.findOne({ chat_id: 8102 }))?.phase === "failed", 10_000, "failed");
    // A scrape with and without the metrics token.
    expect((await send("GET", "/metrics", { headers: { authorization: "Bearer metrics-secret-0123456789" } })).status).toBe(200);
    expect((await send("GET", "/metrics")).status).toBe(401);
  });

  describe("GET /healthz and unknown paths", () => {
    it("/healthz answers 200 {ok:true}", async () => {
      const res = await send("GET", "/healthz");
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ ok: true });
    });

    it("an unknown path is a JSON 404, whatever the method", async () => {
      expectCleanError(await send("GET", "/admin"), 404);
      expectCleanError(await send("GET", "/../../etc/passwd"), 404);
      expectCleanError(await postJson("/api/minimax_callback/extra", { challenge: "x" }), 404);
      expectCleanError(await postJson("/telegram/webhook2", { update_id: 1 }, webhookHeaders(app.config.webhookSecret)), 404);
    });

    it("a known path with the wrong method does not leak anything either", async () => {
      for (const res of [await send("GET", CALLBACK), await send("GET", WEBHOOK), await send("PUT", "/healthz", { body: "{}" })]) {
        expect(res.status).toBe(405);
        expectNoInternals(res.text);
      }
    });
  });

  describe("POST /telegram/webhook", () => {
    it("a valid update with a missing or wrong secret is refused with 401 and never handled", async () => {
      const chatId = 8201;
      const photo = makeJpeg(1280, 720);
      photosSent.push(photo);
      const update = tg.photoUpdate({ chatId, photo: tg.addPhoto(photo, 1280, 720), caption: "forged: the car drives" });
      const body = JSON.stringify(update);

      expectCleanError(await send("POST", WEBHOOK, { body }), 401);
      expectCleanError(await send("POST", WEBHOOK, { body, headers: webhookHeaders("") }), 401);
      expectCleanError(await send("POST", WEBHOOK, { body, headers: webhookHeaders("wrong-secret") }), 401);
      // Almost right: the real secret with one character changed, and the real one with a suffix.
      const secret = app.config.webhookSecret;
      const flipped = secret.slice(0, -1) + (secret.endsWith("a") ? "b" : "a");
      expectCleanError(await send("POST", WEBHOOK, { body, headers: webhookHeaders(flipped) }), 401);
      expectCleanError(await send("POST", WEBHOOK, { body, headers: webhookHeaders(secret + "x") }), 401);
      // The bot token is not the webhook secret either.
      expectCleanError(await send("POST", WEBHOOK, { body, headers: webhookHeaders(tg.token) }), 401);
      // Through the fake Telegram too (secret header omitted).
      expect((await tg.postToWebhook(update, { secret: null })).status).toBe(401);

      // Handling is synchronous with the answer, so by now anything it did would be visible.
      expect(tg.messages(chatId)).toEqual([]);
      expect(await app.db.models.Generation.countDocuments({ chat_id: chatId })).toBe(0);
      expect(await app.db.models.User.countDocuments({ _id: chatId })).toBe(0);
      expect(mm.createRequests.filter((r) => r.body.prompt === "forged: the car drives")).toEqual([]);
      const fileIds = update.message!.photo!.map((p) => p.file_id);
      expect(tg.callsTo("getFile").filter((c) => fileIds.includes(c.params.file_id as string))).toEqual([]);
    });

    it("malformed JSON with the right secret is a 400", async () => {
      const headers = webhookHeaders(app.config.webhookSecret);
      for (const body of ['{"update_id": 1, "message": ', "not json at all", "{'update_id': 1}", "{\"update_id\": 1,}"]) {
        expectCleanError(await send("POST", WEBHOOK, { body, headers }), 400);
      }
    });

    it("a JSON array, a scalar, or an object without a numeric update_id is a 400", async () => {
      const headers = webhookHeaders(app.config.webhookSecret);
      for (const body of [[{ update_id: 1 }], "42", "null", '"update"', {}, { message: { text: "hi" } }, { update_id: "7" }, { update_id: null }]) {
        expectCleanError(await postJson(WEBHOOK, body, headers), 400);
      }
    });

    it("a body over 1 MB is a 413, announced or streamed", async () => {
      const headers = webhookHeaders(app.config.webhookSecret);
      const body = bigJson(ONE_MB + 1024, { update_id: 424242 });
      expectCleanError(await send("POST", WEBHOOK, { body, headers }), 413);
      // Without Content-Length (chunked), the limit is enforced while reading.
      expectCleanError(await sendStreamed(WEBHOOK, body, headers), 413);
    });

    it("a valid update with the right secret is a 200 and is handled", async () => {
      const update = tg.textUpdate({ chatId: 8202, text: "/start" });
      const res = await tg.postToWebhook(update);
      expect(res.status).toBe(200);
      const reply = await tg.waitFor(() => tg.messages(8202)[0]);
      expect(reply.text).toMatch(/^👋 Hi! I'm Astrolus/);
      expect(reply.reply_to_message?.message_id).toBe(update.message!.message_id);
    });
  });

  describe("POST /api/minimax_callback", () => {
    let shortId: string;
    let token: string;
    let taskId: string;
    const chatId = 8301;

    beforeAll(async () => {
      const photo = makeJpeg(1080, 1080, 8_000);
      photosSent.push(photo);
      const update: Update = tg.photoUpdate({ chatId, photo: tg.addPhoto(photo, 1080, 1080), caption: "callback: the watch turns" });
      expect((await tg.deliver(update))?.status).toBe(200);
      const create = await eventually(() => mm.createRequests.find((r) => r.body.prompt === "callback: the watch turns" && r.taskId), 10_000, "the create");
      taskId = create.taskId!;
      // MiniMax is working on it: a real query answers Processing.
      await mm.process(taskId);
      const gen = await eventually(async () => {
        const g = await app.db.models.Generation.findOne({ chat_id: chatId }).select("+callback_token");
        return g?.phase === "submitted" && g.minimax_job_id === taskId && g;
      }, 5_000, "the generation submitted");
      shortId = gen.short_id;
      token = gen.callback_token;
      expect(token.length).toBeGreaterThanOrEqual(20);
    });

    it("malformed JSON is a 400, even with valid credentials", async () => {
      expectCleanError(await postJson(callbackPath({ generation: shortId, token }), '{"status": "success", '), 400);
      expectCleanError(await postJson(callbackPath({}), "]["), 400);
    });

    it("a JSON array or scalar is a 400", async () => {
      expectCleanError(await postJson(callbackPath({ generation: shortId, token }), [{ challenge: "x" }]), 400);
      expectCleanError(await postJson(callbackPath({ generation: shortId, token }), "17"), 400);
    });

    it("a body over 1 MB is a 413", async () => {
      expectCleanError(await postJson(callbackPath({ generation: shortId, token }), bigJson(ONE_MB + 1024, { challenge: "x" })), 413);
      expectCleanError(await sendStreamed(callbackPath({ generation: shortId, token }), bigJson(2 * ONE_MB)), 413);
    });

    it("deeply nested JSON is refused with a 4xx, not a crash", async () => {
      const depth = 200_000;
      const res = await postJson(callbackPath({ generation: shortId, token }), "[".repeat(depth) + "]".repeat(depth));
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expectNoInternals(res.text);
    });

    it("no token or no generation is a 403", async () => {
      const body = { challenge: "x" };
      expectCleanError(await postJson(CALLBACK, body), 403);
      expectCleanError(await postJson(callbackPath({ generation: shortId }), body), 403);
      expectCleanError(await postJson(callbackPath({ token }), body), 403);
      expectCleanError(await postJson(callbackPath({ generation: shortId, token: "" }), body), 403);
      // Repeated parameters are not a way around the check.
      expectCleanError(await postJson(callbackPath({ generation: shortId, token: [token, token] }), body), 403);
    });

    it("an unknown generation and a known one with a wrong token get one answer, 403: the ids that exist are not told", async () => {
      const wellShaped = randomBytes(32).toString("base64url");
      const answers = [];
      for (const body of [{ challenge: "x" }, { task_id: taskId, status: "success" }, { task_id: taskId, status: "processing" }]) {
        for (const query of [
          { generation: "zzzzzzz", token },
          { generation: `${shortId}x`, token },
          { generation: JSON.stringify({ $ne: null }), token },
          { generation: "zzzzzzz", token: wellShaped },
          { generation: shortId, token: wellShaped },
          { generation: "zzzzzzz", token: "short" },
          { generation: shortId, token: "short" },
        ]) {
          const res = await postJson(callbackPath(query), body);
          expectCleanError(res, 403);
          answers.push(res.text);
        }
      }
      expect(new Set(answers)).toEqual(new Set(['{"ok":false,"error":"Forbidden"}']));
    });

    it("a token no secret of ours could have minted is refused before the database is read", async () => {
      const reads: string[] = [];
      const probe = "q2w3e4r";
      app.db.connection.set("debug", (collection: string, method: string, query: unknown) => {
        if (collection === "generations" && JSON.stringify(query ?? null).includes(probe)) reads.push(method);
      });
      try {
        for (const wrong of ["short", "x".repeat(44), `${token.slice(0, 42)}!`]) {
          expectCleanError(await postJson(callbackPath({ generation: probe, token: wrong }), { task_id: taskId, status: "processing" }), 403);
        }
        expect(reads).toEqual([]);
        // A token of the right shape may be one an earlier CALLBACK_SECRET minted: that one is looked up.
        expectCleanError(await postJson(callbackPath({ generation: probe, token: randomBytes(32).toString("base64url") }), { task_id: taskId, status: "processing" }), 403);
        expect(reads).toEqual(["findOne"]);
      } finally {
        app.db.connection.set("debug", false);
      }
    });

    it("a real generation with a wrong token is a 403 and its document is left unchanged", async () => {
      const wrongTokens = [randomBytes(24).toString("base64url"), token.slice(0, -1), `${token}A`, token.toUpperCase() === token ? token.toLowerCase() : token.toUpperCase(), app.config.webhookSecret];
      const bodies = [
        { challenge: "x" },
        { task_id: taskId, status: "success", file_id: "176844028768999", base_resp: { status_code: 0, status_msg: "success" } },
        { task_id: taskId, status: "failed", base_resp: { status_code: 1027, status_msg: "output new_sensitive" } },
        { task_id: "999999999999999", status: "processing" },
      ];
      const release = await holdFromWorker(shortId);
      try {
        const before = await generationSnapshot(shortId);
        for (const wrong of wrongTokens) {
          expect(wrong).not.toBe(token);
          for (const body of bodies) {
            const res = await postJson(callbackPath({ generation: shortId, token: wrong }), body);
            expectCleanError(res, 403);
            expect(res.text).not.toContain("challenge");
          }
        }
        expect(await generationSnapshot(shortId)).toEqual(before);
      } finally {
        await release();
      }
    });

    it("with the right token the challenge is echoed", async () => {
      const res = await postJson(callbackPath({ generation: shortId, token }), { challenge: "x" });
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ challenge: "x" });
      const numeric = await postJson(callbackPath({ generation: shortId, token }), { challenge: 123456 });
      expect(numeric.json).toEqual({ challenge: "123456" });
    });

    it("a forged success (and failure) with the right token is checked with MiniMax first and changes nothing while it says processing", async () => {
      const queriesBefore = mm.queries.filter((q) => q === taskId).length;
      const retrievesBefore = mm.retrieves.length;
      const forgedSuccess = await postJson(callbackPath({ generation: shortId, token }), {
        task_id: taskId,
        status: "success",
        file_id: "176844028768999",
        base_resp: { status_code: 0, status_msg: "success" },
      });
      expect(forgedSuccess.status).toBe(200);
      const forgedFailure = await postJson(callbackPath({ generation: shortId, token }), {
        task_id: taskId,
        status: "Failed",
        base_resp: { status_code: 1026, status_msg: "input new_sensitive" },
      });
      expect(forgedFailure.status).toBe(200);

      // The app asks MiniMax (the only path to delivery); let it ask a few times over.
      await eventually(() => mm.queries.filter((q) => q === taskId).length >= queriesBefore + 3, 10_000, "three status queries");
      expect(mm.tasks.get(taskId)?.status).toBe("Processing");
      expect(tg.videosSent(chatId)).toEqual([]);
      expect(tg.callsTo("sendVideo").filter((c) => c.params.chat_id === chatId)).toEqual([]);
      expect(mm.retrieves.length).toBe(retrievesBefore);
      expect(mm.downloads.filter((d) => d.fileId === "176844028768999")).toEqual([]);
      const gen = await generationSnapshot(shortId);
      expect(gen.phase).toBe("submitted");
      expect(gen.minimax_status).not.toBe("success");
      expect(gen.minimax_file_id).toBeUndefined();
      expect(gen.error_code).toBeUndefined();
      // The user heard nothing but the acceptance.
      expect(tg.messages(chatId)).toHaveLength(1);
      // The status message: accepted, or since edited to say MiniMax has the job.
      expect(tg.messages(chatId)[0]!.text).toMatch(/Got it!|is with MiniMax|MiniMax is making your video/);
      expect(tg.messages(chatId)[0]!.text).not.toMatch(/❌|🎬|ready|failed/);
    });

    it("then the real success is delivered, once", async () => {
      const video = makeMp4({ payloadBytes: 60_000 });
      await mm.succeed(taskId, video);
      const [sent] = await tg.waitFor(() => (tg.videosSent(chatId).length ? tg.videosSent(chatId) : undefined), 15_000, "the video");
      expect(sent!.sha256).toBe(sha256(video));
      await eventually(async () => (await generationSnapshot(shortId)).phase === "delivered", 5_000, "delivered");
      expect(tg.videosSent(chatId)).toHaveLength(1);
    });
  });

  describe("keep-alive connections", () => {
    it("after refusing an oversized chunked body, the same connection still serves the next request", async () => {
      // One connection, one request at a time: the second request must reuse it, or find it closed
      // by the server and open a new one. Either is fine; hanging on it is not.
      const client = new Client(app.url, { pipelining: 1, headersTimeout: 3_000, bodyTimeout: 3_000 });
      try {
        const first = await client.request({
          path: callbackPath({ generation: "zzzzzzz", token: "t" }),
          method: "POST",
          headers: { "content-type": "application/json" },
          body: Readable.from([Buffer.from(bigJson(2 * ONE_MB))]),
        });
        expect(first.statusCode).toBe(413);
        await first.body.dump();
        const second = await client.request({ path: "/healthz", method: "GET" });
        expect(second.statusCode).toBe(200);
        expect(await second.body.json()).toEqual({ ok: true });
      } finally {
        await client.destroy();
      }
    });
  });

  describe("afterwards", () => {
    it("the app still serves: healthz 200 and an update is handled", async () => {
      const health = await send("GET", "/healthz");
      expect(health.status).toBe(200);
      expect(health.json).toEqual({ ok: true });
      const update = tg.textUpdate({ chatId: 8401, text: "/help" });
      expect((await tg.postToWebhook(update)).status).toBe(200);
      expect((await tg.waitFor(() => tg.messages(8401)[0])).text).toMatch(/^📸 Send one product photo/);
      expect(tg.rejectedCalls).toEqual([]);
    });

    it("the logs hold no bot token, API key, webhook secret, callback token or image data", async () => {
      const logs = app.logs.join("");
      if (process.env.DUMP_LOGS) console.log(logs);
      // Something was logged about the work above, so an empty log cannot pass by accident.
      expect(logs).toContain("submitted to MiniMax");
      expect(logs).toContain("submit postponed");
      expect(logs).toContain("status query failed");
      expect(app.logs.length).toBeGreaterThan(5);

      // One structured line per update, callback, submission, delivery and failure, with the
      // generation id and durations where there is one.
      const lines = app.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
      const withMsg = (msg: string) => lines.filter((l) => l.msg === msg);
      const ids = Object.fromEntries((await app.db.models.Generation.find().lean()).map((g) => [g.chat_id, g.short_id]));
      expect(withMsg("update handled").length).toBeGreaterThanOrEqual(3);
      for (const l of withMsg("update handled")) expect(l).toMatchObject({ update: expect.any(Number), kind: expect.any(String), durationMs: expect.any(Number) });
      expect(withMsg("update handled").map((l) => l.kind)).toEqual(expect.arrayContaining(["photo", "command:help"]));
      expect(withMsg("generation queued").map((l) => l.generation)).toEqual(expect.arrayContaining([ids[8101], ids[8102]]));
      const callbacks = withMsg("MiniMax callback").filter((l) => l.generation === ids[8101]);
      expect(callbacks.map((l) => l.outcome)).toEqual(expect.arrayContaining(["challenge", "accepted"]));
      for (const l of callbacks) expect(l.durationMs).toEqual(expect.any(Number));
      expect(withMsg("submitted to MiniMax").find((l) => l.generation === ids[8101])).toMatchObject({
        taskId: expect.any(String),
        attempt: 3, // a failed getFile and a create refused with 1002 came first
        rateWaitMs: expect.any(Number),
        createMs: expect.any(Number),
        sinceCreatedMs: expect.any(Number),
      });
      expect(withMsg("video delivered").find((l) => l.generation === ids[8101])).toMatchObject({
        bytes: expect.any(Number),
        attempt: 1,
        durationMs: expect.any(Number),
        sinceSuccessMs: expect.any(Number),
        sinceCreatedMs: expect.any(Number),
      });
      expect(withMsg("generation failed").find((l) => l.generation === ids[8102])).toMatchObject({ reason: "sensitive_input", sinceCreatedMs: expect.any(Number) });
      expect(logs).not.toContain("metrics-secret-0123456789");

      const tokenSecretPart = tg.token.split(":")[1]!;
      expect(logs).not.toContain(tg.token);
      expect(logs).not.toContain(tokenSecretPart);
      expect(logs).not.toContain(encodeURIComponent(tg.token));
      expect(logs).not.toContain(mm.apiKey);
      expect(logs).not.toContain(app.config.webhookSecret);

      const gens = await app.db.models.Generation.find().select("+callback_token").lean();
      expect(gens.length).toBeGreaterThanOrEqual(2);
      for (const g of gens) {
        expect(g.callback_token.length).toBeGreaterThanOrEqual(20);
        expect(logs).not.toContain(g.callback_token);
        expect(logs).not.toContain(encodeURIComponent(g.callback_token));
      }

      expect(photosSent.length).toBeGreaterThanOrEqual(3);
      for (const photo of photosSent) {
        const b64 = photo.toString("base64");
        // Three 120-character windows of its base64 (a data URL of the photo would hold all of them), and raw hex.
        for (const start of [400, 1201, 2002]) expect(logs).not.toContain(b64.slice(start, start + 120));
        expect(logs).not.toContain(photo.subarray(600, 700).toString("hex"));
      }
      expect(logs).not.toMatch(/data:image\/[a-z]+;base64,[A-Za-z0-9+/]{20}/);
    });
  });
});
