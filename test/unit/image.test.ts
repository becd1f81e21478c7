import { describe, expect, it } from "vitest";
import { checkImage, sniffImage, toDataUrl } from "../../src/minimax/image.js";
import { makePng } from "../support/fake-minimax.js";

const jpeg = (width: number, height: number, size = 1000) => ({ mime: "image/jpeg", width, height, size });

describe("checkImage (MiniMax's first-frame rules)", () => {
  it("accepts what MiniMax accepts, at the edges", () => {
    expect(checkImage(jpeg(301, 301))).toBeNull();
    expect(checkImage(jpeg(1000, 400))).toBeNull(); // exactly 5:2
    expect(checkImage(jpeg(400, 1000))).toBeNull(); // exactly 2:5
    expect(checkImage({ mime: "image/webp", width: 800, height: 600, size: 20 * 1024 * 1024 - 1 })).toBeNull();
  });
  it("refuses a short edge of 300 px or less", () => {
    expect(checkImage(jpeg(300, 800))).toEqual({ rule: "too_small", width: 300, height: 800 });
  });
  it("refuses panoramas and strips beyond 5:2", () => {
    expect(checkImage(jpeg(1001, 400))).toMatchObject({ rule: "aspect" });
    expect(checkImage(jpeg(400, 1001))).toMatchObject({ rule: "aspect" });
  });
  it("refuses 20 MB and more, and other types", () => {
    expect(checkImage(jpeg(800, 800, 20 * 1024 * 1024))).toMatchObject({ rule: "too_large" });
    expect(checkImage({ mime: "image/gif", width: 800, height: 800 })).toEqual({ rule: "type" });
  });
});

describe("sniffImage", () => {
  it("reads the real type and size from the bytes", () => {
    expect(sniffImage(makePng(640, 360))).toEqual({ mime: "image/png", width: 640, height: 360 });
  });
  it("returns null for bytes that are not an accepted image", () => {
    expect(sniffImage(Buffer.from("%PDF-1.7 not an image"))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
  });
  it("builds a data URL that decodes back to the same bytes", () => {
    const bytes = makePng(320, 320);
    const url = toDataUrl(bytes, "image/png");
    expect(url.startsWith("data:image/png;base64,")).toBe(true);
    expect(Buffer.from(url.split(",")[1]!, "base64").equals(bytes)).toBe(true);
  });
});
