import type { QueryFilter } from "mongoose";
import type { Config } from "../config.js";
import type { GenerationFields, Models } from "../db/models.js";
import { modelIdsOf, modelSpec } from "../minimax/models.js";
import { createSubmitRateLimit, createTaskSlots, type SubmitRateLimit, type TaskSlots } from "./rate-limit.js";

/**
 * Each MiniMax API has limits of its own (v1: MINIMAX_RPM; v2: MINIMAX_V2_RPM and
 * MINIMAX_V2_MAX_IN_FLIGHT), so each has its own queue: a lane. Jobs wait, are counted and are
 * submitted per lane, and a burst in one never waits behind the other. A job's lane follows from
 * its model (models.ts); a model the table no longer knows was a v1 model.
 */
export type LaneName = "v1" | "v2";
export const LANE_NAMES: readonly LaneName[] = ["v1", "v2"];

export const laneOf = (model: string | null | undefined): LaneName => modelSpec(model ?? "")?.api ?? "v1";

/** The generations of one lane, as a query filter on their model. */
export function laneFilter(lane: LaneName): QueryFilter<GenerationFields> {
  const v2 = modelIdsOf("v2");
  return { model: lane === "v2" ? { $in: v2 } : { $nin: v2 } };
}

/** Creates a minute the lane allows: what a waiting user's place in its queue is worth. */
export const laneRpm = (config: Pick<Config, "minimaxRpm" | "minimaxV2Rpm">, lane: LaneName) => (lane === "v2" ? config.minimaxV2Rpm : config.minimaxRpm);

/** A waiting job's place in its lane's queue, and the whole minutes until its rate slot. */
export function queueFigures(config: Pick<Config, "minimaxRpm" | "minimaxV2Rpm" | "minimaxRpmWindowMs">, lane: LaneName, position: number) {
  return { position, waitMinutes: Math.ceil((Math.floor((position - 1) / laneRpm(config, lane)) * config.minimaxRpmWindowMs) / 60_000) };
}

/** What a submission must hold before its create leaves: a rate slot, and on the v2 API a task slot. */
export interface SubmitGate {
  rate: SubmitRateLimit;
  tasks?: TaskSlots;
}

/** The gates of both lanes, shared with every instance through MongoDB. */
export function createSubmitGates(models: Models, config: Pick<Config, "minimaxRpm" | "minimaxV2Rpm" | "minimaxV2MaxInFlight" | "minimaxRpmWindowMs">) {
  const gates: Record<LaneName, SubmitGate> = {
    v1: { rate: createSubmitRateLimit(models, config.minimaxRpm, config.minimaxRpmWindowMs) },
    v2: {
      rate: createSubmitRateLimit(models, config.minimaxV2Rpm, config.minimaxRpmWindowMs, "minimax-v2-submit"),
      tasks: createTaskSlots(models, config.minimaxV2MaxInFlight),
    },
  };
  return {
    of: (lane: LaneName) => gates[lane],
    forModel: (model: string | null | undefined) => gates[laneOf(model)],
  };
}
export type SubmitGates = ReturnType<typeof createSubmitGates>;
