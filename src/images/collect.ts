/**
 * A burst of photos sent to MiniMax leaves tens of MB of garbage once its creates are answered: the
 * downloads, the fitted JPEGs, the data URLs and the request bodies, mostly Buffers outside V8's
 * heap. V8 frees them at its next full collection, which an idle process may not run for minutes
 * (bench/fit.ts: up to 50 MB of RSS still held 30 s after ten photos). When node runs with
 * --expose-gc (`npm start` and the Docker image do), one full collection is asked for once no photo
 * has been sent for a few seconds: under steady traffic V8 collects on its own. Without the flag
 * (tests, `npm run dev`) this does nothing.
 */
const QUIET_MS = 5_000;
let timer: NodeJS.Timeout | undefined;

/** A request carrying photos to MiniMax has ended, whatever its outcome: what it held is garbage now. */
export function photosSent() {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) return;
  clearTimeout(timer);
  // Twice: what the first collection finds dead is partly released through finalizers, which the second one runs out.
  timer = setTimeout(() => (collect(), collect()), QUIET_MS).unref();
}
