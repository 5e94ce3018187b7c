/**
 * `display(value)` renders a value as a MIME bundle; `display(bundle, { raw: true })` sends
 * a bundle the cell built itself (text/plain, text/html, image/svg+xml, image/png as
 * base64, application/json). Bundles are checked here so the host gets only plain data.
 */

import { describeKind } from '../../namespace/describe-value.ts';
import { engineGuard } from '../lockdown/intrinsics.ts';
import { repr } from './repr.ts';

export interface DisplaySink {
  display(data: Record<string, unknown>): void;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const KNOWN_TYPES = new Set([
  'text/plain',
  'text/html',
  'image/svg+xml',
  'image/png',
  'image/jpeg',
  'application/json',
  'text/markdown',
]);

function checkBundle(bundle: unknown): Record<string, unknown> {
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) {
    throw new TypeError(
      `[sandcell] display(bundle, { raw: true }) needs an object of MIME type → data, e.g. { "text/html": "<b>hi</b>" }, got ${repr(bundle).slice(0, 100)}`,
    );
  }
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(bundle)) {
    if (!/^[a-z]+\/[-+.\w]+$/i.test(key))
      throw new TypeError(`[sandcell] display: ${JSON.stringify(key)} is not a MIME type (like "text/html")`);
    const value = (bundle as Record<string, unknown>)[key];
    if (key === 'application/json') {
      data[key] = JSON.parse(JSON.stringify(value ?? null));
    } else if (typeof value !== 'string') {
      throw new TypeError(`[sandcell] display: the ${key} entry must be a string, got ${describeKind(value)}`);
    } else if ((key === 'image/png' || key === 'image/jpeg') && !BASE64.test(value.replace(/\s+/g, ''))) {
      throw new TypeError(
        `[sandcell] display: the ${key} entry must be base64 (no data: prefix), got ${JSON.stringify(value.slice(0, 40))}`,
      );
    } else {
      data[key] = value;
    }
  }
  if (Object.keys(data).length === 0)
    throw new TypeError(
      '[sandcell] display: the bundle is empty; give at least one MIME type, e.g. { "text/plain": "hi" }',
    );
  if (!Object.keys(data).some((key) => KNOWN_TYPES.has(key)) || !('text/plain' in data)) {
    data['text/plain'] ??= repr(bundle);
  }
  return data;
}

export function createDisplay(sink: DisplaySink): (value: unknown, options?: { raw?: boolean }) => void {
  return engineGuard().wrapEngine(function display(value: unknown, options?: { raw?: boolean }): void {
    if (options?.raw) {
      sink.display(checkBundle(value));
      return;
    }
    const data: Record<string, unknown> = { 'text/plain': repr(value) };
    if (value !== null && typeof value === 'object') {
      try {
        const json = JSON.stringify(value);
        if (json !== undefined && json.length < 1_000_000) data['application/json'] = JSON.parse(json);
      } catch {
        // Not JSON-shaped (cycles, BigInt): text/plain alone.
      }
    }
    sink.display(data);
  });
}
