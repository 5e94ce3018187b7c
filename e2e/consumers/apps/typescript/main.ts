import { createSession, type ExecutionResult, SandcellError, type SessionOptions } from 'sandcell';

const options: SessionOptions = { timeoutMs: 1000, policy: 'sandbox' };
// @ts-expect-error: a misspelled option is a type error (the types are real, not `any`)
const misspelled: SessionOptions = { timeout: 1000 };

async function main(): Promise<string | undefined> {
  const session = await createSession(options);
  const result: ExecutionResult = await session.execute('1 + 1');
  session.addEventListener('state', () => {});
  await session.close();
  return result.repr;
}

main().catch((error: unknown) => {
  if (error instanceof SandcellError) console.error(error.message, misspelled);
});
