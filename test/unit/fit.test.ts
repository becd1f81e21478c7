import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { fitPhoto, UnreadableImageError, type FitTarget } from "../../src/images/fit.js";
import { CORNER_COLOURS, makeCornerPhoto, makeJpeg, readFittedCorners, sameColour } from "../support/images.js";

/** Fits the photo and checks the result: the wanted shape (±1%), every corner of the photo in it, MiniMax's rules. */
async function fitted(photo: { width: number; height: number }, target: FitTarget, ratio: number) {
  const result = await fitPhoto(await makeCornerPhoto(photo.width, photo.height), target);
  const seen = await readFittedCorners(result.data, photo);
  expect(result.mime).toBe("image/jpeg");
  expect((await sharp(result.data).metadata()).format).toBe("jpeg");
  expect([seen.width, seen.height]).toEqual([result.width, result.height]);
  expect(Math.abs(seen.width / seen.height / ratio - 1)).toBeLessThanOrEqual(0.01);
  expect(Math.min(seen.width, seen.height)).toBeGreaterThan(300);
  expect(result.data.length).toBeLessThan(20 * 1024 * 1024);
  seen.corners.forEach((colour, i) => expect(sameColour(colour, CORNER_COLOURS[i]!), `corner ${i}: ${colour}`).toBe(true));
  return { ...result, seen };
}

describe("fitting a photo to a format", () => {
  it("a square photo made 9:16, 3:4, 16:9 and 1:1: the exact shape, the whole photo scaled into it", async () => {
    const square = { width: 1000, height: 1000 };
    expect(await fitted(square, "9:16", 9 / 16)).toMatchObject({ width: 1000, height: 1778 });
    expect(await fitted(square, "3:4", 3 / 4)).toMatchObject({ width: 1000, height: 1333 });
    expect(await fitted(square, "16:9", 16 / 9)).toMatchObject({ width: 1778, height: 1000 });
    expect(await fitted(square, "1:1", 1)).toMatchObject({ width: 1000, height: 1000 });
  });

  it("a 3:4 photo made 16:9, and a second photo fitted to a first photo's size", async () => {
    await fitted({ width: 900, height: 1200 }, "16:9", 16 / 9);
    await fitted({ width: 900, height: 1200 }, { width: 1280, height: 720 }, 16 / 9);
    await fitted({ width: 1600, height: 900 }, { width: 900, height: 1200 }, 3 / 4);
  });

  it("the added area is the photo enlarged and blurred: dark where it is dark, light where it is light, with a soft edge", async () => {
    // Left half black, right half white, 1000 px square, made 9:16: the bars above and below are added.
    const half = await sharp({ create: { width: 1000, height: 1000, channels: 3, background: "#ffffff" } })
      .composite([{ input: { create: { width: 500, height: 1000, channels: 3, background: "#000000" } }, left: 0, top: 0 }])
      .jpeg()
      .toBuffer();
    const result = await fitPhoto(half, "9:16");
    const { data, info } = await sharp(result.data).raw().toBuffer({ resolveWithObject: true });
    const grey = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    const barRow = 100; // well above the photo, which starts at row 389
    expect(grey(50, barRow)).toBeLessThan(60);
    expect(grey(950, barRow)).toBeGreaterThan(195);
    // In the photo the edge is one step; in the bar it takes tens of pixels.
    const softWidth = (y: number) => Array.from({ length: info.width }, (_, x) => grey(x, y)).filter((v) => v > 40 && v < 215).length;
    expect(softWidth(889)).toBeLessThan(8);
    expect(softWidth(barRow)).toBeGreaterThan(40);
  });

  it("the corner check fails on a photo cropped to the shape instead of scaled into it", async () => {
    const cropped = await sharp(await makeCornerPhoto(1000, 1000)).resize(1000, 1778, { fit: "cover" }).jpeg().toBuffer();
    const seen = await readFittedCorners(cropped, { width: 1000, height: 1000 });
    expect(seen.corners.filter((colour, i) => sameColour(colour, CORNER_COLOURS[i]!))).toHaveLength(0);
  });

  it("a 12-megapixel photo comes out at most 1920 px long; a small one grows to MiniMax's shortest side", async () => {
    const large = await fitted({ width: 4000, height: 3000 }, "9:16", 9 / 16);
    expect([large.width, large.height]).toEqual([1080, 1920]);
    const small = await fitted({ width: 320, height: 320 }, "16:9", 16 / 9);
    expect(small.height).toBeGreaterThan(300);
    const original = await fitted({ width: 4000, height: 3000 }, "original", 4 / 3);
    expect([original.width, original.height]).toEqual([1920, 1440]);
  });

  it("turns a photo upright by its EXIF orientation, and keeps an extreme shape within 2:5", async () => {
    // Stored 1200×900 with orientation 6 (a quarter turn): upright it is 900×1200.
    const stored = await sharp(await makeCornerPhoto(1200, 900)).withMetadata({ orientation: 6 }).jpeg().toBuffer();
    const upright = await fitPhoto(stored, "original");
    expect([upright.width, upright.height]).toEqual([900, 1200]);
    const narrow = await fitPhoto(await makeCornerPhoto(600, 600), { width: 1, height: 10 });
    expect(narrow.width / narrow.height).toBeCloseTo(2 / 5, 2);
  });

  it("refuses what is not an image with UnreadableImageError", async () => {
    await expect(fitPhoto(Buffer.from("not an image at all"), "9:16")).rejects.toBeInstanceOf(UnreadableImageError);
    // Headers of a 1280×720 JPEG with random scan data: the size reads, the picture does not.
    await expect(fitPhoto(makeJpeg(1280, 720), "9:16")).rejects.toBeInstanceOf(UnreadableImageError);
  });
});
