import { createSession } from 'sandcell';

const out = document.querySelector('#result');

async function main() {
  const session = await createSession();
  const result = await session.execute('const xs = [1, 2, 3];\nxs.map((x) => x * 2)');
  out.textContent = JSON.stringify({ status: result.status, repr: result.repr });
  await session.close();
}

main()
  // The message first: only V8's error.stack starts with it.
  .catch((error) => (out.textContent = `error: ${error}\n${error?.stack ?? ''}`))
  .finally(() => (document.body.dataset.done = '1'));
