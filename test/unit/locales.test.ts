/**
 * The bot's words (issue 21, locales/README.md), read from locales/*.ftl and from the code that
 * uses them: both languages carry the same messages, every call fills every placeable, Russian
 * counts agree with their numbers, sizes are formatted for the reader, and every message that ends
 * a job without a video says where its credits went.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createI18n, LOCALES } from "../../src/telegram/i18n.js";
import { ENDING_CODES, endingKey, type CreditsOutcome } from "../../src/generations/endings.js";
import { CAMERA_MOVES, cameraKey } from "../../src/minimax/camera.js";
import { LEDGER_KINDS } from "../../src/db/models.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const source = (locale: string) => readFileSync(join(ROOT, "locales", `${locale}.ftl`), "utf8");

/** Each entry of a .ftl file (messages and -terms) with the variables it reads. */
function entries(ftl: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of ftl.split("\n")) {
    const head = /^(-?[a-zA-Z][\w-]*) =/.exec(line);
    if (head) found.set(head[1]!, (current = new Set()));
    else if (/^\S/.test(line)) current = undefined; // a comment
    for (const [, name] of (current ? line : "").matchAll(/\$([a-zA-Z][\w]*)/g)) current!.add(name!);
  }
  return found;
}
const catalog = Object.fromEntries(LOCALES.map((l) => [l, entries(source(l))])) as Record<(typeof LOCALES)[number], Map<string, Set<string>>>;

const i18n = createI18n();
const t = (locale: string, key: string, variables?: Record<string, string | number>) => i18n.t(locale, key, variables);

