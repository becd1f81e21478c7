import type { Models } from "../db/models.js";
import { isDuplicateKey } from "../db/errors.js";

/** Takes `key` for good if nobody has: true for exactly one caller, across all instances. */
export async function claimOnce(models: Models, key: string, owner?: string): Promise<boolean> {
  try {
    await models.Claim.create({ _id: key, owner });
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

export interface ClaimKey {
  key: string;
  owner?: string;
}

type WriteRefusal = { index: number; code?: number };

/**
 * Takes `claims` in order in one round trip, stopping at the first one somebody has already: how
 * many of them, from the first, are ours now. Each is still decided by its own unique insert; the
 * later ones only ride on the earlier one's message, for claims a step takes at the same moment.
 */
export async function claimInOrder(models: Models, claims: ClaimKey[]): Promise<number> {
  const at = new Date();
  try {
    await models.Claim.collection.insertMany(
      claims.map((c) => ({ _id: c.key as never, ...(c.owner !== undefined ? { owner: c.owner } : {}), at })),
      { ordered: true },
    );
    return claims.length;
  } catch (err) {
    // An ordered insert stops at its first refusal: every claim before it went in, none after it.
    const refused = (err as { writeErrors?: WriteRefusal | WriteRefusal[] }).writeErrors;
    const first = Array.isArray(refused) ? refused[0] : refused;
    if (first?.code === 11000) return first.index;
    throw err;
  }
}

/** Claim keys only matter while their subject is in flight; a day later they are history. */
export async function pruneClaims(models: Models, olderThanMs = 24 * 3600_000) {
  await models.Claim.deleteMany({ at: { $lt: new Date(Date.now() - olderThanMs) } });
}

/**
 * A task id a signed callback named for a generation whose own step could not take it at that
 * moment (another instance held the generation, its create still on the wire). Kept in MongoDB, so
 * whichever instance next checks the generation can adopt the task once MiniMax's query confirms it;
 * an in-memory hint would be lost with the instance that heard it. The first one named is kept.
 */
const taskHintKey = (shortId: string) => `task-hint:${shortId}`;
export async function noteTaskHint(models: Models, shortId: string, taskId: string) {
  await claimOnce(models, taskHintKey(shortId), taskId);
}
export async function taskHintOf(models: Models, shortId: string): Promise<string | undefined> {
  const hint = await models.Claim.findById(taskHintKey(shortId)).select("owner").lean();
  return hint?.owner ?? undefined;
}
