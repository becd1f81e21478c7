/** The studio's API, at /app/api beside the page; every call carries the launch data. */
import type { GalleryEntry, TemplateChoice } from "../../src/studio/shapes.js";
export type { TemplateChoice };


export type Item = GalleryEntry;
export interface GalleryPage {
  items: Item[];
  next: string | null;
  filters?: { formats: Choice<string>[]; models: Choice<string>[] };
}
export interface Job {
  id: string;
  prompt: string;
  phase: string;
  state: string;
  active: boolean;
  cancellable: boolean;
  position: string | null;
  createdAt: string;
}
export interface Balance {
  balance: number;
  inFlight: number;
  summary: string;
  movements: Array<{ at: string; change: number; text: string }>;
  packs: Array<{ credits: number; stars: number; label: string }>;
  plans: Array<{ credits: number; stars: number; label: string; button: string }>;
  plan: PlanView | null;
  invite: { link: string; text: string };
}
export interface PlanView {
  text: string;
  canceled: boolean;
  button: string;
}
/** GET admin/dashboard: the last 30 days, one value a day in each series. */
export interface DashboardData {
  days: string[];
  made: number[];
  failed: number[];
  starsReceived: number[];
  starsRefunded: number[];
  creditsSpent: number[];
  failures: Array<{ reason: string; count: number }>;
  medianSeconds: number | null;
  queue: Record<string, number>;
  tookMs: number;
}
export interface Choice<T> {
  value: T;
  label: string;
}
export interface Settings {
  settings: { model: string; duration: number; resolution: string; format: string; promptOptimizer: boolean; cameraMoves: string[]; albums: string };
  price: string;
  options: {
    models: Choice<string>[];
    modelsText: string;
    durations: Choice<number>[];
    resolutions: Choice<string>[];
    formats: Choice<string>[];
    cameraMoves: Choice<string>[];
    maxCameraMoves: number;
    /** 📚 Albums: a video per photo or one from all, for a model that takes references (else empty), and what one from all costs. */
    albums: Choice<string>[];
    albumsPrice: string;
  };
}
export interface Me {
  user: { id: number; firstName: string | null };
  locale: string;
  texts: Record<string, string>;
  /** Every format, named as the chat names it. */
  formats: Choice<string>[];
  /** The template library, for 🧩 again with a template. */
  templates: TemplateChoice[];
  /** One of ADMIN_USER_IDS: the Dashboard tab is shown. */
  admin: boolean;
}
export interface ActionResult {
  kind: string;
  text: string;
  id?: string;
}

/** The page's own folder (/app/ for /app and /app?video=…): API paths and media links are relative to it. */
const base = new URL(location.pathname.replace(/\/?$/, "/"), location.origin);
export const absolute = (path: string) => new URL(path, base).href;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    /** What the server says to the user, in their language: wait a moment (429), this bot is private (403). */
    readonly text?: string,
  ) {
    super(`HTTP ${status}`);
  }
}

let launchData = "";
export const setLaunchData = (raw: string) => void (launchData = raw);

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(absolute(`api/${path}`), {
    method: init.method ?? "GET",
    headers: { authorization: `tma ${launchData}`, ...(init.body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { reason?: string; error?: string; text?: string };
    throw new ApiError(res.status, body.reason ?? body.error, typeof body.text === "string" ? body.text : undefined);
  }
  return (await res.json()) as T;
}
