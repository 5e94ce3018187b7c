// What an app written in TypeScript does with the published declarations. Type-checked (not
// run) by `npm run test:e2e` against dist/ with `skipLibCheck: false` and an ES2022 lib, so a
// declaration that breaks an app's build fails here. Resolved by package name, as an app would.
import {
  createSession,
  type ExecutionResult,
  listSnapshots,
  type OutputEvent,
  PolicyError,
  renderDisplay,
  SandcellError,
  type Session,
  SessionManager,
  type SnapshotInfo,
} from 'sandcell';

export async function tour(target: Element): Promise<void> {
  const session: Session = await createSession({
    id: 'types',
    policy: { network: false, storage: false, workers: false },
    timeoutMs: 1000,
    onOutput: (event: OutputEvent) => {
      if (event.type === 'display') renderDisplay(target, event.data);
    },
    capabilities: { lookup: async (word: string) => word.length },
  });
  const result: ExecutionResult = await session.execute('1 + 1', { timeoutMs: 50 });
  const mode: 'expression' | 'sync' | 'top-level-await' | 'async-def' | 'blocking' | 'syntax-error' = result.mode;
  // Events are typed by SessionEventMap: no casts.
  session.addEventListener('snapshot', (event) => {
    const info: SnapshotInfo = event.detail;
    void info.saved.length;
  });
  session.addEventListener('restart', (event) => void event.detail.reason.toUpperCase());
  session.addEventListener('persist-error', (event) => void event.detail.cause);
  session.addEventListener('state', (event) => void event.detail.toUpperCase());
  const vars = await session.namespace.list();
  await session.namespace.set({ x: vars.length }, { strategy: 'smart' });
  const saved: SnapshotInfo[] = await listSnapshots('types');
  const manager = new SessionManager({ poolSize: 1, defaults: { policy: 'standard' } });
  await manager.whenPoolReady();
  const pooled = await manager.create();
  await manager.closeAll();
  void [mode, saved, pooled.id, new PolicyError('x') instanceof SandcellError];
  await session[Symbol.asyncDispose]();
}
