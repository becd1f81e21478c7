/**
 * What ships is what is tested: the Docker image's stages (read from the Dockerfile, carried out in
 * an empty folder from a clean copy of the checkout) and the README's `npm install && npm start` in a
 * clean copy, each started as a user starts it, with NODE_ENV=production, against the test database
 * and the fake Telegram and MiniMax. Each must answer /healthz, turn a photo into a delivered video,
 * serve the studio's page with its script and styles, and exit 0 within 10 s of SIGTERM. The tests
 * of the TypeScript sources prove nothing about dist/; these run dist/ and nothing else.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unresolvedImports } from "../../src/build/check-dist.js";
import { makeMp4 } from "../support/fake-telegram.js";
import { eventually } from "../support/app.js";
import { startChildApp, type ChildApp, type ChildAppOptions } from "../support/child-app.js";
import { useChildAppWorld } from "../support/suite.js";
import { photoFrom, sha256, user } from "../support/scenario.js";
import { buildStages, cleanCopy, npmCommand, portOutsideEphemeralRange, readDockerfile, runNpm } from "../support/shipped.js";

const world = useChildAppWorld("shipped");
const folders: string[] = [];
// Three node_modules trees: removing them takes a while on a loaded machine.
afterAll(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))), 300_000);
const emptyFolder = (label: string) => {
  const folder = mkdtempSync(join(tmpdir(), `astrolus-${label}-`));
  folders.push(folder);
  return folder;
};

/** Production, as an operator runs it: polling (no https address here), the studio on at an https WEBAPP_URL. */
async function productionOptions(command: ChildAppOptions["command"]): Promise<ChildAppOptions> {
  return {
    mode: "polling",
    telegram: world.tg,
    minimax: world.mm,
    mongoUri: world.mongoUri,
    command,
    env: { PORT: String(await portOutsideEphemeralRange()), NODE_ENV: "production", WEBAPP_URL: "https://studio.example.test/app", METRICS_TOKEN: "shipped-artifact-metrics-token", LOG_LEVEL: "info" },
    startTimeoutMs: 180_000,
  };
}

/** The user's whole journey against a started artifact, and its shutdown. */
async function expectItWorks(app: ChildApp) {
  const health = await fetch(`${app.url}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true });

  // Production asks for the metrics token.
  expect((await fetch(`${app.url}/metrics`)).status).toBe(401);
  expect((await fetch(`${app.url}/metrics`, { headers: { authorization: `Bearer ${app.env.METRICS_TOKEN}` } })).status).toBe(200);

  const page = await fetch(`${app.url}/app`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toBeTruthy();
  const html = await page.text();
  const assets = [...html.matchAll(/(?:src|href)="(app\/assets\/[^"]+\.(js|css))"/g)];
  expect(assets.map((m) => m[2]).sort()).toEqual(["css", "js"]);
  for (const [, path, kind] of assets) {
    const asset = await fetch(`${app.url}/${path}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(kind === "js" ? /javascript/ : /text\/css/);
    expect((await asset.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  }

  const video = makeMp4({ payloadBytes: 200_000 });
  world.mm.autoComplete({ afterMs: 200, video: () => video });
  const seller = user(7101);
  const sent = photoFrom(world.tg, seller, "the sneaker turns slowly on a white podium");
  await world.tg.deliver(sent.update);
  const [delivered] = await world.tg.waitFor(() => (world.tg.videosSent(seller.chatId).length ? world.tg.videosSent(seller.chatId) : undefined), 60_000, "the video");
  expect(delivered!.sha256).toBe(sha256(video));
  expect((delivered!.params.reply_parameters as { message_id: number }).message_id).toBe(sent.messageId);
  await eventually(() => world.models.Generation.findOne({ phase: "delivered" }).lean(), 10_000, "the generation recorded as delivered");
  expect(world.tg.rejectedCalls).toEqual([]);

  // The signal goes to the process the user started (npm, for npm start), which must pass it on.
  const signalled = Date.now();
  app.kill("SIGTERM");
  const exit = await Promise.race([app.exited, new Promise<"still running">((r) => setTimeout(() => r("still running"), 12_000))]);
  expect(exit).toMatchObject({ code: 0, signal: null });
  expect((exit as { at: number }).at - signalled).toBeLessThan(10_000);
}

describe("the Docker image, stage by stage as the Dockerfile says", () => {
  it("runs on Node 24 LTS in both stages, and its runtime stage gets production dependencies, dist/, the page, locales/ and the template library only", () => {
    const stages = readDockerfile();
    expect(stages.map((s) => s.from)).toEqual(stages.map(() => "node:24-bookworm-slim"));
    const runtime = stages.at(-1)!;
    expect(runtime.runs.some((r) => /^npm ci --omit=dev\b/.test(r))).toBe(true);
    expect(runtime.copies.flatMap((c) => c.sources).sort()).toEqual(["/app/dist", "/app/studio/dist", "locales", "package-lock.json", "package.json", "templates.yaml"]);
  });

  it("builds from a clean clone, starts with its CMD and ENV, makes a video, serves the studio and stops on SIGTERM", async () => {
    const clone = cleanCopy(emptyFolder("clone"));
    const { stage, dir } = await buildStages(clone, emptyFolder("image"));
    expect(unresolvedImports(join(dir, "dist"))).toEqual([]);
    const [file, ...args] = stage.cmd!;
    // The image's ENV, then the test's: HOST and PORT for loopback, the fakes and the database.
    const app = await startChildApp(await productionOptions({ file: file === "node" ? process.execPath : file!, args, cwd: dir, env: stage.env }));
    await expectItWorks(app);
  }, 600_000);
});

describe("the README's npm install && npm start, in a clean clone", () => {
  it("builds, starts, makes a video, serves the studio and stops on SIGTERM", async () => {
    const clone = cleanCopy(emptyFolder("start"));
    await runNpm(["install"], clone, { MONGOMS_DISABLE_POSTINSTALL: "1" });
    const npm = npmCommand();
    const app = await startChildApp(await productionOptions({ file: npm.file, args: [...npm.args, "start"], cwd: clone, env: { HOME: process.env.HOME ?? tmpdir() } }));
    await expectItWorks(app);
  }, 600_000);
});
