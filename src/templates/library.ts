/**
 * The template library (issue 28): ready-made descriptions a seller picks instead of writing one,
 * kept as data in templates.yaml (or TEMPLATES_FILE) and checked once at start. Each carries the
 * English prompt MiniMax receives, the camera moves for a model that reads them, and a suggested
 * format and length; its name and description live in the locale files like every other text.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { isCameraMove, MAX_CAMERA_MOVES, type CameraMove } from "../minimax/camera.js";
import { IMAGE_RULES } from "../minimax/image.js";
import { FORMAT_NAMES, type FormatName } from "../images/formats.js";
import { LOCALES, LOCALES_DIR, escapeHtml, type Locale, type Translate } from "../telegram/i18n.js";
import { labelLength, BUTTON_LABEL_LIMITS } from "../telegram/keyboards.js";

// src/templates/ and dist/templates/ both sit two levels below the project root.
export const DEFAULT_TEMPLATES_FILE = fileURLToPath(new URL("../../templates.yaml", import.meta.url));

/** Ids go into callback data (64 bytes in all) and into a metrics label. */
const ID = /^[a-z0-9][a-z0-9-]{0,23}$/;
/** Template names sit two to a row: 18 characters each (locales/README.md). */
const NAME_LIMIT = BUTTON_LABEL_LIMITS[2]!;

const text = (limit?: number) =>
  z
    .string()
    .trim()
    .min(1, "is empty")
    .refine((v) => !limit || labelLength(v) <= limit, `is longer than ${limit} characters (two buttons share a row)`);
/** A text written in the file, in every language the bot speaks. */
const texts = (limit?: number) => z.object({ en: text(limit), ru: text(limit) }).strict();

/** A category's name sits on ◀️ ▶️, two to a row. */
const categorySchema = z.object({ id: z.string().regex(ID, "must be lower-case letters, digits and -, at most 24"), name: texts(NAME_LIMIT - 3).optional() }).strict();

const templateSchema = z
  .object({
    id: z.string().regex(ID, "must be lower-case letters, digits and -, at most 24"),
    category: z.string(),
    prompt: z
      .string()
      .trim()
      .min(1, "is empty")
      .refine((p) => [...p].length <= IMAGE_RULES.maxPromptLength - 60, `is longer than ${IMAGE_RULES.maxPromptLength - 60} characters (room is kept for camera moves)`),
    camera: z
      .array(z.string().refine(isCameraMove, { error: (issue) => `"${String(issue.input)}" is not one of MiniMax's camera moves` }))
      .max(MAX_CAMERA_MOVES, `has more than ${MAX_CAMERA_MOVES} moves`)
      .default([]),
    format: z.enum(FORMAT_NAMES as [FormatName, ...FormatName[]], { error: `must be one of ${FORMAT_NAMES.join(", ")}` }),
    duration: z.union([z.literal(6), z.literal(10)], { error: "must be 6 or 10" }),
    sample: z.string().trim().min(1).max(200).optional(),
    two_photos: z.boolean().default(false),
    name: texts(NAME_LIMIT).optional(),
    description: texts().optional(),
  })
  .strict();

export interface Template {
  id: string;
  category: string;
  prompt: string;
  camera: CameraMove[];
  format: FormatName;
  duration: number;
  /** A Telegram file_id of a sample video the operator set. */
  sample?: string;
  /** Written for an album of two photos (a transition). */
  two_photos: boolean;
  /** Written in the file (an operator's own template); otherwise the locale files' template-<id>. */
  name?: Record<Locale, string>;
  description?: Record<Locale, string>;
}
export interface Category {
  id: string;
  name?: Record<Locale, string>;
}

export interface TemplateLibrary {
  /** Where it was read from, as given. */
  file: string;
  categories: Category[];
  /** In the file's order. */
  templates: Template[];
}

