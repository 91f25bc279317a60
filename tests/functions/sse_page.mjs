// Opens a page of the local stack in headless Chromium and waits (up to 60 s) until its EventSource saw `end`.
//
//   node sse_page.mjs CHROMIUM URL
//
// Prints `LINES <json list of the line texts the page received>` and `END <json of the end event>`; exits 1 with
// what the page showed when no `end` came. playwright-core comes from tests/node (`make node-deps`).
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(path.join(here, '..', 'node', 'node_modules', 'playwright-core', 'index.mjs')));
const [executablePath, url] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
});
try {
  const page = await (await browser.newContext()).newPage();
  page.on('console', (message) => console.error(`page: ${message.text()}`));
  await page.goto(url);
  try {
    await page.waitForFunction(() => window.sseEnd !== undefined, null, { timeout: 60000 });
  } catch (error) {
    console.log(`MISSED end; the page shows: ${await page.evaluate(() => document.body.innerText)}`);
    process.exit(1);
  }
  console.log(`LINES ${JSON.stringify(await page.evaluate(() => window.sseLines))}`);
  console.log(`END ${JSON.stringify(await page.evaluate(() => window.sseEnd))}`);
} finally {
  await browser.close();
}
