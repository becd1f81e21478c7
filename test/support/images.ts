import { randomBytes } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

/**
 * A JPEG whose headers (JFIF, SOF0) state the given size, followed by random scan bytes: enough for
 * every header reader (ours, the fakes') and distinct bytes per call, so byte-for-byte checks mean something.
 */
export function makeJpeg(width: number, height: number, payloadBytes = 2048): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sof0 = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08,
    height >> 8, height & 0xff, width >> 8, width & 0xff,
    0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,
  ]);
  const sos = Buffer.from([0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11, 0x00, 0x3f, 0x00]);
  // Scan data may not hold a bare 0xFF; replace them so the stream stays well-formed.
  const scan = Buffer.from(randomBytes(payloadBytes).map((b) => (b === 0xff ? 0xfe : b)));
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof0, sos, scan, Buffer.from([0xff, 0xd9])]);
}

/** A real, decodable solid-colour PNG of the given size. */
export function makePng(width = 640, height = 480, rgb: [number, number, number] = [200, 120, 40]): Buffer {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  return encodePng(width, height, Array.from({ length: height }, () => row));
}

/**
 * A product shot, as far as a test can draw one: a rounded bottle of colour `rgb`, lit from the
 * left, on a pale studio backdrop. A real PNG, for pages that show the seller's photo (screenshots).
 */
export function makeProductPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const rows: Buffer[] = [];
  const cx = width / 2;
  const [top, bottom, halfWidth, radius] = [height * 0.22, height * 0.84, width * 0.2, width * 0.12];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      const backdrop = 246 - Math.round((18 * y) / height);
      let pixel: number[] = [backdrop, backdrop, backdrop + 3];
      const dx = Math.abs(x - cx);
      // A rounded rectangle: the body, with a neck above it.
      const inBody = y >= top && y <= bottom && dx <= halfWidth && (y >= top + radius || Math.hypot(Math.max(0, dx - (halfWidth - radius)), top + radius - y) <= radius);
      const inNeck = y >= top - height * 0.1 && y < top + 2 && dx <= halfWidth * 0.35;
      if (inBody || inNeck) {
        const light = 1.25 - (0.55 * (x - (cx - halfWidth))) / (2 * halfWidth);
        pixel = rgb.map((c) => Math.max(0, Math.min(255, Math.round(c * light))));
      } else if (y > bottom && y < bottom + height * 0.03 && dx <= halfWidth * 1.1) {
        pixel = pixel.map((c) => c - 40); // its shadow on the floor
      }
      row.set(pixel, 1 + x * 3);
    }
    rows.push(row);
  }
  return encodePng(width, height, rows);
}

function encodePng(width: number, height: number, rows: Buffer[]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body) >>> 0, body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const raw = Buffer.concat(rows);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Each corner of a corner photo, clockwise from the top left: colours no blur of grey comes near. */
export const CORNER_COLOURS = [
  [230, 20, 20],
  [20, 200, 40],
  [30, 40, 230],
  [240, 220, 20],
] as const satisfies ReadonlyArray<readonly [number, number, number]>;
const GREY = { r: 128, g: 128, b: 128 };

/**
 * A real, decodable JPEG: grey, with a coloured square in each corner (CORNER_COLOURS), each an
 * eighth of the short side. A photo cropped to another shape loses two of them.
 */
export async function makeCornerPhoto(width: number, height: number): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  const side = Math.round(Math.min(width, height) / 8);
  const at = [
    [0, 0],
    [width - side, 0],
    [width - side, height - side],
    [0, height - side],
  ];
  return sharp({ create: { width, height, channels: 3, background: GREY } })
    .composite(CORNER_COLOURS.map(([r, g, b], i) => ({ input: { create: { width: side, height: side, channels: 3 as const, background: { r, g, b } } }, left: at[i]![0]!, top: at[i]![1]! })))
    .jpeg({ quality: 95 })
    .toBuffer();
}

/**
 * What a fitted corner photo shows: its size, and the colour found just inside each corner of where
 * the whole photo must sit when scaled (not cropped) into that frame and centred.
 */
export async function readFittedCorners(image: Buffer, photo: { width: number; height: number }) {
  const { default: sharp } = await import("sharp");
  const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const scale = Math.min(info.width / photo.width, info.height / photo.height);
  const w = photo.width * scale;
  const h = photo.height * scale;
  const left = (info.width - w) / 2;
  const top = (info.height - h) / 2;
  // A sixteenth of the short side in from each corner: inside the coloured square, clear of its edges.
  const inset = Math.min(w, h) / 16;
  const points = [
    [left + inset, top + inset],
    [left + w - inset, top + inset],
    [left + w - inset, top + h - inset],
    [left + inset, top + h - inset],
  ];
  const colourAt = ([x, y]: number[]) => {
    const i = (Math.floor(y!) * info.width + Math.floor(x!)) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  };
  return { width: info.width, height: info.height, corners: points.map(colourAt) };
}

/** True when two colours differ by at most `tolerance` in every channel (JPEG moves them a little). */
export const sameColour = (a: readonly number[], b: readonly number[], tolerance = 30) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
