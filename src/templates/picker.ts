/**
 * The template buttons, wherever a seller meets them: under the question about a photo or an album
 * without a caption, under a delivered video (🧩), and in /templates. The callback data names what
 * the pick applies to (the target) and the template, so any instance answers any press:
 *   tpl:<target>:<template id>    makes the video with that template
 *   tpg:<target>:<category index> shows that category's templates
 * Targets: p<photo message id> (a parked photo), a<group id> (a parked album), v<short id> (the photo
 * of that video), n (none yet: /templates).
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from "grammy/types";
import type { Models } from "../db/models.js";
import type { Translate } from "../telegram/i18n.js";
import { categoryName, inCategory, templateAbout, templateName, type Template, type TemplateLibrary } from "./library.js";

export const TEMPLATE_PICK = "tpl";
export const TEMPLATE_PAGE = "tpg";
/** What a pick applies to: see the file's comment. */
export const TARGET = "(p\\d+|a\\w+|v\\w+|n)";
/** The templates shown first: the user's own favourites, then everyone's. */
export const TOP_TEMPLATES = 6;
/** How far back everyone's favourites are counted, and how long one count is kept. */
const POPULAR_DAYS = 30;
const POPULAR_CACHE_MS = 5 * 60_000;

const rowsOfTwo = (buttons: InlineKeyboardButton[]) => Array.from({ length: Math.ceil(buttons.length / 2) }, (_, i) => buttons.slice(i * 2, i * 2 + 2));
const pickButtons = (t: Translate, locale: string, target: string, templates: Template[]) =>
  templates.map((tpl) => ({ text: templateName(t, locale, tpl), callback_data: `${TEMPLATE_PICK}:${target}:${tpl.id}` }));

/** The first view: the top templates two to a row, and "More templates…" for the rest by category. */
export function topTemplatesKeyboard(t: Translate, locale: string, target: string, top: Template[]): InlineKeyboardMarkup {
  return {
    inline_keyboard: [...rowsOfTwo(pickButtons(t, locale, target, top)), [{ text: t(locale, "button-templates-more"), callback_data: `${TEMPLATE_PAGE}:${target}:0` }]],
  };
}

/**
 * One category's page: its templates, described in the text and two to a row on the buttons, and
 * the neighbouring categories named on ◀️ ▶️ (the list wraps around).
 */
export function categoryPage(t: Translate, locale: string, library: TemplateLibrary, target: string, wanted: number, then: "photo" | "album" | "video" | "ask") {
  const count = library.categories.length;
  const index = ((wanted % count) + count) % count;
  const category = library.categories[index]!;
  const templates = inCategory(library, category.id);
  const nav: InlineKeyboardButton[] =
    count < 2
      ? []
      : [
          { text: t(locale, "templates-previous", { category: categoryName(t, locale, library.categories[(index + count - 1) % count]!) }), callback_data: `${TEMPLATE_PAGE}:${target}:${(index + count - 1) % count}` },
          { text: t(locale, "templates-next", { category: categoryName(t, locale, library.categories[(index + 1) % count]!) }), callback_data: `${TEMPLATE_PAGE}:${target}:${(index + 1) % count}` },
        ];
  const list = templates.map((tpl) => t(locale, "template-line", { name: templateName(t, locale, tpl), about: templateAbout(t, locale, tpl), sample: tpl.sample ? "yes" : "no" })).join("\n");
  return {
    text: t(locale, "templates-page", { category: categoryName(t, locale, category), page: index + 1, pages: count, list, then }),
    markup: { inline_keyboard: [...rowsOfTwo(pickButtons(t, locale, target, templates)), ...(nav.length ? [nav] : [])] } as InlineKeyboardMarkup,
  };
}

const popularCache = new WeakMap<Models, { at: number; ids: string[] }>();

async function countsBy(models: Models, match: Record<string, unknown>) {
  const rows = await models.Generation.aggregate<{ _id: string; n: number }>([
    { $match: { ...match, template: { $exists: true } } },
    { $group: { _id: "$template", n: { $sum: 1 } } },
    { $sort: { n: -1, _id: 1 } },
  ]);
  return rows.map((r) => r._id);
}

/**
 * The templates to show first: the ones this user picked most, then the most popular among everyone
 * (counted at most every five minutes per instance), then the library's own order.
 */
export async function topTemplates(deps: { models: Models; config: { templates: TemplateLibrary } }, userId: number, twoPhotos = false): Promise<Template[]> {
  const { models } = deps;
  const library = deps.config.templates;
  let popular = popularCache.get(models);
  if (!popular || Date.now() - popular.at > POPULAR_CACHE_MS) {
    popular = { at: Date.now(), ids: await countsBy(models, { created_at: { $gt: new Date(Date.now() - POPULAR_DAYS * 86_400_000) } }) };
    popularCache.set(models, popular);
  }
  const mine = await countsBy(models, { user_id: userId });
  const order = [...new Set([...mine, ...popular.ids, ...library.templates.map((tpl) => tpl.id)])];
  const ranked = order.flatMap((id) => library.templates.filter((tpl) => tpl.id === id));
  // Two photos: the templates written for them first; one photo: none of those among the first.
  const shown = twoPhotos ? [...ranked.filter((tpl) => tpl.two_photos), ...ranked.filter((tpl) => !tpl.two_photos)] : ranked.filter((tpl) => !tpl.two_photos);
  return shown.slice(0, TOP_TEMPLATES);
}
