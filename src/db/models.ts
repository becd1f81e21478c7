import { Schema, type Connection, type InferSchemaType } from "mongoose";

/**
 * Where a generation stands in our own lifecycle. `minimax_status` mirrors what MiniMax reports
 * (the original design's field); `phase` says what work this service still owes the user.
 */
export const PHASES = [
  "queued", // waiting for a MiniMax submission slot (MINIMAX_RPM is shared by all instances)
  "submitting", // one instance holds the lease and the create request may be on the wire
  "submitted", // MiniMax has the task; we wait for a callback or the next status check
  "delivering", // MiniMax confirmed success; the video must reach the chat
  "notifying", // failed; the user must still be told why
  "delivered", // terminal
  "failed", // terminal, user told
] as const;
export type Phase = (typeof PHASES)[number];
export const ACTIVE_PHASES: Phase[] = ["queued", "submitting", "submitted", "delivering"];

export const MINIMAX_STATUSES = ["pending", "processing", "success", "failed"] as const;
export type MiniMaxStatus = (typeof MINIMAX_STATUSES)[number];

const imageSchema = new Schema(
  {
    file_id: { type: String, required: true },
    file_unique_id: { type: String, required: true },
    mime: { type: String, required: true },
    width: { type: Number, required: true },
    height: { type: Number, required: true },
    size: { type: Number },
    /** "photo" or "document": how the user sent it (a document's file_id cannot be a video's cover). */
    sent_as: { type: String },
  },
  { _id: false },
);

export const generationSchema = new Schema(
  {
    short_id: { type: String, required: true, unique: true },
    chat_id: { type: Number, required: true },
    user_id: { type: Number, required: true },
    /**
     * With chat_id, the request's identity, so a redelivered update adds nothing: the user's photo
     * message (or the message whose button was pressed). One message that starts several jobs (a
     * variant pack, a pack's note with a button per variant) gives each its own key: the message id
     * plus a slot times 2^32 (see requestKey in generations/groups.ts); replies then go to
     * reply_to_message_id.
     */
    source_message_id: { type: Number, required: true },
    /** Where the video and the messages about this job reply; absent: source_message_id. */
    reply_to_message_id: { type: Number },
    locale: { type: String, required: true, default: "en" },
    /** What MiniMax gets: the user's text, plus camera moves in brackets when chosen. */
    prompt: { type: String, required: true },
    /** The user's own text, without added camera moves: variations start from it. */
    user_prompt: { type: String },
    camera_moves: { type: [String], default: undefined },
    model: { type: String, required: true },
    duration: { type: Number },
    resolution: { type: String },
    prompt_optimizer: { type: Boolean },
    /** The shape the photo was fitted to ("9:16"); absent or "original": sent as it was. */
    format: { type: String },
    /** The generation whose buttons made this one ("Again", "Another camera move", "Format", "New prompt"). */
    variation_of: { type: String },
    /** Credits reserved for it, written when it is admitted (absent: not admitted, or admitted by an older version). */
    price: { type: Number },
    image: { type: imageSchema, required: true },
    /** A transition's second photo: the video ends on it (last_frame_image, MiniMax-Hailuo-02 only). */
    last_image: { type: imageSchema },
    /**
     * An album made one video: every photo MiniMax gets as a reference picture, in album order (the
     * first is also `image`, the video's cover). Telegram keeps the files; only their ids are here.
     */
    references: { type: [imageSchema], default: undefined },
    /** A regeneration (✨ 2K): the short id of the finished video it renders again at a higher resolution. */
    regenerated_from: { type: String },
    /** The album or variant pack this job belongs to (groups collection): one status message for them all. */
    group_id: { type: String },
    /** A variant pack's member: its place in the pack (0, 1, 2) and the camera move that sets it apart. */
    pack_index: { type: Number },
    pack_move: { type: String },
    /** The template it was made from (templates.yaml id): its name is shown instead of its English prompt. */
    template: { type: String },

    phase: { type: String, enum: PHASES, required: true, default: "queued" },
    minimax_status: { type: String, enum: MINIMAX_STATUSES, required: true, default: "pending" },
    // Unset until MiniMax answers; sparse so MongoDB admits many generations without one.
    minimax_job_id: { type: String, unique: true, sparse: true },
    minimax_file_id: { type: String },
    video_url: { type: String },
    video_bytes: { type: Number },
    video_width: { type: Number },
    video_height: { type: Number },
    telegram_video_file_id: { type: String },
    /** The message that carries the delivered video (or its link): the studio's buttons key new requests by it, as the chat's do. */
    video_message_id: { type: Number },
    /** Secret in the callback URL; never logged, never selected unless asked for. */
    callback_token: { type: String, required: true, select: false },
    error_code: { type: String },
    error_message: { type: String },

    submit_attempts: { type: Number, required: true, default: 0 },
    deliver_attempts: { type: Number, required: true, default: 0 },
    /** When the worker may next act on this generation (backoff, poll interval). */
    next_run_at: { type: Date, required: true, default: () => new Date() },
    /** The instance working on it and until when; an expired lease means that instance is gone. */
    lease_owner: { type: String },
    lease_until: { type: Date, required: true, default: () => new Date(0) },
    /** Counts claims; each claim of epoch N is won by inserting the unique key lease:<id>:N. */
    lease_epoch: { type: Number, required: true, default: 0 },
    last_heard_at: { type: Date },
    /** Set just before the create request leaves, cleared once its outcome is known. */
    create_sent_at: { type: Date },
    submitted_at: { type: Date },
    /** When MiniMax refused to cancel a task queued past GENERATION_TIMEOUT_MIN (it had just started): its timeout counts again from then. */
    timeout_restarted_at: { type: Date },
    /** When MiniMax's success was confirmed; delivery is retried until DELIVERY_TIMEOUT_MIN after it. */
    delivery_started_at: { type: Date },
    /** Since when an earlier delivery attempt, taken and never recorded as ended, is waited for. */
    delivery_unsure_since: { type: Date },
    completed_at: { type: Date },
  },
  {
    collection: "generations",
    timestamps: { createdAt: "created_at", updatedAt: "updated_at" } as const,
  },
);
generationSchema.index({ chat_id: 1, source_message_id: 1 }, { unique: true });
generationSchema.index({ user_id: 1, created_at: -1 });
generationSchema.index({ phase: 1, next_run_at: 1 });
generationSchema.index({ phase: 1, created_at: 1 });
generationSchema.index({ group_id: 1 });
// The dashboard's days: what ended (delivered or failed) between two dates.
generationSchema.index({ phase: 1, completed_at: 1 });

