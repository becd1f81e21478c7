import type { Models } from "../db/models.js";

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

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

/** Claim keys only matter while their subject is in flight; a day later they are history. */
export async function pruneClaims(models: Models, olderThanMs = 24 * 3600_000) {
  await models.Claim.deleteMany({ at: { $lt: new Date(Date.now() - olderThanMs) } });
}
