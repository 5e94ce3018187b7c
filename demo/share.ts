/**
 * Share links: the cells of a session in the URL's hash (`#cells=` + base64url of their JSON,
 * UTF-8, then `&language=python` for a Python tab's), so a link opens the playground with
 * those cells ready to run one by one, in a tab of their language. Nothing is run until the
 * reader presses Run.
 */

const PREFIX = '#cells=';
const PYTHON_SUFFIX = '&language=python';

function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The page's address with `cells` (of a `language` session) in its hash. */
export function shareURL(
  cells: readonly string[],
  base = location.href,
  language: 'javascript' | 'python' = 'javascript',
): string {
  const url = new URL(base);
  url.hash =
    PREFIX.slice(1) +
    toBase64Url(new TextEncoder().encode(JSON.stringify(cells))) +
    (language === 'python' ? PYTHON_SUFFIX : '');
  return url.href;
}

/** The language of a share link's cells. */
export function languageFromHash(hash: string): 'javascript' | 'python' {
  return hash.startsWith(PREFIX) && hash.endsWith(PYTHON_SUFFIX) ? 'python' : 'javascript';
}

/**
 * The cells in `hash`: null when it holds none; throws an error saying what is wrong when
 * it holds something that is not a list of cells.
 */
export function cellsFromHash(hash: string): string[] | null {
  if (!hash.startsWith(PREFIX)) return null;
  const encoded = hash.slice(PREFIX.length, hash.endsWith(PYTHON_SUFFIX) ? -PYTHON_SUFFIX.length : undefined);
  let cells: unknown;
  try {
    cells = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(fromBase64Url(encoded)));
  } catch {
    throw new Error('[sandcell] the link\'s "#cells=" part is damaged (not base64url of JSON); ask for the link again');
  }
  if (!Array.isArray(cells) || !cells.every((cell) => typeof cell === 'string')) {
    throw new Error('[sandcell] the link\'s "#cells=" part is not a list of cells (strings of code)');
  }
  return cells;
}

/** Copies `text`; resolves false when the page may not write the clipboard. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
