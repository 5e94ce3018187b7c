// Types for normalize.mjs (plain JavaScript, since Node runs it without a build step).
export type Outcome =
  | { status: 'ok'; value: string; detail?: string }
  | { status: 'error'; name: string; message?: string; line?: number; column?: number; detail?: string }
  | { status: 'rejected' | 'timeout' | 'interrupted'; message: string; detail?: string };

export type Intrinsics = Record<string, unknown>;
export function captureIntrinsics(): Intrinsics;
export function makeRenderers(
  intrinsics: Intrinsics,
  globalObject: unknown,
): {
  clone(value: unknown, topName?: string): string;
  live(value: unknown): string;
  thrown(value: unknown): { name: string; message?: string };
};
export function renderClone(value: unknown, topName?: string): string;
export function constructorFromRepr(repr: string): string;
export function renderSandcellValue(result: { value?: unknown; repr?: string }, hasValue: boolean): string;
export function thrownKind(message: string): string;
export function normalizeSandcellError(error: {
  name: string;
  message: string;
  line?: number;
  column?: number;
}): Outcome;
export function renderRemotePrimitive(remote: {
  type: string;
  subtype?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
}): string;
export function consolePosition(
  details: {
    lineNumber: number;
    columnNumber: number;
    stackTrace?: { callFrames: Array<{ lineNumber: number; columnNumber: number }> };
  },
  name: string,
): { line?: number; column?: number };
export function hasComparablePosition(error: { name?: string; message?: string }): boolean;
export function differences(expected: Partial<Outcome>, actual: Partial<Outcome>): string[];
export function consoleExpression(code: string): string;
