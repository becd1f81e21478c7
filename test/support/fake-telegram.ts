/**
 * A fake Telegram Bot API server for end-to-end tests.
 *
 * The bot under test talks to it through grammY's `client.apiRoot`. Every request is checked
 * against the published Bot API (the machine-readable spec in test/fixtures), so the bot cannot
 * call a method that does not exist, forget a required parameter or send an unknown one without
 * the test noticing (`rejectedCalls`). The methods the bot relies on are stateful: messages get
 * ids per chat, edits and deletions see those messages, uploads are parsed from multipart bodies
 * and kept byte for byte, long polling waits for updates.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import http, { type IncomingMessage, type Server, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type {
  BotCommand,
  CallbackQuery,
  PreCheckoutQuery,
  Chat,
  Document,
  Message,
  MessageEntity,
  PhotoSize,
  StarTransaction,
  Sticker,
  Update,
  User,
  UserFromGetMe,
  Video,
  Voice,
} from "grammy/types";
import { makePng } from "./images.js";

export { makePng };

// ───────────────────────────── Bot API spec ─────────────────────────────

export interface BotApiSpecField {
  name: string;
  types: string[];
  required: boolean;
  description?: string;
}
export interface BotApiSpecMethod {
  name: string;
  fields?: BotApiSpecField[];
  returns: string[];
}
export interface BotApiSpecType {
  name: string;
  fields?: BotApiSpecField[];
  subtypes?: string[];
}
export interface BotApiSpec {
  version: string;
  methods: Record<string, BotApiSpecMethod>;
  types: Record<string, BotApiSpecType>;
}

// import.meta.dirname exists from Node 20.11; fall back for runners that do not provide it.
const HERE = import.meta.dirname ?? path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "../..");

/** The Bot API as data (test/fixtures/README.md says where it comes from). */
export const BOT_API_SPEC_FILE = path.join(REPO_ROOT, "test/fixtures/telegram-bot-api.json");
let specCache: BotApiSpec | undefined;

/** The Bot API spec, read once. */
export function loadBotApiSpec(): BotApiSpec {
  specCache ??= JSON.parse(readFileSync(BOT_API_SPEC_FILE, "utf8")) as BotApiSpec;
  return specCache;
}

const PRIMITIVES = new Set(["Integer", "Float", "String", "Boolean", "InputFile"]);

/** Constant values of discriminator fields ("Type of the reaction, always "emoji""), per type. */
const discriminatorCache = new WeakMap<BotApiSpecType, Map<string, string>>();
function discriminators(t: BotApiSpecType): Map<string, string> {
  let found = discriminatorCache.get(t);
  if (!found) {
    found = new Map();
    for (const f of t.fields ?? []) {
      if (!["type", "status", "source"].includes(f.name)) continue;
      const m = /(?:always|must be) "?([a-z_]+)"?\.?$/.exec(f.description ?? "");
      if (m?.[1]) found.set(f.name, m[1]);
    }
    discriminatorCache.set(t, found);
  }
  return found;
}

// ───────────────────────────── Public types ─────────────────────────────

export interface RecordedFile {
  filename: string;
  bytes: Buffer;
  sha256: string;
  contentType?: string;
}

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  /** Uploaded files: by parameter name for top-level `attach://` values, by part name otherwise. */
  files: Record<string, RecordedFile>;
  at: number;
  /** "webhook-reply" when the bot answered a webhook POST with a method call in the body. */
  source: "http" | "webhook-reply";
  /** Set when the call was answered with an error (injected or caused by state). */
  error?: { error_code: number; description: string };
  /** True when the error came from failNext(). */
  injected?: boolean;
}

export interface RejectedCall {
  method: string;
  error_code: number;
  description: string;
  params: Record<string, unknown>;
  at: number;
}

export interface InjectedError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

export interface SentFile {
  chatId: number;
  messageId: number;
  method: string;
  kind: FileKind;
  bytes: Buffer;
  sha256: string;
  params: Record<string, unknown>;
  message: Message;
}

export interface SentInvoice {
  chat_id: number;
  message_id: number;
  title: string;
  description: string;
  payload: string;
  currency: string;
  total_amount: number;
  prices: Array<{ label: string; amount: number }>;
  provider_token: string | undefined;
  start_parameter: string;
}

/** An invoice link from createInvoiceLink; the user pays it in the Mini App (see pay()). */
export type InvoiceLink = Pick<SentInvoice, "title" | "description" | "payload" | "currency" | "total_amount" | "prices"> & { link: string; slug: string; subscription_period?: number };

export interface RegisteredFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
}

export type FileKind = "photo" | "video" | "document" | "voice" | "sticker" | "audio" | "animation" | "video_note";

export interface WebhookState {
  url: string;
  secret_token?: string;
  allowed_updates?: string[];
  max_connections?: number;
  drop_pending_updates?: boolean;
}

/** Who sends the message. In private chats the user id is the chat id, so userId defaults to chatId. */
export interface UserOptions {
  chatId: number;
  userId?: number;
  firstName?: string;
  lastName?: string;
  username?: string;
  /** Defaults to "en"; null omits the field, as Telegram does when it does not know the language. */
  languageCode?: string | null;
  /** Makes the chat a basic group with this title (use a negative chatId and the sender's userId). */
  groupTitle?: string;
}

export interface MessageOptions extends UserOptions {
  messageId?: number;
  /** Unix seconds; defaults to now. */
  date?: number;
  replyToMessageId?: number;
}

export interface PostToWebhookResult {
  status: number;
  body: string;
  /** The API response to a method call the bot put in the webhook answer, if any. */
  reply?: ApiResponse;
}

export type ApiResponse =
  | { ok: true; result: unknown; description?: string }
  | { ok: false; error_code: number; description: string; parameters?: InjectedError["parameters"] };

export interface FakeTelegramOptions {
  token?: string;
  /** Overrides merged into the getMe answer. */
  botInfo?: Partial<UserFromGetMe>;
  /** Largest accepted uploaded file; larger multipart parts get 413 like Telegram (default 50 MB). */
  maxUploadBytes?: number;
  /**
   * Acts like a self-hosted Bot API server started with --local and working directory `localDir`:
   * getFile stores the file under <localDir>/<token>/ and answers with that absolute path, uploads
   * go up to 2000 MB, and nothing is served under /file/.
   */
  localDir?: string;
  /** The order getStarTransactions lists the bot's Star transactions in (default oldest first). */
  starTransactionOrder?: "oldest-first" | "newest-first";
}

// ───────────────────────────── Errors ─────────────────────────────

class ApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: InjectedError["parameters"],
  ) {
    super(description);
  }
}
const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

// ───────────────────────────── Constants ─────────────────────────────

const DEFAULT_TOKEN = "123456:TEST-token-abcdef";
const MB = 1024 * 1024;
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;
const GET_FILE_LIMIT = 20 * MB;
const URL_DOWNLOAD_LIMIT = 20 * MB;
const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);
/** Update kinds delivered when allowed_updates is empty or was never set. */
const OPT_IN_UPDATES = new Set(["chat_member", "message_reaction", "message_reaction_count"]);
const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
// Prefixes of real Telegram file ids, so ids handed to the bot look familiar.
const FILE_ID_PREFIX: Record<FileKind, string> = {
  photo: "AgACAgIAAxkBAA",
  video: "BAACAgIAAxkBAA",
  document: "BQACAgIAAxkBAA",
  voice: "AwACAgIAAxkBAA",
  sticker: "CAACAgIAAxkBAA",
  audio: "CQACAgIAAxkBAA",
  animation: "CgACAgIAAxkBAA",
  video_note: "DQACAgIAAxkBAA",
};
const UPLOAD_ID_PREFIX: Record<FileKind, string> = {
  photo: "pho_",
  video: "vid_",
  document: "doc_",
  voice: "voi_",
  sticker: "stk_",
  audio: "aud_",
  animation: "ani_",
  video_note: "vnt_",
};
const FILE_DIR: Record<FileKind, [string, string]> = {
  photo: ["photos", "jpg"],
  video: ["videos", "mp4"],
  document: ["documents", "dat"],
  voice: ["voice", "oga"],
  sticker: ["stickers", "webp"],
  audio: ["music", "mp3"],
  animation: ["animations", "mp4"],
  video_note: ["video_notes", "mp4"],
};
const METHOD_KIND: Record<string, FileKind> = {
  sendPhoto: "photo",
  sendVideo: "video",
  sendDocument: "document",
  sendVoice: "voice",
  sendSticker: "sticker",
  sendAudio: "audio",
  sendAnimation: "animation",
  sendVideoNote: "video_note",
};
const MIME_BY_EXT: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  json: "application/json",
  zip: "application/zip",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  heic: "image/heic",
  mp4: "video/mp4",
  mov: "video/quicktime",
  mp3: "audio/mpeg",
  ogg: "audio/ogg",
  oga: "audio/ogg",
};

type Params = Record<string, unknown>;
type Obj = Record<string, unknown>;

interface StoredFile extends RegisteredFile {
  bytes: Buffer;
  sha256: string;
  kind: FileKind;
  width?: number;
  height?: number;
  duration?: number;
  file_name?: string;
  mime_type?: string;
  /** For photos: every size of the same photo, smallest first. */
  sizes?: PhotoSize[];
}

interface ChatState {
  chat: Chat.PrivateChat | Chat.GroupChat;
  user: User;
  nextMessageId: number;
  /** Messages the bot sent, in order. */
  sent: Message[];
  /** Every message the fake knows in this chat (user and bot). */
  byId: Map<number, Message>;
  fromBot: Set<number>;
  deleted: Set<number>;
  blocked: boolean;
}

interface Conn {
  gone: boolean;
  onGone(cb: () => void): void;
}

interface Poller {
  take(): Update[];
  finish(updates: Update[]): void;
  fail(err: ApiError): void;
}

interface MediaInput {
  bytes: Buffer;
  sha256: string;
  filename: string;
  stored?: StoredFile;
}

// ───────────────────────────── Small helpers ─────────────────────────────

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const nowSeconds = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

function errorResponse(e: ApiError): ApiResponse {
  return {
    ok: false,
    error_code: e.error_code,
    description: e.description,
    ...(e.parameters ? { parameters: e.parameters } : {}),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.destroyed || res.headersSent) return;
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json", "content-length": data.length });
  res.end(data);
}

