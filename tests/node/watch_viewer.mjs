// Opens the job viewer (web/, served by `tailrun dev`) on one job in headless Chromium and reports, on stdout,
// what the page shows as it changes: the real Firebase JS SDK listening through the stack's WebChannel front.
//
//   node watch_viewer.mjs CHROMIUM URL EXPECTATION ...
//
// An expectation is TEXT[:STATUS] (the job's output contains TEXT and, if given, its status reads STATUS) or
// #ID=TEXT (the element with that id contains TEXT). For each in turn, waits (up to 30 s) until it holds, then
// prints `SAW TEXT`. The page is loaded once: later expectations are met only by live updates. Exits 1 with what
// the page showed if an expectation is not met.
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
    const [selector, text, status] = expectation.startsWith('#')
      ? [expectation.slice(0, expectation.indexOf('=')), expectation.slice(expectation.indexOf('=') + 1), '']
      : ['#output', ...expectation.split(':')];
    try {
      await page.waitForFunction(
        ([where, want, state]) => document.querySelector(where)?.textContent.includes(want)
          && (!state || document.querySelector('#status')?.textContent === state),
        [selector, text, status], { timeout: 30000 });
    } catch (error) {
      const shown = await page.evaluate(() => document.body.innerText);
      console.log(`MISSED ${expectation}; the page shows: ${shown}`);
      process.exit(1);
    }
    console.log(`SAW ${text}`);
  }
} finally {
  await browser.close();
}
