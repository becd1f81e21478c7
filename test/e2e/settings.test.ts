import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeTelegram } from "../support/fake-telegram.js";
import type { FakeMiniMax } from "../support/fake-minimax.js";
import { eventually, startFakes, startTestApp, type TestApp } from "../support/app.js";
import { testDatabaseUri } from "../support/mongo.js";
import { botMessage, buttonLabels, photoFrom, press, taskFor, user } from "../support/scenario.js";

/** /settings, /language and camera moves, through the real bot and the fake Bot API (polling mode). */
describe("settings, language and camera moves", () => {
  let tg: FakeTelegram;
  let mm: FakeMiniMax;
  let app: TestApp;

  beforeAll(async () => {
    ({ telegram: tg, minimax: mm } = await startFakes());
    app = await startTestApp({ mode: "polling", telegram: tg, minimax: mm, mongoUri: testDatabaseUri("settings"), env: { MINIMAX_RPM: "100" } });
  });
  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await mm?.close();
  });

  const createFor = (prompt: RegExp) => eventually(() => mm.createRequests.find((r) => prompt.test(String(r.body.prompt))), 10_000, `a create for ${prompt}`);

  it("an English user picks 1080P, switches to 10 s (1080P becomes 768P), turns the optimizer off and combines two camera moves; MiniMax gets exactly that", async () => {
    const en = user(9101, "en");
    await tg.deliver(tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await botMessage(tg, en.chatId, /Settings/);
    expect(buttonLabels(tg, en.chatId, menu.message_id)).toEqual([
      // The price sits next to each choice (the default prices: 1080P and 10 s cost 2).
      ["✅ ⏱ 6 s · 1 credit", "⏱ 10 s · 2 credits"],
      ["512P · 1 credit", "✅ 768P · 1 credit", "1080P · 2 credits"],
      ["✨ Prompt optimizer: on"],
      ["🎥 Camera: no camera move"],
    ]);

    await press(tg, en, menu.message_id, "1080P · 2 credits");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id)[1]?.includes("✅ 1080P · 2 credits"));
    await press(tg, en, menu.message_id, "⏱ 10 s · 2 credits");
    // 10 s offers 512P and 768P only with Hailuo-02: 1080P moved down to 768P.
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id)[0]?.includes("✅ ⏱ 10 s · 2 credits"));
    expect(buttonLabels(tg, en.chatId, menu.message_id)[1]).toEqual(["512P · 2 credits", "✅ 768P · 2 credits"]);
    await press(tg, en, menu.message_id, "✨ Prompt optimizer: on");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id)[2]?.[0] === "✨ Prompt optimizer: off");

    await press(tg, en, menu.message_id, "🎥 Camera: no camera move");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id)[0]?.[0] === "Push in");
    await press(tg, en, menu.message_id, "Push in");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id)[0]?.[0] === "✅ Push in");
    await press(tg, en, menu.message_id, "Zoom in");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id).flat().includes("✅ Zoom in"));
    await press(tg, en, menu.message_id, "⬅️ Back");
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id)[3]?.[0] === "🎥 Camera: Push in, Zoom in");

    const stored = await app.db.models.User.findById(en.userId).lean();
    expect(stored?.settings).toMatchObject({ duration: 10, resolution: "768P", prompt_optimizer: false, camera_moves: ["Push in", "Zoom in"] });

    await tg.deliver(photoFrom(tg, en, "the kettle steams on a wooden table").update);
    const create = await createFor(/^the kettle steams/);
    expect(create.body).toMatchObject({
      prompt: "the kettle steams on a wooden table [Push in, Zoom in]",
      duration: 10,
      resolution: "768P",
      prompt_optimizer: false,
    });
    const gen = await app.db.models.Generation.findOne({ user_prompt: "the kettle steams on a wooden table" }).lean();
    expect(gen).toMatchObject({ duration: 10, resolution: "768P", prompt_optimizer: false, camera_moves: ["Push in", "Zoom in"] });
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("a fourth camera move is refused with a note; a caption with its own bracket command is sent as written", async () => {
    const en = user(9102, "en");
    await tg.deliver(tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await botMessage(tg, en.chatId, /Settings/);
    await press(tg, en, menu.message_id, /Camera/);
    await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id)[0]?.[0] === "Push in");
    for (const move of ["Pan left", "Tilt up", "Shake"]) {
      await press(tg, en, menu.message_id, move);
      await tg.waitFor(() => buttonLabels(tg, en.chatId, menu.message_id).flat().includes(`✅ ${move}`));
    }
    const refused = await press(tg, en, menu.message_id, "Push in");
    expect(refused.text).toMatch(/Up to 3/);
    expect((await app.db.models.User.findById(en.userId).lean())?.settings?.camera_moves).toEqual(["Pan left", "Tilt up", "Shake"]);

    await tg.deliver(photoFrom(tg, en, "[Truck left] the lamp glows softly").update);
    const create = await createFor(/the lamp glows/);
    expect(create.body.prompt).toBe("[Truck left] the lamp glows softly");
    // Prompt optimizer untouched: MiniMax's default (on) is sent explicitly.
    expect(create.body.prompt_optimizer).toBe(true);
    expect(tg.rejectedCalls).toEqual([]);
  });

  it("a Russian user sees Russian settings and camera phrases, and /language switches the bot to English", async () => {
    const ru = user(9103, "ru");
    await tg.deliver(tg.textUpdate({ ...ru, text: "/settings" }));
    const menu = await botMessage(tg, ru.chatId, /Настройки/);
    expect(buttonLabels(tg, ru.chatId, menu.message_id)).toEqual([
      ["✅ ⏱ 6 с · 1 кредит", "⏱ 10 с · 2 кредита"],
      ["512P · 1 кредит", "✅ 768P · 1 кредит", "1080P · 2 кредита"],
      ["✨ Улучшать описание: да"],
      ["🎥 Камера: без движения камеры"],
    ]);
    await press(tg, ru, menu.message_id, /Камера/);
    await tg.waitFor(() => buttonLabels(tg, ru.chatId, menu.message_id)[0]?.[0] === "Наезд");
    await press(tg, ru, menu.message_id, "Наезд");
    await tg.waitFor(() => buttonLabels(tg, ru.chatId, menu.message_id)[0]?.[0] === "✅ Наезд");

    // The Russian phrase is for the user; MiniMax gets the English command in brackets.
    await tg.deliver(photoFrom(tg, ru, "чайник стоит на столе, пар поднимается").update);
    const create = await createFor(/^чайник стоит/);
    expect(create.body.prompt).toBe("чайник стоит на столе, пар поднимается [Push in]");
    await botMessage(tg, ru.chatId, /Принято/);

    await tg.deliver(tg.textUpdate({ ...ru, text: "/language" }));
    const chooser = await botMessage(tg, ru.chatId, /Выберите язык/);
    await press(tg, ru, chooser.message_id, "🇬🇧 English");
    await botMessage(tg, ru.chatId, /I'll speak English/);
    expect((await app.db.models.User.findById(ru.userId).lean())?.locale).toBe("en");

    await tg.deliver(tg.textUpdate({ ...ru, text: "/settings" }));
    await botMessage(tg, ru.chatId, /⚙️ Settings for your next videos/);
    await tg.deliver(photoFrom(tg, ru, "the kettle again").update);
    await taskFor(mm, "the kettle again [Push in]");
    await botMessage(tg, ru.chatId, /Got it/);
    expect(tg.rejectedCalls).toEqual([]);
  });
});
