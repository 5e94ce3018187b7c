/**
 * A worker started from a `blob:` URL inside an opaque-origin frame is not a secure context
 * (seen in Chromium 156: `isSecureContext` false), so the browser leaves out the APIs it
 * reserves for secure contexts. `crypto.randomUUID` is the one cells commonly use and the
 * one that needs nothing secure: it is given back here, built on `crypto.getRandomValues`.
 * The rest stays out (`crypto.subtle`, …): the README says so, and `unrestricted` sessions,
 * which run on the page's own origin, have them.
 */

/** Defines `crypto.randomUUID` (RFC 9562 version 4) where the browser left it out. */
export function fillSecureContextGaps(scope: typeof globalThis): void {
  const crypto = scope.crypto as Crypto | undefined;
  if (!crypto || typeof crypto.randomUUID === 'function') return;
  const getRandomValues = crypto.getRandomValues.bind(crypto);
  const hex = (byte: number) => (byte + 0x100).toString(16).slice(1);
  function randomUUID(): `${string}-${string}-${string}-${string}-${string}` {
    const b = getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, hex);
    return `${h[0]}${h[1]}${h[2]}${h[3]}-${h[4]}${h[5]}-${h[6]}${h[7]}-${h[8]}${h[9]}-${h[10]}${h[11]}${h[12]}${h[13]}${h[14]}${h[15]}`;
  }
  const holder = Object.getPrototypeOf(crypto) ?? crypto;
  Object.defineProperty(holder, 'randomUUID', {
    value: randomUUID,
    writable: true,
    configurable: true,
    enumerable: true,
  });
}