/** Buffers a request body; undefined when the client went away before sending all of it. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    // An aborted upload emits ECONNRESET here; without a listener it would crash the test process.
    req.on("error", () => {});
    req.on("close", () => {
      if (!req.complete) resolve(undefined);
    });
  });
}

function connOf(res: ServerResponse): Conn {
  const callbacks: Array<() => void> = [];
  const conn: Conn = {
    gone: false,
    onGone: (cb) => {
      if (conn.gone) cb();
      else callbacks.push(cb);
    },
  };
  res.on("close", () => {
    if (res.writableFinished) return;
    conn.gone = true;
    for (const cb of callbacks.splice(0)) cb();
  });
  return conn;
}

interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One-shot HTTP(S) request without keep-alive, so nothing lingers after a test. */
function httpRequest(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: Buffer,
  opts: { maxBytes?: number; redirects?: number; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const url = new URL(target);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise<HttpResult>((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        agent: false,
        headers: { ...headers, ...(body ? { "content-length": String(body.length) } : {}) },
        timeout: opts.timeoutMs ?? 60_000,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (method === "GET" && status >= 300 && status < 400 && location && (opts.redirects ?? 5) > 0) {
          res.resume();
          httpRequest(method, new URL(location, url).toString(), headers, body, {
            ...opts,
            redirects: (opts.redirects ?? 5) - 1,
          }).then(resolve, reject);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (opts.maxBytes !== undefined && size > opts.maxBytes) {
            req.destroy(new Error("response too large"));
            return;
          }
          chunks.push(c);
        });
        res.on("end", () => resolve({ status, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`request to ${target} timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}

// ───────────────────────────── Multipart ─────────────────────────────

interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/** Parameters of a Content-Disposition header; grammY leaves filename unquoted, curl quotes it. */
function dispositionParams(value: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of value.matchAll(re)) {
    const key = (m[1] ?? "").toLowerCase();
    let v = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : (m[3] ?? "").trim();
    if (key.endsWith("*")) {
      // RFC 5987: charset''percent-encoded
      const enc = /^[^']*'[^']*'(.*)$/.exec(v);
      try {
        v = decodeURIComponent(enc?.[1] ?? v);
      } catch {
        /* keep raw */
      }
      out[key.slice(0, -1)] = v;
    } else if (!(key in out)) {
      out[key] = v;
    }
  }
  return out;
}

export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const bm = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = (bm?.[1] ?? bm?.[2] ?? "").trim();
  if (!boundary) throw badRequest("can't parse multipart/form-data: boundary is missing");
  const malformed = () => badRequest("can't parse multipart/form-data request body");
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw malformed();
  const parts: MultipartPart[] = [];
  for (;;) {
    pos += delimiter.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // closing "--boundary--"
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++; // transport padding
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw malformed();
    pos += 2;
    let headerText = "";
    let dataStart: number;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
      dataStart = pos + 2; // part without headers
    } else {
      const headerEnd = body.indexOf("\r\n\r\n", pos);
      if (headerEnd < 0) throw malformed();
      headerText = body.subarray(pos, headerEnd).toString("utf8");
      dataStart = headerEnd + 4;
    }
    const end = body.indexOf(nextDelimiter, dataStart);
    if (end < 0) throw malformed(); // body stops before the closing boundary
    let disposition = "";
    let partType: string | undefined;
    for (const line of headerText.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-disposition") disposition = value;
      else if (name === "content-type") partType = value;
    }
    const dp = dispositionParams(disposition);
    if (dp.name !== undefined) {
      parts.push({
        name: dp.name,
        ...(dp.filename !== undefined ? { filename: dp.filename } : {}),
        ...(partType !== undefined ? { contentType: partType } : {}),
        data: body.subarray(dataStart, end),
      });
    }
    pos = end + 2;
  }
}

interface ParsedBody {
  params: Params;
  parts: Map<string, RecordedFile>;
}

function parseBody(contentType: string | undefined, body: Buffer, query: URLSearchParams): ParsedBody {
  const params: Params = Object.fromEntries(query);
  const parts = new Map<string, RecordedFile>();
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (body.length === 0) return { params, parts };
  if (type === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON request body");
    }
    if (!isObj(parsed)) throw badRequest("JSON request body must be an object");
    Object.assign(params, parsed);
  } else if (type === "application/x-www-form-urlencoded") {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
  } else if (type === "multipart/form-data") {
    for (const part of parseMultipart(body, contentType ?? "")) {
      if (part.filename !== undefined) {
        const bytes = Buffer.from(part.data);
        parts.set(part.name, {
          filename: part.filename,
          bytes,
          sha256: sha256(bytes),
          ...(part.contentType ? { contentType: part.contentType } : {}),
        });
      } else {
        params[part.name] = part.data.toString("utf8");
      }
    }
  }
  return { params, parts };
}

// ───────────────────────────── Text formatting (parse_mode) ─────────────────────────────

interface FormattedText {
  text: string;
  entities: MessageEntity[];
}

class EntityParseError extends Error {}

const byteOffset = (s: string, i: number) => Buffer.byteLength(s.slice(0, i), "utf8");

function sortEntities(entities: Obj[]): MessageEntity[] {
  return entities
    .filter((e) => (e.length as number) > 0)
    .sort((a, b) => (a.offset as number) - (b.offset as number) || (b.length as number) - (a.length as number)) as unknown as MessageEntity[];
}

function linkEntity(url: string, offset: number, length: number): Obj {
  const mention = /^tg:\/\/user\?id=(\d+)$/.exec(url);
  if (mention) return { type: "text_mention", offset, length, user: { id: Number(mention[1]), is_bot: false, first_name: "" } };
  return { type: "text_link", offset, length, url };
}

const HTML_SIMPLE: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  code: "code",
  pre: "pre",
};
const HTML_TAGS = new Set([...Object.keys(HTML_SIMPLE), "span", "a", "tg-emoji", "tg-time", "blockquote"]);

function decodeHtmlEntity(src: string, i: number): [string, number] | undefined {
  const m = /^&(?:(lt|gt|amp|quot)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));/.exec(src.slice(i, i + 12));
  if (!m) return undefined;
  const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
  const code = m[2] ? Number(m[2]) : m[3] ? parseInt(m[3], 16) : undefined;
  if (code !== undefined && (code === 0 || code > 0x10ffff)) return undefined;
  return [m[1] ? (named[m[1]] ?? "") : String.fromCodePoint(code ?? 0), m[0].length];
}

function decodeHtmlText(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; ) {
    const d = s[i] === "&" ? decodeHtmlEntity(s, i) : undefined;
    if (d) {
      out += d[0];
      i += d[1];
    } else out += s[i++];
  }
  return out;
}

/** HTML parse mode with the error messages of Telegram's parser (tdlib). */
export function parseHtml(src: string): FormattedText {
  let text = "";
  const entities: Obj[] = [];
  const stack: Array<{ tag: string; offset: number; attrs: Record<string, string>; entity?: Obj }> = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "&") {
      const d = decodeHtmlEntity(src, i);
      // tdlib keeps an "&" that does not start a known entity as a literal character.
      if (d) {
        text += d[0];
        i += d[1];
      } else {
        text += "&";
        i++;
      }
      continue;
    }
    if (c !== "<") {
      text += c;
      i++;
      continue;
    }
    const at = byteOffset(src, i);
    if (src[i + 1] === "/") {
      const close = src.indexOf(">", i);
      if (close < 0) throw new EntityParseError(`Unclosed end tag at byte offset ${at}`);
      const name = src.slice(i + 2, close).trim().toLowerCase();
      const top = stack.pop();
      if (!top) throw new EntityParseError(`Unexpected end tag at byte offset ${at}`);
      if (top.tag !== name) {
        throw new EntityParseError(`Unmatched end tag at byte offset ${at}, expected "</${top.tag}>", found "</${name}>"`);
      }
      if (top.entity) {
        top.entity.length = text.length - top.offset;
        entities.push(top.entity);
      }
      i = close + 1;
      continue;
    }
    let j = i + 1;
    while (j < src.length && !/[\s>]/.test(src[j] ?? "")) j++;
    const tag = src.slice(i + 1, j).toLowerCase();
    if (!HTML_TAGS.has(tag)) throw new EntityParseError(`Unsupported start tag "${tag}" at byte offset ${at}`);
    const attrs: Record<string, string> = {};
    for (;;) {
      while (j < src.length && /\s/.test(src[j] ?? "")) j++;
      if (j >= src.length) throw new EntityParseError(`Unclosed start tag at byte offset ${at}`);
      if (src[j] === ">") break;
      const nameStart = j;
      while (j < src.length && !/[\s=>]/.test(src[j] ?? "")) j++;
      const attr = src.slice(nameStart, j).toLowerCase();
      while (j < src.length && /\s/.test(src[j] ?? "")) j++;
      let value = "";
      if (src[j] === "=") {
        j++;
        while (j < src.length && /\s/.test(src[j] ?? "")) j++;
        const q = src[j];
        if (q === '"' || q === "'") {
          const end = src.indexOf(q, j + 1);
          if (end < 0) throw new EntityParseError(`Unclosed start tag at byte offset ${at}`);
          value = decodeHtmlText(src.slice(j + 1, end));
          j = end + 1;
        } else {
          const vs = j;
          while (j < src.length && !/[\s>]/.test(src[j] ?? "")) j++;
          value = decodeHtmlText(src.slice(vs, j));
        }
      }
      if (attr) attrs[attr] = value;
    }
    i = j + 1;
    const offset = text.length;
    let entity: Obj | undefined;
    const parent = stack.at(-1);
    if (parent?.tag === "code" || (parent?.tag === "pre" && tag !== "code")) {
      // tdlib refuses nesting inside code/pre except the <pre><code class="language-…"> form.
      throw new EntityParseError(`Can't use tag "${tag}" inside "${parent.tag}" at byte offset ${at}`);
    }
    if (tag === "span") {
      if (attrs.class !== "tg-spoiler") throw new EntityParseError(`Tag "span" must have class "tg-spoiler" at byte offset ${at}`);
      entity = { type: "spoiler", offset };
    } else if (tag === "a") {
      if (attrs.href) entity = linkEntity(attrs.href, offset, 0);
    } else if (tag === "tg-emoji") {
      if (!attrs["emoji-id"]) throw new EntityParseError(`Tag "tg-emoji" must have attribute "emoji-id" at byte offset ${at}`);
      entity = { type: "custom_emoji", offset, custom_emoji_id: attrs["emoji-id"] };
    } else if (tag === "tg-time") {
      if (!/^\d+$/.test(attrs.unix ?? "")) throw new EntityParseError(`Tag "tg-time" must have attribute "unix" at byte offset ${at}`);
      entity = { type: "date_time", offset, unix_time: Number(attrs.unix), ...(attrs.format ? { date_time_format: attrs.format } : {}) };
    } else if (tag === "blockquote") {
      entity = { type: "expandable" in attrs ? "expandable_blockquote" : "blockquote", offset };
    } else if (tag === "code" && parent?.tag === "pre") {
      const lang = /^language-(.+)$/.exec(attrs.class ?? "");
      if (lang && parent.entity) parent.entity.language = lang[1];
    } else {
      entity = { type: HTML_SIMPLE[tag], offset };
    }
    stack.push({ tag, offset, attrs, ...(entity ? { entity } : {}) });
  }
  const open = stack.at(-1);
  if (open) throw new EntityParseError(`Can't find end tag corresponding to start tag "${open.tag}"`);
  return { text, entities: sortEntities(entities) };
}

const MDV2_RESERVED = "_*[]()~`>#+-=|{}.!";
const MDV2_NAMES: Record<string, string> = {
  bold: "Bold",
  italic: "Italic",
  underline: "Underline",
  strikethrough: "Strikethrough",
  spoiler: "Spoiler",
  code: "Code",
  pre: "Pre",
  link: "TextUrl",
  emoji: "CustomEmoji",
};

/** MarkdownV2 parse mode: enforces escaping of reserved characters like Telegram does. */
export function parseMarkdownV2(src: string): FormattedText {
  let text = "";
  const entities: Obj[] = [];
  const stack: Array<{ type: string; offset: number; at: number; language?: string }> = [];
  let quote: { offset: number; expandable: boolean } | undefined;
  const reserved = (i: number) =>
    new EntityParseError(`Character '${src[i]}' is reserved and must be escaped with the preceding '\\'`);
  const closeQuote = () => {
    if (!quote) return;
    let end = text.length;
    if (text.endsWith("\n")) end--;
    entities.push({ type: quote.expandable ? "expandable_blockquote" : "blockquote", offset: quote.offset, length: end - quote.offset });
    quote = undefined;
  };
  /** Closes `type` if it is the innermost open entity, opens it if it is not open at all. */
  const closeTop = (type: string, i: number) => {
    const top = stack.at(-1);
    if (top?.type === type) {
      stack.pop();
      entities.push({ type, offset: top.offset, length: text.length - top.offset, ...(top.language ? { language: top.language } : {}) });
      return;
    }
    if (top && stack.some((e) => e.type === type)) {
      throw new EntityParseError(`Can't find end of ${MDV2_NAMES[top.type]} entity at byte offset ${top.at}`);
    }
    stack.push({ type, offset: text.length, at: byteOffset(src, i) });
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? "";
    const lineStart = i === 0 || src[i - 1] === "\n";
    if (lineStart && quote && c !== ">" && !src.startsWith("**>", i)) closeQuote();
    const top = stack.at(-1);
    const next = src.charCodeAt(i + 1);
    if (c === "\\" && next >= 1 && next <= 126) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (top?.type === "code" || top?.type === "pre") {
      if (top.type === "pre" && src.startsWith("```", i)) {
        closeTop("pre", i);
        i += 3;
      } else if (top.type === "code" && c === "`") {
        closeTop("code", i);
        i++;
      } else if (c === "`" || c === "\\") {
        throw reserved(i);
      } else {
        text += c;
        i++;
      }
      continue;
    }
    if (!MDV2_RESERVED.includes(c)) {
      text += c;
      i++;
      continue;
    }
    if (lineStart && (c === ">" || src.startsWith("**>", i))) {
      const expandable = c === "*";
      if (!quote) quote = { offset: text.length, expandable };
      i += expandable ? 3 : 1;
      continue;
    }
    switch (c) {
      case "*":
        closeTop("bold", i);
        i++;
        break;
      case "~":
        closeTop("strikethrough", i);
        i++;
        break;
      case "_":
        if (src[i + 1] === "_") {
          closeTop("underline", i);
          i += 2;
        } else {
          closeTop("italic", i);
          i++;
        }
        break;
      case "|":
        if (src[i + 1] !== "|") throw reserved(i);
        // "||" right after a quote line ends the expandable quote mark.
        if (quote?.expandable && !stack.some((e) => e.type === "spoiler") && (src[i + 2] === "\n" || i + 2 >= src.length)) {
          i += 2;
          break;
        }
        closeTop("spoiler", i);
        i += 2;
        break;
      case "`":
        if (src.startsWith("```", i)) {
          i += 3;
          const nl = src.indexOf("\n", i);
          const fence = src.indexOf("```", i);
          let language: string | undefined;
          if (nl >= 0 && (fence < 0 || nl < fence)) {
            const lang = src.slice(i, nl);
            if (/^[^\s`]+$/.test(lang)) language = lang;
            if (/^[^\s`]*$/.test(lang)) i = nl + 1;
          }
          stack.push({ type: "pre", offset: text.length, at: byteOffset(src, i - 3), ...(language ? { language } : {}) });
        } else {
          stack.push({ type: "code", offset: text.length, at: byteOffset(src, i) });
          i++;
        }
        break;
      case "!":
        if (src[i + 1] !== "[") throw reserved(i);
        stack.push({ type: "emoji", offset: text.length, at: byteOffset(src, i) });
        i += 2;
        break;
      case "[":
        stack.push({ type: "link", offset: text.length, at: byteOffset(src, i) });
        i++;
        break;
      case "]": {
        const open = stack.at(-1);
        if (!open || (open.type !== "link" && open.type !== "emoji")) throw reserved(i);
        if (src[i + 1] !== "(") throw reserved(i + 1 < src.length ? i + 1 : i);
        let j = i + 2;
        let url = "";
        while (j < src.length && src[j] !== ")") {
          if (src[j] === "\\" && j + 1 < src.length) j++;
          url += src[j];
          j++;
        }
        if (j >= src.length) throw new EntityParseError(`Can't find end of a URL at byte offset ${byteOffset(src, i + 2)}`);
        stack.pop();
        const length = text.length - open.offset;
        if (open.type === "link") entities.push(linkEntity(url, open.offset, length));
        else {
          const emoji = /^tg:\/\/emoji\?id=(\d+)$/.exec(url);
          const time = /^tg:\/\/time\?unix=(\d+)(?:&format=([a-zA-Z]+))?$/.exec(url);
          if (emoji) entities.push({ type: "custom_emoji", offset: open.offset, length, custom_emoji_id: emoji[1] });
          else if (time) {
            entities.push({ type: "date_time", offset: open.offset, length, unix_time: Number(time[1]), ...(time[2] ? { date_time_format: time[2] } : {}) });
          } else throw new EntityParseError(`Custom emoji URL must have scheme tg at byte offset ${open.at}`);
        }
        i = j + 1;
        break;
      }
      default:
        throw reserved(i);
    }
  }
  const open = stack.at(-1);
  if (open) throw new EntityParseError(`Can't find end of ${MDV2_NAMES[open.type]} entity at byte offset ${open.at}`);
  closeQuote();
  return { text, entities: sortEntities(entities) };
}

/** Legacy Markdown: no nesting, unclosed markers are errors. */
export function parseMarkdownLegacy(src: string): FormattedText {
  let text = "";
  const entities: Obj[] = [];
  let i = 0;
  const unclosed = (at: number) => new EntityParseError(`Can't find end of the entity starting at byte offset ${byteOffset(src, at)}`);
  while (i < src.length) {
    const c = src[i] ?? "";
    if (c === "\\" && "_*`[".includes(src[i + 1] ?? "x")) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (!"_*`[".includes(c)) {
      text += c;
      i++;
      continue;
    }
    const start = i;
    if (c === "[") {
      const close = src.indexOf("]", i + 1);
      if (close < 0) throw unclosed(start);
      const label = src.slice(i + 1, close);
      const offset = text.length;
      text += label;
      if (src[close + 1] === "(") {
        const end = src.indexOf(")", close + 2);
        if (end < 0) throw unclosed(start);
        entities.push(linkEntity(src.slice(close + 2, end), offset, label.length));
        i = end + 1;
      } else i = close + 1;
      continue;
    }
    if (src.startsWith("```", i)) {
      const end = src.indexOf("```", i + 3);
      if (end < 0) throw unclosed(start);
      let body = src.slice(i + 3, end);
      let language: string | undefined;
      const nl = body.indexOf("\n");
      if (nl > 0 && /^\S+$/.test(body.slice(0, nl))) {
        language = body.slice(0, nl);
        body = body.slice(nl + 1);
      }
      entities.push({ type: "pre", offset: text.length, length: body.length, ...(language ? { language } : {}) });
      text += body;
      i = end + 3;
      continue;
    }
    const end = src.indexOf(c, i + 1);
    if (end < 0) throw unclosed(start);
    const body = src.slice(i + 1, end);
    entities.push({ type: c === "*" ? "bold" : c === "_" ? "italic" : "code", offset: text.length, length: body.length });
    text += body;
    i = end + 1;
  }
  return { text, entities: sortEntities(entities) };
}

/** Applies parse_mode / explicit entities, trims like Telegram and enforces the length limit. */
function formatText(
  raw: unknown,
  parseMode: unknown,
  explicit: unknown,
  kind: "text" | "caption",
): FormattedText {
  const source = String(raw ?? "");
  let parsed: FormattedText;
  if (Array.isArray(explicit)) {
    parsed = { text: source, entities: explicit as MessageEntity[] };
  } else if (parseMode === undefined || parseMode === "") {
    parsed = { text: source, entities: [] };
  } else {
    const mode = String(parseMode).toLowerCase();
    const parser =
      mode === "html" ? parseHtml : mode === "markdownv2" ? parseMarkdownV2 : mode === "markdown" ? parseMarkdownLegacy : undefined;
    if (!parser) throw badRequest("unsupported parse_mode");
    try {
      parsed = parser(source);
    } catch (e) {
      if (e instanceof EntityParseError) throw badRequest(`can't parse entities: ${e.message}`);
      throw e;
    }
  }
  // Telegram strips surrounding whitespace and shifts entities accordingly.
  const lead = parsed.text.length - parsed.text.trimStart().length;
  const text = parsed.text.trim();
  const entities = parsed.entities
    .map((e) => {
      const start = Math.max(0, e.offset - lead);
      const end = Math.min(text.length, e.offset + e.length - lead);
      return { ...e, offset: start, length: end - start };
    })
    .filter((e) => e.length > 0) as MessageEntity[];
  if (kind === "text" && text.length === 0) throw badRequest("message text is empty");
  if (kind === "text" && text.length > TEXT_LIMIT) throw badRequest("message is too long");
  if (kind === "caption" && text.length > CAPTION_LIMIT) throw badRequest("message caption is too long");
  return { text, entities };
}

// ───────────────────────────── Media probing & test media ─────────────────────────────

/** Width/height of PNG, JPEG, GIF and WebP images; undefined for anything else. */
export function probeImage(b: Buffer): { width: number; height: number } | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString("latin1", 12, 16) === "IHDR") {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && b.toString("latin1", 0, 3) === "GIF") return { width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  if (b.length >= 30 && b.toString("latin1", 0, 4) === "RIFF" && b.toString("latin1", 8, 12) === "WEBP") {
    const fmt = b.toString("latin1", 12, 16);
    if (fmt === "VP8X") return { width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
    if (fmt === "VP8 ") return { width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (fmt === "VP8L") {
      const bits = b.readUInt32LE(21);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let i = 2;
    while (i + 9 < b.length) {
      if (b[i] !== 0xff) return undefined;
      const marker = b[i + 1] ?? 0;
      if (marker === 0xff) {
        i++;
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
        i += 2;
        continue;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
      }
      i += 2 + b.readUInt16BE(i + 2);
    }
  }
  return undefined;
}

function* mp4Boxes(b: Buffer, start: number, end: number): Generator<{ type: string; body: number; end: number }> {
  let p = start;
  while (p + 8 <= end) {
    let size = b.readUInt32BE(p);
    const type = b.toString("latin1", p + 4, p + 8);
    let header = 8;
    if (size === 1) {
      if (p + 16 > end) return;
      size = Number(b.readBigUInt64BE(p + 8));
      header = 16;
    } else if (size === 0) size = end - p;
    if (size < header || p + size > end) return;
    yield { type, body: p + header, end: p + size };
    p += size;
  }
}

/** Width, height and duration (s) from an MP4's moov box; undefined when there is none. */
export function probeMp4(b: Buffer): { width: number; height: number; duration: number } | undefined {
  for (const top of mp4Boxes(b, 0, b.length)) {
    if (top.type !== "moov") continue;
    let duration = 0;
    let width = 0;
    let height = 0;
    for (const box of mp4Boxes(b, top.body, top.end)) {
      if (box.type === "mvhd" && box.body + 32 <= box.end) {
        const v1 = b[box.body] === 1;
        const timescale = b.readUInt32BE(box.body + (v1 ? 20 : 12));
        const units = v1 ? Number(b.readBigUInt64BE(box.body + 24)) : b.readUInt32BE(box.body + 16);
        if (timescale > 0) duration = Math.round(units / timescale);
      } else if (box.type === "trak" && width === 0) {
        for (const tk of mp4Boxes(b, box.body, box.end)) {
          if (tk.type !== "tkhd") continue;
          const off = tk.body + (b[tk.body] === 1 ? 88 : 76);
          if (off + 8 > tk.end) continue;
          width = b.readUInt32BE(off) >>> 16;
          height = b.readUInt32BE(off + 4) >>> 16;
        }
      }
    }
    return { width, height, duration };
  }
  return undefined;
}



/**
 * An MP4-shaped buffer (ftyp, moov with mvhd/tkhd, mdat of random bytes) whose metadata
 * probeMp4 and this fake read. Not playable; enough for upload/byte-equality tests.
 */
export function makeMp4(opts: { width?: number; height?: number; durationSeconds?: number; payloadBytes?: number } = {}): Buffer {
  const { width = 720, height = 1280, durationSeconds = 6, payloadBytes = 4096 } = opts;
  const box = (type: string, ...payload: Buffer[]) => {
    const body = Buffer.concat(payload);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length + 8, 0);
    head.write(type, 4, "latin1");
    return Buffer.concat([head, body]);
  };
  const mvhd = Buffer.alloc(100);
  mvhd.writeUInt32BE(1000, 12); // timescale
  mvhd.writeUInt32BE(durationSeconds * 1000, 16);
  const tkhd = Buffer.alloc(84);
  tkhd.writeUInt32BE(3, 0); // flags: enabled, in movie
  tkhd.writeUInt32BE(1, 12); // track id
  tkhd.writeUInt32BE(durationSeconds * 1000, 20);
  tkhd.writeUInt32BE(width * 0x10000, 76);
  tkhd.writeUInt32BE(height * 0x10000, 80);
  return Buffer.concat([
    box("ftyp", Buffer.from("isom\0\0\x02\0isomiso2avc1mp41", "latin1")),
    box("moov", box("mvhd", mvhd), box("trak", box("tkhd", tkhd))),
    box("mdat", randomBytes(payloadBytes)),
  ]);
}

function scaled(width: number, height: number, side: number): { width: number; height: number } {
  const k = Math.min(1, side / Math.max(width, height, 1));
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

/** Telegram's one subscription period for Stars: 30 days. */
const SUBSCRIPTION_PERIOD = 2_592_000;

// ───────────────────────────── The fake server ─────────────────────────────

export class FakeTelegram {
  readonly token: string;
  readonly botInfo: UserFromGetMe;
  readonly spec: BotApiSpec;
  apiRoot = "";
  /** Every call that passed validation, in arrival order (including ones later answered with an error). */
  readonly calls: RecordedCall[] = [];
  /** Calls Telegram would refuse (schema or state errors); injected failures are not listed. */
  readonly rejectedCalls: RejectedCall[] = [];
  /** Methods whose request body never arrived completely (client aborted). */
  readonly abortedCalls: string[] = [];
  /** file_path of every successful download from /file/bot<token>/. */
  readonly fileDownloads: string[] = [];
  /** Answers to callback queries, in order. */
  readonly callbackAnswers: Array<{ callback_query_id: string; text?: string; show_alert?: boolean }> = [];
  /** Invoices the bot sent, with the message that carries each. */
  readonly invoices: SentInvoice[] = [];
  /** Invoice links the bot created (createInvoiceLink), in order. */
  readonly invoiceLinks: InvoiceLink[] = [];
  /** Answers to pre-checkout queries, in order. */
  readonly preCheckoutAnswers: Array<{ pre_checkout_query_id: string; ok: boolean; error_message?: string }> = [];
  /** Star payments refunded through refundStarPayment. */
  readonly starRefunds: Array<{ user_id: number; telegram_payment_charge_id: string }> = [];
  /** editUserStarSubscription calls Telegram accepted, in order. */
  readonly subscriptionEdits: Array<{ user_id: number; telegram_payment_charge_id: string; is_canceled: boolean }> = [];

  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private closed = false;
  private readonly maxUploadBytes: number;
  private readonly chats = new Map<number, ChatState>();
  private readonly files = new Map<string, StoredFile>();
  private readonly filesByPath = new Map<string, StoredFile>();
  private readonly sentFiles: SentFile[] = [];
  private readonly faults = new Map<string, Array<{ error: InjectedError; left: number }>>();
  private readonly refusedVideos = new Map<string, string>();
  private readonly delays = new Map<string, Array<{ ms: number; left: number }>>();
  private readonly commands = new Map<string, BotCommand[]>();
  /** setChatMenuButton's state: per private chat, and the default under "". */
  private readonly menuButtons = new Map<string, Obj>();
  private readonly openCallbackQueries = new Set<string>();
  private readonly openPreCheckoutQueries = new Set<string>();
  /** Completed Star payments by charge id: who paid, and whether it was refunded since. */
  private readonly payments = new Map<string, { user: User; total_amount: number; invoice_payload: string; refunded: boolean; subscription?: boolean }>();
  /** The bot's Star transactions, in chronological order (oldest first). */
  readonly starTransactions: StarTransaction[] = [];
  /**
   * The order getStarTransactions pages through them. The Bot API says "chronological order", but
   * the MTProto call beneath it lists the newest first: a bot must cope with either.
   */
  starTransactionOrder: "oldest-first" | "newest-first" = "oldest-first";
  private queue: Update[] = [];
  private allowedUpdates: string[] = [];
  private poller: Poller | undefined;
  private webhookState: WebhookState | undefined;
  private updateCounter = 100_000;
  private fileCounter = 0;
  private readonly localDir: string | undefined;

  constructor(opts: FakeTelegramOptions = {}) {
    this.spec = loadBotApiSpec();
    this.token = opts.token ?? DEFAULT_TOKEN;
    this.localDir = opts.localDir;
    if (opts.starTransactionOrder) this.starTransactionOrder = opts.starTransactionOrder;
    this.maxUploadBytes = opts.maxUploadBytes ?? (opts.localDir ? 2000 * MB : 50 * MB);
    const id = Number(this.token.split(":")[0]) || 123456;
    this.botInfo = {
      id,
      is_bot: true,
      first_name: "Astrolus",
      username: "astrolus_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
      ...opts.botInfo,
    };
  }

  /** @internal use startFakeTelegram() */
  async listen(): Promise<void> {
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        console.error("[fake-telegram] internal error", err);
        sendJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(err)}` });
      });
    });
    // Longer than grammY's 30 s long polls, so a kept-alive socket is never closed under the client.
    this.server.keepAliveTimeout = 120_000;
    this.server.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.apiRoot = `http://127.0.0.1:${port}`;
  }

  get specVersion(): string {
    return this.spec.version;
  }

  /** The webhook the bot registered, if any. */
  get webhook(): WebhookState | undefined {
    return this.webhookState && { ...this.webhookState };
  }

  /** Updates waiting for getUpdates (not yet confirmed by an offset). */
  get pendingUpdates(): Update[] {
    return [...this.queue];
  }

  /** Commands stored by setMyCommands for a scope and language (defaults: default scope, no language). */
  myCommands(scope: Obj = { type: "default" }, languageCode = ""): BotCommand[] {
    return clone(this.commands.get(this.commandsKey(scope, languageCode)) ?? []);
  }

  /** The menu button setChatMenuButton set for a private chat, or the bot's default one. */
  menuButton(chatId?: number): Obj {
    return clone(this.menuButtons.get(chatId === undefined ? "" : String(chatId)) ?? this.menuButtons.get("") ?? { type: "default" });
  }

  // ─────────── inspection ───────────

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Messages the bot sent to the chat, in order, with edits applied (deleted ones included). */
  messages(chatId: number): Message[] {
    return [...(this.chats.get(chatId)?.sent ?? [])];
  }

  /** Like messages() but without the ones deleted since. */
  visibleMessages(chatId: number): Message[] {
    const st = this.chats.get(chatId);
    return st ? st.sent.filter((m) => !st.deleted.has(m.message_id)) : [];
  }

  isDeleted(chatId: number, messageId: number): boolean {
    return this.chats.get(chatId)?.deleted.has(messageId) ?? false;
  }

  /** Videos the bot sent (upload, URL or file_id), in order. */
  videosSent(chatId?: number): SentFile[] {
    return this.filesSent(chatId).filter((f) => f.kind === "video");
  }

  /** Every file the bot sent (photos, videos, documents, …), in order. */
  filesSent(chatId?: number): SentFile[] {
    return this.sentFiles.filter((f) => chatId === undefined || f.chatId === chatId);
  }

  /** Forget recorded calls, rejections, aborts and downloads (state such as messages is kept). */
  clearRecords(): void {
    this.calls.length = 0;
    this.rejectedCalls.length = 0;
    this.abortedCalls.length = 0;
    this.fileDownloads.length = 0;
    this.callbackAnswers.length = 0;
    this.invoices.length = 0;
    this.invoiceLinks.length = 0;
    this.preCheckoutAnswers.length = 0;
    this.starRefunds.length = 0;
    this.subscriptionEdits.length = 0;
  }

  // ─────────── chats & users ───────────

  /** Makes a private chat known (builders do this implicitly); sends to unknown chats fail with "chat not found". */
  addChat(o: UserOptions): Chat.PrivateChat | Chat.GroupChat {
    return clone(this.ensureChat(o).chat);
  }

  /** Simulates the user blocking (or unblocking) the bot: sends answer 403 Forbidden. */
  blockUser(chatId: number, blocked = true): void {
    const st = this.chats.get(chatId) ?? this.ensureChat({ chatId });
    st.blocked = blocked;
  }

  // ─────────── files ───────────

  addFile(
    bytes: Buffer,
    opts: { fileId?: string; fileUniqueId?: string; filePath?: string; kind?: FileKind; fileName?: string; mimeType?: string } = {},
  ): RegisteredFile {
    const f = this.storeFile(bytes, opts.kind ?? "document", {
      ...(opts.fileId ? { fileId: opts.fileId } : {}),
      ...(opts.fileUniqueId ? { fileUniqueId: opts.fileUniqueId } : {}),
      ...(opts.filePath ? { filePath: opts.filePath } : {}),
      ...(opts.fileName ? { file_name: opts.fileName } : {}),
      ...(opts.mimeType ? { mime_type: opts.mimeType } : {}),
    });
    return { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, file_path: f.file_path };
  }

  /** Registers bytes as the full-size photo plus two generated thumbnails; smallest first, like Telegram. */
  addPhoto(bytes: Buffer, width: number, height: number): PhotoSize[] {
    const sizes: PhotoSize[] = [];
    for (const side of [90, 320]) {
      const d = scaled(width, height, side);
      const f = this.storeFile(makePng(d.width, d.height, [side % 256, 90, 160]), "photo", d);
      sizes.push({ file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, width: d.width, height: d.height });
    }
    const full = this.storeFile(bytes, "photo", { width, height });
    sizes.push({ file_id: full.file_id, file_unique_id: full.file_unique_id, file_size: full.file_size, width, height });
    for (const s of sizes) {
      const stored = this.files.get(s.file_id);
      if (stored) stored.sizes = sizes;
    }
    return clone(sizes);
  }

  addDocument(bytes: Buffer, opts: { fileName?: string; mimeType?: string } = {}): Document {
    const fileName = opts.fileName ?? "file.dat";
    const mime = opts.mimeType ?? MIME_BY_EXT[fileName.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream";
    const f = this.storeFile(bytes, "document", { file_name: fileName, mime_type: mime });
    return { file_name: fileName, mime_type: mime, file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size };
  }

  addVideo(bytes: Buffer = makeMp4(), meta: { width?: number; height?: number; duration?: number; fileName?: string } = {}): Video {
    const probed = probeMp4(bytes);
    const f = this.storeFile(bytes, "video", {
      width: meta.width ?? probed?.width ?? 720,
      height: meta.height ?? probed?.height ?? 1280,
      duration: meta.duration ?? probed?.duration ?? 5,
      mime_type: "video/mp4",
      ...(meta.fileName ? { file_name: meta.fileName } : {}),
    });
    return this.videoObject(f);
  }

  addVoice(bytes: Buffer = randomBytes(2048), duration = 3): Voice {
    const f = this.storeFile(bytes, "voice", { duration, mime_type: "audio/ogg" });
    return { duration, mime_type: "audio/ogg", file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size };
  }

  addSticker(bytes: Buffer = randomBytes(1024), emoji = "😀"): Sticker {
    const f = this.storeFile(bytes, "sticker", { width: 512, height: 512 });
    return {
      width: 512,
      height: 512,
      emoji,
      set_name: "TestStickers",
      is_animated: false,
      is_video: false,
      type: "regular",
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      file_size: f.file_size,
    };
  }

  // ─────────── update builders ───────────

  nextUpdateId(): number {
    return ++this.updateCounter;
  }

  /** A message update with arbitrary content fields (text, photo, …) from the user in a private chat. */
  messageUpdate(o: MessageOptions, content: Partial<Message>): Update {
    const st = this.ensureChat(o);
    const messageId = o.messageId ?? st.nextMessageId;
    st.nextMessageId = Math.max(st.nextMessageId, messageId + 1);
    const reply = o.replyToMessageId !== undefined ? st.byId.get(o.replyToMessageId) : undefined;
    const message = {
      message_id: messageId,
      from: clone(st.user),
      chat: clone(st.chat),
      date: o.date ?? nowSeconds(),
      ...(reply ? { reply_to_message: this.replyCopy(reply) } : {}),
      ...content,
    } as Message;
    st.byId.set(messageId, message);
    return { update_id: this.nextUpdateId(), message: clone(message) } as Update;
  }

  textUpdate(o: MessageOptions & { text: string }): Update {
    const entities: MessageEntity[] = [];
    for (const m of o.text.matchAll(/(^|\s)(\/[a-zA-Z0-9_]{1,32}(?:@[a-zA-Z0-9_]{3,32})?)(?=\s|$)/g)) {
      entities.push({ type: "bot_command", offset: (m.index ?? 0) + (m[1]?.length ?? 0), length: m[2]?.length ?? 0 });
    }
    return this.messageUpdate(o, { text: o.text, ...(entities.length ? { entities } : {}) });
  }

  photoUpdate(o: MessageOptions & { photo: PhotoSize[]; caption?: string; mediaGroupId?: string }): Update {
    return this.messageUpdate(o, {
      ...(o.mediaGroupId ? { media_group_id: o.mediaGroupId } : {}),
      photo: clone(o.photo),
      ...(o.caption !== undefined ? { caption: o.caption } : {}),
    });
  }

  documentUpdate(o: MessageOptions & { document: Document; caption?: string; mediaGroupId?: string }): Update {
    return this.messageUpdate(o, {
      ...(o.mediaGroupId ? { media_group_id: o.mediaGroupId } : {}),
      document: clone(o.document),
      ...(o.caption !== undefined ? { caption: o.caption } : {}),
    });
  }

  videoUpdate(o: MessageOptions & { video?: Video; caption?: string }): Update {
    return this.messageUpdate(o, {
      video: clone(o.video ?? this.addVideo()),
      ...(o.caption !== undefined ? { caption: o.caption } : {}),
    });
  }

  voiceUpdate(o: MessageOptions & { voice?: Voice }): Update {
    return this.messageUpdate(o, { voice: clone(o.voice ?? this.addVoice()) });
  }

  stickerUpdate(o: MessageOptions & { sticker?: Sticker; emoji?: string }): Update {
    return this.messageUpdate(o, { sticker: clone(o.sticker ?? this.addSticker(undefined, o.emoji)) });
  }

  /** The user pressing an inline button under a message the bot sent. The query id becomes answerable once. */
  callbackQueryUpdate(o: UserOptions & { messageId: number; data: string }): Update {
    const st = this.ensureChat(o);
    const message = st.byId.get(o.messageId);
    if (!message || !st.fromBot.has(o.messageId)) {
      throw new Error(`callbackQueryUpdate: the bot sent no message ${o.messageId} in chat ${o.chatId}`);
    }
    const id = BigInt.asUintN(63, randomBytes(8).readBigUInt64BE()).toString();
    this.openCallbackQueries.add(id);
    const query: CallbackQuery = {
      id,
      from: clone(st.user),
      message: clone(message),
      // Stable per chat, shaped like Telegram's (a large signed number as a string).
      chat_instance: (-(BigInt(Math.abs(o.chatId)) * 1_000_003n + 7_000_000_000_000_000n)).toString(),
      data: o.data,
    } as CallbackQuery;
    return { update_id: this.nextUpdateId(), callback_query: query } as Update;
  }

  // ─────────── payments (Telegram Stars) ───────────

  /** The user confirming payment of an invoice: a pre_checkout_query the bot must answer within 10 s. */
  preCheckoutQueryUpdate(o: UserOptions & { invoicePayload: string; totalAmount: number; currency?: string }): Update {
    const st = this.ensureChat(o);
    const id = BigInt.asUintN(63, randomBytes(8).readBigUInt64BE()).toString();
    this.openPreCheckoutQueries.add(id);
    const query: PreCheckoutQuery = {
      id,
      from: clone(st.user),
      currency: o.currency ?? "XTR",
      total_amount: o.totalAmount,
      invoice_payload: o.invoicePayload,
    };
    return { update_id: this.nextUpdateId(), pre_checkout_query: query } as Update;
  }

  /**
   * The service message of a completed payment; a new charge id unless one is given (a replay).
   * `affiliate`: the buyer came through an affiliate program, whose commission Telegram keeps out of
   * what the bot receives (TransactionPartnerUser.affiliate), so the bot's transaction shows less
   * than the price paid.
   */
  successfulPaymentUpdate(o: MessageOptions & { invoicePayload: string; totalAmount: number; chargeId?: string; currency?: string; affiliate?: { commissionPerMille: number; userId: number } }): Update {
    const chargeId = o.chargeId ?? `stxT${randomBytes(12).toString("base64url")}`;
    if (!this.payments.has(chargeId)) {
      const user = clone(this.ensureChat(o).user);
      this.payments.set(chargeId, { user, total_amount: o.totalAmount, invoice_payload: o.invoicePayload, refunded: false });
      const commission = o.affiliate ? Math.floor((o.totalAmount * o.affiliate.commissionPerMille) / 1000) : 0;
      const affiliate = o.affiliate && {
        affiliate_user: { id: o.affiliate.userId, is_bot: false, first_name: "Affiliate" },
        commission_per_mille: o.affiliate.commissionPerMille,
        amount: commission,
      };
      // Telegram's own account of the payment exists whether or not the update ever reaches the bot.
      this.starTransactions.push({
        id: chargeId,
        amount: o.totalAmount - commission,
        date: Math.floor(Date.now() / 1000),
        source: { type: "user", transaction_type: "invoice_payment", user, ...(affiliate ? { affiliate } : {}), invoice_payload: o.invoicePayload },
      } as StarTransaction);
    }
    return this.messageUpdate(o, {
      successful_payment: {
        currency: o.currency ?? "XTR",
        total_amount: o.totalAmount,
        invoice_payload: o.invoicePayload,
        telegram_payment_charge_id: chargeId,
        provider_payment_charge_id: "",
      },
    } as Partial<Message>);
  }

  /**
   * A payment of a Stars subscription (an invoice link made with subscription_period): the first one
   * (is_first_recurring) or a renewal, each with a charge id of its own, the same payload, and
   * subscription_expiration_date 30 days on; Telegram's account shows it with the subscription period.
   */
  subscriptionPaymentUpdate(o: MessageOptions & { invoicePayload: string; totalAmount: number; first: boolean; chargeId?: string; paidAt?: number }): Update {
    const chargeId = o.chargeId ?? `stxT${randomBytes(12).toString("base64url")}`;
    const paidAt = o.paidAt ?? Math.floor(Date.now() / 1000);
    if (!this.payments.has(chargeId)) {
      const user = clone(this.ensureChat(o).user);
      this.payments.set(chargeId, { user, total_amount: o.totalAmount, invoice_payload: o.invoicePayload, refunded: false, subscription: true });
      this.starTransactions.push({
        id: chargeId,
        amount: o.totalAmount,
        date: paidAt,
        source: { type: "user", transaction_type: "invoice_payment", user, invoice_payload: o.invoicePayload, subscription_period: SUBSCRIPTION_PERIOD },
      } as StarTransaction);
    }
    return this.messageUpdate(o, {
      successful_payment: {
        currency: "XTR",
        total_amount: o.totalAmount,
        invoice_payload: o.invoicePayload,
        subscription_expiration_date: paidAt + SUBSCRIPTION_PERIOD,
        is_recurring: true,
        ...(o.first ? { is_first_recurring: true } : {}),
        telegram_payment_charge_id: chargeId,
        provider_payment_charge_id: "",
      },
    } as Partial<Message>);
  }

  /** The service message Telegram sends when a Star payment was refunded. */
  refundedPaymentUpdate(o: MessageOptions & { chargeId: string }): Update {
    const payment = this.payments.get(o.chargeId);
    if (!payment) throw new Error(`refundedPaymentUpdate: no payment ${o.chargeId}`);
    this.recordRefund(o.chargeId);
    return this.messageUpdate(o, {
      refunded_payment: {
        currency: "XTR",
        total_amount: payment.total_amount,
        invoice_payload: payment.invoice_payload,
        telegram_payment_charge_id: o.chargeId,
      },
    } as Partial<Message>);
  }

  /**
   * Pays an invoice the bot sent, as Telegram does: a pre_checkout_query first; only if the bot
   * answers ok (within 10 s) does the successful_payment message follow.
   */
  async pay(o: MessageOptions & { invoice: Pick<SentInvoice, "payload" | "total_amount" | "currency">; totalAmount?: number }): Promise<{ answer: { ok: boolean; error_message?: string }; chargeId?: string; update?: Update }> {
    const query = this.preCheckoutQueryUpdate({ ...o, invoicePayload: o.invoice.payload, totalAmount: o.totalAmount ?? o.invoice.total_amount, currency: o.invoice.currency });
    const id = query.pre_checkout_query!.id;
    await this.deliver(query);
    const answer = await this.waitFor(() => this.preCheckoutAnswers.find((a) => a.pre_checkout_query_id === id), 10_000, "the pre-checkout answer");
    if (!answer.ok) return { answer };
    const update = this.successfulPaymentUpdate({ ...o, invoicePayload: o.invoice.payload, totalAmount: o.totalAmount ?? o.invoice.total_amount });
    await this.deliver(update);
    return { answer, chargeId: update.message!.successful_payment!.telegram_payment_charge_id, update };
  }

  /** A refund of a Star payment, in Telegram's account (once): an outgoing transaction with the payment's id. */
  private recordRefund(chargeId: string, receiver?: StarTransaction["receiver"]): void {
    const payment = this.payments.get(chargeId);
    if (!payment || payment.refunded) return;
    payment.refunded = true;
    this.starTransactions.push({
      id: chargeId,
      amount: payment.total_amount,
      date: Math.floor(Date.now() / 1000),
      receiver: receiver ?? { type: "user", transaction_type: "invoice_payment", user: payment.user, invoice_payload: payment.invoice_payload },
    } as StarTransaction);
  }

  /**
   * The buyer got their Stars back from the store they bought them in (a chargeback): Telegram takes
   * them from the bot's balance, an outgoing transaction with the payment's id whose receiver is not
   * the user (TransactionPartnerOther), and the bot gets no refunded_payment message.
   */
  chargeback(chargeId: string): void {
    if (!this.payments.has(chargeId)) throw new Error(`chargeback: no payment ${chargeId}`);
    this.recordRefund(chargeId, { type: "other" });
  }

  /** The bot's Stars withdrawn to Fragment: an outgoing transaction of its own, no payment's. */
  withdrawStars(amount: number): void {
    const date = Math.floor(Date.now() / 1000);
    this.starTransactions.push({
      id: `wd${randomBytes(10).toString("base64url")}`,
      amount,
      date,
      receiver: { type: "fragment", withdrawal_state: { type: "succeeded", date, url: "https://fragment.com/tx/1" } },
    } as StarTransaction);
  }

  // ─────────── delivery ───────────

  /** Queues an update for getUpdates; a waiting long poll answers at once. */
  enqueueUpdate(update: Update): Update {
    this.queue.push(update);
    this.queue.sort((a, b) => a.update_id - b.update_id);
    this.wakePoller();
    return update;
  }

  /** POSTs the update to the registered webhook like Telegram; `secret: null` omits the header. */
  async postToWebhook(update: Update, opts: { secret?: string | null } = {}): Promise<PostToWebhookResult> {
    const hook = this.webhookState;
    if (!hook) throw new Error("postToWebhook: no webhook is set (the bot never called setWebhook, or deleted it)");
    const headers: Record<string, string> = { "content-type": "application/json" };
    const secret = opts.secret === undefined ? hook.secret_token : opts.secret;
    if (secret !== null && secret !== undefined) headers["x-telegram-bot-api-secret-token"] = secret;
    const res = await httpRequest("POST", hook.url, headers, Buffer.from(JSON.stringify(update)));
    const body = res.body.toString("utf8");
    const out: PostToWebhookResult = { status: res.status, body };
    // Telegram executes a method call returned in the webhook answer.
    if (res.status === 200 && String(res.headers["content-type"] ?? "").includes("json")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      if (isObj(parsed) && typeof parsed.method === "string") {
        const { method, ...params } = parsed;
        const spec = this.spec.methods[method];
        out.reply = spec
          ? await this.execute(spec, params, new Map(), "webhook-reply")
          : this.reject(method, new ApiError(404, "Not Found"), params);
      }
    }
    return out;
  }

  /** Webhook set → postToWebhook, otherwise enqueueUpdate. */
  async deliver(update: Update): Promise<PostToWebhookResult | undefined> {
    if (this.webhookState) return this.postToWebhook(update);
    this.enqueueUpdate(update);
    return undefined;
  }

  // ─────────── fault injection ───────────

  /** The next `times` calls to `method` answer this error (HTTP status = error_code) instead of executing. */
  failNext(method: string, error: InjectedError, times = 1): void {
    const list = this.faults.get(method) ?? [];
    list.push({ error, left: times });
    this.faults.set(method, list);
  }

  /**
   * Telegram will not take this video (by its content's sha256): sendVideo answers 400 with `error`,
   * and an album carrying it fails whole, its error naming the item as the Bot API server does:
   * "Bad Request: failed to send message #N with the error message "…"".
   */
  refuseVideo(sha256: string, error = "VIDEO_CONTENT_INVALID"): void {
    this.refusedVideos.set(sha256, error);
  }

  /** The next `times` calls to `method` wait `ms` before executing (they still execute if the client gave up, like Telegram). */
  delayNext(method: string, ms: number, times = 1): void {
    const list = this.delays.get(method) ?? [];
    list.push({ ms, left: times });
    this.delays.set(method, list);
  }

  // ─────────── waiting ───────────

  /** Polls fn every 20 ms until it returns something other than undefined/null/false. */
  async waitFor<T>(fn: () => T | undefined | null | false, timeoutMs = 10_000, label?: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      try {
        const v = fn();
        if (v !== undefined && v !== null && v !== false) return v;
      } catch (e) {
        lastError = e;
      }
      if (Date.now() >= deadline) break;
      await sleep(20);
    }
    const recent = this.calls.slice(-15).map((c) => c.method + (c.error ? `(${c.error.error_code})` : ""));
    const rejected = this.rejectedCalls.slice(-5).map((r) => `${r.method}: ${r.description}`);
    throw new Error(
      [
        `waitFor${label ? ` "${label}"` : ""} timed out after ${timeoutMs} ms`,
        lastError ? `last error: ${String(lastError)}` : "",
        `recent calls: ${recent.join(", ") || "none"}`,
        rejected.length ? `rejected: ${rejected.join(" | ")}` : "",
        this.abortedCalls.length ? `aborted: ${this.abortedCalls.join(", ")}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    );
  }

  /** Waits for a call to `method` (matching `where`) that arrived since the fake started. */
  waitForCall(method: string, where: (c: RecordedCall) => boolean = () => true, timeoutMs = 10_000): Promise<RecordedCall> {
    return this.waitFor(() => this.calls.find((c) => c.method === method && where(c)), timeoutMs, `call ${method}`);
  }

  // ─────────── shutdown ───────────

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const poller = this.poller;
    this.poller = undefined;
    poller?.finish([]);
    await sleep(10); // let that answer leave before the sockets go
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ═════════════════════════ internals ═════════════════════════

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (file && (req.method === "GET" || req.method === "HEAD")) {
      req.resume();
      const stored = file[1] === this.token && !this.localDir ? this.filesByPath.get(decodeURIComponent(file[2] ?? "")) : undefined;
      if (!stored) return sendJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      this.fileDownloads.push(stored.file_path);
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": stored.bytes.length });
      res.end(req.method === "HEAD" ? undefined : stored.bytes);
      return;
    }
    const m = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
    const method = m ? decodeURIComponent(m[2] ?? "") : "";
    const conn = connOf(res);
    const body = await readBody(req);
    if (body === undefined) {
      if (m) this.abortedCalls.push(method);
      return;
    }
    if (!m) return sendJson(res, 404, { ok: false, error_code: 404, description: "Not Found" });
    const response = await this.answerHttpCall(decodeURIComponent(m[1] ?? ""), method, req, body, url.searchParams, conn);
    if (!conn.gone) sendJson(res, response.ok ? 200 : response.error_code, response);
  }

  private async answerHttpCall(
    token: string,
    method: string,
    req: IncomingMessage,
    body: Buffer,
    query: URLSearchParams,
    conn: Conn,
  ): Promise<ApiResponse> {
    if (token !== this.token) return this.reject(method, new ApiError(401, "Unauthorized"), {}, conn);
    const spec = this.spec.methods[method];
    if (!spec) return this.reject(method, new ApiError(404, "Not Found"), {}, conn);
    let parsed: ParsedBody;
    try {
      parsed = parseBody(req.headers["content-type"], body, query);
    } catch (e) {
      return this.reject(method, this.asApiError(e), {}, conn);
    }
    return this.execute(spec, parsed.params, parsed.parts, "http", conn);
  }

  private asApiError(e: unknown): ApiError {
    if (e instanceof ApiError) return e;
    throw e;
  }

  private reject(method: string, err: ApiError, params: Params, conn?: Conn): ApiResponse {
    if (!conn?.gone) {
      this.rejectedCalls.push({ method, error_code: err.error_code, description: err.description, params, at: Date.now() });
    }
    return errorResponse(err);
  }

  private async execute(
    spec: BotApiSpecMethod,
    raw: Params,
    parts: Map<string, RecordedFile>,
    source: RecordedCall["source"],
    conn?: Conn,
  ): Promise<ApiResponse> {
    const method = spec.name;
    let validated: { params: Params; files: Record<string, RecordedFile> };
    try {
      validated = this.validate(spec, raw, parts);
    } catch (e) {
      return this.reject(method, this.asApiError(e), raw, conn);
    }
    const call: RecordedCall = { method, params: validated.params, files: validated.files, at: Date.now(), source };
    this.calls.push(call);

    const fault = this.take(this.faults, method);
    if (fault) {
      call.injected = true;
      call.error = { error_code: fault.error.error_code, description: fault.error.description };
      return errorResponse(new ApiError(fault.error.error_code, fault.error.description, fault.error.parameters));
    }
    const delay = this.take(this.delays, method);
    if (delay) await sleep(delay.ms);

    try {
      const { result, description } = await this.run(method, spec, validated.params, parts, conn);
      return { ok: true, result: clone(result), ...(description ? { description } : {}) };
    } catch (e) {
      const err = this.asApiError(e);
      call.error = { error_code: err.error_code, description: err.description };
      return this.reject(method, err, validated.params, conn);
    }
  }

  private take<T extends { left: number }>(map: Map<string, T[]>, method: string): T | undefined {
    const list = map.get(method);
    const head = list?.[0];
    if (!list || !head) return undefined;
    if (--head.left <= 0) list.shift();
    return head;
  }

  // ─────────── validation against the spec ───────────

  private validate(
    spec: BotApiSpecMethod,
    raw: Params,
    parts: Map<string, RecordedFile>,
  ): { params: Params; files: Record<string, RecordedFile> } {
    for (const part of parts.values()) {
      if (part.bytes.length > this.maxUploadBytes) throw new ApiError(413, "Request Entity Too Large");
    }
    const fields = new Map((spec.fields ?? []).map((f) => [f.name, f]));
    const input: Params = { ...raw };
    // A file posted directly under the parameter's name (curl -F video=@x.mp4) counts as that parameter.
    for (const name of parts.keys()) {
      if (fields.has(name) && input[name] === undefined) input[name] = `attach://${name}`;
    }
    const params: Params = {};
    for (const [key, value] of Object.entries(input)) {
      if (value === null || value === undefined) continue;
      const field = fields.get(key);
      if (!field) throw badRequest(`unknown parameter "${key}"`);
      params[key] = this.coerce(key, value, field.types);
    }
    for (const f of fields.values()) {
      if (f.required && params[f.name] === undefined) throw badRequest(`parameter "${f.name}" is required`);
    }
    for (const [key, value] of Object.entries(params)) {
      const problem = this.checkValue(value, fields.get(key)?.types ?? [], key, parts);
      if (problem) throw badRequest(`invalid parameter "${key}": ${problem}`);
    }
    this.checkInlineKeyboard(params.reply_markup, params.chat_id);

    const files: Record<string, RecordedFile> = {};
    const referenced = new Set<string>();
    for (const [key, value] of Object.entries(params)) {
      if (typeof value !== "string" || !value.startsWith("attach://")) continue;
      const part = parts.get(value.slice("attach://".length));
      if (part) {
        files[key] = part;
        referenced.add(value.slice("attach://".length));
      }
    }
    for (const [name, part] of parts) if (!referenced.has(name)) files[name] = part;
    return { params, files };
  }

  /** Form fields arrive as strings; Telegram reads them by the parameter's type. */
  private coerce(key: string, value: unknown, types: string[]): unknown {
    if (typeof value !== "string") return value;
    if (types.includes("Integer") && /^-?\d+$/.test(value)) return Number(value);
    if (types.includes("Float") && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    if (types.includes("Boolean") && (value === "true" || value === "false")) return value === "true";
    const structured = types.some((t) => t.startsWith("Array of") || (!PRIMITIVES.has(t) && this.spec.types[t]));
    if (structured && /^\s*[[{]/.test(value)) {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw badRequest(`can't parse JSON in parameter "${key}"`);
      }
    }
    return value;
  }

  /** Checks a value against one of the spec types; returns a problem description or undefined. */
  private checkValue(value: unknown, types: string[], where: string, parts: Map<string, RecordedFile>): string | undefined {
    if (types.length === 0) return undefined;
    // "Array of A" | "Array of B" means one array whose elements may each be A or B (albums mix photos and videos).
    const arrays = types.filter((t) => t.startsWith("Array of "));
    if (arrays.length > 1) {
      types = [...types.filter((t) => !t.startsWith("Array of ")), `Array of ${arrays.map((t) => t.slice("Array of ".length)).join("|")}`];
    }
    const problems: Array<{ problem: string; score: number }> = [];
    for (const t of types) {
      const problem = this.checkOne(value, t, where, parts);
      if (problem === undefined) return undefined;
      problems.push({ problem, score: this.resemblance(value, t) });
    }
    if (problems.length === 1) return problems[0]?.problem;
    const best = [...problems].sort((a, b) => b.score - a.score)[0];
    if (best && best.score > 0) return best.problem;
    return `${where} must be ${types.join(" or ")}`;
  }

  /** How much an object looks like type t: a matching discriminator wins, then shared field names. */
  private resemblance(value: unknown, t: string): number {
    const type = this.spec.types[t];
    if (!isObj(value) || !type) return 0;
    if (type.subtypes?.length) return Math.max(0, ...type.subtypes.map((s) => this.resemblance(value, s)));
    const known = Object.keys(value).filter((k) => type.fields?.some((f) => f.name === k)).length;
    const disc = [...discriminators(type)];
    const matches = disc.length > 0 && disc.every(([field, constant]) => value[field] === constant);
    return known + (matches ? 100 : 0);
  }

  private checkOne(value: unknown, t: string, where: string, parts: Map<string, RecordedFile>): string | undefined {
    switch (t) {
      case "Integer":
        return Number.isInteger(value) ? undefined : `${where} must be an Integer`;
      case "Float":
        return typeof value === "number" && Number.isFinite(value) ? undefined : `${where} must be a Float`;
      case "Boolean":
        return typeof value === "boolean" ? undefined : `${where} must be a Boolean`;
      case "String":
        return typeof value === "string" || typeof value === "number" ? undefined : `${where} must be a String`;
      case "InputFile":
        if (typeof value !== "string" || !value.startsWith("attach://")) return `${where} must be an uploaded file`;
        return parts.has(value.slice("attach://".length)) ? undefined : `${where} refers to "${value}" but no such file part was uploaded`;
    }
    if (t.startsWith("Array of ")) {
      if (!Array.isArray(value)) return `${where} must be an array`;
      const inner = t.slice("Array of ".length).split("|");
      for (const [i, el] of value.entries()) {
        const p = this.checkValue(el, inner, `${where}[${i}]`, parts);
        if (p) return p;
      }
      return undefined;
    }
    const type = this.spec.types[t];
    if (!type) return undefined; // a type the spec does not describe: nothing to check against
    if (type.subtypes?.length) return this.checkValue(value, type.subtypes, where, parts);
    if (!isObj(value)) return `${where} must be a JSON object (${t})`;
    if (!type.fields) return undefined; // e.g. CallbackGame: any object
    for (const [field, constant] of discriminators(type)) {
      if (value[field] !== constant) return `${where}.${field} must be "${constant}" for ${t}`;
    }
    const fields = new Map(type.fields.map((f) => [f.name, f]));
    for (const key of Object.keys(value)) {
      if (value[key] === null || value[key] === undefined) continue;
      if (!fields.has(key)) return `${where}.${key} is not a field of ${t}`;
    }
    for (const f of type.fields) {
      const v = value[f.name];
      if (v === null || v === undefined) {
        if (f.required) return `${where}.${f.name} is required in ${t}`;
        continue;
      }
      const p = this.checkValue(v, f.types, `${where}.${f.name}`, parts);
      if (p) return p;
    }
    return undefined;
  }

  private checkInlineKeyboard(markup: unknown, chatId: unknown): void {
    if (!isObj(markup) || !Array.isArray(markup.inline_keyboard)) return;
    for (const row of markup.inline_keyboard as unknown[]) {
      if (!Array.isArray(row)) continue;
      for (const button of row as unknown[]) {
        if (!isObj(button)) continue;
        const actions = Object.keys(button).filter((k) => !["text", "icon_custom_emoji_id", "style"].includes(k) && button[k] != null);
        if (actions.length === 0) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        if (button.callback_data !== undefined) {
          const len = Buffer.byteLength(String(button.callback_data), "utf8");
          if (len < 1 || len > 64) throw badRequest("BUTTON_DATA_INVALID");
        }
        if (isObj(button.web_app)) {
          // "Available only in private chats between a user and the bot"; WebAppInfo.url: "An HTTPS URL".
          this.checkWebAppUrl(button.web_app.url);
          const chat = typeof chatId === "number" ? this.chats.get(chatId) : undefined;
          if (chat && chat.chat.type !== "private") throw badRequest("BUTTON_TYPE_INVALID");
        }
      }
    }
  }

  private checkWebAppUrl(url: unknown): void {
    let parsed: URL | undefined;
    try {
      parsed = new URL(String(url));
    } catch {
      parsed = undefined;
    }
    if (parsed?.protocol !== "https:") throw badRequest(`Web App URL '${String(url)}' is invalid: Only HTTPS links are allowed`);
  }

  /** The checks sendInvoice and createInvoiceLink share; Stars (XTR) take exactly one price and no provider token. */
  private checkInvoice(p: Params) {
    const title = String(p.title);
    const description = String(p.description);
    const payload = String(p.payload);
    const currency = String(p.currency);
    const prices = p.prices as Array<{ label: string; amount: number }>;
    if (title.length < 1 || title.length > 32) throw badRequest("INVOICE_TITLE_INVALID");
    if (description.length < 1 || description.length > 255) throw badRequest("INVOICE_DESCRIPTION_INVALID");
    const payloadBytes = Buffer.byteLength(payload, "utf8");
    if (payloadBytes < 1 || payloadBytes > 128) throw badRequest("INVOICE_PAYLOAD_INVALID");
    if (prices.length === 0) throw badRequest("prices must be non-empty");
    if (currency === "XTR") {
      if (p.provider_token !== undefined && p.provider_token !== "") throw badRequest("PROVIDER_TOKEN_INVALID: must be empty for payments in Telegram Stars");
      if (prices.length !== 1) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID: exactly one price is needed for payments in Telegram Stars");
    } else if (!p.provider_token) {
      throw badRequest("PAYMENT_PROVIDER_INVALID");
    }
    const total = prices.reduce((sum, price) => sum + price.amount, 0);
    if (total <= 0 || (currency === "XTR" && total > 10_000)) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID");
    return { title, description, payload, currency, prices, total };
  }

  // ─────────── method implementations ───────────

  private async run(
    method: string,
    spec: BotApiSpecMethod,
    p: Params,
    parts: Map<string, RecordedFile>,
    conn?: Conn,
  ): Promise<{ result: unknown; description?: string }> {
    switch (method) {
      case "getMe":
        return { result: this.botInfo };
      case "getUpdates":
        return { result: await this.getUpdates(p, conn) };
      case "setWebhook":
        return this.setWebhook(p);
      case "deleteWebhook": {
        const had = this.webhookState !== undefined;
        this.webhookState = undefined;
        if (p.drop_pending_updates === true) this.queue = [];
        return { result: true, description: had ? "Webhook was deleted" : "Webhook is already deleted" };
      }
      case "getWebhookInfo": {
        const w = this.webhookState;
        return {
          result: {
            url: w?.url ?? "",
            has_custom_certificate: false,
            pending_update_count: this.queue.length,
            ...(w?.max_connections !== undefined ? { max_connections: w.max_connections } : w ? { max_connections: 40, ip_address: "127.0.0.1" } : {}),
            ...(w?.allowed_updates?.length ? { allowed_updates: w.allowed_updates } : {}),
          },
        };
      }
      case "setMyCommands": {
        const commands = p.commands as BotCommand[];
        for (const c of commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command)) throw badRequest("BOT_COMMAND_INVALID");
          if (c.description.length < 1 || c.description.length > 256) throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
        }
        if (commands.length > 100) throw badRequest("too many commands");
        this.commands.set(this.commandsKey(p.scope, p.language_code), clone(commands));
        return { result: true };
      }
      case "getMyCommands":
        return { result: this.commands.get(this.commandsKey(p.scope, p.language_code)) ?? [] };
      case "deleteMyCommands":
        this.commands.delete(this.commandsKey(p.scope, p.language_code));
        return { result: true };
      case "sendMessage": {
        const st = this.chatFor(p.chat_id);
        const t = formatText(p.text, p.parse_mode, p.entities, "text");
        return { result: this.botMessage(st, p, { text: t.text, ...(t.entities.length ? { entities: t.entities } : {}) }) };
      }
      case "sendPhoto":
      case "sendVideo":
      case "sendDocument":
        return { result: await this.sendMedia(method, p, parts) };
      case "sendMediaGroup":
        return { result: await this.sendMediaGroup(p, parts) };
      case "editMessageText":
        return { result: this.editMessage(p, "text") };
      case "editMessageCaption":
        return { result: this.editMessage(p, "caption") };
      case "editMessageReplyMarkup":
        return { result: this.editMessage(p, "markup") };
      case "deleteMessage": {
        const st = this.chatFor(p.chat_id);
        const id = p.message_id as number;
        if (!st.byId.has(id) || st.deleted.has(id)) throw badRequest("message to delete not found");
        st.deleted.add(id);
        return { result: true };
      }
      case "sendChatAction": {
        if (!CHAT_ACTIONS.has(String(p.action))) throw badRequest("wrong parameter action in request");
        this.chatFor(p.chat_id);
        return { result: true };
      }
      case "answerCallbackQuery": {
        const id = String(p.callback_query_id);
        if (!this.openCallbackQueries.delete(id)) {
          throw badRequest("query is too old and response timeout expired or query ID is invalid");
        }
        this.callbackAnswers.push({
          callback_query_id: id,
          ...(p.text !== undefined ? { text: String(p.text) } : {}),
          ...(p.show_alert !== undefined ? { show_alert: p.show_alert === true } : {}),
        });
        return { result: true };
      }
      case "setMessageReaction": {
        const st = this.chatFor(p.chat_id);
        const id = p.message_id as number;
        if (!st.byId.has(id) || st.deleted.has(id)) throw badRequest("message to react not found");
        const reactions = (p.reaction as Obj[] | undefined) ?? [];
        if (reactions.length > 1) throw badRequest("REACTIONS_TOO_MANY");
        const allowed = this.allowedReactions();
        for (const r of reactions) {
          if (r.type === "paid" || (r.type === "emoji" && !allowed.has(String(r.emoji)))) throw badRequest("REACTION_INVALID");
        }
        return { result: true };
      }
      case "sendInvoice":
        return { result: this.sendInvoice(p) };
      case "createInvoiceLink":
        return { result: this.createInvoiceLink(p) };
      case "setChatMenuButton": {
        const key = p.chat_id === undefined ? "" : String(p.chat_id);
        if (p.chat_id !== undefined && this.chatFor(p.chat_id).chat.type !== "private") throw badRequest("chat is not a private chat");
        const button = isObj(p.menu_button) ? p.menu_button : { type: "default" };
        if (button.type === "web_app") this.checkWebAppUrl(isObj(button.web_app) ? button.web_app.url : undefined);
        this.menuButtons.set(key, clone(button));
        return { result: true };
      }
      case "getChatMenuButton":
        return { result: this.menuButton(p.chat_id as number | undefined) };
      case "answerPreCheckoutQuery": {
        const id = String(p.pre_checkout_query_id);
        if (p.ok === false && !p.error_message) throw badRequest("ERROR_MESSAGE_EMPTY");
        if (!this.openPreCheckoutQueries.delete(id)) throw badRequest("query is too old and response timeout expired or query ID is invalid");
        this.preCheckoutAnswers.push({ pre_checkout_query_id: id, ok: p.ok === true, ...(p.error_message !== undefined ? { error_message: String(p.error_message) } : {}) });
        return { result: true };
      }
      case "refundStarPayment": {
        const chargeId = String(p.telegram_payment_charge_id);
        const payment = this.payments.get(chargeId);
        if (!payment || payment.user.id !== p.user_id) throw badRequest("CHARGE_ID_INVALID");
        if (payment.refunded) throw badRequest("CHARGE_ALREADY_REFUNDED");
        this.recordRefund(chargeId);
        this.starRefunds.push({ user_id: payment.user.id, telegram_payment_charge_id: chargeId });
        return { result: true };
      }
      case "editUserStarSubscription": {
        const chargeId = String(p.telegram_payment_charge_id);
        const payment = this.payments.get(chargeId);
        if (!payment?.subscription || payment.user.id !== p.user_id) throw badRequest("CHARGE_ID_INVALID");
        this.subscriptionEdits.push({ user_id: payment.user.id, telegram_payment_charge_id: chargeId, is_canceled: p.is_canceled === true });
        return { result: true };
      }
      case "getStarTransactions": {
        const offset = typeof p.offset === "number" ? p.offset : 0;
        const limit = typeof p.limit === "number" ? p.limit : 100;
        if (offset < 0 || limit < 1 || limit > 100) throw badRequest("Bad Request: invalid offset or limit");
        const listed = this.starTransactionOrder === "newest-first" ? [...this.starTransactions].reverse() : this.starTransactions;
        return { result: { transactions: clone(listed.slice(offset, offset + limit)) } };
      }
      case "getFile": {
        const f = this.files.get(String(p.file_id));
        if (!f) throw badRequest("invalid file_id");
        if (this.localDir) {
          const local = path.join(this.localDir, this.token, f.file_path);
          mkdirSync(path.dirname(local), { recursive: true });
          writeFileSync(local, f.bytes);
          return { result: { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, file_path: local } };
        }
        if (f.file_size > GET_FILE_LIMIT) throw badRequest("file is too big");
        return { result: { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, file_path: f.file_path } };
      }
      default:
        return { result: this.genericResult(spec, p) };
    }
  }

  /** Methods without a dedicated implementation: a plausible Message when one is returned, else true. */
  private genericResult(spec: BotApiSpecMethod, p: Params): unknown {
    if (spec.returns.includes("Message") && p.chat_id !== undefined && p.inline_message_id === undefined) {
      const st = this.chatFor(p.chat_id);
      const caption = p.caption !== undefined ? formatText(p.caption, p.parse_mode, p.caption_entities, "caption") : undefined;
      return this.botMessage(st, p, caption?.text ? { caption: caption.text, ...(caption.entities.length ? { caption_entities: caption.entities } : {}) } : {});
    }
    return true;
  }

  private getUpdates(p: Params, conn?: Conn): Promise<Update[]> | Update[] {
    if (this.webhookState) {
      throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    this.terminatePoller("Conflict: terminated by other getUpdates request; make sure that only one bot instance is running");
    const offset = typeof p.offset === "number" ? p.offset : 0;
    if (offset > 0) this.queue = this.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) this.queue = this.queue.slice(offset);
    if (Array.isArray(p.allowed_updates)) this.allowedUpdates = p.allowed_updates.map(String);
    const limit = Math.min(100, Math.max(1, typeof p.limit === "number" ? p.limit : 100));
    const timeout = Math.max(0, typeof p.timeout === "number" ? p.timeout : 0);
    const take = () => {
      // Updates of kinds the bot did not subscribe to are never delivered.
      this.queue = this.queue.filter((u) => this.isAllowed(u));
      return this.queue.slice(0, limit);
    };
    const ready = take();
    if (ready.length > 0 || timeout === 0 || this.closed) return ready;
    return new Promise<Update[]>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        if (this.poller === poller) this.poller = undefined;
      };
      const poller: Poller = {
        take,
        finish: (updates) => {
          done();
          resolve(updates);
        },
        fail: (err) => {
          done();
          reject(err);
        },
      };
      const timer = setTimeout(() => poller.finish(take()), timeout * 1000);
      this.poller = poller;
      conn?.onGone(() => poller.finish([]));
    });
  }

  private terminatePoller(description: string): void {
    const old = this.poller;
    if (!old) return;
    this.poller = undefined;
    // Answer a moment later: if the old request was aborted by its client (grammY's bot.stop()),
    // its socket close is seen first and no Conflict is recorded.
    setTimeout(() => old.fail(new ApiError(409, description)), 25);
  }

  private wakePoller(): void {
    const poller = this.poller;
    if (!poller) return;
    const updates = poller.take();
    if (updates.length > 0) poller.finish(updates);
  }

  private isAllowed(u: Update): boolean {
    const kind = Object.keys(u).find((k) => k !== "update_id") ?? "";
    const allowed = this.webhookState?.allowed_updates ?? this.allowedUpdates;
    return allowed.length === 0 ? !OPT_IN_UPDATES.has(kind) : allowed.includes(kind);
  }

  private setWebhook(p: Params): { result: unknown; description?: string } {
    const url = String(p.url);
    if (url === "") {
      const had = this.webhookState !== undefined;
      this.webhookState = undefined;
      return { result: true, description: had ? "Webhook was deleted" : "Webhook is already deleted" };
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
    }
    // Real Telegram requires HTTPS; tests serve plain HTTP on localhost, so both are accepted here.
    if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
    if (p.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(p.secret_token))) {
      throw badRequest("secret token contains unallowed characters");
    }
    if (p.max_connections !== undefined && ((p.max_connections as number) < 1 || (p.max_connections as number) > 100)) {
      throw badRequest("bad webhook: max_connections must be between 1 and 100");
    }
    const same = this.webhookState?.url === url;
    if (p.drop_pending_updates === true) this.queue = [];
    this.webhookState = {
      url,
      ...(p.secret_token !== undefined ? { secret_token: String(p.secret_token) } : {}),
      ...(Array.isArray(p.allowed_updates) ? { allowed_updates: p.allowed_updates.map(String) } : this.webhookState?.allowed_updates ? { allowed_updates: this.webhookState.allowed_updates } : {}),
      ...(p.max_connections !== undefined ? { max_connections: p.max_connections as number } : {}),
      ...(p.drop_pending_updates !== undefined ? { drop_pending_updates: p.drop_pending_updates === true } : {}),
    };
    this.terminatePoller("Conflict: terminated by setWebhook request");
    return { result: true, description: same ? "Webhook is already set" : "Webhook was set" };
  }

  private commandsKey(scope: unknown, languageCode: unknown): string {
    const s = isObj(scope) ? scope : { type: "default" };
    const canonical = Object.keys(s)
      .sort()
      .map((k) => `${k}=${JSON.stringify(s[k])}`)
      .join("&");
    return `${canonical}|${typeof languageCode === "string" ? languageCode : ""}`;
  }

  private allowedReactions(): Set<string> {
    const field = this.spec.types.ReactionTypeEmoji?.fields?.find((f) => f.name === "emoji");
    return new Set([...(field?.description ?? "").matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? ""));
  }

  // ─────────── chats & messages ───────────

  private ensureChat(o: UserOptions): ChatState {
    let st = this.chats.get(o.chatId);
    const user: User = {
      id: o.userId ?? o.chatId,
      is_bot: false,
      first_name: o.firstName ?? st?.user.first_name ?? "Test",
      ...(o.lastName ? { last_name: o.lastName } : {}),
      ...(o.username ? { username: o.username } : {}),
      ...(o.languageCode === null ? {} : { language_code: o.languageCode ?? st?.user.language_code ?? "en" }),
    };
    const groupTitle = o.groupTitle ?? (st?.chat.type === "group" ? st.chat.title : undefined);
    const chat: Chat.PrivateChat | Chat.GroupChat = groupTitle
      ? { id: o.chatId, title: groupTitle, type: "group" }
      : {
          id: o.chatId,
          first_name: user.first_name,
          ...(user.last_name ? { last_name: user.last_name } : {}),
          ...(user.username ? { username: user.username } : {}),
          type: "private",
        };
    if (!st) {
      st = { chat, user, nextMessageId: 1, sent: [], byId: new Map(), fromBot: new Set(), deleted: new Set(), blocked: false };
      this.chats.set(o.chatId, st);
    } else {
      st.user = user;
      st.chat = chat;
    }
    return st;
  }

  private chatFor(chatId: unknown): ChatState {
    const st = typeof chatId === "number" ? this.chats.get(chatId) : undefined;
    if (!st) throw badRequest("chat not found");
    if (st.blocked) throw new ApiError(403, "Forbidden: bot was blocked by the user");
    return st;
  }

  private replyCopy(m: Message): Message {
    const { reply_to_message: _drop, ...rest } = m as Message & { reply_to_message?: unknown };
    void _drop;
    return clone(rest) as Message;
  }

  /** Stores and returns a new message from the bot with the common fields Telegram fills in. */
  private botMessage(st: ChatState, p: Params, content: Obj): Message {
    let reply: Message | undefined;
    if (isObj(p.reply_parameters)) {
      const rp = p.reply_parameters;
      const target = typeof rp.chat_id === "number" ? this.chats.get(rp.chat_id) : st;
      const found = target?.byId.get(rp.message_id as number);
      if (found && !target?.deleted.has(found.message_id)) reply = found;
      else if (rp.allow_sending_without_reply !== true) throw badRequest("message to be replied not found");
    }
    const markup = isObj(p.reply_markup) && Array.isArray(p.reply_markup.inline_keyboard) ? p.reply_markup : undefined;
    const { id, first_name, username } = this.botInfo;
    const message = {
      message_id: st.nextMessageId++,
      from: { id, is_bot: true, first_name, username },
      chat: clone(st.chat),
      date: nowSeconds(),
      ...(reply ? { reply_to_message: this.replyCopy(reply) } : {}),
      ...(p.protect_content === true ? { has_protected_content: true } : {}),
      ...content,
      ...(markup ? { reply_markup: clone(markup) } : {}),
    } as unknown as Message;
    st.sent.push(message);
    st.byId.set(message.message_id, message);
    st.fromBot.add(message.message_id);
    return message;
  }

  /** sendInvoice with Telegram's checks (checkInvoice). */
  private sendInvoice(p: Params): Message {
    const st = this.chatFor(p.chat_id);
    const { title, description, payload, currency, prices, total } = this.checkInvoice(p);
    const invoice = { title, description, start_parameter: p.start_parameter === undefined ? "" : String(p.start_parameter), currency, total_amount: total };
    const message = this.botMessage(st, p, { invoice });
    this.invoices.push({ chat_id: st.chat.id, message_id: message.message_id, payload, prices: clone(prices), provider_token: p.provider_token as string | undefined, ...invoice });
    return message;
  }

  /** createInvoiceLink: the same checks as sendInvoice; a t.me/$<slug> link, as Telegram gives for Stars. */
  private createInvoiceLink(p: Params): string {
    const { title, description, payload, currency, prices, total } = this.checkInvoice(p);
    if (p.subscription_period !== undefined && (currency !== "XTR" || p.subscription_period !== 2592000)) throw badRequest("SUBSCRIPTION_PERIOD_INVALID");
    const slug = randomBytes(12).toString("base64url");
    const link = `https://t.me/$${slug}`;
    this.invoiceLinks.push({ link, slug, title, description, payload, currency, total_amount: total, prices: clone(prices), ...(p.subscription_period !== undefined ? { subscription_period: p.subscription_period as number } : {}) });
    return link;
  }

  private editMessage(p: Params, what: "text" | "caption" | "markup"): Message | true {
    if (p.inline_message_id !== undefined) return true;
    if (p.chat_id === undefined) throw badRequest("chat_id is empty");
    if (p.message_id === undefined) throw badRequest("message identifier is not specified");
    const st = this.chatFor(p.chat_id);
    const m = st.byId.get(p.message_id as number) as (Message & Obj) | undefined;
    if (!m || st.deleted.has(m.message_id)) throw badRequest("message to edit not found");
    if (!st.fromBot.has(m.message_id)) throw badRequest("message can't be edited");
    const next: Obj = {};
    if (what === "text") {
      if (m.text === undefined) throw badRequest("there is no text in the message to edit");
      const t = formatText(p.text, p.parse_mode, p.entities, "text");
      next.text = t.text;
      next.entities = t.entities.length ? t.entities : undefined;
    } else if (what === "caption") {
      if (!["photo", "video", "document", "animation", "audio", "voice"].some((k) => m[k] !== undefined)) {
        throw badRequest("there is no caption in the message to edit");
      }
      const t = formatText(p.caption ?? "", p.parse_mode, p.caption_entities, "caption");
      next.caption = t.text || undefined;
      next.caption_entities = t.entities.length ? t.entities : undefined;
    }
    const markup = isObj(p.reply_markup) && Array.isArray(p.reply_markup.inline_keyboard) ? p.reply_markup : undefined;
    next.reply_markup = markup;
    const same = Object.entries(next).every(([k, v]) => JSON.stringify(v) === JSON.stringify(m[k]));
    if (same) throw badRequest(NOT_MODIFIED);
    for (const [k, v] of Object.entries(next)) {
      if (v === undefined) delete m[k];
      else m[k] = clone(v);
    }
    m.edit_date = nowSeconds();
    return m;
  }

  // ─────────── media ───────────

  private storeFile(
    bytes: Buffer,
    kind: FileKind,
    meta: Partial<Pick<StoredFile, "width" | "height" | "duration" | "file_name" | "mime_type">> & {
      fileId?: string;
      fileUniqueId?: string;
      filePath?: string;
      uploaded?: boolean;
    } = {},
  ): StoredFile {
    const n = ++this.fileCounter;
    const hash = sha256(bytes);
    const [dir, defaultExt] = FILE_DIR[kind];
    const ext = kind === "document" ? (meta.file_name?.split(".").pop() ?? defaultExt) : defaultExt;
    const { fileId, fileUniqueId, filePath, uploaded, ...rest } = meta;
    const stored: StoredFile = {
      file_id:
        fileId ??
        (uploaded ? `${UPLOAD_ID_PREFIX[kind]}${hash.slice(0, 24)}` : `${FILE_ID_PREFIX[kind]}${randomBytes(24).toString("base64url")}`),
      file_unique_id: fileUniqueId ?? `AQAD${hash.slice(0, 12)}${n.toString(36)}`,
      file_size: bytes.length,
      file_path: filePath ?? `${dir}/file_${n}.${ext}`,
      bytes,
      sha256: hash,
      kind,
      ...rest,
    };
    this.files.set(stored.file_id, stored);
    this.filesByPath.set(stored.file_path, stored);
    return stored;
  }

  private async resolveMedia(value: unknown, part: RecordedFile | undefined, kind: FileKind): Promise<MediaInput> {
    const v = String(value);
    if (v.startsWith("attach://")) {
      if (!part) throw badRequest("wrong file identifier/HTTP URL specified");
      if (part.bytes.length === 0) throw badRequest("file must be non-empty");
      return { bytes: part.bytes, sha256: part.sha256, filename: part.filename };
    }
    if (/^https?:\/\//i.test(v)) {
      let res: HttpResult;
      try {
        res = await httpRequest("GET", v, {}, undefined, { maxBytes: URL_DOWNLOAD_LIMIT, timeoutMs: 30_000 });
      } catch {
        throw badRequest("failed to get HTTP URL content");
      }
      if (res.status < 200 || res.status >= 300 || res.body.length === 0) throw badRequest("failed to get HTTP URL content");
      const filename = decodeURIComponent(new URL(v).pathname.split("/").pop() || "file");
      return { bytes: res.body, sha256: sha256(res.body), filename };
    }
    const stored = this.files.get(v);
    if (!stored) throw badRequest("wrong file identifier/HTTP URL specified");
    if (stored.kind !== kind) {
      const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
      throw badRequest(`can't use file of type ${cap(stored.kind)} as ${cap(kind)}`);
    }
    return { bytes: stored.bytes, sha256: stored.sha256, filename: stored.file_name ?? path.basename(stored.file_path), stored };
  }

  private photoContent(input: MediaInput): PhotoSize[] {
    if (input.stored) {
      const s = input.stored;
      return clone(s.sizes ?? [{ file_id: s.file_id, file_unique_id: s.file_unique_id, file_size: s.file_size, width: s.width ?? 0, height: s.height ?? 0 }]);
    }
    const dims = probeImage(input.bytes);
    if (!dims) throw badRequest("IMAGE_PROCESS_FAILED");
    const { width, height } = dims;
    if (width + height > 10_000 || Math.max(width, height) / Math.max(1, Math.min(width, height)) > 20) {
      throw badRequest("PHOTO_INVALID_DIMENSIONS");
    }
    // Telegram re-encodes into sizes up to 90/320/800/1280 px; the largest keeps the uploaded bytes here.
    const targets = [...new Map([90, 320, 800, 1280].map((side) => {
      const d = scaled(width, height, side);
      return [`${d.width}x${d.height}`, d] as const;
    })).values()];
    const sizes = targets.map((d, i) => {
      const f = i === targets.length - 1
        ? this.storeFile(input.bytes, "photo", { ...d, uploaded: true })
        : this.storeFile(makePng(d.width, d.height), "photo", d);
      return { file_id: f.file_id, file_unique_id: f.file_unique_id, file_size: f.file_size, width: d.width, height: d.height };
    });
    for (const s of sizes) {
      const f = this.files.get(s.file_id);
      if (f) f.sizes = sizes;
    }
    return sizes;
  }

  private videoObject(f: StoredFile): Video {
    const thumbDims = scaled(f.width ?? 320, f.height ?? 320, 320);
    const thumbKey = `thumb:${f.file_id}`;
    const thumb = this.files.get(thumbKey) ?? this.storeFile(makePng(thumbDims.width, thumbDims.height), "photo", { ...thumbDims, fileId: thumbKey });
    const thumbnail: PhotoSize = { file_id: thumb.file_id, file_unique_id: thumb.file_unique_id, file_size: thumb.file_size, ...thumbDims };
    return {
      duration: f.duration ?? 0,
      width: f.width ?? 0,
      height: f.height ?? 0,
      ...(f.file_name ? { file_name: f.file_name } : {}),
      mime_type: f.mime_type ?? "video/mp4",
      thumbnail,
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      file_size: f.file_size,
    };
  }

  private videoContent(input: MediaInput, p: Params): Video {
    if (input.stored) return this.videoObject(input.stored);
    const probed = probeMp4(input.bytes);
    const f = this.storeFile(input.bytes, "video", {
      width: (p.width as number | undefined) ?? probed?.width ?? 0,
      height: (p.height as number | undefined) ?? probed?.height ?? 0,
      duration: (p.duration as number | undefined) ?? probed?.duration ?? 0,
      file_name: input.filename,
      mime_type: "video/mp4",
      uploaded: true,
    });
    return this.videoObject(f);
  }

  private documentContent(input: MediaInput): Document {
    const f =
      input.stored ??
      this.storeFile(input.bytes, "document", {
        file_name: input.filename,
        mime_type: MIME_BY_EXT[input.filename.split(".").pop()?.toLowerCase() ?? ""] ?? "application/octet-stream",
        uploaded: true,
      });
    return {
      ...(f.file_name ? { file_name: f.file_name } : {}),
      ...(f.mime_type ? { mime_type: f.mime_type } : {}),
      file_id: f.file_id,
      file_unique_id: f.file_unique_id,
      file_size: f.file_size,
    };
  }

  private async mediaContent(kind: FileKind, input: MediaInput, p: Params): Promise<Obj> {
    if (kind === "photo") return { photo: this.photoContent(input) };
    if (kind === "video") return { video: this.videoContent(input, p) };
    return { document: this.documentContent(input) };
  }

  private async sendMedia(method: string, p: Params, parts: Map<string, RecordedFile>): Promise<Message> {
    const kind = METHOD_KIND[method] ?? "document";
    const st = this.chatFor(p.chat_id);
    const caption = formatText(p.caption ?? "", p.parse_mode, p.caption_entities, "caption");
    const value = p[kind];
    const part = typeof value === "string" && value.startsWith("attach://") ? parts.get(value.slice(9)) : undefined;
    const input = await this.resolveMedia(value, part, kind);
    const refused = kind === "video" ? this.refusedVideos.get(input.sha256) : undefined;
    if (refused) throw badRequest(refused);
    // A video's cover is a photo, resolved as Telegram does: a file_id must name a photo.
    const cover = kind === "video" && p.cover !== undefined ? await this.coverOf(p.cover, parts) : undefined;
    const content = await this.mediaContent(kind, input, p);
    if (cover) (content.video as Video).cover = cover;
    const message = this.botMessage(st, p, {
      ...content,
      ...(caption.text ? { caption: caption.text } : {}),
      ...(caption.entities.length ? { caption_entities: caption.entities } : {}),
      ...(p.has_spoiler === true ? { has_media_spoiler: true } : {}),
    });
    this.sentFiles.push({ chatId: st.chat.id, messageId: message.message_id, method, kind, bytes: input.bytes, sha256: input.sha256, params: p, message });
    return message;
  }

  private async coverOf(value: unknown, parts: Map<string, RecordedFile>): Promise<PhotoSize[]> {
    const v = String(value);
    const part = v.startsWith("attach://") ? parts.get(v.slice(9)) : undefined;
    return this.photoContent(await this.resolveMedia(v, part, "photo"));
  }

  private async sendMediaGroup(p: Params, parts: Map<string, RecordedFile>): Promise<Message[]> {
    const st = this.chatFor(p.chat_id);
    const media = p.media as Obj[];
    if (media.length < 2 || media.length > 10) throw badRequest("wrong number of media in the album: must be between 2 and 10");
    const groupId = String(BigInt.asUintN(63, randomBytes(8).readBigUInt64BE()));
    const prepared: Array<{ kind: FileKind; input: MediaInput; item: Obj; caption: FormattedText; cover?: PhotoSize[] }> = [];
    for (const item of media) {
      const kind: FileKind = item.type === "photo" ? "photo" : item.type === "video" ? "video" : "document";
      const value = String(item.media);
      const part = value.startsWith("attach://") ? parts.get(value.slice(9)) : undefined;
      prepared.push({
        kind,
        input: await this.resolveMedia(value, part, kind),
        item,
        caption: formatText(item.caption ?? "", item.parse_mode, item.caption_entities, "caption"),
        // InputMediaVideo.cover: a photo, resolved as sendVideo's cover is.
        ...(kind === "video" && item.cover !== undefined ? { cover: await this.coverOf(item.cover, parts) } : {}),
      });
    }
    for (const [i, { kind, input }] of prepared.entries()) {
      const refused = kind === "video" ? this.refusedVideos.get(input.sha256) : undefined;
      if (refused) throw badRequest(`failed to send message #${i + 1} with the error message "${refused}"`);
    }
    const out: Message[] = [];
    for (const { kind, input, item, caption, cover } of prepared) {
      const content = await this.mediaContent(kind, input, item);
      if (cover) (content.video as Video).cover = cover;
      const message = this.botMessage(st, p, {
        media_group_id: groupId,
        ...content,
        ...(caption.text ? { caption: caption.text } : {}),
        ...(caption.entities.length ? { caption_entities: caption.entities } : {}),
      });
      this.sentFiles.push({ chatId: st.chat.id, messageId: message.message_id, method: "sendMediaGroup", kind, bytes: input.bytes, sha256: input.sha256, params: { ...item }, message });
      out.push(message);
    }
    return out;
  }
}

/** Starts a fake Bot API server on 127.0.0.1 with a random port. */
export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const fake = new FakeTelegram(opts);
  await fake.listen();
  return fake;
}
