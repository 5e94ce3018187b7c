export function chromiumExecutable(): string | undefined;
export const ISOLATION_HEADERS: Readonly<Record<'Cross-Origin-Opener-Policy' | 'Cross-Origin-Embedder-Policy', string>>;
export const PAGE_DEPS: readonly string[];
export function pythonRuntime(options?: {
  prefix?: string;
  preferBuilt?: boolean;
  emit?: string;
}): import('vite').Plugin;
