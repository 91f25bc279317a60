// Visits job viewer pages in turn in one headless Chromium profile (so what the first page stored, the next ones
// see) and, on each, waits (up to 30 s) until the element with the given id contains the text.
//
//   node viewer_visits.mjs CHROMIUM URL#ID=TEXT ...   (the last '#' of each argument separates the URL)
//
// Prints `SAW TEXT` per visit, then `URL <address bar>` and `STORED <localStorage token or null>` of the last page.
// Exits 1 with what the page showed if an expectation is not met. playwright-core comes from tests/node.
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(path.join(here, '..', 'node', 'node_modules', 'playwright-core', 'index.mjs')));
const [executablePath, ...visits] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
});
try {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (message) => console.error(`page: ${message.text()}`));
  for (const visit of visits) {
    const split = visit.lastIndexOf('#');
    const [url, expectation] = [visit.slice(0, split), visit.slice(split + 1)];
    const [id, text] = [expectation.slice(0, expectation.indexOf('=')), expectation.slice(expectation.indexOf('=') + 1)];
    await page.goto(url);
    try {
      await page.waitForFunction(([where, want]) => document.getElementById(where)?.textContent.includes(want),
        [id, text], { timeout: 30000 });
    } catch (error) {
      console.log(`MISSED ${expectation}; the page shows: ${await page.evaluate(() => document.body.innerText)}`);
      process.exit(1);
    }
    console.log(`SAW ${text}`);
  }
  console.log(`URL ${page.url()}`);
  console.log(`STORED ${await page.evaluate(() => localStorage.getItem('tailrun.devToken'))}`);
} finally {
  await browser.close();
}
