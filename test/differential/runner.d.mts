// Types for runner.mjs (plain JavaScript, since Node runs it without a build step).
import type { Browser } from 'playwright';
import type { Outcome } from './normalize.mjs';

export type Sequence = { id: string; cells: string[] };
export type Intended = { key: string; reason: string; sandcell: Record<string, Array<Partial<Outcome> | null>> };
export type IntendedIndex = Map<string, { key: string; cells: Array<Partial<Outcome> | null> }>;
export type SequenceResult = {
  id: string;
  category: string;
  cells: string[];
  verdict: 'agree' | 'intended' | 'differ';
  intended?: string;
  console: Outcome[];
  sandcell: Outcome[];
  differing: Array<{ cell: number; aspects: string[]; expected: Partial<Outcome> }>;
  ms?: { console: number; sandcell: number };
};
type Bucket = { total: number; agree: number; intended: number; differ: number; percent: number };

export function categoryOf(id: string): string;
export function indexIntended(intended: Intended[], knownIds: Set<string>): IntendedIndex;
export function compareSequence(
  sequence: Sequence,
  consoleSide: Outcome[],
  sandcellSide: Outcome[],
  intended: { key: string; cells: Array<Partial<Outcome> | null> } | undefined,
): SequenceResult;
export function runDifferential(options: {
  browser: Browser;
  pageUrl: string;
  sequences: Sequence[];
  intended: IntendedIndex;
  concurrency?: number;
  cellTimeoutMs?: number;
  onResult?: (result: SequenceResult) => void;
}): Promise<SequenceResult[]>;
export function summarize(results: SequenceResult[]): { overall: Bucket; byCategory: Record<string, Bucket> };