/** Choices made in /settings; unset fields fall back to the configured defaults. */
const settingsSchema = new Schema(
  {
    model: { type: String },
    duration: { type: Number },
    resolution: { type: String },
    format: { type: String },
    prompt_optimizer: { type: Boolean },
    camera_moves: { type: [String], default: undefined },
    /** A new photo makes a variant pack: three videos, each with its own camera move. */
    variants: { type: Boolean },
    /** "one": an album makes one video from all its photos (a model that takes references); else a video each. */
    albums: { type: String },
  },
  { _id: false },
);

/** Per-user state: a parked photo, settings, language. `_id` is the Telegram user id. */
export const userSchema = new Schema(
  {
    _id: { type: Number, required: true },
    /** Chosen with /language; unset means "follow Telegram's language". */
    locale: { type: String },
    settings: { type: settingsSchema },
    /** A captionless photo waiting for its prompt in the user's next text message. */
    pending_photo: {
      type: new Schema(
        {
          chat_id: { type: Number, required: true },
          message_id: { type: Number, required: true },
          image: { type: imageSchema, required: true },
          /** A transition's second photo, when "New prompt" parked a transition again. */
          last_image: { type: imageSchema },
          /** Set when "New prompt" under a video parked the photo again. */
          variation_of: { type: String },
          /** When it was parked; it expires after PARKED_PHOTO_MINUTES (older documents lack it and count as expired). */
          parked_at: { type: Date },
        },
        { _id: false },
      ),
    },
    /** The last single photo the user sent: a template picked in /templates within PARKED_PHOTO_MINUTES uses it. */
    last_photo: {
      type: new Schema(
        {
          chat_id: { type: Number, required: true },
          message_id: { type: Number, required: true },
          image: { type: imageSchema, required: true },
          sent_at: { type: Date, required: true },
        },
        { _id: false },
      ),
    },
    /** A template picked in /templates with no photo to use: the next photo without a caption is made with it. */
    pending_template: {
      type: new Schema({ chat_id: { type: Number, required: true }, id: { type: String, required: true }, picked_at: { type: Date, required: true } }, { _id: false }),
    },
    /** A captionless album waiting for its description in the user's next text message. */
    pending_album: {
      type: new Schema(
        {
          chat_id: { type: Number, required: true },
          /** The album's group (groups collection). */
          group_id: { type: String, required: true },
          parked_at: { type: Date, required: true },
        },
        { _id: false },
      ),
    },
  },
  { collection: "users", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } as const },
);

