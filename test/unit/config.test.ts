import { describe, expect, it } from "vitest";
import { ConfigError, createConfig } from "../../src/config.js";

const base = { BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx", MINIMAX_API_KEY: "sk-api-secret-key" };
const problemsOf = (env: Record<string, string>) => {
  try {
    createConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
};

describe("createConfig", () => {
  it("names every missing required variable at once", () => {
    expect(problemsOf({})).toEqual(["BOT_TOKEN is required", "MINIMAX_API_KEY is required"]);
  });

  it("applies the documented defaults", () => {
    const config = createConfig(base);
    expect(config).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      telegramApiRoot: "https://api.telegram.org",
      minimaxApiBase: "https://api.minimax.io",
      model: "MiniMax-Hailuo-02",
      duration: 6,
      resolution: "768P",
      pollIntervalMs: 15_000,
      minimaxRpm: 5,
      maxActivePerUser: 10,
      generationTimeoutMs: 30 * 60_000,
      uploadLimitBytes: 50 * 1024 * 1024,
      publicUrl: undefined,
      callbackUrl: undefined,
    });
  });

  it("METRICS_TOKEN: unset or empty leaves /metrics open; a short one is refused", () => {
    expect(createConfig(base).metricsToken).toBeUndefined();
    expect(createConfig({ ...base, METRICS_TOKEN: "" }).metricsToken).toBeUndefined();
    expect(createConfig({ ...base, METRICS_TOKEN: "a-long-enough-token" }).metricsToken).toBe("a-long-enough-token");
    expect(problemsOf({ ...base, METRICS_TOKEN: "short" })).toEqual(["METRICS_TOKEN: must be at least 16 characters"]);
  });

  it("METRICS_TOKEN is required in production, with a message that says why", () => {
    for (const env of [{ ...base, NODE_ENV: "production" }, { ...base, NODE_ENV: "production", METRICS_TOKEN: "" }]) {
      expect(problemsOf(env)).toEqual(["METRICS_TOKEN: is required in production (at least 16 characters): /metrics asks for it as a bearer token"]);
    }
    expect(createConfig({ ...base, NODE_ENV: "production", METRICS_TOKEN: "a-long-enough-token" }).metricsToken).toBe("a-long-enough-token");
  });

  it("the HTTP server's limits and the studio's: documented defaults, each configurable, a headers limit within the request's", () => {
    expect(createConfig(base)).toMatchObject({
      httpRequestTimeoutMs: 30_000,
      httpHeadersTimeoutMs: 10_000,
      httpMaxConnections: 1_000,
      studioMediaLinkTtlS: 3_600,
      studioActionLimit: 10,
      studioActionWindowMs: 60_000,
    });
    const set = { HTTP_REQUEST_TIMEOUT_MS: "5000", HTTP_HEADERS_TIMEOUT_MS: "2000", HTTP_MAX_CONNECTIONS: "50", STUDIO_MEDIA_LINK_TTL_S: "600", STUDIO_ACTION_LIMIT: "3", STUDIO_ACTION_WINDOW_S: "30" };
    expect(createConfig({ ...base, ...set })).toMatchObject({ httpRequestTimeoutMs: 5_000, httpHeadersTimeoutMs: 2_000, httpMaxConnections: 50, studioMediaLinkTtlS: 600, studioActionLimit: 3, studioActionWindowMs: 30_000 });
    expect(problemsOf({ ...base, HTTP_REQUEST_TIMEOUT_MS: "5000", HTTP_HEADERS_TIMEOUT_MS: "6000" })).toEqual(["HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS"]);
    expect(problemsOf({ ...base, HTTP_MAX_CONNECTIONS: "0" })[0]).toMatch(/^HTTP_MAX_CONNECTIONS:/);
  });

  it("rejects a resolution the model does not offer for the duration, naming the variable", () => {
    const [problem] = problemsOf({ ...base, DEFAULT_DURATION: "10", DEFAULT_RESOLUTION: "1080P" });
    expect(problem).toMatch(/^DEFAULT_RESOLUTION: 1080P at 10s is not offered by MiniMax-Hailuo-02/);
    expect(problemsOf({ ...base, DEFAULT_RESOLUTION: "4K" })[0]).toMatch(/^DEFAULT_RESOLUTION:/);
    expect(problemsOf({ ...base, MINIMAX_MODEL: "MiniMax-Hailuo-2.3", DEFAULT_RESOLUTION: "512P" })[0]).toMatch(/^DEFAULT_RESOLUTION:/);
    // A value no known model has is named at once, beside any other bad variable.
    expect(problemsOf({ DEFAULT_DURATION: "7", DEFAULT_RESOLUTION: "4K" })).toEqual([
      "BOT_TOKEN is required",
      "MINIMAX_API_KEY is required",
      "DEFAULT_DURATION: must be one of 5, 6, 8, 10, 15",
      "DEFAULT_RESOLUTION: must be one of 480P, 512P, 720P, 768P, 1080P, 2K",
    ]);
  });

  it("MINIMAX_MODELS: the three Hailuo models by default, each a known model; MINIMAX_MODEL must be one of them", () => {
    expect(createConfig(base).models.map((m) => m.id)).toEqual(["MiniMax-Hailuo-02", "MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast"]);
    const two = createConfig({ ...base, MINIMAX_MODELS: " MiniMax-Hailuo-2.3-Fast , MiniMax-Hailuo-2.3", MINIMAX_MODEL: "MiniMax-Hailuo-2.3" });
    expect(two.models.map((m) => m.id)).toEqual(["MiniMax-Hailuo-2.3-Fast", "MiniMax-Hailuo-2.3"]);
    expect(two.model).toBe("MiniMax-Hailuo-2.3");
    expect(problemsOf({ ...base, MINIMAX_MODELS: "MiniMax-Hailuo-02,Hailuo-3000" })).toEqual([expect.stringMatching(/^MINIMAX_MODELS: unknown model Hailuo-3000; image-to-video models: MiniMax-Hailuo-02, /)]);
    expect(problemsOf({ ...base, MINIMAX_MODELS: " , " })[0]).toMatch(/^MINIMAX_MODELS: is empty/);
    expect(problemsOf({ ...base, MINIMAX_MODELS: "MiniMax-Hailuo-2.3" })).toEqual(["MINIMAX_MODEL: MiniMax-Hailuo-02 is not among MINIMAX_MODELS (MiniMax-Hailuo-2.3)"]);
    expect(problemsOf({ ...base, MINIMAX_MODEL: "T2V-01" })[0]).toMatch(/^MINIMAX_MODEL: T2V-01 is not an image-to-video model/);
    // A fixed-output model is sent neither duration nor resolution: the defaults are not checked against it.
    expect(createConfig({ ...base, MINIMAX_MODELS: "I2V-01", MINIMAX_MODEL: "I2V-01" }).prices).toEqual({ "I2V-01": { "6s-720P": 1 } });
  });

  it("never echoes a secret value in its message", () => {
    const err = (() => {
      try {
        createConfig({ BOT_TOKEN: "not-a-token-supersecret", MINIMAX_API_KEY: "x" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain("BOT_TOKEN");
    expect(err?.message).not.toContain("supersecret");
  });

  it("derives webhook and callback URLs from PUBLIC_URL, and a webhook secret from the token", () => {
    const config = createConfig({ ...base, PUBLIC_URL: "https://bot.example.com/" });
    expect(config.publicUrl).toBe("https://bot.example.com");
    expect(config.callbackUrl).toBe("https://bot.example.com/api/minimax_callback");
    expect(config.webhookSecret).toMatch(/^[a-f0-9]{64}$/);
    expect(config.webhookSecret).not.toContain(base.BOT_TOKEN);
    const other = createConfig({ ...base, BOT_TOKEN: "999:ABCdefGHIjklMNOpqrSTUvwx" });
    expect(other.webhookSecret).not.toBe(config.webhookSecret);
    expect(createConfig({ ...base, MINIMAX_CALLBACK_URL: "https://cb.example.com/hook" }).callbackUrl).toBe("https://cb.example.com/hook");
  });

  it("parses ALLOWED_USER_IDS and refuses garbage in numbers and lists", () => {
    expect(createConfig({ ...base, ALLOWED_USER_IDS: "1, 22,333" }).allowedUserIds).toEqual([1, 22, 333]);
    const problems = problemsOf({ ...base, ALLOWED_USER_IDS: "1,abc", PORT: "http", MINIMAX_RPM: "0" });
    expect(problems.map((p) => p.split(":")[0])).toEqual(expect.arrayContaining(["ALLOWED_USER_IDS", "PORT", "MINIMAX_RPM"]));
  });

  it("demands https for PUBLIC_URL in production", () => {
    expect(problemsOf({ ...base, NODE_ENV: "production", PUBLIC_URL: "http://bot.example.com" })[0]).toMatch(/^PUBLIC_URL:/);
  });

  it("prices every combination of every enabled model: the default rule, or PRICES checked against the models", () => {
    const config = createConfig(base);
    expect(config.prices).toEqual({
      "MiniMax-Hailuo-02": { "6s-512P": 1, "6s-768P": 1, "6s-1080P": 2, "10s-512P": 2, "10s-768P": 2 },
      "MiniMax-Hailuo-2.3": { "6s-768P": 1, "6s-1080P": 2, "10s-768P": 2 },
      "MiniMax-Hailuo-2.3-Fast": { "6s-768P": 1, "6s-1080P": 2, "10s-768P": 2 },
    });
    expect(config.freeCredits).toBe(3);
    expect(config.starsPacks).toEqual([{ credits: 10, stars: 50 }, { credits: 50, stars: 200 }]);
    const only23 = { MINIMAX_MODELS: "MiniMax-Hailuo-2.3", MINIMAX_MODEL: "MiniMax-Hailuo-2.3" };
    expect(createConfig({ ...base, ...only23 }).prices).toEqual({ "MiniMax-Hailuo-2.3": { "6s-768P": 1, "6s-1080P": 2, "10s-768P": 2 } });

    // The shared form prices a combination for every model that offers it; the per-model form wins over it.
    const shared = "6s-512P:1,6s-768P:2,6s-1080P:3,10s-512P:3,10s-768P:4";
    const custom = createConfig({ ...base, PRICES: `${shared}, MiniMax-Hailuo-2.3-Fast:6s-768P=1,MiniMax-Hailuo-2.3-Fast:6s-1080P=2` }).prices;
    expect(custom["MiniMax-Hailuo-02"]).toEqual({ "6s-512P": 1, "6s-768P": 2, "6s-1080P": 3, "10s-512P": 3, "10s-768P": 4 });
    expect(custom["MiniMax-Hailuo-2.3"]).toEqual({ "6s-768P": 2, "6s-1080P": 3, "10s-768P": 4 });
    expect(custom["MiniMax-Hailuo-2.3-Fast"]).toEqual({ "6s-768P": 1, "6s-1080P": 2, "10s-768P": 4 });

    // A combination no enabled model makes, one a model does not make, one left without a price, and nonsense.
    expect(problemsOf({ ...base, ...only23, PRICES: shared })[0]).toMatch(/^PRICES: 6s-512P is not offered by any enabled model \(MiniMax-Hailuo-2\.3 offers 6s-768P, 6s-1080P, 10s-768P\)/);
    expect(problemsOf({ ...base, PRICES: `${shared},MiniMax-Hailuo-2.3:10s-1080P=5` })[0]).toMatch(/^PRICES: MiniMax-Hailuo-2\.3:10s-1080P is not offered by MiniMax-Hailuo-2\.3/);
    expect(problemsOf({ ...base, PRICES: "6s-768P:1" })[0]).toBe(
      "PRICES: no price for MiniMax-Hailuo-02:6s-512P, MiniMax-Hailuo-02:6s-1080P, MiniMax-Hailuo-02:10s-512P, MiniMax-Hailuo-02:10s-768P, MiniMax-Hailuo-2.3:6s-1080P, MiniMax-Hailuo-2.3:10s-768P, MiniMax-Hailuo-2.3-Fast:6s-1080P, MiniMax-Hailuo-2.3-Fast:10s-768P",
    );
    expect(problemsOf({ ...base, PRICES: "cheap" })[0]).toMatch(/^PRICES: "cheap" is not like 6s-768P:1 \(every model\) or MiniMax-Hailuo-2\.3-Fast:6s-768P=1 \(one model\)/);
  });

  it("a PRICES entry for a model that is not enabled stops the start, naming the model", () => {
    const env = { ...base, MINIMAX_MODELS: "MiniMax-Hailuo-2.3,MiniMax-Hailuo-2.3-Fast", MINIMAX_MODEL: "MiniMax-Hailuo-2.3" };
    expect(problemsOf({ ...env, PRICES: "6s-768P:1,6s-1080P:2,10s-768P:2,MiniMax-Hailuo-02:6s-512P=1" })).toEqual([
      "PRICES: MiniMax-Hailuo-02 is not enabled (MINIMAX_MODELS: MiniMax-Hailuo-2.3, MiniMax-Hailuo-2.3-Fast); enable it or remove its prices",
    ]);
    expect(problemsOf({ ...env, PRICES: "6s-768P:1,6s-1080P:2,10s-768P:2,Hailuo-9:6s-768P=1" })[0]).toMatch(/^PRICES: Hailuo-9 is not a model this bot knows/);
    expect(createConfig({ ...env, PRICES: "6s-768P:1,6s-1080P:2,10s-768P:2" }).prices["MiniMax-Hailuo-2.3-Fast"]).toEqual({ "6s-768P": 1, "6s-1080P": 2, "10s-768P": 2 });
  });

  it("parses STARS_PACKS and ADMIN_USER_IDS, refusing malformed ones", () => {
    const config = createConfig({ ...base, STARS_PACKS: "5:25, 100:400", ADMIN_USER_IDS: "42,7" });
    expect(config.starsPacks).toEqual([{ credits: 5, stars: 25 }, { credits: 100, stars: 400 }]);
    expect(config.adminUserIds).toEqual([42, 7]);
    expect(createConfig(base).adminUserIds).toEqual([]);
    expect(problemsOf({ ...base, STARS_PACKS: "10=50" })[0]).toMatch(/^STARS_PACKS:/);
    expect(problemsOf({ ...base, STARS_PACKS: "0:50" })[0]).toMatch(/^STARS_PACKS:/);
    expect(problemsOf({ ...base, ADMIN_USER_IDS: "me" })[0]).toMatch(/^ADMIN_USER_IDS:/);
  });

  it("demands https for MINIMAX_CALLBACK_URL in production: it carries the per-generation token", () => {
    const env = { ...base, NODE_ENV: "production", METRICS_TOKEN: "a-long-enough-token", PUBLIC_URL: "https://bot.example.com" };
    expect(problemsOf({ ...env, MINIMAX_CALLBACK_URL: "http://bot.example.com/api/minimax_callback" })).toEqual([
      expect.stringMatching(/^MINIMAX_CALLBACK_URL: must be https/),
    ]);
    expect(createConfig({ ...env, MINIMAX_CALLBACK_URL: "https://cb.example.com/hook" }).callbackUrl).toBe("https://cb.example.com/hook");
    // Development and tests may call back over plain http (a tunnel, loopback).
    expect(createConfig({ ...base, MINIMAX_CALLBACK_URL: "http://127.0.0.1:3000/cb" }).callbackUrl).toBe("http://127.0.0.1:3000/cb");
  });

  it("the studio: on at PUBLIC_URL/app when that is https, off in polling mode until WEBAPP_URL is set (https in production)", () => {
    expect(createConfig(base)).toMatchObject({ webappUrl: undefined, webappAuthMaxAgeS: 86_400 });
    expect(createConfig({ ...base, PUBLIC_URL: "https://bot.example.com/" }).webappUrl).toBe("https://bot.example.com/app");
    // Telegram refuses a plain-http Mini App: a development PUBLIC_URL does not turn it on.
    expect(createConfig({ ...base, PUBLIC_URL: "http://127.0.0.1:3000" }).webappUrl).toBeUndefined();
    expect(createConfig({ ...base, WEBAPP_URL: "https://studio.example.com/app/", WEBAPP_AUTH_MAX_AGE_S: "600" })).toMatchObject({
      webappUrl: "https://studio.example.com/app",
      webappAuthMaxAgeS: 600,
    });
    expect(problemsOf({ ...base, NODE_ENV: "production", METRICS_TOKEN: "a-long-enough-token", WEBAPP_URL: "http://studio.example.com/app" })).toEqual([expect.stringMatching(/^WEBAPP_URL: must be https/)]);
    expect(problemsOf({ ...base, WEBAPP_AUTH_MAX_AGE_S: "0" })[0]).toMatch(/^WEBAPP_AUTH_MAX_AGE_S:/);
  });

  it("MiniMax-H3: the v2 limits' defaults, its prices by the default rule, and a default length it does not offer refused", () => {
    expect(createConfig(base)).toMatchObject({ minimaxV2Rpm: 300, minimaxV2MaxInFlight: 30 });
    expect(createConfig({ ...base, MINIMAX_V2_RPM: "120", MINIMAX_V2_MAX_IN_FLIGHT: "10" })).toMatchObject({ minimaxV2Rpm: 120, minimaxV2MaxInFlight: 10 });
    expect(problemsOf({ ...base, MINIMAX_V2_MAX_IN_FLIGHT: "0" })[0]).toMatch(/^MINIMAX_V2_MAX_IN_FLIGHT:/);
    const h3 = createConfig({ ...base, MINIMAX_MODELS: "MiniMax-Hailuo-02,MiniMax-H3,MiniMax-H3-Max" });
    // A credit is 6 s at 768P; H3 costs in proportion to $0.08 (768P) and $0.13 (2K) a second, rounded up.
    expect(h3.prices["MiniMax-H3"]).toEqual({
      "5s-768P": 1, "5s-2K": 2, "8s-768P": 2, "8s-2K": 3, "10s-768P": 2, "10s-2K": 3, "15s-768P": 3, "15s-2K": 5,
    });
    expect(h3.prices["MiniMax-H3-Max"]).toEqual({
      "5s-480P": 1, "5s-768P": 1, "8s-480P": 2, "8s-768P": 2, "10s-480P": 2, "10s-768P": 2, "15s-480P": 3, "15s-768P": 3,
    });
    // Hailuo's default prices are unchanged beside them.
    expect(h3.prices["MiniMax-Hailuo-02"]).toEqual({ "6s-512P": 1, "6s-768P": 1, "6s-1080P": 2, "10s-512P": 2, "10s-768P": 2 });
    expect(createConfig({ ...base, MINIMAX_MODELS: "MiniMax-H3", PRICES: "MiniMax-H3:15s-2K=7,5s-768P:1,5s-2K:2,8s-768P:2,8s-2K:3,10s-768P:2,10s-2K:3,15s-768P:3", MINIMAX_MODEL: "MiniMax-H3", DEFAULT_DURATION: "8" }).prices["MiniMax-H3"]!["15s-2K"]).toBe(7);
    expect(problemsOf({ ...base, MINIMAX_MODELS: "MiniMax-H3", MINIMAX_MODEL: "MiniMax-H3" })[0]).toMatch(/^DEFAULT_RESOLUTION: 768P at 6s is not offered by MiniMax-H3 \(5s: 768P\/2K; 8s: 768P\/2K; 10s: 768P\/2K; 15s: 768P\/2K\)/);
  });
});
