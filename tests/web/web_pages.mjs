// Drives the web app (web/, served by `tailrun dev`) in headless Chromium through one scenario and reports on
// stdout what it saw: `OK <what>` per check. The page runs the real Firebase JS SDK against the stack.
//
//   node web_pages.mjs SCENARIO ARGS_JSON
//
// Environment: TAILRUN_CHROMIUM (the browser), TAILRUN_WEB_SHOTS (a folder: a screenshot of the page when a
// scenario fails, `SCENARIO.png`). ARGS_JSON holds `base` (the stack's URL), `token` and the scenario's ids.
// Every wait polls the page with a deadline (no sleeps). Exits 1 with the page's text when a check fails.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(path.join(here, '..', 'node', 'node_modules', 'playwright-core', 'index.mjs')));
const [scenario, argsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const TIMEOUT = 30000;

const browser = await chromium.launch({
  executablePath: process.env.TAILRUN_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({ viewport: args.viewport || { width: 1200, height: 900 }, acceptDownloads: true });
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: args.base });
const page = await context.newPage();
page.on('console', (message) => console.error(`page: ${message.text()}`));
page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
page.on('dialog', (dialog) => { console.error(`unexpected dialog: ${dialog.message()}`); dialog.dismiss(); });

const ok = (what) => console.log(`OK ${what}`);
const open = (query) => page.goto(`${args.base}/web/${query}#token=${args.token}`);
/** Waits until `fn(arg)` is truthy in the page. */
const until = (what, fn, arg) => page.waitForFunction(fn, arg, { timeout: TIMEOUT }).then(() => ok(what), (error) => {
  throw new Error(`${what}: ${error.message.split('\n')[0]}`);
});
const textOf = (selector) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
const has = (what, selector, text) => until(what, ([s, t]) => [...document.querySelectorAll(s)].some((e) => e.textContent.includes(t)), [selector, text]);
const status = (what, want) => until(what, (w) => document.getElementById('status').textContent === w, want);
const click = async (selector) => { await page.locator(selector).first().click(); };

const scenarios = {
  /** The log viewer on a finished job: colours, links, groups, annotations, search, permalinks, toggles, copy, download. */
  async log() {
    await open(`?job=${args.job}`);
    await status('the status badge', 'succeeded');
    await has('the last line', '#output .l', 'line 299');
    await until('the DOM holds only what is on screen', () => document.querySelectorAll('#output .l').length < 120);
    await page.locator('#output').evaluate((e) => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); });
    await has('the first line', '#output .l', 'red and');
    await until('a 16-colour run', () => [...document.querySelectorAll('#output .l span[style]')].some((s) => s.textContent === 'red' && s.style.color === 'rgb(205, 49, 49)'));
    await until('a 256-colour run', () => [...document.querySelectorAll('#output .l span[style]')].some((s) => s.textContent === 'green256' && s.style.color === 'rgb(95, 255, 0)'));
    await until('a truecolor run', () => [...document.querySelectorAll('#output .l span[style]')].some((s) => s.textContent === 'true' && s.style.color === 'rgb(10, 20, 250)'));
    await until('a colour not reset carries on to the next line', () => [...document.querySelectorAll('#output .l span[style]')].some((s) => s.textContent === 'carried yellow' && s.style.color === 'rgb(229, 229, 16)' && s.style.fontWeight === 'bold'));
    await until('and a reset ends it', () => [...document.querySelectorAll('#output .l .x')].some((x) => x.textContent === 'after reset' && !x.querySelector('span[style]')));
    await until('a URL as a link', () => !!document.querySelector('#output a[href="https://example.com/x"]'));
    await until('an OSC 8 link', () => [...document.querySelectorAll('#output a')].some((a) => a.textContent === 'docs' && a.href === 'https://example.org/docs'));
    await until('no escape shown', () => !document.getElementById('output').textContent.includes('\x1b') && !document.getElementById('output').textContent.includes('[31m'));
    await has('a folded group', '#output .l.group', 'Setup');
    await until('its lines hidden', () => !document.getElementById('output').textContent.includes('setup line 3'));
    await click('#output .l.group');
    await has('the group opened by a click', '#output .l', 'setup line 3');
    await page.locator('#output').evaluate((e) => { e.scrollTop = 240; e.dispatchEvent(new Event('scroll')); });
    await has('an error annotation', '#output .l.annotation.error', 'something broke');
    await page.fill('#search', 'line 250');
    await has('search counts', '#search-count', '1 of 1');
    await has('search scrolled to its match', '#output .l.current', 'line 250');
    await until('the match highlighted', () => [...document.querySelectorAll('#output mark')].some((m) => m.textContent === 'line 250'));
    await page.fill('#search', 'line 1');
    await page.press('#search', 'Enter');
    await until('search counts many', () => /^1 of \d{2,}$/.test(document.getElementById('search-count').textContent));
    await click('#search-next');
    await has('next goes to the second', '#search-count', '2 of');
    await click('#search-prev');
    await click('#search-prev');
    await until('previous wraps to the last', () => /^(\d+) of \1$/.test(document.getElementById('search-count').textContent));
    await page.fill('#search', '');
    await page.press('#search', 'Escape');
    await click('#timestamps');
    await until('timestamps shown', () => /\d\d:\d\d:\d\d\.\d{3}/.test(document.querySelector('#output .l .ts')?.textContent || ''));
    await click('#wrap');
    await until('wrap on', () => !!document.querySelector('#output .l.wrap'));
    await click('#copy');
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    if (!copied.includes('line 299') || copied.includes('\x1b')) throw new Error(`copy: ${copied.slice(0, 200)}`);
    ok('copy puts the plain log on the clipboard');
    const [download] = await Promise.all([page.waitForEvent('download'), click('#download')]);
    const raw = fs.readFileSync(await download.path(), 'utf8');
    if (!raw.includes('\x1b[31mred') || !raw.includes('line 299\n')) throw new Error(`download: ${raw.slice(0, 200)}`);
    ok(`download of the raw log (${download.suggestedFilename()})`);
    // a permalink: the line is in view and marked, on a fresh load
    await page.goto(`${args.base}/web/?job=${args.job}#L120`);
    await until('a permalink marks its line', () => document.querySelector('#output .l.target')?.dataset.line === '119');
    await page.locator('#output .l[data-line="129"] a.n').click();
    await until('clicking a line number makes its permalink', () => location.hash === '#L130' && document.querySelector('#output .l.target')?.dataset.line === '129');
  },

  /** A running job: lines live, follow pauses on scroll-up and resumes at the bottom; cancel, then retry. */
  async live() {
    await open(`?job=${args.job}`);
    await status('running', 'running');
    await has('lines while it runs', '#output .l', 'tick 59');
    await until('following', () => document.getElementById('follow').getAttribute('aria-pressed') === 'true');
    await page.locator('#output').evaluate((e) => { e.scrollTop = 0; e.dispatchEvent(new Event('scroll')); });
    await until('scrolling up pauses follow', () => document.getElementById('follow').getAttribute('aria-pressed') === 'false');
    fs.writeFileSync(args.release, '');
    await until('new lines do not move the view while paused', () => document.getElementById('output').scrollTop === 0 && window.tailrunLog.highest >= 79);
    await page.locator('#output').evaluate((e) => { e.scrollTop = e.scrollHeight; e.dispatchEvent(new Event('scroll')); });
    await until('follow resumes at the bottom', () => document.getElementById('follow').getAttribute('aria-pressed') === 'true');
    await has('the newest lines in view', '#output .l', 'more 19');
    await click('#job-actions button:has-text("Cancel")');
    await status('cancel works', 'canceled');
    await click('#job-actions button:has-text("Retry")');
    await until('retry links the new job', () => !!document.getElementById('retry-link'));
    await click('#retry-link');
    await until('the new job page', () => new URLSearchParams(location.search).get('job') !== null && document.getElementById('related').textContent.includes('retry of'));
  },

  /** Every attempt's output, the latest by default. */
  async attempts() {
    await open(`?job=${args.job}`);
    await status('succeeded on the second attempt', 'succeeded');
    await has('two attempt tabs', '#attempts', 'attempt 2');
    await has('the latest attempt shown', '#output', 'second try');
    await click('#attempts button:has-text("attempt 1")');
    await has('the first attempt', '#output', 'first try');
    await until('its permalinks name it', () => document.querySelector('#output a.n')?.getAttribute('href').includes('attempt=1'));
  },

  /** The jobs table: live, filtered by status and label, paged. */
  async jobs() {
    await open('?size=2');
    await until('a page of two jobs', () => document.querySelectorAll('#job-rows tr').length === 2);
    await click('#next-page');
    await until('the next page', () => document.getElementById('page-number').textContent === 'page 2' && document.querySelectorAll('#job-rows tr').length >= 1);
    await click('#prev-page');
    await has('back to the first', '#page-number', 'page 1');
    await page.goto(`${args.base}/web/?label=${encodeURIComponent(args.label)}`);
    await until('the label filter', () => document.querySelectorAll('#job-rows tr').length === 3 && [...document.querySelectorAll('#job-rows .label')].every((l) => l.textContent !== '') );
    await page.goto(`${args.base}/web/?label=${encodeURIComponent(args.label)}&status=failed`);
    await until('status and label', () => document.querySelectorAll('#job-rows tr').length === 1 && document.querySelector('#job-rows .badge').textContent === 'failed');
    await page.goto(`${args.base}/web/`);
    await until('a running job shows live', (m) => [...document.querySelectorAll('#job-rows tr')].some((r) => r.textContent.includes(m) && r.querySelector('.badge').textContent === 'running'), args.marker);
    fs.writeFileSync(args.release, '');
    await until('and ends live', (m) => [...document.querySelectorAll('#job-rows tr')].some((r) => r.textContent.includes(m) && r.querySelector('.badge').textContent === 'succeeded'), args.marker);
    await has('the connection indicator', '#connection', 'Live');
  },

  /** The batch view: counts, cards, table; pause, resume, concurrency, stop, retry, export. */
  async batch() {
    await open(`?batch=${args.batch}`);
    await status('running', 'running');
    await until('the failed row in the table', () => document.querySelector('#result-rows .result[data-row="0"] .badge')?.textContent === 'failed');
    await until('a card for the running row', () => document.querySelectorAll('#cards .card').length === 1);
    await has('the card shows its step', '#cards .card', 'working on row1');
    await until('a row per input', () => document.getElementById('rows-shown').textContent === '4 of 4 rows');
    await has('the counts', '[data-stat="failed"]', '1');
    await click('#pause');
    await status('pause', 'paused');
    await click('#resume');
    await status('resume', 'running');
    await page.fill('#concurrency', '2');
    await click('#concurrency-form button');
    await until('concurrency', () => document.querySelector('[data-stat="concurrency"] b')?.textContent === '2');
    await until('two cards', () => document.querySelectorAll('#cards .card').length === 2);
    await click('#retry-failed');
    await until('retry failed rows', () => document.querySelector('#result-rows .result[data-row="0"] .badge')?.textContent === 'queued');
    await page.selectOption('#row-filter', 'running');
    await has('the filter', '#rows-shown', '2 of 4 rows');
    await page.selectOption('#row-filter', '');
    await page.locator('#results-head [data-sort="row"]').click();
    await until('sort descending', () => document.querySelector('#result-rows .result')?.dataset.row === '3');
    await page.fill('#stop-reason', 'enough for today');
    await click('#stop-form button');
    await until('stopped with its reason', () => ['stopping', 'stopped'].includes(document.getElementById('status').textContent) && document.getElementById('batch-reason').textContent.includes('enough for today'));
    await status('stopped', 'stopped');
    await has('the notice', '#batch-done', 'stopped');
    const [download] = await Promise.all([page.waitForEvent('download'), click('#export-csv')]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    if (!csv.includes('canceled') || !csv.includes('row3')) throw new Error(`export: ${csv.slice(0, 300)}`);
    ok('export');
  },

  /** A batch of more rows than the table's first page: its later pages land too, in row order. */
  async batch_pages() {
    await open(`?batch=${args.batch}`);
    await until('the first page of rows', () => document.querySelector('#result-rows .result[data-row="0"]'));
    await until('every row, from every page', (n) => document.getElementById('rows-shown').textContent === `${n} of ${n} rows`, args.rows);
    await page.locator('#results-head [data-sort="row"]').click();
    await until('the last row sorts first', (n) => document.querySelector('#result-rows .result')?.dataset.row === String(n - 1), args.rows);
    const numbers = await page.evaluate(() => [...document.querySelectorAll('#result-rows .result')].map((r) => Number(r.dataset.row)));
    if (numbers.some((n, i) => i > 0 && n !== numbers[i - 1] - 1)) throw new Error(`rows out of order or repeated: ${numbers}`);
    ok('rows in order');
  },

  /** A batch that completes while the page is open says so; several tabs stay in step. */
  async completes() {
    await open(`?batch=${args.batch}`);
    const second = await context.newPage();
    await second.goto(`${args.base}/web/?batch=${args.batch}`);
    await status('running', 'running');
    fs.writeFileSync(args.release, '');
    await has('the completion notice', '#batch-done', 'completed: 3 succeeded');
    await second.waitForFunction(() => document.getElementById('batch-done').textContent.includes('completed: 3 succeeded'), null, { timeout: TIMEOUT });
    ok('the other tab too');
    await has('success rate', '[data-stat="success rate"]', '100%');
  },

  /** Artifacts: previews of CSV, markdown (without its HTML), text and an image, fetched from the storage emulator as
   * from a bucket (CORS); approve and reject with notes in the page. */
  async artifacts() {
    await open(`?job=${args.job}`);
    await has('the artifacts', '#artifact-rows', args.csv);
    const row = (name) => `#artifact-rows tr[data-id]:has(td:text-is("${name}"))`;
    await page.locator(`${row(args.csv)} button:has-text("Preview")`).click();
    await until('the CSV as a table', () => [...document.querySelectorAll('.csv-preview td')].some((td) => td.textContent === '2'));
    await page.locator(`${row(args.md)} button:has-text("Preview")`).click();
    await until('markdown rendered', () => document.querySelector('.markdown h3')?.textContent === 'Title' && !!document.querySelector('.markdown strong'));
    await until('and no HTML of its own', () => !document.querySelector('.markdown script, .markdown img') && document.querySelector('.markdown').textContent.includes('<script>'));
    await page.locator(`${row(args.txt)} button:has-text("Preview")`).click();
    await until('the text', () => document.querySelector('.text-preview')?.textContent === 'first line of the text\nsecond line\n');
    await page.locator(`${row(args.png)} button:has-text("Preview")`).click();
    await until('the image, loaded', () => { const img = document.querySelector('img.preview-image'); return img?.complete && img.naturalWidth === 40; });
    await until('no preview failed', () => !document.getElementById('artifacts').textContent.includes('Could not load'));
    await page.locator(`${row(args.csv)} .note-input`).fill('looks right');
    await page.locator(`${row(args.csv)} button:has-text("Approve")`).click();
    await has('approved with its note', '#artifact-rows td.review.approved', 'approved by dev — looks right');
    await page.locator(`${row(args.md)} .note-input`).fill('wrong numbers');
    await page.locator(`${row(args.md)} button:has-text("Reject")`).click();
    await has('rejected with its note', '#artifact-rows td.review.rejected', 'rejected by dev — wrong numbers');
  },

  /** Create a job, and a batch from a CSV with a preview and a sample. */
  async create() {
    await open('?page=create');
    await page.fill('#new-command', `${args.python} -c "print('made in the page')"`);
    await page.fill('#labels', 'from=web');
    await click('#create-submit');
    await has('the new job page', '#output', 'made in the page');
    await page.goto(`${args.base}/web/?page=create`);
    await page.check('input[name=kind][value=batch]');
    await page.fill('#new-command', `${args.python} -c "print('row {name}')"`);
    await page.setInputFiles('#csv-file', { name: 'rows.csv', mimeType: 'text/csv', buffer: Buffer.from('name,n\nalpha,1\nbeta,2\ngamma,3\n') });
    await has('the preview of the rows', '#csv-preview', '3 rows; columns: name, n');
    await has('the filled template', '#csv-preview .filled', "print('row beta')");
    await page.check('#sample');
    await page.fill('#sample-size', '1');
    await click('#create-submit');
    await until('the batch page, with the sample only', () => new URLSearchParams(location.search).get('batch') && document.querySelector('[data-stat="total"] b')?.textContent === '1');
    await page.goto(`${args.base}/web/?page=create`);
    await page.fill('#new-command', '"unclosed');
    await click('#create-submit');
    await has('an error as a sentence', '#create-error', 'A quote in the command is not closed.');
  },

  /** Phone width and the keyboard. */
  async phone() {
    await open(`?job=${args.job}`);
    await status('the job', 'succeeded');
    await has('its output', '#output .l', 'hello'); // the status can arrive before the chunks: search what is shown
    await until('nothing wider than the phone', () => document.documentElement.scrollWidth <= window.innerWidth + 1);
    await page.keyboard.press('Control+f');
    await until('Ctrl+F goes to search', () => document.activeElement === document.getElementById('search'));
    await page.keyboard.type('hello');
    await page.keyboard.press('Enter');
    await has('Enter searches', '#search-count', '1 of 1');
    await page.goto(`${args.base}/web/`);
    await until('the jobs table fits', () => document.documentElement.scrollWidth <= window.innerWidth + 1 && document.querySelectorAll('#job-rows tr').length > 0);
  },
};

try {
  await scenarios[scenario]();
} catch (error) {
  const folder = process.env.TAILRUN_WEB_SHOTS;
  if (folder) await page.screenshot({ path: path.join(folder, `${scenario}.png`), fullPage: true }).catch(() => {});
  console.log(`FAILED ${error.message}`);
  console.log(`MESSAGE ${await textOf('#message').catch(() => '')} ${await textOf('#create-error').catch(() => '')} ${await textOf('#artifact-error').catch(() => '')}`);
  console.log(`PAGE ${await page.evaluate(() => document.body.innerText).catch(() => '')}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
