import { describe, expect, it } from "vitest";
import { combinationsOf, durationsOf, fitDuration, fitResolution, lastFrameResolution, modelSpec, resolutionHeight, type ModelSpec } from "../../src/minimax/models.js";
import { withPackMove } from "../../src/minimax/camera.js";

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
  referenceImages: 0,
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
    // Reference pictures (section 8): H3 and H3-Max take 9, the Hailuo and I2V-01 models none.
    expect(modelSpec("MiniMax-H3")!.referenceImages).toBe(9);
    expect(modelSpec("MiniMax-H3-Max")!.referenceImages).toBe(9);
    for (const id of ["MiniMax-Hailuo-02", "MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "I2V-01"]) expect(modelSpec(id)!.referenceImages).toBe(0);
    // Only H3 renders a 768P video again at 2K; H3-Max makes no 2K.
    expect(modelSpec("MiniMax-H3")!.regeneration).toEqual({ from: "768P", to: "2K" });
    expect(modelSpec("MiniMax-H3-Max")!.regeneration).toBeUndefined();
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

describe("a transition's resolution and a pack member's prompt", () => {
  it("a last frame is sent at 768P or more: 512P is raised, what else the model offers is kept", () => {
    expect(lastFrameResolution(hailuo02, 6, "512P")).toBe("768P");
    expect(lastFrameResolution(hailuo02, 10, "512P")).toBe("768P");
    expect(lastFrameResolution(hailuo02, 6, "1080P")).toBe("1080P");
    expect(lastFrameResolution(hailuo02, 10, "1080P")).toBe("768P");
    expect(lastFrameResolution({ ...other, api: "v1" }, 5, "480P")).toBe("768P");
    expect(lastFrameResolution(modelSpec("MiniMax-H3-Max")!, 5, "480P")).toBe("480P"); // v2 takes a last frame at any of its resolutions
  });

  it("the member's move replaces the description's own bracket commands", () => {
    expect(withPackMove("the watch shines", "Push in")).toBe("the watch shines [Push in]");
    expect(withPackMove("the watch [Pan left] shines [Zoom in, Shake]", "Static shot")).toBe("the watch shines [Static shot]");
    expect(withPackMove("a [red] watch", "Truck left")).toBe("a [red] watch [Truck left]");
  });
});