describe("the two locale files", () => {
  it("have the same messages, each reading the same variables", () => {
    const [en, ru] = [catalog.en, catalog.ru];
    expect(en.size).toBeGreaterThan(100);
    expect([...ru.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [id, vars] of en) expect([id, [...ru.get(id)!].sort()]).toEqual([id, [...vars].sort()]);
  });

  it("have a message for every id the code builds from a list: camera moves, ledger kinds, job endings", () => {
    const built = [
      ...CAMERA_MOVES.map(cameraKey),
      ...LEDGER_KINDS.map((k) => `ledger-${k}`),
      ...ENDING_CODES.flatMap((code) => (["notice", "status"] as const).flatMap((where) => (["released", "captured"] as const).map((c) => endingKey(code, where, c)))),
    ];
    for (const locale of LOCALES) for (const id of built) expect([locale, id, catalog[locale].has(id)]).toEqual([locale, id, true]);
  });
});

/** Every call in src/ that names a message: t(…, "id", {…}), ctx.t("id", {…}), replyTo(ctx, "id", {…}). */
function callSites() {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith(".ts")) files.push(join(dir, entry.name));
    }
  };
  walk(join(ROOT, "src"));
  const sites: Array<{ where: string; id: string; keys: string[] | "unknown" }> = [];
  for (const file of files) {
    const code = readFileSync(file, "utf8");
    for (const match of code.matchAll(/\b(?:t|replyTo)\(\s*(?:[^()"'`;]*?,\s*)?"([a-z][a-z0-9_-]*)"/g)) {
      const after = match.index! + match[0].length;
      const where = `${file.slice(ROOT.length)}:${code.slice(0, match.index).split("\n").length}`;
      sites.push({ where, id: match[1]!, keys: variablesPassed(code, after) });
    }
  }
  return sites;
}

/** The keys of the object literal right after a call's message id: [] for none, "unknown" when not a literal. */
function variablesPassed(code: string, at: number): string[] | "unknown" {
  const rest = code.slice(at);
  if (/^\s*\)/.test(rest)) return [];
  const open = /^\s*,\s*\{/.exec(rest);
  if (!open) return "unknown";
  let depth = 0;
  let part = "";
  const parts: string[] = [];
  for (const ch of rest.slice(open[0].length - 1)) {
    if ("([{".includes(ch)) depth++;
    if (")]}".includes(ch)) depth--;
    if (depth === 0) break;
    if (depth === 1 && ch === ",") {
      parts.push(part);
      part = "";
    } else if (depth > 1 || ch !== "{") part += ch;
  }
  parts.push(part);
  const keys = parts.map((p) => p.trim()).filter(Boolean);
  if (keys.some((k) => k.startsWith("..."))) return "unknown";
  return keys.map((k) => /^([A-Za-z_$][\w$]*)/.exec(k)![1]!);
}

describe("the code's calls", () => {
  const sites = callSites();

  it("name messages that exist in both languages", () => {
    expect(sites.length).toBeGreaterThan(60);
    const missing = sites.filter((s) => LOCALES.some((l) => !catalog[l].has(s.id)));
    expect(missing).toEqual([]);
  });

  it("fill every variable the message reads: no {$…} is left in a text", () => {
    const checked = sites.filter((s) => s.keys !== "unknown");
    expect(checked.length).toBeGreaterThan(50);
    const unfilled = checked.flatMap((s) => {
      const needs = [...catalog.en.get(s.id)!].filter((v) => !(s.keys as string[]).includes(v));
      return needs.length ? [`${s.where} ${s.id} lacks ${needs.join(", ")}`] : [];
    });
    expect(unfilled).toEqual([]);
  });
});

/** The Russian form for a count: one (1, 21, 101), few (2, 22) or many (5, 11, 25, 111). */
const ruForm = (n: number, [one, few, many]: readonly [string, string, string]) => {
  const [d, dd] = [n % 10, n % 100];
  if (d === 1 && dd !== 11) return `${n} ${one}`;
  if (d >= 2 && d <= 4 && (dd < 12 || dd > 14)) return `${n} ${few}`;
  return `${n} ${many}`;
};
const COUNTS = [1, 2, 5, 11, 21, 22, 25, 101, 111];

describe("Russian counts", () => {
  const cases: Array<[string, (n: number) => string, readonly [string, string, string], (form: string) => string]> = [
    ["credits (price)", (n) => t("ru", "accepted-price", { price: n, balance: 0 }), ["кредит", "кредита", "кредитов"], (f) => `Цена: ${f}`],
    ["credits (balance)", (n) => t("ru", "balance", { balance: n, inFlight: 0 }), ["кредит", "кредита", "кредитов"], (f) => `Ваш баланс: ${f}.`],
    ["credits (purchase)", (n) => t("ru", "payment-received", { credits: n, balance: 1 }), ["кредит", "кредита", "кредитов"], (f) => `Начислено: ${f}.`],
    ["minutes (how long a photo waits)", (n) => t("ru", "ask-prompt", { minutes: n }), ["минуту", "минуты", "минут"], (f) => `подожду описание ${f},`],
    ["minutes (a photo waited too long)", (n) => t("ru", "photo-expired", { minutes: n }), ["минуты", "минут", "минут"], (f) => `дольше ${f},`],
    ["minutes (until the start)", (n) => t("ru", "accepted-queued", { id: "x", position: 3, minutes: n }), ["минуты", "минут", "минут"], (f) => `около ${f}.`],
    ["minutes (making the video)", (n) => t("ru", "progress-processing", { id: "x", minutes: n }), ["минуту", "минуты", "минут"], (f) => `уже ${f}.`],
    ["minutes (age in /status)", (n) => t("ru", "age", { minutes: n }), ["минута", "минуты", "минут"], (f) => f],
    ["minutes (ago)", (n) => t("ru", "ago", { minutes: n }), ["минуту", "минуты", "минут"], (f) => `${f} назад`],
    ["characters", (n) => t("ru", "prompt-too-long", { length: n, max: 2000 }), ["символ", "символа", "символов"], (f) => `В описании ${f},`],
    ["photos", (n) => t("ru", "photo-count", { count: n }), ["фотография", "фотографии", "фотографий"], (f) => f],
    ["jobs in progress", (n) => t("ru", "limit-reached", { max: n, source: "photo" }), ["задача", "задачи", "задач"], (f) => `У вас уже ${f} в работе`],
    ["camera moves", (n) => t("ru", "settings-camera-count", { count: n }), ["движение", "движения", "движений"], (f) => `🎥 Камера: ${f}`],
  ];
  for (const [what, render, forms, phrase] of cases) {
    it(`${what}: ${COUNTS.join(", ")}`, () => {
      for (const n of COUNTS) expect(render(n)).toContain(phrase(ruForm(n, forms)));
    });
  }
});

describe("numbers in the reader's format (NUMBER())", () => {
  it("sizes: «23,4 МБ» and 23.4 MB, from a number", () => {
    expect(t("ru", "video-as-link", { id: "x", mb: 23.44, url: "u" })).toContain("весит 23,4 МБ");
    expect(t("en", "video-as-link", { id: "x", mb: 23.44, url: "u" })).toContain("is 23.4 MB");
    expect(t("ru", "image-too-large", { mb: 20.96 })).toContain("весит 21 МБ");
    expect(t("en", "image-too-large", { mb: 24.51 })).toContain("is 24.5 MB");
  });
  it("pixel sizes stay plain digits, without a thousands separator", () => {
    expect(t("ru", "image-aspect", { width: 2000, height: 500 })).toContain("2000×500 px");
    expect(t("en", "image-too-small", { width: 1200, height: 280 })).toContain("1200×280 px");
  });
});

describe("every ending without a video says where the credits went", () => {
  const credits = { en: /credit/i, ru: /кредит/i };
  const told: Record<CreditsOutcome, { en: RegExp; ru: RegExp }> = {
    released: { en: /credits (are back|go back)/i, ru: /кредиты вернулись на баланс/i },
    captured: { en: /credits were charged/i, ru: /кредиты за него списаны/i },
  };

  it("each error code a job can end with, in the reply and in the status message, for the credits' fate", () => {
    expect(ENDING_CODES.length).toBeGreaterThanOrEqual(11);
    for (const code of ENDING_CODES) {
      for (const where of ["notice", "status"] as const) {
        for (const fate of ["released", "captured"] as const) {
          const key = endingKey(code, where, fate);
          // A video MiniMax made is never told "credits are back", and no other is told "charged".
          const outcome = key === "failed-undelivered" ? "captured" : "released";
          if (fate === "captured") expect(outcome).toBe("captured");
          for (const locale of LOCALES) {
            const text = t(locale, key, { id: "k3m9x2q" });
            expect([code, where, locale, text]).toEqual([code, where, locale, expect.stringMatching(told[outcome][locale])]);
            expect(text).not.toMatch(/\{\$/);
          }
        }
      }
    }
    // Delivery that gave up after MiniMax's success, and a chat that refused the video, are charged.
    expect(endingKey("undelivered", "notice")).toBe("failed-undelivered");
    expect(endingKey("undeliverable", "status")).toBe("failed-undelivered");
  });

  it("the Cancel button, a failed update, an expired photo and refused requests", () => {
    const nothingTaken = { en: /nothing was charged|no credits were taken|took no credits/i, ru: /кредиты не списаны|кредиты не списывались/i };
    for (const locale of LOCALES) {
      // generations/cancel.ts → cancel-cancelled (the notifier releases the reservation right after).
      expect(t(locale, "cancel-cancelled")).toMatch(credits[locale]);
      expect(t(locale, "cancel-cancelled")).toMatch(locale === "en" ? /go back to your balance/ : /вернутся на баланс/);
      // bot/index.ts: an update that failed before its photo was admitted reserved nothing, and is to be sent again
      // the way it came: the photo, the button, or the message.
      const askAgain = {
        en: { photo: /send it again/, button: /press it again/, message: /send your message again/ },
        ru: { photo: /Пришлите его ещё раз/, button: /Нажмите кнопку ещё раз/, message: /Отправьте сообщение ещё раз/ },
      };
      for (const source of ["photo", "button", "message"] as const) {
        expect(t(locale, "busy-retry", { source })).toMatch(nothingTaken[locale]);
        expect(t(locale, "busy-retry", { source })).toMatch(askAgain[locale][source]);
      }
      expect(t(locale, "busy-admitted", { id: "x" })).toMatch(locale === "en" ? /credits are reserved/ : /кредиты за неё зарезервированы/);
      // bot/features/generate.ts: a parked photo is never admitted.
      expect(t(locale, "photo-expired", { minutes: 30 })).toMatch(nothingTaken[locale]);
      // bot/admission.ts: refused requests were not accepted, took nothing and are to be sent again.
      for (const source of ["photo", "button"]) {
        const limit = t(locale, "limit-reached", { max: 3, source });
        expect(limit).toMatch(nothingTaken[locale]);
        expect(limit).toMatch(locale === "en" ? /did not (accept|start)/ : /не принял|не запустил/);
        expect(limit).toMatch(locale === "en" ? /again/ : /ещё раз/);
        expect(t(locale, "credits-short", { price: 2, balance: 1, source })).toMatch(nothingTaken[locale]);
      }
      // bot/features/variations.ts: a refused button says, in its short answer, that nothing was taken.
      expect(t(locale, "variation-refused")).toMatch(nothingTaken[locale]);
      // /balance: a reservation that never landed took nothing.
      expect(t(locale, "ledger-void", { id: "x" })).toMatch(nothingTaken[locale]);
      // A checkout refused before payment: the Stars stay with the buyer, and /buy shows what is on sale.
      expect(t(locale, "precheckout-invalid")).toMatch(locale === "en" ? /No Telegram Stars were charged.*\/buy/ : /Звёзды Telegram не списаны.*\/buy/);
    }
  });
});

/** Each message's source text, by id. */
function blocks(ftl: string): Map<string, string> {
  const found = new Map<string, string>();
  let id: string | undefined;
  for (const line of ftl.split("\n")) {
    const head = /^([a-z][\w-]*) =/.exec(line);
    if (head) found.set((id = head[1]!), line);
    else if (/^\S/.test(line) || line === "") id = undefined;
    else if (id) found.set(id, `${found.get(id)}\n${line}`);
  }
  return found;
}

const PLURAL_KEYS = new Set(["zero", "one", "two", "few", "many", "other"]);
type Fill = { kind: "number" } | { kind: "word"; values: string[] } | { kind: "text" };
/** How a variable is filled: a count (it picks a plural form or goes through NUMBER()), each key of a word selector, or text. */
function fillOf(block: string, name: string): Fill {
  const firstKey = new RegExp(`\\$${name}\\s*->\\s*\\*?\\[([\\w-]+)\\]`).exec(block)?.[1];
  if (new RegExp(`NUMBER\\(\\s*\\$${name}\\b`).test(block) || (firstKey && (PLURAL_KEYS.has(firstKey) || /^\d+$/.test(firstKey)))) return { kind: "number" };
  if (!firstKey) return { kind: "text" };
  const words = [...block.matchAll(/\*?\[([a-z_-]+)\]/g)].map((m) => m[1]!).filter((k) => !PLURAL_KEYS.has(k));
  return { kind: "word", values: [...new Set(words)] };
}

const SAMPLE_COUNTS = [1, 2, 5, 21];
/** Every rendering of a message: each sample count in every number variable, each key of every word selector. */
function renderings(locale: (typeof LOCALES)[number], id: string): Array<{ variables: Record<string, string | number>; text: string }> {
  const block = blocks(source(locale)).get(id)!;
  const names = [...catalog[locale].get(id)!];
  const fills = names.map((name) => [name, fillOf(block, name)] as const);
  let combos: Array<Record<string, string>> = [{}];
  for (const [name, fill] of fills) {
    if (fill.kind === "word") combos = combos.flatMap((c) => fill.values.map((v) => ({ ...c, [name]: v })));
    if (fill.kind === "text") combos = combos.map((c) => ({ ...c, [name]: `‹${name}›` }));
  }
  return SAMPLE_COUNTS.flatMap((n) =>
    combos.map((combo) => {
      const variables: Record<string, string | number> = { ...combo };
      for (const [name, fill] of fills) if (fill.kind === "number") variables[name] = n;
      return { variables, text: t(locale, id, variables) };
    }),
  );
}

describe("every message, rendered (locales/README.md, issue 26)", () => {
  const all = LOCALES.flatMap((locale) => [...catalog[locale].keys()].filter((id) => !id.startsWith("-")).flatMap((id) => renderings(locale, id).map((r) => ({ locale, id, ...r }))));

  it(`with ${SAMPLE_COUNTS.join(", ")} in every number variable and each key of every selector, leaves no placeable unfilled`, () => {
    expect(all.length).toBeGreaterThan(1000);
    const broken = all.filter((r) => /[{}]|undefined|NaN/.test(r.text)).map((r) => `${r.locale} ${r.id} ${JSON.stringify(r.variables)}: ${r.text}`);
    expect(broken).toEqual([]);
  });

  it("the bot speaks as «я» / I, never «мы» / we", () => {
    // Pronouns and the first-person plural verbs a bot slips into; an example inside <i>…</i> is the seller's words.
    const we = {
      ru: /(?<!\p{L})(мы|нас|нам|нами|наш\p{L}*|резервируем|спишем|списываем|вернём|возвращаем|разберёмся|отправим|отправляем|пришлём|сделаем|делаем|проверим|ответим|поможем|начнём|запустим|сообщим)(?!\p{L})/iu,
      en: /\b(we|we'll|we're|we've|us)\b|\bour side\b/i,
    };
    const found = all.filter((r) => we[r.locale].test(r.text.replace(/<i>.*?<\/i>/gs, ""))).map((r) => `${r.locale} ${r.id}: ${r.text}`);
    expect([...new Set(found)]).toEqual([]);
  });

  it("no message argues «ведь» where it should explain", () => {
    expect([...catalog.ru.keys()].filter((id) => /ведь/i.test(blocks(source("ru")).get(id) ?? ""))).toEqual([]);
  });

  it("a count that means exactly one takes the [1] key: 21 reads like 5, not like 1", () => {
    // Russian «one» covers 21 and 101: «Кредиты за него» for 21 videos is wrong.
    const others = { first: 3, last: 4, price: 2, balance: 0, max: 2, moves: "Static" };
    for (const id of ["album-not-started", "group-failed", "group-cancelled", "group-undelivered", "cancel-group-cancelled", "pack-not-started"]) {
      for (const locale of LOCALES) {
        for (const reason of ["credits", "limit"]) {
          const as = (count: number) => t(locale, id, { ...others, reason, count });
          expect([id, locale, as(21).replaceAll("21", "5")]).toEqual([id, locale, as(5)]);
          expect([id, locale, as(1)]).not.toEqual([id, locale, as(5).replaceAll("5", "1")]);
        }
      }
    }
  });
});
