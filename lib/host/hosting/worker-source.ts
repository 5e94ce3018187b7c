/**
 * The worker's code as text. Sessions start their worker from a blob: URL (in their frame, or
 * on the page for `unrestricted`), so the page needs the code itself, not a file URL: it is a
 * module of its own (see scripts/worker-source-plugin.mjs), loaded once, when the first
 * session starts — an app that never opens a session never downloads it.
 */
let source: Promise<string> | undefined;

/** The JavaScript worker bundle (one classic script), loaded on first use. */
export function javascriptWorkerSource(): Promise<string> {
  source ??= import('virtual:sandcell-worker-source').then(
    (module) => module.default,
    (error: unknown) => {
      source = undefined;
      throw error;
    },
  );
  return source;
}
