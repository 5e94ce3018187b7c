/**
 * The source of every function and class declaration a cell made, kept while its variable
 * still holds what the declaration made: snapshots and checkpoints save functions and classes
 * as their definitions, and restores run them again.
 */
import type { Namespace } from './namespace.ts';

export class Definitions {
  private readonly byName = new Map<string, { source: string; value: unknown }>();

  constructor(private readonly namespace: Namespace) {}

  /** A cell (or a restore) declared these: their variables hold what the source makes. */
  record(definitions: Record<string, string>): void {
    for (const [name, source] of Object.entries(definitions)) {
      if (this.namespace.has(name)) this.byName.set(name, { source, value: this.namespace.get(name) });
    }
  }

  /** Definitions whose variable still holds the function or class they made. */
  live(): Record<string, string> {
    const live: Record<string, string> = {};
    for (const [name, { source, value }] of this.byName) {
      if (this.namespace.has(name) && this.namespace.get(name) === value) live[name] = source;
      else this.byName.delete(name);
    }
    return live;
  }

  delete(name: string): void {
    this.byName.delete(name);
  }

  clear(): void {
    this.byName.clear();
  }
}
