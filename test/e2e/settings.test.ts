import { describe, expect, it } from "vitest";
import { eventually } from "../support/app.js";
import { useTestApp } from "../support/suite.js";
import { botMessage, buttonLabels, photoFrom, press, taskFor, user } from "../support/scenario.js";

/** /settings, /language and camera moves, through the real bot and the fake Bot API (polling mode). */
describe("settings, language and camera moves", () => {
  const s = useTestApp("settings", { mode: "polling", env: { MINIMAX_RPM: "100" } });

  const createFor = (prompt: RegExp) => eventually(() => s.mm.createRequests.find((r) => prompt.test(String(r.body.prompt))), 10_000, `a create for ${prompt}`);

  it("an English user picks 1080P, switches to 10 s (1080P becomes 768P), turns the optimizer off and combines two camera moves; MiniMax gets exactly that", async () => {
    const en = user(9101, "en");
    await s.tg.deliver(s.tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await botMessage(s.tg, en.chatId, /Settings/);
    expect(buttonLabels(s.tg, en.chatId, menu.message_id)).toEqual([
      ["🤖 Model: Hailuo 02"],
      ["✅ ⏱ 6 s", "⏱ 10 s"],
      ["512P", "✅ 768P", "1080P"],
      ["📐 Original"],
      ["✨ Auto-enhance: on"],
      ["🎥 Camera: No movement"],
    ]);
    expect(menu.text).toContain("⏱ 10 s: Ozon wants 8 s or more.");
    // Every length and quality the model offers, each with its price.
    expect(menu.text).toContain("⏱ 6 s: 512P 1 credit, 768P 1 credit, 1080P 2 credits");
    expect(menu.text).toContain("⏱ 10 s: 512P 2 credits, 768P 2 credits");
    // The price of a video with these settings is in the text, and follows each choice (the default prices: 1080P and 10 s cost 2).
    const text = () => s.tg.messages(en.chatId).find((m) => m.message_id === menu.message_id)?.text ?? "";
    expect(text()).toMatch(/A video with these settings costs 1 credit\.$/m);

    await press(s.tg, en, menu.message_id, "1080P");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[2]?.includes("✅ 1080P"));
    expect(text()).toMatch(/costs 2 credits\.$/m);
    await press(s.tg, en, menu.message_id, "⏱ 10 s");
    // 10 s offers 512P and 768P only with Hailuo-02: 1080P moved down to 768P.
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[1]?.includes("✅ ⏱ 10 s"));
    expect(buttonLabels(s.tg, en.chatId, menu.message_id)[2]).toEqual(["512P", "✅ 768P"]);
    expect(text()).toMatch(/costs 2 credits\.$/m);
    await press(s.tg, en, menu.message_id, "✨ Auto-enhance: on");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[4]?.[0] === "✨ Auto-enhance: off");

    await press(s.tg, en, menu.message_id, "🎥 Camera: No movement");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[0]?.[0] === "Push in");
    await press(s.tg, en, menu.message_id, "Push in");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[0]?.[0] === "✅ Push in");
    await press(s.tg, en, menu.message_id, "Zoom in");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id).flat().includes("✅ Zoom in"));
    await press(s.tg, en, menu.message_id, "⬅️ Back");
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[5]?.[0] === "🎥 Camera: Push in, Zoom in");

    const stored = await s.app.db.models.User.findById(en.userId).lean();
    expect(stored?.settings).toMatchObject({ duration: 10, resolution: "768P", prompt_optimizer: false, camera_moves: ["Push in", "Zoom in"] });

    await s.tg.deliver(photoFrom(s.tg, en, "the kettle steams on a wooden table").update);
    const create = await createFor(/^the kettle steams/);
    expect(create.body).toMatchObject({
      prompt: "the kettle steams on a wooden table [Push in, Zoom in]",
      duration: 10,
      resolution: "768P",
      prompt_optimizer: false,
    });
    const gen = await s.app.db.models.Generation.findOne({ user_prompt: "the kettle steams on a wooden table" }).lean();
    expect(gen).toMatchObject({ duration: 10, resolution: "768P", prompt_optimizer: false, camera_moves: ["Push in", "Zoom in"] });
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("a fourth camera move is refused with a note; a caption with its own bracket command is sent as written", async () => {
    const en = user(9102, "en");
    await s.tg.deliver(s.tg.textUpdate({ ...en, text: "/settings" }));
    const menu = await botMessage(s.tg, en.chatId, /Settings/);
    await press(s.tg, en, menu.message_id, /Camera/);
    await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id)[0]?.[0] === "Push in");
    for (const move of ["Pan left", "Tilt up", "Shake"]) {
      await press(s.tg, en, menu.message_id, move);
      await s.tg.waitFor(() => buttonLabels(s.tg, en.chatId, menu.message_id).flat().includes(`✅ ${move}`));
    }
    const refused = await press(s.tg, en, menu.message_id, "Push in");
    expect(refused.text).toMatch(/Up to 3/);
    expect((await s.app.db.models.User.findById(en.userId).lean())?.settings?.camera_moves).toEqual(["Pan left", "Tilt up", "Shake"]);

    await s.tg.deliver(photoFrom(s.tg, en, "[Truck left] the lamp glows softly").update);
    const create = await createFor(/the lamp glows/);
    expect(create.body.prompt).toBe("[Truck left] the lamp glows softly");
    // Prompt optimizer untouched: MiniMax's default (on) is sent explicitly.
    expect(create.body.prompt_optimizer).toBe(true);
    expect(s.tg.rejectedCalls).toEqual([]);
  });

  it("a Russian user sees Russian settings and camera phrases, and /language switches the bot to English", async () => {
    const ru = user(9103, "ru");
    await s.tg.deliver(s.tg.textUpdate({ ...ru, text: "/settings" }));
    const menu = await botMessage(s.tg, ru.chatId, /Настройки/);
    expect(buttonLabels(s.tg, ru.chatId, menu.message_id)).toEqual([
      ["🤖 Модель: Hailuo 02"],
      ["✅ ⏱ 6 с", "⏱ 10 с"],
      ["512P", "✅ 768P", "1080P"],
      ["📐 Как на фото"],
      ["✨ Автоулучшение: вкл."],
      ["🎥 Камера: Без движения"],
    ]);
    expect(menu.text).toMatch(/Видео с такими настройками стоит 1 кредит\.$/m);
    expect(menu.text).toContain("⏱ 10 с: Ozon просит видео от 8 секунд.");
    await press(s.tg, ru, menu.message_id, /Камера/);
    await s.tg.waitFor(() => buttonLabels(s.tg, ru.chatId, menu.message_id)[0]?.[0] === "Наезд");
    await press(s.tg, ru, menu.message_id, "Наезд");
    await s.tg.waitFor(() => buttonLabels(s.tg, ru.chatId, menu.message_id)[0]?.[0] === "✅ Наезд");

    // The Russian phrase is for the user; MiniMax gets the English command in brackets.
    await s.tg.deliver(photoFrom(s.tg, ru, "чайник стоит на столе, пар поднимается").update);
    const create = await createFor(/^чайник стоит/);
    expect(create.body.prompt).toBe("чайник стоит на столе, пар поднимается [Push in]");
    await botMessage(s.tg, ru.chatId, /Принято/);

    await s.tg.deliver(s.tg.textUpdate({ ...ru, text: "/language" }));
    const chooser = await botMessage(s.tg, ru.chatId, /Выберите язык/);
    await press(s.tg, ru, chooser.message_id, "🇬🇧 English");
    await botMessage(s.tg, ru.chatId, /I'll speak English/);
    expect((await s.app.db.models.User.findById(ru.userId).lean())?.locale).toBe("en");

    await s.tg.deliver(s.tg.textUpdate({ ...ru, text: "/settings" }));
    await botMessage(s.tg, ru.chatId, /⚙️ Settings for your next videos/);
    await s.tg.deliver(photoFrom(s.tg, ru, "the kettle again").update);
    await taskFor(s.mm, "the kettle again [Push in]");
    await botMessage(s.tg, ru.chatId, /Got it/);
    expect(s.tg.rejectedCalls).toEqual([]);
  });
});