/**
 * One document per MiniMax submission slot (or, for the v2 API, per task in flight): its latest use
 * and when it may be used again.
 */
export const rateSlotSchema = new Schema(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true, default: 0 },
    free_at: { type: Date, required: true },
    /** A task slot's generation, while MiniMax has its task. */
    holder: { type: String },
  },
  { collection: "rate_slots", versionKey: false },
);

/**
 * Keys that can be taken once, by inserting them: the unique `_id` is the one guarantee that holds
 * on every MongoDB-compatible server (FerretDB evaluates a conditional update and writes it as two
 * steps, so two instances could both "win" a findOneAndUpdate there; an insert has one winner).
 */
export const claimSchema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String },
    at: { type: Date, required: true, default: () => new Date() },
    /** What a fact-like claim records (a delivery Telegram took). */
    record: { type: Schema.Types.Mixed },
  },
  { collection: "claims", versionKey: false },
);
claimSchema.index({ at: 1 });

export const LEDGER_KINDS = ["welcome", "reserve", "void", "capture", "release", "purchase", "refund", "grant", "referral", "referral_back", "promo"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * Every movement of a user's credits, as one link in that user's chain: entry `seq` is computed
 * from entry `seq - 1` and records the balance and the number of generations in flight after it.
 * Both unique indexes do the work: (user_id, seq) lets exactly one movement follow each state, on
 * any MongoDB-compatible server, and `key` makes each movement happen once (see credits/accounts.ts).
 */
export const ledgerSchema = new Schema(
  {
    user_id: { type: Number, required: true },
    seq: { type: Number, required: true },
    /** What makes this movement unique: gen:<id>:reserve, gen:<id>:settle, payment:<charge id>, … */
    key: { type: String, required: true },
    kind: { type: String, enum: LEDGER_KINDS, required: true },
    /** Change of the balance (a reservation is negative, its release positive, a capture 0). */
    credits: { type: Number, required: true },
    /** Change of the generations in flight: +1 on reserve, -1 on capture or release. */
    active: { type: Number, required: true, default: 0 },
    balance: { type: Number, required: true },
    in_flight: { type: Number, required: true },
    /** The price a reservation held; a capture repeats it, so spending sums captures. */
    price: { type: Number },
    generation_id: { type: Schema.Types.ObjectId },
    short_id: { type: String },
    stars: { type: Number },
    charge_id: { type: String },
    /** The admin who granted or refunded. */
    by: { type: Number },
    /** A welcome entry's inviter: the user whose referral link brought this one (set once, with the account). */
    invited_by: { type: Number },
    /** A referral bonus (or its take-back): the other user of the pair. */
    partner: { type: Number },
    /** A monthly plan's payment: when the subscription it paid for runs out (the next renewal). */
    renews_until: { type: Date },
    /** A promo code's credit: the code. */
    promo_code: { type: String },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { collection: "ledger", versionKey: false },
);
ledgerSchema.index({ user_id: 1, seq: 1 }, { unique: true });
ledgerSchema.index({ key: 1 }, { unique: true });
ledgerSchema.index({ kind: 1, at: 1 });
// Sparse: only the welcome entries of invited users carry it.
ledgerSchema.index({ invited_by: 1 }, { sparse: true });
// A user's plan payments, newest first (sparse: only those carry renews_until).
ledgerSchema.index({ user_id: 1, renews_until: -1 }, { sparse: true });

/**
 * The message that shows a generation's progress (the "accepted" reply), kept apart from the
 * generation so that editing it never writes to a document a lease holder is working on.
 */
export const statusMessageSchema = new Schema(
  {
    _id: { type: String, required: true }, // the generation's short_id, or group:<group id> for an album or pack
    chat_id: { type: Number, required: true },
    message_id: { type: Number, required: true },
    /** What the message shows now (text and buttons), so an unchanged state is never sent again. */
    shown: { type: String, required: true },
    /** Last edit (or the sending); the next edit waits PROGRESS_EDIT_INTERVAL after it. */
    progress_edited_at: { type: Date, required: true },
    /** Counts edits; edit N is won by inserting the unique claim progress:<id>:N. */
    edits: { type: Number, required: true, default: 0 },
    /** The final state is shown (or the message is gone): nothing more to edit. */
    done: { type: Boolean, required: true, default: false },
  },
  { collection: "status_messages", versionKey: false, timestamps: { createdAt: "created_at", updatedAt: false } as const },
);
statusMessageSchema.index({ done: 1, progress_edited_at: 1 });

/**
 * One photo of an album as it arrived (Telegram sends an album as separate messages sharing a
 * media_group_id, in any order, to any instance). Inserted once per message; `open` until the
 * album's decision has taken it, or told the user it came too late.
 */
export const albumPartSchema = new Schema(
  {
    /** "<chat_id>:<media_group_id>": the album. */
    album_key: { type: String, required: true },
    chat_id: { type: Number, required: true },
    user_id: { type: Number, required: true },
    message_id: { type: Number, required: true },
    /** The photo; absent when it was refused (its own reply said why). */
    image: { type: imageSchema },
    caption: { type: String },
    /** The user's language when the part arrived. */
    locale: { type: String, required: true },
    received_at: { type: Date, required: true },
    open: { type: Boolean, required: true, default: true },
  },
  { collection: "album_parts", versionKey: false },
);
albumPartSchema.index({ album_key: 1, message_id: 1 }, { unique: true });
albumPartSchema.index({ open: 1, received_at: 1 });

export const GROUP_KINDS = ["album", "pack"] as const;

/**
 * Jobs started together and shown in one status message: an album's photos (its decision) or a
 * variant pack. Inserted once under its unique `key`, so one album makes one decision and one button
 * press makes one pack, whichever instance gets there first.
 */
export const groupSchema = new Schema(
  {
    _id: { type: String, required: true }, // a short id, as group_id on its generations
    /** album:<chat>:<media_group_id>, or pack:<chat>:<request key>. */
    key: { type: String, required: true, unique: true },
    kind: { type: String, enum: GROUP_KINDS, required: true },
    chat_id: { type: Number, required: true },
    user_id: { type: Number, required: true },
    locale: { type: String, required: true },
    /** An album: every part the decision took (message ids, ascending), the usable photos among them, the caption found. */
    album_key: { type: String },
    parts: { type: [Number], default: undefined },
    photos: { type: [Number], default: undefined },
    caption: { type: String },
    /** An album: made one video from all its photos (decided once, when it is first started). */
    as_one: { type: Boolean },
    /** A pack: the camera move of each member, and the message the album of videos answers. */
    moves: { type: [String], default: undefined },
    reply_to_message_id: { type: Number },
    /** A pack sent to Telegram, written once by its sender: each member's video as Telegram took it. */
    delivered: {
      type: new Schema(
        {
          at: { type: Date, required: true },
          /** When the album could first be sent: a member that left it is timed from then. */
          ready_at: { type: Date },
          videos: [new Schema({ generation_id: { type: Schema.Types.ObjectId, required: true }, file_id: { type: String }, message_id: { type: Number } }, { _id: false })],
        },
        { _id: false },
      ),
    },
    /** Every effect of the decision is done (generations admitted, answers sent, or the album parked). */
    done_at: { type: Date },
  },
  { collection: "groups", versionKey: false, timestamps: { createdAt: "created_at", updatedAt: false } as const },
);

/**
 * Telegram updates whose handling outlasted the webhook's answer (or failed after it): kept here
 * before Telegram is told 200, and handled again from here until they are done. `_id` is the
 * update_id, so a second copy of one update is refused by the unique index.
 */
export const INBOX_STATES = ["pending", "handled", "failed"] as const;
export const inboxSchema = new Schema(
  {
    _id: { type: Number, required: true },
    /** The update as Telegram sent it; dropped once handled (it holds the users' own words). */
    update: { type: Schema.Types.Mixed },
    /** Payments are never given up on; other updates are, after a day (Telegram's own horizon). */
    payment: { type: Boolean, required: true, default: false },
    state: { type: String, enum: INBOX_STATES, required: true, default: "pending" },
    attempts: { type: Number, required: true, default: 0 },
    next_run_at: { type: Date, required: true },
    lease_owner: { type: String },
    lease_until: { type: Date, required: true },
    last_error: { type: String },
    received_at: { type: Date, required: true, default: () => new Date() },
    handled_at: { type: Date },
  },
  { collection: "update_inbox", versionKey: false },
);
inboxSchema.index({ state: 1, next_run_at: 1 });
inboxSchema.index({ received_at: 1 });

/**
 * How far the Stars reconciliation has read Telegram's account (getStarTransactions counts from the
 * first transaction), and what it added up on the way. Offset and sums are always written together.
 */
export const starsCursorSchema = new Schema(
  {
    _id: { type: String, required: true },
    offset: { type: Number, required: true, default: 0 },
    stars_in: { type: Number, required: true, default: 0 },
    stars_refunded: { type: Number, required: true, default: 0 },
    /** The first and the last transaction read, in Telegram's order: they tell which end of the list grew. */
    head: { type: String },
    tail: { type: String },
    at: { type: Date },
  },
  { collection: "stars_cursor", versionKey: false },
);

/** A promo code an admin made (/promo add). `_id` is the code in capitals: codes are case-insensitive. */
export const promoCodeSchema = new Schema(
  {
    _id: { type: String, required: true },
    credits: { type: Number, required: true },
    /** How many users may redeem it in all. */
    uses: { type: Number, required: true },
    expires_at: { type: Date },
    /** Turned off with /promo off: refused from then on, whatever is left. */
    off: { type: Boolean, required: true, default: false },
    created_by: { type: Number, required: true },
    created_at: { type: Date, required: true, default: () => new Date() },
  },
  { collection: "promo_codes", versionKey: false },
);

/**
 * The uses of promo codes, each taken by a unique insert: `<CODE>:<n>` is use slot n (0 ≤ n < uses,
 * so there can never be more), `<CODE>:user:<id>` marks the user who is redeeming it (once per user).
 * Kept for good: unlike claims, these are never pruned.
 */
export const promoUseSchema = new Schema(
  {
    _id: { type: String, required: true },
    code: { type: String, required: true },
    user_id: { type: Number, required: true },
    /** A use slot's number; absent on a user's marker. */
    slot: { type: Number },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { collection: "promo_uses", versionKey: false },
);
promoUseSchema.index({ code: 1, user_id: 1 });

/** A user's choice about their plan's renewal (editUserStarSubscription), for the plan's latest payment. `_id` is the user id. */
export const planRenewalSchema = new Schema(
  {
    _id: { type: Number, required: true },
    charge_id: { type: String, required: true },
    canceled: { type: Boolean, required: true },
    at: { type: Date, required: true, default: () => new Date() },
  },
  { collection: "plan_renewals", versionKey: false },
);

export type GenerationFields = InferSchemaType<typeof generationSchema>;
export type UserFields = InferSchemaType<typeof userSchema>;

/** Safe to call twice on one connection: the same schema returns the model already compiled. */
export function createModels(connection: Connection) {
  return {
    Generation: connection.model("Generation", generationSchema),
    User: connection.model("User", userSchema),
    RateSlot: connection.model("RateSlot", rateSlotSchema),
    Claim: connection.model("Claim", claimSchema),
    Ledger: connection.model("Ledger", ledgerSchema),

    StatusMessage: connection.model("StatusMessage", statusMessageSchema),
    AlbumPart: connection.model("AlbumPart", albumPartSchema),
    Group: connection.model("Group", groupSchema),
    Inbox: connection.model("Inbox", inboxSchema),
    StarsCursor: connection.model("StarsCursor", starsCursorSchema),
    PromoCode: connection.model("PromoCode", promoCodeSchema),
    PromoUse: connection.model("PromoUse", promoUseSchema),
    PlanRenewal: connection.model("PlanRenewal", planRenewalSchema),
  };
}
export type Models = ReturnType<typeof createModels>;
