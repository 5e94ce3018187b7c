// Loaded first by every e2e page: keeps the page's uncaught errors and unhandled rejections
// in window.__pageErrors, where the WebDriver runner (e2e/webdriver-page.mjs) reads them;
// classic WebDriver has no event for them (Playwright's page.on('pageerror') needs none of this).
window.__pageErrors = [];
window.addEventListener('error', (event) => {
  window.__pageErrors.push(String(event.error?.stack ?? event.message));
});
window.addEventListener('unhandledrejection', (event) => {
  window.__pageErrors.push(String(event.reason?.stack ?? event.reason));
});