export class TemplatesError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join("; ")}`);
    this.name = "TemplatesError";
  }
}

/** The message ids each locale file defines (template names are checked against them at start). */
export function localeMessageIds(dir = LOCALES_DIR): Record<Locale, Set<string>> {
  const ids = (locale: Locale) => new Set([...readFileSync(`${dir}/${locale}.ftl`, "utf8").matchAll(/^([A-Za-z][\w-]*)\s*=/gm)].map((m) => m[1]!));
  return Object.fromEntries(LOCALES.map((l) => [l, ids(l)])) as Record<Locale, Set<string>>;
}

export const templateNameKey = (id: string) => `template-${id}`;
export const templateAboutKey = (id: string) => `template-${id}-about`;
export const categoryKey = (id: string) => `template-category-${id}`;

/**
 * Reads and checks the library; throws a TemplatesError naming, for each mistake, the template (by
 * id, or by its place when it has none) and the field.
 */
export function loadTemplates(file: string, messages: Record<Locale, Set<string>> = localeMessageIds()): TemplateLibrary {
  const source = readFileSync(file, "utf8"); // a missing file is the caller's to name
  let raw: unknown;
  try {
    raw = parseYaml(source);
  } catch (err) {
    throw new TemplatesError(file, [(err as Error).message.split("\n")[0]!]);
  }
  const problems: string[] = [];
  const top = z.object({ categories: z.array(z.unknown()).min(1, "lists no category"), templates: z.array(z.unknown()).min(1, "lists no template") }).safeParse(raw);
  if (!top.success) throw new TemplatesError(file, top.error.issues.map((i) => `${i.path.join(".") || "the file"}: ${i.message}`));

  const missingText = (what: string, key: string, field: string) =>
    LOCALES.filter((l) => !messages[l].has(key)).map((l) => `${what}: ${field}: no ${field}.${l} in the file and no message ${key} in locales/${l}.ftl`);

  const categories: Category[] = [];
  top.data.categories.forEach((item, i) => {
    const parsed = categorySchema.safeParse(item);
    const label = `category ${JSON.stringify((item as { id?: unknown })?.id ?? `#${i + 1}`)}`;
    if (!parsed.success) return problems.push(...parsed.error.issues.map((issue) => `${label}: ${issue.path.join(".") || "it"} ${issue.message}`));
    if (categories.some((c) => c.id === parsed.data.id)) return problems.push(`${label}: id is used twice`);
    if (!parsed.data.name) problems.push(...missingText(label, categoryKey(parsed.data.id), "name"));
    categories.push(parsed.data);
  });

  const templates: Template[] = [];
  top.data.templates.forEach((item, i) => {
    const parsed = templateSchema.safeParse(item);
    const label = `template ${JSON.stringify((item as { id?: unknown })?.id ?? `#${i + 1}`)}`;
    if (!parsed.success) return problems.push(...parsed.error.issues.map((issue) => `${label}: ${issue.path.join(".") || "it"} ${issue.message}`));
    const tpl = parsed.data as Template;
    if (templates.some((t) => t.id === tpl.id)) return problems.push(`${label}: id is used twice`);
    if (!categories.some((c) => c.id === tpl.category)) problems.push(`${label}: category "${tpl.category}" is not one of the categories (${categories.map((c) => c.id).join(", ")})`);
    if (!tpl.name) problems.push(...missingText(label, templateNameKey(tpl.id), "name"));
    if (!tpl.description) problems.push(...missingText(label, templateAboutKey(tpl.id), "description"));
    templates.push(tpl);
  });
  for (const c of categories) if (!templates.some((t) => t.category === c.id)) problems.push(`category "${c.id}": no template is in it`);
  if (problems.length) throw new TemplatesError(file, problems);
  return { file, categories, templates };
}

export const templateOf = (library: TemplateLibrary, id: string | null | undefined) => library.templates.find((t) => t.id === id);
/** A template's place in the library: it keys a request (a button may make each template once). */
export const templateIndex = (library: TemplateLibrary, id: string) => library.templates.findIndex((t) => t.id === id);
export const inCategory = (library: TemplateLibrary, category: string) => library.templates.filter((t) => t.category === category);

const localeOf = (locale: string): Locale => ((LOCALES as readonly string[]).includes(locale) ? (locale as Locale) : "en");

/** The template's name in the reader's language, as plain text (a button label). */
export const templateName = (t: Translate, locale: string, tpl: Template) => tpl.name?.[localeOf(locale)] ?? t(locale, templateNameKey(tpl.id));
/** Its one-line description, as HTML. */
export const templateAbout = (t: Translate, locale: string, tpl: Template) =>
  tpl.description ? escapeHtml(tpl.description[localeOf(locale)]) : t(locale, templateAboutKey(tpl.id));
export const categoryName = (t: Translate, locale: string, category: Category) => category.name?.[localeOf(locale)] ?? t(locale, categoryKey(category.id));

/**
 * What a job is called where the seller sees it (history, /status, the studio): a template's name in
 * their language (plain text), else their own description. A template the library no longer has is
 * shown by the prompt MiniMax got.
 */
export function describedAs(t: Translate, locale: string, library: TemplateLibrary, gen: { template?: string | null; user_prompt?: string | null; prompt: string }) {
  const template = templateOf(library, gen.template);
  return template ? templateName(t, locale, template) : (gen.user_prompt ?? gen.prompt);
}
