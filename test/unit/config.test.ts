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
      maxActivePerUser: 2,
      generationTimeoutMs: 30 * 60_000,
      uploadLimitBytes: 50 * 1024 * 1024,
      publicUrl: undefined,
      callbackUrl: undefined,
    });
  });

  it("rejects a resolution the model does not offer for the duration, naming the variable", () => {
    const [problem] = problemsOf({ ...base, DEFAULT_DURATION: "10", DEFAULT_RESOLUTION: "1080P" });
    expect(problem).toMatch(/^DEFAULT_RESOLUTION: 1080P at 10s is not offered by MiniMax-Hailuo-02/);
    expect(problemsOf({ ...base, DEFAULT_RESOLUTION: "4K" })[0]).toMatch(/^DEFAULT_RESOLUTION:/);
    expect(problemsOf({ ...base, MINIMAX_MODEL: "MiniMax-Hailuo-2.3", DEFAULT_RESOLUTION: "512P" })[0]).toMatch(/^DEFAULT_RESOLUTION:/);
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
});
