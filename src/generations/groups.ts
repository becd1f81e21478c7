import type { Models } from "../db/models.js";
import { newShortId } from "./create.js";
import { isDuplicateKey } from "../db/errors.js";

/**
 * Telegram message ids fit in 32 bits. A message that starts several jobs keys each by its id plus a
 * slot times 2^32, so the unique (chat_id, source_message_id) key still admits each of them once,
 * and a real message id (slot 0) never meets one of these. The slots:
 * - 0: the message itself (a photo; Again under a video, from the chat or the studio; a picker's choice);
 * - 1 to 3: the members of a variant pack asked for on that message (intake/packs.ts);
 * - 10 + pack_index: Again for one variant on a pack's note (bot/features/variations.ts);
 * - FORMAT_SLOT + the format's place in FORMAT_NAMES: the video on that message made in another
 *   format, from the chat's 📐 picker or the studio (intake/requests.ts `formatRequestKey`);
 * - REGEN_SLOT: the video on that message made again at 2K, from the chat's ✨ 2K or the studio's;
 * - TEMPLATE_SLOT + the template's place in the library: the photo on that message (or the photo of
 *   the video on it) made with that template, from the chat or the studio (`templateRequestKey`).
 */
const KEY_SLOT = 2 ** 32;
export const FORMAT_SLOT = 20;
export const REGEN_SLOT = 30;
export const TEMPLATE_SLOT = 100;
export const requestKey = (messageId: number, slot = 0) => messageId + slot * KEY_SLOT;
/** The message a request key was made from. */
export const messageOfKey = (key: number) => key % KEY_SLOT;

export type GroupDoc = NonNullable<Awaited<ReturnType<Models["Group"]["findOne"]>>>;
type NewGroup = Omit<ConstructorParameters<Models["Group"]>[0] & object, "_id" | "key">;


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
