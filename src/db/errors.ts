/** E11000: a unique index refused the write (another insert or upsert of the same key won). */
export const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/**
 * An upsert tried once more when it lost the race to create its document (E11000: two first
 * messages of a new user at once). The document exists by then, so the second try updates it.
 * MongoDB retries such an upsert by itself; FerretDB does not.
 */
export async function upsertOnce<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return write();
  }
}

/** Driver errors that mean "the database could not be reached", not "the request was wrong". */
const UNAVAILABLE_NAMES = new Set([
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoServerSelectionError",
  "MongooseServerSelectionError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoPoolClearedError",
  "MongoServerClosedError",
  "MongoWaitQueueTimeoutError",
  "DatabaseUnavailableError",
]);

/** Server answers during a failover or shutdown: the same command succeeds on the next primary. */
const UNAVAILABLE_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * Socket errors the driver sometimes lets through unwrapped, when the server closes the socket
 * while a command is being written. Our other network clients (grammY, undici for MiniMax) wrap
 * theirs in their own error types, so a bare one reaching us comes from the database.
 */
const RAW_SOCKET_CODES = new Set(["EPIPE", "ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END"]);

function isMongoUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { name, code, message } = e as { name?: string; code?: unknown; message?: string };
    if (name && UNAVAILABLE_NAMES.has(name)) return true;
    if (typeof code === "number" && name?.startsWith("Mongo") && UNAVAILABLE_CODES.has(code)) return true;
    // Mongoose's own wording when a model is used on a closed connection.
    if (name === "MongooseError" && /Connection was force closed|Client must be connected/.test(message ?? "")) return true;
    if (!name?.startsWith("Mongo")) return false;
    // The driver marks an error that broke a connection so its pool is cleared.
    if ((e as { errorLabelSet?: Set<string> }).errorLabelSet?.has("ResetPool")) return true;
    // An ordered insertMany cut off reports the network error as a bulk error with no write errors.
    const bulk = e as { writeErrors?: unknown[]; errorResponse?: unknown };
    e = (e as { cause?: unknown }).cause ?? (name === "MongoBulkWriteError" && !bulk.writeErrors?.length ? bulk.errorResponse : undefined);
  }
  return false;
}

/**
 * True when `err` says MongoDB was unavailable (grammY's BotError is looked into). Such a failure
 * is worth retrying once the database is back; any other failure would fail again.
 */
export function isStorageUnavailable(err: unknown): boolean {
  const e = err && typeof err === "object" && (err as { name?: string }).name === "BotError" ? (err as { error?: unknown }).error : err;
  if (isMongoUnavailable(e)) return true;
  const code = e && typeof e === "object" ? (e as { code?: unknown }).code : undefined;
  return e instanceof Error && typeof code === "string" && RAW_SOCKET_CODES.has(code);
}

/**
 * FerretDB on SQLite, when writers pile up on its one write lock: the same write lands a moment
 * later. The worker retries such a write and hands a failed step's lease back at once; an update
 * from Telegram is not refused for it (a 503 would only bring Telegram back into the same crowd).
 */
export function isWriteLockBusy(err: unknown): boolean {
  const { name, message } = (err ?? {}) as { name?: string; message?: string };
  return name === "MongoServerError" && /\(SQLITE_BUSY\)/.test(message ?? "");
}
