/**
 * MiniMax's challenge arrives while our create request waits and must be echoed within 3 s. Here
 * many challenges hit the live callback URL of a real generation at once, and the same burst hits
 * a bare node:http JSON echo (its own process, like the app), alternating, in the same run.
 */
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { randomBytes } from "node:crypto";
import { startFakes, testEnv, eventually, freePort } from "../test/support/app.js";
import { photoFrom, user } from "../test/support/scenario.js";
import { databaseFor, envNumber, percentile, round, startAppProcess, stopProcess } from "./support.js";

const ECHO_SERVER = `
const http = require("node:http");
http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body;
    try { body = JSON.parse(Buffer.concat(chunks).toString("utf8")); } catch { res.writeHead(400).end(); return; }
    const out = JSON.stringify({ challenge: body.challenge });
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(out) }).end(out);
  });
}).listen(Number(process.argv[1]), "127.0.0.1", () => process.send?.("listening"));
`;

async function startEcho(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["-e", ECHO_SERVER, String(port)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`echo server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}/api/minimax_callback`, child };
}

/** One POST of a challenge on a fresh connection (as MiniMax makes them); its latency in ms. */
function challenge(url: string): Promise<number> {
  const token = randomBytes(16).toString("hex");
  const body = JSON.stringify({ challenge: token });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const elapsed = performance.now() - started;
        try {
          const answer = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { challenge?: string };
          if (res.statusCode !== 200 || answer.challenge !== token) throw new Error(`HTTP ${res.statusCode}`);
          resolve(elapsed);
        } catch (err) {
          reject(new Error(`challenge not echoed by ${new URL(url).host}: ${(err as Error).message}`));
        }
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function burst(url: string, n: number): Promise<number> {
  const latencies = await Promise.all(Array.from({ length: n }, () => challenge(url)));
  return percentile(latencies, 99);
}

export async function challengeBench(mongoUri: string) {
  const n = envNumber("BENCH_CHALLENGES", 300);
  const rounds = envNumber("BENCH_CHALLENGE_ROUNDS", 3);
  const fakes = await startFakes({ minimax: { rpm: 1000, rpmWindowMs: 1000 } });
  const env = await testEnv({ mode: "webhook", telegram: fakes.telegram, minimax: fakes.minimax, mongoUri: databaseFor(mongoUri, "challenge"), env: { LOG_LEVEL: "warn" } });
  const app = await startAppProcess(env, fakes.telegram);
  const echo = await startEcho();
  try {
    // A live callback URL: the one the app gave MiniMax for a real generation.
    await fakes.telegram.deliver(photoFrom(fakes.telegram, user(7001), "a challenge target").update);
    const live = await eventually(() => fakes.minimax.challenges.find((c) => c.ok)?.url, 30_000, "the app's callback URL");
    await burst(live, Math.min(n, 30)); // warm-up: JIT and connection set-up on both sides
    await burst(echo.url, Math.min(n, 30));
    const appP99: number[] = [];
    const echoP99: number[] = [];
    for (let r = 0; r < rounds; r++) {
      echoP99.push(await burst(echo.url, n));
      appP99.push(await burst(live, n));
    }
    const app99 = percentile(appP99, 50);
    const echo99 = percentile(echoP99, 50);
    return { challenges: n, rounds, appP99Ms: round(app99, 0), echoP99Ms: round(echo99, 0), ratio: round(app99 / echo99), appRounds: appP99.map((v) => round(v, 0)), echoRounds: echoP99.map((v) => round(v, 0)) };
  } finally {
    echo.child.kill();
    await stopProcess(app);
    await fakes.close();
  }
}
