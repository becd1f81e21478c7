import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, createConfig } from "../../src/config.js";
import { DEFAULT_TEMPLATES_FILE, loadTemplates, templateName } from "../../src/templates/library.js";
import { createI18n } from "../../src/telegram/i18n.js";
import { fitsRow } from "../../src/telegram/keyboards.js";
import { LOCALES } from "../../src/telegram/i18n.js";

const base = { BOT_TOKEN: "123456:ABCdefGHIjklMNOpqrSTUvwx", MINIMAX_API_KEY: "sk-api-secret-key" };
const dir = mkdtempSync(join(tmpdir(), "astrolus-templates-"));
const shipped = readFileSync(DEFAULT_TEMPLATES_FILE, "utf8");
/** The shipped file with `edit` applied, written where TEMPLATES_FILE can point. */
function fileWith(name: string, edit: (text: string) => string) {
  const path = join(dir, name);
  writeFileSync(path, edit(shipped));
  return path;
}
const problemsOf = (file: string) => {
  try {
    createConfig({ ...base, TEMPLATES_FILE: file });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
};

describe("the template library", () => {
  it("ships at least 12 templates over the marketplace categories, each named and described in every language, names fitting a row of two", () => {
    const library = createConfig(base).templates;
    expect(library.templates.length).toBeGreaterThanOrEqual(12);
    expect(library.categories.map((c) => c.id)).toEqual(["any", "electronics", "beauty", "fashion", "jewellery", "home"]);
    const i18n = createI18n();
    const t = (locale: string, key: string, v?: Record<string, string | number>) => i18n.t(locale, key, v);
    for (const locale of LOCALES) {
      const names = library.templates.map((tpl) => templateName(t, locale, tpl));
      expect(new Set(names).size).toBe(names.length);
      for (const name of names) expect(fitsRow(name, 2), `${locale} "${name}"`).toBe(true);
    }
    // Every prompt is English, for product video: the product kept whole, the motion slow.
    for (const tpl of library.templates) expect(tpl.prompt).toMatch(/^[\x20-\x7e]+$/);
  });

  it("a broken file is refused with a message naming the template and the field", () => {
    const badMove = fileWith("bad-move.yaml", (s) => s.replace("camera: [Truck right]", "camera: [Spin around]"));
    expect(problemsOf(badMove)).toEqual([`TEMPLATES_FILE ${badMove}: template "macro-glide": camera.0 "Spin around" is not one of MiniMax's camera moves`]);

    const badFormat = fileWith("bad-format.yaml", (s) => s.replace('format: "16:9"', 'format: "4:5"'));
    expect(problemsOf(badFormat)[0]).toMatch(/template "screen-glow": format must be one of original, 3:4, 9:16, 1:1, 16:9/);

    const noPrompt = fileWith("no-prompt.yaml", (s) => s.replace(/ {4}prompt: >-\n(?: {6}.*\n)+(?= {4}camera: \[Zoom in\])/, ""));
    expect(problemsOf(noPrompt)[0]).toMatch(/template "sparkle": prompt /);

    const unknownCategory = fileWith("category.yaml", (s) => s.replace("category: jewellery", "category: watches"));
    expect(problemsOf(unknownCategory).join("\n")).toMatch(/template "sparkle": category "watches" is not one of the categories/);

    // An operator's own template needs its texts in the file: the locale files have none for it.
    const own = fileWith("own.yaml", (s) => s.replace("  - id: steam\n", "  - id: my-steam\n"));
    expect(problemsOf(own)).toEqual(
      expect.arrayContaining([`TEMPLATES_FILE ${own}: template "my-steam": name: no name.en in the file and no message template-my-steam in locales/en.ftl`]),
    );
    const notYaml = join(dir, "broken.yaml");
    writeFileSync(notYaml, "templates: [\n  - id: x\n");
    expect(problemsOf(notYaml)[0]).toMatch(/^TEMPLATES_FILE .*broken\.yaml: /);
    expect(problemsOf(join(dir, "missing.yaml"))).toEqual([`TEMPLATES_FILE: ${join(dir, "missing.yaml")} does not exist`]);
  });

  it("an operator's own template with its texts in the file is taken", () => {
    const own = fileWith("own-named.yaml", (s) =>
      s.replace("  - id: steam\n", "  - id: my-steam\n    name: { en: \"☕ Morning cup\", ru: \"☕ Утренний кофе\" }\n    description: { en: A cup <steams>., ru: Чашка дымится. }\n"),
    );
    const library = loadTemplates(own);
    const mine = library.templates.find((t) => t.id === "my-steam")!;
    expect(templateName(() => "unused", "ru", mine)).toBe("☕ Утренний кофе");
    const tooLong = fileWith("own-long.yaml", (s) => s.replace("  - id: steam\n", "  - id: my-steam\n    name: { en: \"A name far too long for a button\", ru: Пар }\n    description: { en: x, ru: y }\n"));
    expect(problemsOf(tooLong)[0]).toMatch(/template "my-steam": name\.en is longer than 18 characters/);
  });
});
