/**
 * The page's copy of the namespace checkpoint, brought up to date by each checkpoint the
 * worker sends after a cell. Pure: the page keeps the groups, the worker decides them.
 */
import type { Checkpoint, CheckpointGroup } from '../protocol.ts';

/**
 * Applies one checkpoint to the groups held so far.
 * @param held the groups from earlier checkpoints.
 * @param checkpoint a full checkpoint replaces everything; otherwise its groups replace every
 *   held group that shares a name with one of them or holds a removed name (a group is only
 *   ever replaced whole: its members may share objects).
 * @returns the new list of groups (`held` is not modified).
 */
export function applyCheckpoint(held: readonly CheckpointGroup[], checkpoint: Checkpoint): CheckpointGroup[] {
  if (checkpoint.full) return [...checkpoint.groups];
  const replaced = new Set<string>(checkpoint.removed);
  for (const group of checkpoint.groups) for (const name of group.names) replaced.add(name);
  return held.filter((group) => !group.names.some((name) => replaced.has(name))).concat(checkpoint.groups);
}
