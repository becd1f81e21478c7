/**
 * The shapes the studio's API answers with, shared by the server and the page (studio/src), which
 * imports these types only: this file must import nothing.
 */

export interface GalleryItem {
  id: string;
  prompt: string;
  model: string;
  format: string;
  duration: number | null;
  resolution: string | null;
  createdAt: string;
  /** The same for every video made from one photo: the page groups variants by it. */
  photo: string;
  variationOf: string | null;
  /** The template it was made from (its id); `prompt` is then the template's name. */
  template: string | null;
  /** A 2K regeneration: the video it was made from. */
  regeneratedFrom: string | null;
  /** "link": too large for Telegram when it was made, so only MiniMax may still have it. */
  delivery: "upload" | "link";
}

/** A gallery item with its format and model named for the reader ("9:16 · Reels/TikTok/Shorts", "Hailuo 02"). */
export interface NamedItem extends GalleryItem {
  formatName: string;
  modelName: string;
  /** A video made again from it reads camera moves: 🎲 3 variants (which differ by their move) is offered. */
  readsCameraMoves: boolean;
  /** "✨ 2K · 2 credits": the label of the button that makes it again at 2K, with its price; null when not offered. */
  twoK: string | null;
}

/** A gallery item as the API sends it: named, with links to its poster, its video and its download, relative to the page. */
export interface GalleryEntry extends NamedItem {
  poster: string;
  video: string;
  download: string;
  /** When the three links stop working (unix seconds): the page asks for fresh ones then. */
  linksExpireAt: number;
}

/** A template the studio offers: its id, name and one-line description, and its category's name. */
export interface TemplateChoice {
  value: string;
  label: string;
  about: string;
  category: string;
}
