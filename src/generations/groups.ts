import type { Models } from "../db/models.js";
import { newShortId } from "./create.js";

/**
 * Telegram message ids fit in 32 bits. A message that starts several jobs (a variant pack: three; a
 * pack's note: a button per variant) keys each by its id plus a slot times 2^32, so the unique
 * (chat_id, source_message_id) key still admits each of them once, and a real message id (slot 0)
 * never meets one of these.
 */
const KEY_SLOT = 2 ** 32;
export const requestKey = (messageId: number, slot = 0) => messageId + slot * KEY_SLOT;
/** The message a request key was made from. */
export const messageOfKey = (key: number) => key % KEY_SLOT;

export type GroupDoc = NonNullable<Awaited<ReturnType<Models["Group"]["findOne"]>>>;
type NewGroup = Omit<ConstructorParameters<Models["Group"]>[0] & object, "_id" | "key">;

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * The group stored under `key`, inserting `fields` as it if there is none yet: the unique key makes
 * this one decision (an album) or one pack (a button pressed twice, on two instances) for everyone.
 * `created` is true for the one caller whose insert made it.
 */
export async function groupOnce(models: Models, key: string, fields: NewGroup): Promise<{ group: GroupDoc; created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    try {
      const group = await models.Group.create({ ...fields, _id: newShortId(), key });
      return { group, created: true };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await models.Group.findOne({ key });
      if (existing) return { group: existing, created: false };
      if (attempt >= 3) throw err; // a short id taken three times running is not luck
    }
  }
}
