/**
 * No Docker engine runs where the tests do, so the deployment files are checked as data: the
 * compose file's services, volumes, healthchecks and environment, and the Dockerfile's runtime stage.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createConfig } from "../../src/config.js";

const root = new URL("../../", import.meta.url);
const read = (file: string) => readFileSync(new URL(file, root), "utf8");

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  profiles?: string[];
  user?: string;
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
}
const compose = parse(read("docker-compose.yml")) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { bot, mongo, "telegram-bot-api": botApi } = compose.services;

/** Compose's `${NAME:-default}` interpolation, from `vars` (the .env compose reads). */
function interpolate(env: Record<string, string>, vars: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, def = "") => vars[name] || def)]),
  );
}
// What .env holds (METRICS_TOKEN is required in production).
const secrets = { BOT_TOKEN: "7012345678:AAFtest-token-0123456789abcdefghijk", MINIMAX_API_KEY: "sk-api-test-key", PUBLIC_URL: "https://bot.example.com", METRICS_TOKEN: "metrics-test-token-0123" };

/** `name:/path[:ro]` volume entries of a service, split. */
const mounts = (s: Service) => (s.volumes ?? []).map((v) => v.split(":")).map(([source, target, mode]) => ({ source, target, mode }));

describe("docker-compose.yml", () => {
  it("has the bot, MongoDB 7 and the optional local Bot API server, with named volumes", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["bot", "mongo", "telegram-bot-api"]);
    expect(mongo!.image).toMatch(/^mongo:7(\.|$)/);
    expect(Object.keys(compose.volumes).sort()).toEqual(["mongo-data", "telegram-bot-api-data"]);
    expect(mounts(mongo!)).toContainEqual({ source: "mongo-data", target: "/data/db", mode: undefined });
    expect(bot!.build).toBe(".");
    // Only the optional profile starts the Bot API server.
    expect(bot!.profiles).toBeUndefined();
    expect(mongo!.profiles).toBeUndefined();
    expect(botApi!.profiles).toEqual(["local-bot-api"]);
  });

  it("runs MongoDB as a single-node replica set that its healthcheck initiates, and the bot waits for it", () => {
    const replSet = mongo!.command![mongo!.command!.indexOf("--replSet") + 1];
    expect(replSet).toBe("rs0");
    const check = mongo!.healthcheck!.test.join(" ");
    expect(mongo!.healthcheck!.test[0]).toBe("CMD");
    expect(check).toContain("mongosh");
    // Initiated once (rs.status() throws until then), with the member named as the bot reaches it.
    expect(check).toMatch(/try \{ rs\.status\(\) \} catch \(e\) \{ rs\.initiate\(/);
    expect(check).toContain(`_id: '${replSet}'`);
    expect(check).toContain("host: 'mongo:27017'");
    // Healthy only when this node can take writes.
    expect(check).toContain("if (!db.hello().isWritablePrimary) quit(1)");
    expect(bot!.depends_on!.mongo).toEqual({ condition: "service_healthy" });

    const uri = new URL(bot!.environment!.MONGODB_URI!);
    expect(uri.protocol).toBe("mongodb:");
    expect(`${uri.hostname}:${uri.port}`).toBe("mongo:27017");
    expect(uri.searchParams.get("replicaSet")).toBe(replSet);
    expect(uri.pathname).toBe("/astrolus");
  });

  it("gives the bot a production environment the app accepts", () => {
    expect(bot!.env_file).toEqual([{ path: ".env", required: true }]);
    const env = interpolate(bot!.environment!, {});
    expect(env.NODE_ENV).toBe("production");
    const config = createConfig({ ...secrets, ...env });
    expect(config.env).toBe("production");
    expect(config.mongodbUri).toBe("mongodb://mongo:27017/astrolus?replicaSet=rs0");
    expect(config.telegramApiRoot).toBe("https://api.telegram.org");
    expect(config.uploadLimitBytes).toBe(50 * 1024 * 1024);
    // The container listens on every interface; the host publishes it on loopback for the proxy.
    expect(config.host).toBe("0.0.0.0");
    expect(bot!.ports).toEqual([`127.0.0.1:${config.port}:${config.port}`]);
  });

  it("with the profile's settings from the README, the bot uses the local Bot API server and its 2000 MB limit", () => {
    const readme = read("docs/operations.md");
    const profileEnv = { COMPOSE_PROFILES: "local-bot-api", TELEGRAM_API_ROOT: "http://telegram-bot-api:8081", TELEGRAM_UPLOAD_LIMIT_MB: "2000" };
    for (const [k, v] of Object.entries(profileEnv)) expect(readme).toContain(`${k}=${v}`);

    const config = createConfig({ ...secrets, ...interpolate(bot!.environment!, profileEnv) });
    const apiRoot = new URL(config.telegramApiRoot);
    expect(apiRoot.hostname).toBe("telegram-bot-api");
    expect(compose.services[apiRoot.hostname]).toBe(botApi);
    expect(apiRoot.port).toBe("8081"); // the image's default --http-port
    expect(config.uploadLimitBytes).toBe(2000 * 1024 * 1024);

    expect(botApi!.image).toMatch(/^aiogram\/telegram-bot-api:/);
    expect(botApi!.environment!.TELEGRAM_LOCAL).toBe("1");
    expect(Object.keys(botApi!.environment!)).toEqual(expect.arrayContaining(["TELEGRAM_API_ID", "TELEGRAM_API_HASH"]));
    // Local mode hands out paths on its disk: the bot mounts the same volume at the same path, read-only.
    const [serverData] = mounts(botApi!);
    expect(mounts(bot!)).toContainEqual({ ...serverData, mode: "ro" });
    // An optional dependency, so the bot still starts without the profile.
    expect(bot!.depends_on!["telegram-bot-api"]).toEqual({ condition: "service_started", required: false });
    // Runs as the server image's user, not root, so it can read what the server wrote.
    expect(bot!.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  });
});

describe("Dockerfile", () => {
  const lines = read("Dockerfile")
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const stages = lines.reduce<string[][]>((acc, l) => (l.startsWith("FROM ") ? [...acc, [l]] : (acc.at(-1)!.push(l), acc)), []);
  const runtime = stages.at(-1)!;

  it("is multi-stage: the runtime stage takes the compiled code from the build stage", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const buildStage = /^FROM \S+ AS (\S+)$/i.exec(stages[0]![0]!)![1];
    expect(stages[0]).toContain("RUN npm run build");
    expect(runtime).toContain(`COPY --from=${buildStage} /app/dist ./dist`);
    expect(runtime.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
  });

  it("runs as a non-root user with NODE_ENV=production and a HEALTHCHECK on /healthz", () => {
    const user = runtime.filter((l) => l.startsWith("USER ")).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime.filter((l) => l.startsWith("ENV ")).join(" ")).toMatch(/\bNODE_ENV=production\b/);
    const health = runtime.find((l) => l.startsWith("HEALTHCHECK "));
    expect(health).toMatch(/CMD .*\/healthz/);
    expect(health).toMatch(/process\.exit\(r\.ok \? 0 : 1\)|process\.exit\(r\.ok\?0:1\)/);
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/main.js"]');
  });
});
