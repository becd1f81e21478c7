import type { Api } from "grammy";
import type { StarTransaction } from "grammy/types";
import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { Translate } from "../telegram/i18n.js";
import { claimOnce } from "../generations/claims.js";
import type { Accounts } from "./accounts.js";
import { packOf, STARS } from "./payments.js";
import { createNotifier } from "./notify.js";
import { settlePayment, settleRefund } from "./settle.js";
import { upsertOnce } from "../db/errors.js";

const PAGE = 100; // getStarTransactions' largest page
const CURSOR = "stars";

export type ReconciledKind = "payment" | "refund" | "unknown";

interface Cursor {
  offset: number;
  stars_in: number;
  stars_refunded: number;
  /** The first and the last transaction read (markOf), in Telegram's order. */
  head?: string;
  tail?: string;
}

export interface ReconcilerDeps {
  models: Models;
  accounts: Accounts;
  config: Pick<Config, "referralBonusInviter" | "referralBonusInvitee">;
  telegram: Pick<Api, "getStarTransactions" | "sendMessage">;
  t: Translate;
  logger: Logger;
  instanceId: string;
  intervalMs: number;
  /** Counts what a pass had to fix (astrolus_stars_reconciled_total). */
  onReconciled?: (kind: ReconciledKind) => void;
}

type UserPartner = {
  type: "user";
  transaction_type?: string;
  user: { id: number; language_code?: string };
  invoice_payload?: string;
  subscription_period?: number;
  affiliate?: { amount?: number };
};
const userPartner = (p: unknown): UserPartner | undefined => {
  const partner = p as UserPartner | undefined;
  return partner?.type === "user" && partner.transaction_type === "invoice_payment" ? partner : undefined;
};

/**
 * A transaction as the cursor remembers it: its direction, id and date. A refund has its payment's
 * id (Bot API, StarTransaction.id), so the id alone does not tell them apart.
 */
const markOf = (tx: StarTransaction) => `${tx.source ? "in" : "out"}:${tx.id}:${tx.date}`;

/**
 * Checks the ledger against Telegram's own account of the bot's Stars (getStarTransactions). An
 * incoming payment whose charge id the ledger lacks is credited, a refund it lacks is taken back:
 * the update that should have done it was lost. Both use the update handlers' ledger keys, so
 * whichever comes first wins and the other finds it done. One pass per interval across all
 * instances (a claimed slot), and one at start.
 *
 * The Bot API says the list is in chronological order, but the MTProto call beneath it lists the
 * newest first, and nothing here has seen the real order: a pass works with either. The cursor
 * keeps how many transactions it has read, the first (`head`) and the last (`tail`) of them. If the
 * transaction just before the offset is still the tail, the list grows at its end and what follows
 * is new; otherwise it grows at its start, and what comes before the head is new. If neither is
 * found, everything is read again (the keys make re-reading harmless) and the sums start afresh.
 */
