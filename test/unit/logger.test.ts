import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/logger.js";

describe("log scrubbing", () => {
  const token = "123456:ABCdefGHIjklMNOpqrSTUvwx";
  const apiKey = "sk-api-very-secret-key";
  const lines: string[] = [];
  const logger = createLogger({ level: "info", secrets: [token, apiKey], sink: { write: (l) => void lines.push(l) } });

  it("removes configured secrets, callback tokens and image data wherever they appear", () => {
    logger.info({ url: `https://api.telegram.org/file/bot${token}/photos/file_1.jpg` }, "download");
    logger.error({ err: `request to https://x/api/minimax_callback?generation=abc&token=SeCrEtToKeN123 failed` }, `key ${apiKey}`);
    logger.info({ body: { first_frame_image: "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ" } }, "payload data:image/png;base64,iVBORw0KGgo=");
    const all = lines.join("");
    for (const secret of [token, apiKey, "SeCrEtToKeN123", "/9j/4AAQSkZJRgABAQ", "iVBORw0KGgo"]) expect(all).not.toContain(secret);
    expect(all).toContain("generation=abc");
    expect(lines).toHaveLength(3);
  });

  it("removes the token of a studio media link (t=), whether first in the query or not", () => {
    const at = lines.length;
    logger.warn({ url: "/app/api/videos/abc2345/file?t=9501.1767225600.AbCdEfGhIjKlMnOpQrStUv&download=1" }, "slow media");
    logger.warn("GET /app/api/photos/abc2345?x=1&t=9501.1767225600.ZyXwVuTsRqPoNmLkJiHgFe done");
    const logged = lines.slice(at).join("");
    for (const secret of ["AbCdEfGhIjKlMnOpQrStUv", "ZyXwVuTsRqPoNmLkJiHgFe", "1767225600"]) expect(logged).not.toContain(secret);
    expect(logged).toContain("download=1");
    expect(logged).toContain("x=1");
  });
});
