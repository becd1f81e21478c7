import { describe, expect, it } from "vitest";
import { secretsEqual } from "../../src/secrets.js";

describe("secretsEqual", () => {
  it("accepts only the exact secret, whatever the lengths", () => {
    expect(secretsEqual("s3cret-token", "s3cret-token")).toBe(true);
    expect(secretsEqual("s3cret-toke", "s3cret-token")).toBe(false);
    expect(secretsEqual("s3cret-token-and-more", "s3cret-token")).toBe(false);
    expect(secretsEqual("", "s3cret-token")).toBe(false);
    expect(secretsEqual("S3cret-token", "s3cret-token")).toBe(false);
  });
});
