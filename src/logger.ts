import { pino, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export interface LogSink {
  write(line: string): void;
}

/** Values matched by shape, whatever field they appear in: image payloads, per-generation tokens, the studio's media links. */
const SCRUB_PATTERNS: Array<[RegExp, string]> = [
  [/data:image\/[a-z+.-]+;base64,[A-Za-z0-9+/=_-]*/gi, "data:image/…;base64,[omitted]"],
  [/([?&](?:token|t)=)[^&"\s\\]+/g, "$1[redacted]"],
  [/(\/(?:file\/)?bot)\d+:[\w-]+/g, "$1[redacted]"],
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Scrubs every serialized log line before it leaves the process, so a secret cannot leak through an
 * error message, a URL or a library's own log fields, whichever code path produced it.
 */
export function scrubbingSink(secrets: Array<string | undefined>, out: LogSink = process.stdout): LogSink {
  const literal = secrets.filter((s): s is string => !!s && s.length >= 6);
  const secretPattern = literal.length ? new RegExp(literal.map(escapeRegExp).join("|"), "g") : undefined;
  return {
    write(line: string) {
      let clean = secretPattern ? line.replace(secretPattern, "[redacted]") : line;
      for (const [pattern, replacement] of SCRUB_PATTERNS) clean = clean.replace(pattern, replacement);
      out.write(clean);
    },
  };
}

export function createLogger(opts: { level: LevelWithSilent; secrets: Array<string | undefined>; sink?: LogSink }): Logger {
  return pino(
    {
      level: opts.level,
      base: { pid: process.pid },
      redact: {
        paths: ["*.authorization", "*.Authorization", "*.headers.authorization", "*.first_frame_image", "*.callback_token"],
        censor: "[redacted]",
      },
    },
    scrubbingSink(opts.secrets, opts.sink),
  );
}
