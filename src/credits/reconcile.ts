import type { Api } from "grammy";
import type { StarTransaction } from "grammy/types";
import type { Models } from "../db/models.js";
import type { Logger } from "../logger.js";
import type { Translate } from "../telegram/i18n.js";
import { localeFor } from "../telegram/i18n.js";
import { claimOnce } from "../generations/claims.js";
import type { Accounts } from "./accounts.js";
import { creditPayment, STARS, takeBack } from "./payments.js";

const PAGE = 100; // getStarTransactions' largest page
const CURSOR = "stars";

export type ReconciledKind = "payment" | "refund" | "unknown";

export interface ReconcilerDeps {
  models: Models;
  accounts: Accounts;
  telegram: Pick<Api, "getStarTransactions" | "sendMessage">;
  t: Translate;
  logger: Logger;
  instanceId: string;
  intervalMs: number;
  /** Counts what a pass had to fix (astrolus_stars_reconciled_total). */
  onReconciled?: (kind: ReconciledKind) => void;
}

type UserPartner = { type: "user"; transaction_type?: string; user: { id: number; language_code?: string }; invoice_payload?: string };
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

  async function localeOf(userId: number, languageCode?: string) {
    const user = await models.User.findById(userId).select("locale").lean();
    return user?.locale ?? localeFor(languageCode);
  }

  async function tell(userId: number, languageCode: string | undefined, key: string, variables: Record<string, string | number>) {
    try {
      await telegram.sendMessage(userId, t(await localeOf(userId, languageCode), key, variables), { parse_mode: "HTML" });
    } catch (err) {
      logger.warn({ user: userId, err: (err as Error).message }, "could not tell the user about a reconciled payment");
    }
  }

  /** Settles one transaction if the ledger lacks it (counted before the user is told); what it fixed, if anything. */
  async function settle(tx: StarTransaction): Promise<ReconciledKind | undefined> {
    const incoming = userPartner(tx.source);
    if (incoming) {
      const payload = incoming.invoice_payload ?? "";
      const result = await creditPayment(accounts, incoming.user.id, { invoice_payload: payload, currency: STARS, total_amount: tx.amount, telegram_payment_charge_id: tx.id });
      if (result.kind === "unknown") {
        logger.error({ user: incoming.user.id, charge: tx.id, payload: payload.slice(0, 64) }, "Stars payment for no pack we sell; not credited (refund it with /refund)");
        return undefined;
      }
      if (result.kind === "already") return undefined;
      logger.warn({ user: incoming.user.id, charge: tx.id, credits: result.credits, stars: tx.amount }, "Stars payment credited by reconciliation: its update was lost");
      deps.onReconciled?.("payment");
      await tell(incoming.user.id, incoming.user.language_code, "payment-reconciled", { stars: tx.amount, credits: result.credits, balance: result.balance });
      return "payment";
    }
    const refunded = userPartner(tx.receiver);
    if (refunded) {
      const result = await takeBack(accounts, tx.id);
      if (result.kind !== "taken") return undefined;
      logger.warn({ user: result.userId, charge: tx.id, credits: result.credits }, "Stars refund taken back by reconciliation: its update was lost");
      deps.onReconciled?.("refund");
      await tell(result.userId, refunded.user.language_code, "payment-refunded", { stars: tx.amount, credits: result.credits, balance: result.balance });
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
