import type { Api } from "grammy";
import type { StarTransaction } from "grammy/types";
import type { Config } from "../config.js";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { Translate } from "../telegram/i18n.js";
import { claimOnce } from "../generations/claims.js";
import type { Accounts } from "./accounts.js";
import { STARS } from "./payments.js";
import { createNotifier } from "./notify.js";
import { settlePayment, settleRefund } from "./settle.js";

const PAGE = 100; // getStarTransactions' largest page
const CURSOR = "stars";

export type ReconciledKind = "payment" | "refund" | "unknown";

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

type UserPartner = { type: "user"; transaction_type?: string; user: { id: number; language_code?: string }; invoice_payload?: string; subscription_period?: number };
const userPartner = (p: unknown): UserPartner | undefined => {
  const partner = p as UserPartner | undefined;
  return partner?.type === "user" && partner.transaction_type === "invoice_payment" ? partner : undefined;
};

/**
 * Checks the ledger against Telegram's own account of the bot's Stars (getStarTransactions, in
 * chronological order, read on from a stored offset). An incoming payment whose charge id the
 * ledger lacks is credited, a refund it lacks is taken back: the update that should have done it
 * was lost. Both use the update handlers' ledger keys, so whichever comes first wins and the other
 * finds it done. One pass per interval across all instances (a claimed slot), and one at start.
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

  /** Settles one transaction if the ledger lacks it (counted before the user is told); what it fixed, if anything. */
  async function settle(tx: StarTransaction): Promise<ReconciledKind | undefined> {
    const incoming = userPartner(tx.source);
    if (incoming) {
      const payload = incoming.invoice_payload ?? "";
      // A subscription's payment (a plan's first or a renewal) pays for the period from its date.
      const renewsUntil = incoming.subscription_period ? new Date((tx.date + incoming.subscription_period) * 1000) : undefined;
      const payment = { invoice_payload: payload, currency: STARS, total_amount: tx.amount, telegram_payment_charge_id: tx.id };
      const result = await settlePayment(accounts, models, deps.config, incoming.user.id, payment, renewsUntil);
      if (result.kind === "unknown") {
        logger.error({ user: incoming.user.id, charge: tx.id, payload: payload.slice(0, 64) }, "Stars payment for no pack we sell; not credited (refund it with /refund)");
        return undefined;
      }
      if (result.kind === "already") {
        await tellAll(result.told, incoming.user);
        return undefined;
      }
      logger.warn({ user: incoming.user.id, charge: tx.id, credits: result.credits, stars: tx.amount }, "Stars payment credited by reconciliation: its update was lost");
      deps.onReconciled?.("payment");
      await notifier.tell(incoming.user.id, "payment-reconciled", { stars: tx.amount, credits: result.credits, balance: result.balance }, incoming.user.language_code);
      await tellAll(result.told, incoming.user);
      return "payment";
    }
    const refunded = userPartner(tx.receiver);
    if (refunded) {
      const result = await settleRefund(accounts, tx.id);
      await tellAll(result.told, refunded.user);
      if (result.kind !== "taken") return undefined;
      logger.warn({ user: result.userId, charge: tx.id, credits: result.credits }, "Stars refund taken back by reconciliation: its update was lost");
      deps.onReconciled?.("refund");
      await notifier.tell(result.userId, "payment-refunded", { stars: tx.amount, credits: result.credits, balance: result.balance }, refunded.user.language_code);
      return "refund";
    }
    return undefined; // not a payment of ours (a withdrawal, a gift…)
  }

  /** Reads on from the stored offset to the end of Telegram's account, settling what is missing. */
  async function pass() {
    let cursor = (await models.StarsCursor.findById(CURSOR).lean()) ?? { offset: 0, stars_in: 0, stars_refunded: 0 };
    let fixed = 0;
    for (;;) {
      const { transactions } = await telegram.getStarTransactions({ offset: cursor.offset, limit: PAGE });
      let starsIn = 0;
      let starsRefunded = 0;
      for (const tx of transactions) {
        if (userPartner(tx.source)) starsIn += tx.amount;
        if (userPartner(tx.receiver)) starsRefunded += tx.amount;
        if (await settle(tx)) fixed++;
      }
      // Offset and sums move together, from the same base: a late write from an overlapping pass
      // puts back an older, consistent pair, and the next pass reads those transactions again (harmlessly).
      cursor = { offset: cursor.offset + transactions.length, stars_in: cursor.stars_in + starsIn, stars_refunded: cursor.stars_refunded + starsRefunded };
      const write = () => models.StarsCursor.updateOne({ _id: CURSOR }, { $set: { ...cursor, at: new Date() } }, { upsert: true });
      // Two first passes at once both insert; the loser finds the document there and updates it.
      await write().catch((err: { code?: number }) => (err.code === 11000 ? write() : Promise.reject(err)));
      if (transactions.length < PAGE) break;
    }
    logger.info({ offset: cursor.offset, fixed }, "Stars reconciled with Telegram");
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
