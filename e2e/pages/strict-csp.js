// The app code of strict-csp.html (an external file: the page allows no inline script).
const out = document.getElementById('result');
try {
  const sdk = await import('../../dist/sandcell.js');
  window.sandcell = sdk;
  let withoutFrameURL;
  try {
    const session = await sdk.createSession();
    await session.close();
    withoutFrameURL = 'started';
  } catch (error) {
    withoutFrameURL = String(error?.message ?? error);
  }
  const session = await sdk.createSession({
    frameURL: new URL('../../dist/sandcell-frame.html', import.meta.url).href,
  });
  const result = await session.execute('const xs = [1, 2, 3];\nxs.map((x) => x * 2).join(",")');
  const origin = await session.execute('self.origin');
  out.textContent = JSON.stringify({
    status: result.status,
    repr: result.repr,
    origin: origin.value,
    isolated: session.crossOriginIsolated,
    // Debian's WebKitGTK has no SharedArrayBuffer at all: isolated there means the page has it.
    shared: typeof SharedArrayBuffer === 'function',
    withoutFrameURL,
  });
  await session.close();
} catch (error) {
  out.textContent = `error: ${error?.stack ?? String(error)}`;
}
document.body.dataset.done = '1';
