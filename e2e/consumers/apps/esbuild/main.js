import { createSession } from 'sandcell';

const out = document.querySelector('#result');

async function main() {
  const session = await createSession();
  const result = await session.execute('const xs = [1, 2, 3];\nxs.map((x) => x * 2)');
  out.textContent = JSON.stringify({ status: result.status, repr: result.repr });
  await session.close();
}

main()
  .catch((error) => (out.textContent = `error: ${error?.stack ?? error}`))
  .finally(() => (document.body.dataset.done = '1'));
