import { Transform, type Readable, type TransformCallback } from "node:stream";
import { request, type Dispatcher } from "undici";

/** A span of bytes, both ends included (as HTTP writes it). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * The one range of an HTTP Range header, against a file of `size` bytes: undefined to send the
 * whole file (no header, several ranges, or a size we do not know), "unsatisfiable" for a 416.
 */
export function parseRange(header: string | undefined, size: number | undefined): ByteRange | "unsatisfiable" | undefined {
  if (!header || size === undefined) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined; // several ranges, or another unit: the whole file is a valid answer
  const [, first, last] = match as unknown as [string, string, string];
  if (first === "" && last === "") return undefined;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (start >= size) return "unsatisfiable";
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (end < start) return undefined; // not a valid range: ignored, as RFC 9110 says
  return { start, end };
}

/** Passes on only the bytes of `range` from a stream that starts at byte 0, then ends. */
export class SliceStream extends Transform {
  private offset = 0;
  private ended = false;
  constructor(private readonly range: ByteRange) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
    if (this.ended) return done();
    const from = Math.max(0, this.range.start - this.offset);
    const to = Math.min(chunk.length, this.range.end + 1 - this.offset);
    this.offset += chunk.length;
    if (to > from) this.push(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
    // Everything wanted has passed: end here rather than read the rest of the file.
    if (this.offset > this.range.end) {
      this.ended = true;
      this.push(null);
    }
    done();
  }
}

export class RangedDownloadError extends Error {
  override name = "RangedDownloadError";
  constructor(
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/**
 * GETs `url` with a Range header, and gives back exactly the bytes of `range` (or the whole body
 * without one) as a stream: a server that answers 206 is streamed as it is, one that ignores the
 * header and answers 200 is cut to the range here. The URL may carry a secret (the bot token): it
 * never appears in an error.
 */
export async function requestRange(url: string, range: ByteRange | undefined, opts: { dispatcher?: Dispatcher; signal?: AbortSignal } = {}): Promise<Readable> {
  const res = await request(url, {
    method: "GET",
    headers: range ? { range: `bytes=${range.start}-${range.end}` } : {},
    ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  }).catch((err: { code?: string }) => {
    throw new RangedDownloadError(`download failed: ${err.code ?? "network error"}`);
  });
  if (range && res.statusCode === 206) return res.body;
  if (res.statusCode !== 200) {
    await res.body.dump().catch(() => undefined);
    throw new RangedDownloadError(`download answered HTTP ${res.statusCode}`, res.statusCode);
  }
  if (!range) return res.body;
  const slice = new SliceStream(range);
  res.body.on("error", (err) => slice.destroy(err));
  // Once the slice has ended, the rest of the upstream body is not wanted.
  slice.once("end", () => res.body.destroy());
  slice.once("close", () => res.body.destroy());
  return res.body.pipe(slice);
}
