// Opens the job viewer (web/, served by `tailrun dev`) on one job in headless Chromium and reports, on stdout,
// what the page shows as it changes: the real Firebase JS SDK listening through the stack's WebChannel front.
//
//   node watch_viewer.mjs CHROMIUM URL TEXT[:STATUS] ...
//
// For each expectation in turn, waits (up to 30 s) until the page's output contains TEXT (and, if given, the
// status reads STATUS), then prints `SAW TEXT`. The page is loaded once: later expectations are met only by
// live updates. Exits 1 with what the page showed if an expectation is not met.
import { chromium } from 'playwright-core';

const [executablePath, url, ...expectations] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.on('console', (message) => console.error(`page: ${message.text()}`));
  await page.goto(url);
  for (const expectation of expectations) {
    const [text, status] = expectation.split(':');
    try {
      await page.waitForFunction(
        ([want, state]) => document.querySelector('#output')?.textContent.includes(want)
          && (!state || document.querySelector('#status')?.textContent === state),
        [text, status], { timeout: 30000 });
    } catch (error) {
      const shown = await page.evaluate(() => `${document.querySelector('#status')?.textContent}\n`
        + `${document.querySelector('#output')?.textContent}`);
      console.log(`MISSED ${expectation}; the page shows: ${shown}`);
      process.exit(1);
    }
    console.log(`SAW ${text}`);
  }
} finally {
  await browser.close();
}
