// The web app's benchmark in headless Chromium (driven by bench/web_bench.py): prints one JSON line of figures.
//
//   node web_bench.mjs CHROMIUM SCENARIO ARGS_JSON     (SCENARIO: finished | running | batch)
//
// Frame times are the intervals between animation frames while the page scrolls (or streams); the heap is the
// JS heap after a garbage collection (Chrome DevTools Protocol), the DOM the page's element count.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(path.join(here, '..', 'tests', 'node', 'node_modules', 'playwright-core', 'index.mjs')));
const [executablePath, scenario, argsJson] = process.argv.slice(2);
const args = JSON.parse(argsJson);
const browser = await chromium.launch({
  executablePath, headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
const cdp = await page.context().newCDPSession(page);
const LONG = { timeout: 600000, polling: 50 };

const p95 = (values) => { const s = [...values].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] : 0; };
const p50 = (values) => { const s = [...values].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : 0; };

async function heapMb() {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  return metrics.find((m) => m.name === 'JSHeapUsedSize').value / 1048576;
}

/** Scrolls `selector` from top to bottom in `steps` animation frames; the frame intervals. */
function scrollFrames(selector, steps) {
  return page.evaluate(([s, n]) => new Promise((resolve) => {
    const scroller = document.querySelector(s);
    scroller.scrollTop = 0;
    const frames = [];
    let last = null, i = 0;
    const max = scroller.scrollHeight - scroller.clientHeight;
    const tick = (now) => {
      if (last !== null) frames.push(now - last);
      last = now;
      if (i > n) { resolve(frames); return; }
      scroller.scrollTop = Math.round((max * i) / n);
      i += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }), [selector, steps]);
}

const scenarios = {
  async finished() {
    const start = Date.now();
    await page.goto(`${args.base}/web/?job=${args.job}#token=${args.token}`);
    await page.waitForFunction(() => document.querySelectorAll('#output .l').length > 0, null, LONG);
    const firstScreen = Date.now() - start;
    await page.waitForFunction((n) => window.tailrunLog && window.tailrunLog.contiguous >= n, args.lines, LONG);
    const allLines = Date.now() - start;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const heap = await heapMb();
    const frames = await scrollFrames('#output', 600);
    const search = await page.evaluate((wanted) => new Promise((resolve) => {
      const t = performance.now();
      const view = window.tailrunLog;
      const matches = view.search(`line ${wanted} of`);
      view.step(1);
      requestAnimationFrame(() => resolve({ ms: performance.now() - t, matches, shown: !!document.querySelector('#output .l.current') }));
    }), Math.floor(args.lines * 0.987));
    if (!search.shown) throw new Error(`the search did not land on its match: ${JSON.stringify(search)} ${await page.evaluate(() => JSON.stringify({ c: window.tailrunLog.current, m: window.tailrunLog.matches.slice(0, 3), rows: window.tailrunLog.rowCount, drawn: window.tailrunLog.drawn, top: document.getElementById('output').scrollTop }))}`);
    return { first_screen_ms: firstScreen, all_lines_ms: allLines, dom_nodes: domNodes, heap_mb: heap,
      scroll_p95_ms: p95(frames), frames: frames.length, search_ms: search.ms, matches: search.matches };
  },

  async running() {
    await page.goto(`${args.base}/web/?job=${args.job}#token=${args.token}`);
    await page.waitForFunction(() => document.querySelectorAll('#output .l').length > 0, null, LONG);
    const result = await page.evaluate((seconds) => new Promise((resolve) => {
      const seen = new Set();
      const delays = [];
      const frames = [];
      const observer = new MutationObserver(() => {
        const now = Date.now();
        for (const row of document.querySelectorAll('#output .l .x')) {
          const match = /w=(\d+) n=(\d+)/.exec(row.textContent);
          if (match && !seen.has(match[2])) { seen.add(match[2]); delays.push(now - Number(match[1])); }
        }
      });
      observer.observe(document.getElementById('output'), { childList: true, subtree: true });
      let last = null;
      const end = performance.now() + seconds * 1000;
      const tick = (now) => {
        if (last !== null) frames.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick);
        else { observer.disconnect(); resolve({ delays, frames }); }
      };
      requestAnimationFrame(tick);
    }), args.seconds);
    return { frame_p95_ms: p95(result.frames), frames: result.frames.length, delay_p50_ms: p50(result.delays),
      delay_p95_ms: p95(result.delays), samples: result.delays.length };
  },

  async batch() {
    const start = Date.now();
    await page.goto(`${args.base}/web/?batch=${args.batch}#token=${args.token}`);
    await page.waitForFunction((n) => document.getElementById('rows-shown').textContent === `${n} of ${n} rows`, args.rows, LONG);
    const table = Date.now() - start;
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const sort = await page.evaluate(() => new Promise((resolve) => {
      const t = performance.now();
      document.querySelector('#results-head [data-sort="duration_s"]').click();
      requestAnimationFrame(() => resolve(performance.now() - t));
    }));
    const frames = await scrollFrames('#results', 300);
    return { table_ms: table, dom_nodes: domNodes, sort_ms: sort, scroll_p95_ms: p95(frames) };
  },
};

try {
  console.log(JSON.stringify(await scenarios[scenario]()));
} finally {
  await browser.close();
}
