import { combinationsOf, modelSpec, priceKey, type ModelSpec } from "./minimax/models.js";

/** Credits per video: model id → priceKey(duration, resolution) → credits. */
export type PriceTable = Record<string, Record<string, number>>;

/**
 * The default rule. A credit stands for 6 seconds at 768P. Hailuo: 1 credit for a 6 s video up to
 * 768P, 2 for anything longer or sharper. A model whose per-second price the contract gives (H3)
 * costs in proportion to it, rounded up so a video never costs less than MiniMax charges for it:
 * ceil(seconds × price a second ÷ (6 × its 768P price a second)). H3 at 768P: 5 s 1, 8 s 2,
 * 10 s 2, 15 s 3 credits; at 2K ($0.13 against $0.08): 2, 3, 3 and 5.
 */
function defaultPrice(model: ModelSpec, duration: number, resolution: string) {
  const cents = model.centsPerSecond;
  if (cents) {
    const perSecond = Object.values(cents);
    const unit = 6 * (cents["768P"] ?? Math.min(...perSecond));
    return Math.max(1, Math.ceil((duration * (cents[resolution] ?? Math.max(...perSecond))) / unit));
  }
  return duration > 6 || parseInt(resolution, 10) >= 1080 || /K$/i.test(resolution) ? 2 : 1;
}

/**
 * Credits added for an album made one video: MiniMax takes the first `freeReferenceImages` pictures
 * free and charges `centsPerExtraImage` for each one more (contract, section 8), priced by the same
 * unit as a video (6 s at 768P), rounded up. H3: up to 5 photos nothing, 6 to 9 photos 1 credit.
 */
export function referencesSurcharge(model: ModelSpec, photos: number): number {
  const extra = Math.max(0, photos - (model.freeReferenceImages ?? 0));
  const cents = model.centsPerSecond;
  if (extra === 0 || !model.centsPerExtraImage || !cents) return 0;
  const unit = 6 * (cents["768P"] ?? Math.min(...Object.values(cents)));
  return Math.ceil((extra * model.centsPerExtraImage) / unit);
}

const SHARED_ENTRY = /^(\d+s-\d+[PK]):(\d+)$/;
const MODEL_ENTRY = /^([A-Za-z0-9][\w.-]*):(\d+s-\d+[PK])=(\d+)$/;

/**
 * PRICES, checked against the enabled models. Two forms, mixed freely:
 * - `6s-768P:1` prices that combination for every enabled model that offers it;
 * - `MiniMax-Hailuo-2.3-Fast:6s-768P=1` prices it for that model, over a shared entry.
 * Unset, the default rule prices everything. Set, every combination of every enabled model must
 * end up with a price (nothing is priced by accident). A string is the problem found.
 */
export function parsePrices(enabled: readonly ModelSpec[], raw: string | undefined): PriceTable | string {
  const table: PriceTable = {};
  for (const model of enabled) {
    table[model.id] = Object.fromEntries(combinationsOf(model).map(({ duration, resolution }) => [priceKey(duration, resolution), defaultPrice(model, duration, resolution)]));
  }
  if (raw === undefined) return table;

  const offers = (model: ModelSpec) => combinationsOf(model).map(({ duration, resolution }) => priceKey(duration, resolution));
  const enabledIds = enabled.map((m) => m.id).join(", ");
  const shared = new Map<string, number>();
  const perModel = new Map<string, number>(); // "<model> <key>"
  for (const entry of raw.split(",").map((e) => e.trim())) {
    const own = MODEL_ENTRY.exec(entry);
    if (own) {
      const [, id, key, credits] = own as unknown as [string, string, string, string];
      const model = enabled.find((m) => m.id === id);
      if (!model) {
        return modelSpec(id)
          ? `${id} is not enabled (MINIMAX_MODELS: ${enabledIds}); enable it or remove its prices`
          : `${id} is not a model this bot knows (enabled: ${enabledIds})`;
      }
      if (!offers(model).includes(key)) return `${id}:${key} is not offered by ${id} (it offers ${offers(model).join(", ")})`;
      perModel.set(`${id} ${key}`, Number(credits));
      continue;
    }
    const common = SHARED_ENTRY.exec(entry);
    if (!common) return `"${entry}" is not like 6s-768P:1 (every model) or MiniMax-Hailuo-2.3-Fast:6s-768P=1 (one model)`;
    const [, key, credits] = common as unknown as [string, string, string];
    if (!enabled.some((m) => offers(m).includes(key))) {
      return `${key} is not offered by any enabled model (${enabled.map((m) => `${m.id} offers ${offers(m).join(", ")}`).join("; ")})`;
    }
    shared.set(key, Number(credits));
  }

  const missing: string[] = [];
  for (const model of enabled) {
    for (const key of offers(model)) {
      const credits = perModel.get(`${model.id} ${key}`) ?? shared.get(key);
      if (credits === undefined) missing.push(`${model.id}:${key}`);
      else table[model.id]![key] = credits;
    }
  }
  return missing.length ? `no price for ${missing.join(", ")}` : table;
}
