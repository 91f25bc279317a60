// The web app's benchmark in headless Chromium (driven by bench/web_bench.py): prints one JSON line of figures.
//
//   node web_bench.mjs CHROMIUM SCENARIO ARGS_JSON     (SCENARIO: finished | running | batch, and each one's
//                                                      same-run baseline: finished_baseline | running_baseline | batch_baseline)
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

/** The same-run baselines: the naive renders the viewer replaces, on a blank page of the same browser. */
const BASELINE_HEAD = '<style>body{margin:0;font:13px monospace} #out{height:860px;overflow:auto;white-space:pre} table{border-collapse:collapse}</style>';

const scenarios = {
  /** The old viewer: the whole log as one <pre> of escaped lines (an element per line: its text and a number). */
  async finished_baseline() {
    await page.setContent(`${BASELINE_HEAD}<div id="out"></div>`);
    const start = Date.now();
    await page.evaluate((n) => new Promise((resolve) => {
      const out = document.getElementById('out');
      const text = (i) => `\x1b[32m${String(i).padStart(7, '0')}\x1b[0m line ${i} of the benchmark https://example.com/${i % 97}`;
      const frag = document.createDocumentFragment();
      for (let i = 0; i < n; i += 1) {
        const row = document.createElement('div');
        const num = document.createElement('span');
        num.textContent = `${i + 1} `;
        row.append(num, text(i));
        frag.append(row);
      }
      out.append(frag);
      requestAnimationFrame(() => requestAnimationFrame(resolve));
    }), args.lines);
    const firstScreen = Date.now() - start;
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const heap = await heapMb();
    const frames = await scrollFrames('#out', 600);
    const search = await page.evaluate((wanted) => new Promise((resolve) => {
      const t = performance.now();
      const out = document.getElementById('out');
      const needle = `line ${wanted} of`;
      const row = [...out.children].find((r) => r.textContent.includes(needle));
      row.scrollIntoView();
      requestAnimationFrame(() => resolve(performance.now() - t));
    }), Math.floor(args.lines * 0.987));
    return { first_screen_ms: firstScreen, dom_nodes: domNodes, heap_mb: heap, scroll_p95_ms: p95(frames), search_ms: search };
  },

  /** A plain DOM log: each batch of lines appended as elements as it comes (rate lines a second, in batches every
   * 200 ms as the runner sends them), following the bottom; frame intervals meanwhile. */
  async running_baseline() {
    await page.setContent(`${BASELINE_HEAD}<div id="out"></div>`);
    const result = await page.evaluate(([seconds, rate]) => new Promise((resolve) => {
      const out = document.getElementById('out');
      let n = 0;
      const started = performance.now();
      const timer = setInterval(() => {
        const due = Math.floor(((performance.now() - started) / 1000) * rate);
        const frag = document.createDocumentFragment();
        for (; n < due; n += 1) {
          const row = document.createElement('div');
          const num = document.createElement('span');
          num.textContent = `${n + 1} `;
          row.append(num, `w=${Date.now()} n=${n}`);
          frag.append(row);
        }
        out.append(frag);
        out.scrollTop = out.scrollHeight;
      }, 200);
      const frames = [];
      let last = null;
      const end = started + seconds * 1000;
      const tick = (now) => {
        if (last !== null) frames.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick);
        else { clearInterval(timer); resolve(frames); }
      };
      requestAnimationFrame(tick);
    }), [args.seconds, args.rate]);
    return { frame_p95_ms: p95(result), frames: result.length };
  },

  /** A plain table of every row (no virtualization); a sort re-renders it. */
  async batch_baseline() {
    await page.setContent(`${BASELINE_HEAD}<div id="out"><table><tbody id="rows"></tbody></table></div>`);
    const render = (rows) => page.evaluate((n) => new Promise((resolve) => {
      const t = performance.now();
      window.data = window.data || Array.from({ length: n }, (_, i) => ({ row: i, name: `row-${i}`, url: `https://example.com/${i}`,
        status: i % 10 ? 'succeeded' : 'failed', exit: i % 10 ? 0 : 1, duration: 1 + (i % 13) / 3 }));
      if (window.sorted) window.data.sort((a, b) => a.duration - b.duration);
      window.sorted = true;
      const body = document.getElementById('rows');
      body.replaceChildren(...window.data.map((r) => {
        const tr = document.createElement('tr');
        for (const v of [r.row, r.name, r.url, r.status, r.exit, r.duration.toFixed(1)]) {
          const td = document.createElement('td');
          td.textContent = String(v);
          tr.append(td);
        }
        return tr;
      }));
      requestAnimationFrame(() => resolve(performance.now() - t));
    }), rows);
    const table = await render(args.rows);
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const sort = await render(args.rows);
    const frames = await scrollFrames('#out', 300);
    return { table_ms: table, dom_nodes: domNodes, sort_ms: sort, scroll_p95_ms: p95(frames) };
  },

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
      const shown = []; // [line n, when it was first on screen (ms since epoch)]
      const frames = [];
      const observer = new MutationObserver(() => {
        const now = Date.now();
        for (const row of document.querySelectorAll('#output .l .x')) {
          const match = /w=(\d+) n=(\d+)/.exec(row.textContent);
          if (match && !seen.has(match[2])) { seen.add(match[2]); delays.push(now - Number(match[1])); shown.push([Number(match[2]), now]); }
        }
      });
      observer.observe(document.getElementById('output'), { childList: true, subtree: true });
      let last = null;
      const end = performance.now() + seconds * 1000;
      const tick = (now) => {
        if (last !== null) frames.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(tick);
        else { observer.disconnect(); resolve({ delays, frames, shown }); }
      };
      requestAnimationFrame(tick);
    }), args.seconds);
    return { frame_p95_ms: p95(result.frames), frames: result.frames.length, delay_p50_ms: p50(result.delays),
      delay_p95_ms: p95(result.delays), samples: result.delays.length, shown: result.shown };
  },

  async batch() {
    const start = Date.now();
    await page.goto(`${args.base}/web/?batch=${args.batch}#token=${args.token}`);
    await page.waitForFunction(() => document.querySelectorAll('#result-rows .result').length > 0, null, LONG);
    const firstScreen = Date.now() - start;
    await page.waitForFunction((n) => document.getElementById('rows-shown').textContent === `${n} of ${n} rows`, args.rows, LONG);
    const table = Date.now() - start;
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    const sort = await page.evaluate(() => new Promise((resolve) => {
      const t = performance.now();
      document.querySelector('#results-head [data-sort="duration_s"]').click();
      requestAnimationFrame(() => resolve(performance.now() - t));
    }));
    const frames = await scrollFrames('#results', 300);
    return { first_screen_ms: firstScreen, table_ms: table, dom_nodes: domNodes, sort_ms: sort, scroll_p95_ms: p95(frames) };
  },
};

try {
  console.log(JSON.stringify(await scenarios[scenario]()));
} finally {
  await browser.close();
}