export function createStarsReconciler(deps: ReconcilerDeps) {
  const { models, accounts, telegram, t, logger } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const notifier = createNotifier({ models, telegram, t, logger });
  /** The referral bonuses a payment or refund moved; `who` is the payer, whose client language Telegram names. */
  const tellAll = async (told: Array<{ userId: number; key: string; variables: Record<string, number> }>, who: UserPartner["user"]) => {
    for (const m of told) await notifier.tell(m.userId, m.key, m.variables, m.userId === who.id ? who.language_code : undefined);
  };

  /** Settles one transaction if the ledger lacks it (counted before the user is told): what it is to us, and whether it fixed something. */
  async function settle(tx: StarTransaction): Promise<{ starsIn?: number; starsRefunded?: number; fixed?: ReconciledKind }> {
    const incoming = userPartner(tx.source);
    if (incoming) {
      const payload = incoming.invoice_payload ?? "";
      // The pack the payload names, at its price: an affiliate's commission makes Telegram's amount
      // smaller than what the buyer paid (and what the checkout approved).
      const pack = packOf(payload);
      const paid = tx.amount + Math.max(0, incoming.affiliate?.amount ?? 0);
      // A subscription's payment (a plan's first or a renewal) pays for the period from its date.
      const renewsUntil = incoming.subscription_period ? new Date((tx.date + incoming.subscription_period) * 1000) : undefined;
      const payment = { invoice_payload: payload, currency: STARS, total_amount: pack?.stars ?? tx.amount, telegram_payment_charge_id: tx.id };
      const result = pack ? await settlePayment(accounts, models, deps.config, incoming.user.id, payment, renewsUntil) : ({ kind: "unknown" } as const);
      if (result.kind === "unknown") {
        logger.error({ user: incoming.user.id, charge: tx.id, payload: payload.slice(0, 64) }, "Stars payment for no pack we sell; not credited (refund it with /refund)");
        return { starsIn: paid };
      }
      if (result.kind === "already") {
        await tellAll(result.told, incoming.user);
        return { starsIn: paid };
      }
      logger.warn({ user: incoming.user.id, charge: tx.id, credits: result.credits, stars: pack!.stars }, "Stars payment credited by reconciliation: its update was lost");
      deps.onReconciled?.("payment");
      await notifier.tell(incoming.user.id, "payment-reconciled", { stars: pack!.stars, credits: result.credits, balance: result.balance }, incoming.user.language_code);
      await tellAll(result.told, incoming.user);
      return { starsIn: paid, fixed: "payment" };
    }
    if (!tx.receiver) return {}; // incoming, but no payment of ours (an affiliate program, a refunded withdrawal…)
    // Outgoing with a payment's id: a refund, whatever its receiver (the user, or, for a chargeback
    // at the store the Stars came from, "other"). A withdrawal has an id of its own, no payment's.
    const result = await settleRefund(accounts, tx.id);
    if (result.kind === "unknown") return {};
    const receiver = userPartner(tx.receiver)?.user ?? { id: result.userId };
    await tellAll(result.told, receiver);
    if (result.kind !== "taken") return { starsRefunded: tx.amount };
    logger.warn({ user: result.userId, charge: tx.id, credits: result.credits, receiver: tx.receiver.type }, "Stars refund taken back by reconciliation: its update was lost");
    deps.onReconciled?.("refund");
    await notifier.tell(result.userId, "payment-refunded", { stars: tx.amount, credits: result.credits, balance: result.balance }, receiver.language_code);
    return { starsRefunded: tx.amount, fixed: "refund" };
  }

  const page = async (offset: number) => (await telegram.getStarTransactions({ offset, limit: PAGE })).transactions;

  /** Every transaction from `offset` to the end of the list. */
  async function readOn(offset: number) {
    const read: StarTransaction[] = [];
    for (let got = await page(offset); ; got = await page(offset)) {
      read.push(...got);
      offset += got.length;
      if (got.length < PAGE) return read;
    }
  }

  /**
   * The transactions the cursor has not counted yet, and the cursor after them. `fresh: true` when
   * the cursor could not be followed and everything was read again (its sums start from zero).
   */
  async function unread(cursor: Cursor | null): Promise<{ transactions: StarTransaction[]; next: Omit<Cursor, "stars_in" | "stars_refunded">; fresh: boolean }> {
    if (cursor?.tail && cursor.head && cursor.offset > 0) {
      const after = await readOn(cursor.offset - 1);
      if (after[0] && markOf(after[0]) === cursor.tail) {
        // The list grows at its end (oldest first): whatever follows the tail is new.
        const added = after.slice(1);
        return { transactions: added, next: { offset: cursor.offset + added.length, head: cursor.head, tail: added.length ? markOf(added.at(-1)!) : cursor.tail }, fresh: false };
      }
      // The list grows at its start (newest first): whatever comes before the head is new. A
      // transaction arriving mid-read shifts the pages by one: the same one read twice is counted once.
      const seen = new Set<string>();
      const added: StarTransaction[] = [];
      for (let offset = 0; ; ) {
        const got = await page(offset);
        offset += got.length;
        const at = got.findIndex((tx) => markOf(tx) === cursor.head);
        for (const tx of at < 0 ? got : got.slice(0, at)) if (!seen.has(markOf(tx)) && seen.add(markOf(tx))) added.push(tx);
        // The head first with the tail gone: the list is neither growing at its end nor at its start.
        if (at >= 0 && added.length) return { transactions: added, next: { offset: cursor.offset + added.length, head: markOf(added[0]!), tail: cursor.tail }, fresh: false };
        if (at >= 0 || got.length < PAGE) break;
      }
      logger.warn({ offset: cursor.offset }, "Telegram's Stars transactions no longer match what was read: reading them all again");
    }
    const all = await readOn(0);
    return { transactions: all, next: { offset: all.length, head: all[0] ? markOf(all[0]) : undefined, tail: all.at(-1) ? markOf(all.at(-1)!) : undefined }, fresh: true };
  }

  /** Reads what Telegram's account holds beyond the cursor, settling what is missing, oldest first (a payment before its refund). */
  async function pass() {
    const cursor = await models.StarsCursor.findById(CURSOR).lean<Cursor>();
    const { transactions, next, fresh } = await unread(cursor);
    const chronological = [...transactions].sort((a, b) => a.date - b.date || Number(!a.source) - Number(!b.source));
    let starsIn = fresh ? 0 : (cursor?.stars_in ?? 0);
    let starsRefunded = fresh ? 0 : (cursor?.stars_refunded ?? 0);
    let fixed = 0;
    for (const tx of chronological) {
      const settled = await settle(tx);
      starsIn += settled.starsIn ?? 0;
      starsRefunded += settled.starsRefunded ?? 0;
      if (settled.fixed) fixed++;
    }
    // Offset, ends and sums move together, from the same base: a late write from an overlapping pass
    // puts back an older, consistent set, and the next pass reads those transactions again (harmlessly).
    const write = () => models.StarsCursor.updateOne({ _id: CURSOR }, { $set: { ...next, stars_in: starsIn, stars_refunded: starsRefunded, at: new Date() } }, { upsert: true });
    // Two first passes at once both insert; the loser finds the document there and updates it.
    await upsertOnce(write);
    logger.info({ offset: next.offset, read: transactions.length, fixed }, "Stars reconciled with Telegram");
    return fixed;
  }

  /** One pass, unless another instance has taken this interval's slot. */
  async function maybePass() {
    const slot = Math.floor(Date.now() / deps.intervalMs);
    if (!(await claimOnce(models, `stars-reconcile:${slot}`, deps.instanceId))) return;
    await pass();
  }

  /** Runs `work` unless a pass is running here already; a failure waits for the next one. */
  const guarded = (work: () => Promise<unknown>) => {
    if (running) return running;
    running = work()
      .catch((err: Error) => logger.warn({ err: err.message }, "Stars reconciliation failed; the next one retries"))
      .finally(() => (running = undefined));
    return running;
  };

  return {
    pass,
    start() {
      if (deps.intervalMs <= 0) return;
      // At start, whatever the slot: a payment lost while this instance was down is settled now.
      void guarded(pass);
      timer = setInterval(() => void guarded(maybePass), deps.intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      // A pass waiting on an unreachable Telegram must not hold the shutdown: the next start does it again.
      await Promise.race([running, new Promise((r) => setTimeout(r, 1_000).unref())]);
    },
  };
}
