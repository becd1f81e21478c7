import { describe, expect, it } from "vitest";
import { combinationsOf, durationsOf, fitDuration, fitResolution, modelSpec, resolutionHeight, type ModelSpec } from "../../src/minimax/models.js";

const hailuo02 = modelSpec("MiniMax-Hailuo-02")!;
// A model of another shape, as a later API may bring: other durations, 480P and 2K.
const other: ModelSpec = {
  id: "Other",
  name: "Other",
  api: "v1",
  options: { 15: ["768P"], 5: ["480P", "768P", "2K"], 10: ["480P", "768P"] },
  fixedOutput: false,
  lastFrame: true,
  cameraCommands: false,
  promptOptimizer: false,
  sound: true,
  cancelQueued: false,
  minPollIntervalMs: 0,
  descriptionKey: "model-other",
};

describe("the model table", () => {
  it("holds the contract's combinations and what each model takes", () => {
    expect(combinationsOf(hailuo02)).toEqual([
      { duration: 6, resolution: "512P" },
      { duration: 6, resolution: "768P" },
      { duration: 6, resolution: "1080P" },
      { duration: 10, resolution: "512P" },
      { duration: 10, resolution: "768P" },
    ]);
    expect(hailuo02.lastFrame).toBe(true);
    expect(modelSpec("MiniMax-Hailuo-2.3")!.lastFrame).toBe(false);
    expect(modelSpec("I2V-01")).toMatchObject({ fixedOutput: true, cameraCommands: false });
    expect(modelSpec("I2V-01-Director")!.cameraCommands).toBe(true);
    expect(modelSpec("T2V-01")).toBeUndefined();
  });

  it("fits a wanted duration and resolution to what a model offers, whatever its durations and resolution names", () => {
    expect(durationsOf(other)).toEqual([5, 10, 15]);
    expect(fitDuration(other, 6)).toBe(5);
    expect(fitDuration(other, 12)).toBe(10);
    expect(fitDuration(other, 3)).toBe(5);
    expect(fitDuration(hailuo02, 10)).toBe(10);
    expect(resolutionHeight("2K")).toBeGreaterThan(resolutionHeight("1080P"));
    expect(fitResolution(other, 5, "1080P")).toBe("768P");
    expect(fitResolution(other, 5, "2K")).toBe("2K");
    expect(fitResolution(other, 15, "480P")).toBe("768P");
    expect(fitResolution(hailuo02, 10, "1080P")).toBe("768P");
  });
});
