// The log viewer of one attempt: a virtual list, so a million lines scroll smoothly while the DOM holds only the
// rows on screen (about a screenful plus a margin).
//
// Rows are lines or markers: a `::group::` header (folded once the group has ended, unless opened), an annotation
// (error/warning/notice from the typed events, shown just before the line it came before), or a gap (lines that
// have not arrived: "waiting for", or once the attempt has ended and a grace has passed, "missing"). Rows are an
// Int32Array: a line's number (≥ 0) or −(index + 1) of a marker. New lines at the end are appended without a
// rebuild; an event or a fold that changes earlier rows rebuilds the list (one pass, milliseconds for 1M lines).
//
// The scroller holds a spacer as tall as the rows (capped: browsers cannot lay out elements taller than ~33M px,
// so past MAX_PX a scroll position is mapped proportionally) and a sticky window, one viewport high, in which the
// visible rows are drawn. Wrap: the font is monospace, so a wrapped line's height is ceil(chars / columns) rows,
// known without measuring; the offsets are a prefix sum rebuilt when the width or the rows change.
import { advance, parse, strip } from "./ansi.js";

const MAX_PX = 8_000_000;
// Rows drawn beyond each edge. The window is redrawn on every scroll (it is sticky: it does not move with the
// content), so rows beyond the viewport are never scrolled into view undrawn; a couple cover a partial row.
const OVERSCAN = 2;

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function pad2(n) { return String(n).padStart(2, "0"); }
export function clock(ms) {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

export class LogView {
  /** `root` is an empty element; `options.permalink(line)` answers the link of a line (1-based in the link). */
  constructor(root, options = {}) {
    this.root = root;
    this.options = options;
    this.lines = []; // by line number: {line, stream, ts, text, cut, invalid_utf8, partial, sgr (set here)}
    this.contiguous = 0; // lines 0 … contiguous − 1 are all here
    this.sgrAfter = { stdout: null, stderr: null }; // each stream's ANSI state after line contiguous − 1
    this.highest = -1; // the highest line number held
    this.events = []; // by event number
    this.groups = []; // {title, start, end (line or null), open (user's choice or null)}
    this.ended = false; // the attempt ended and its grace for holes passed: show holes as missing
    this.expected = null; // the attempt's line count once known
    this.wrap = false;
    this.timestamps = false;
    this.follow = true;
    this.query = "";
    this.matches = []; // line numbers whose text contains the query
    this.current = -1; // index in matches
    this.target = null; // the permalinked line
    this.markers = [];
    this.rows = new Int32Array(1024);
    this.rowCount = 0;
    this.builtUntil = 0; // lines below this are in rows
    this.placedEvents = 0; // events placed in rows (in order of at_line)
    this.dirty = true; // a full rebuild is due
    this.offsets = null; // wrap: prefix sums of row heights in line units
    this.scheduled = false;
    this.lastTop = 0;

    root.classList.add("log");
    root.tabIndex = 0;
    root.setAttribute("role", "log");
    root.setAttribute("aria-label", "output");
    this.window = document.createElement("div");
    this.window.className = "log-window";
    this.spacer = document.createElement("div");
    this.spacer.className = "log-spacer";
    root.append(this.window, this.spacer);
    this.measure();
    root.addEventListener("scroll", () => this.onScroll(), { passive: true });
    root.addEventListener("click", (event) => this.onClick(event));
    new ResizeObserver(() => { this.measure(); this.offsets = null; this.render(); }).observe(root);
  }

  measure() {
    const probe = document.createElement("div");
    probe.className = "l";
    probe.innerHTML = "<span class='x'>0000000000</span>";
    probe.style.visibility = "hidden";
    this.window.appendChild(probe);
    this.lineHeight = probe.getBoundingClientRect().height || 18;
    this.charWidth = (probe.firstChild.getBoundingClientRect().width || 78) / 10;
    probe.remove();
    this.viewHeight = this.root.clientHeight || 400;
    const gutter = 7 + (this.timestamps ? 13 : 0); // characters of the line number and timestamp columns
    this.columns = Math.max(20, Math.floor((this.root.clientWidth - 24) / this.charWidth) - gutter);
  }

  // --- data in ---

  /** Adds lines (any order, duplicates ignored). */
  addLines(lines) {
    for (const line of lines) {
      if (this.lines[line.line] !== undefined) continue;
      this.lines[line.line] = line;
      if (line.line > this.highest) this.highest = line.line;
      if (line.line < this.builtUntil) this.dirty = true; // it fills a hole shown as missing
      if (this.query && this.matchLine(line)) this.insertMatch(line.line);
    }
    const from = this.contiguous;
    while (this.lines[this.contiguous] !== undefined) this.contiguous += 1;
    if (this.contiguous > from) this.carryStyles(from, this.contiguous);
    this.schedule();
  }

  /** The ANSI state at the start of lines from … to − 1 (now contiguous), carried from the line before in the same
   * stream: a colour left set carries on as in a terminal, and each line keeps its start state, so it is drawn
   * alone without re-reading the log from the top. stdout and stderr are separate pipes, so each has its own state.
   * A line past a hole is drawn from the default state until the hole fills (then this runs over it). */
  carryStyles(from, to) {
    const after = this.sgrAfter;
    for (let i = from; i < to; i += 1) {
      const line = this.lines[i];
      const stream = line.stream === "stderr" ? "stderr" : "stdout";
      const start = after[stream];
      if (start !== null) line.sgr = start;
      after[stream] = advance(line.text, start);
    }
  }

  /** Adds events (any order); groups and annotations become markers. */
  addEvents(events) {
    let changed = false;
    for (const event of events) {
      if (this.events[event.event] !== undefined) continue;
      this.events[event.event] = event;
      changed = true;
    }
    if (!changed) return;
    // Groups are recomputed from the contiguous events (a group's end is its next endgroup).
    this.groups = [];
    const stack = [];
    const previous = this.groupState || new Map();
    for (let i = 0; i < this.events.length && this.events[i] !== undefined; i += 1) {
      const event = this.events[i];
      if (event.kind === "group") {
        const group = { title: event.title || "", start: event.at_line, end: null, open: previous.get(event.at_line) ?? null, event: i };
        this.groups.push(group);
        stack.push(group);
      } else if (event.kind === "endgroup" && stack.length) stack.pop().end = event.at_line;
    }
    this.dirty = true;
    this.schedule();
  }

  /** The attempt has ended with `count` lines (null: unknown); `final` once holes should be shown as missing. */
  setEnded(count, final) {
    if (this.expected === count && this.ended === final) return;
    this.expected = count;
    this.ended = final;
    this.dirty = true;
    this.schedule();
  }

  // --- rows ---

  /** How many lines the rows cover: the contiguous ones, or (once ended) every line up to the last. */
  shownUntil() {
    if (!this.ended) return this.contiguous;
    return Math.max(this.highest + 1, this.expected || 0);
  }

  pushRow(value) {
    if (this.rowCount === this.rows.length) {
      const grown = new Int32Array(this.rows.length * 2);
      grown.set(this.rows);
      this.rows = grown;
    }
    this.rows[this.rowCount++] = value;
  }

  marker(object) { this.markers.push(object); return -this.markers.length; }

  folded(group) {
    if (group.open !== null) return !group.open;
    return group.end !== null; // ended groups start folded, a running one is open
  }

  /** Places lines builtUntil … until − 1 after the rows built so far, each event before its line. */
  extend(until) {
    const events = this.events;
    let line = this.builtUntil;
    let e = this.placedEvents;
    for (;;) {
      while (e < events.length && events[e] !== undefined && events[e].at_line <= line) {
        const event = events[e];
        e += 1;
        if (event.kind === "group") {
          const group = this.groupByEvent.get(e - 1);
          this.pushRow(this.marker({ kind: "group", group, at: event.at_line }));
          if (group && group.end !== null && group.end <= until && this.folded(group)) {
            line = Math.max(line, group.end); // the folded lines, and the events among them, are skipped
            while (e < events.length && events[e] !== undefined && events[e].at_line < group.end) e += 1;
          }
        } else if (event.kind === "annotation") {
          this.pushRow(this.marker({ kind: "annotation", event, at: event.at_line }));
        }
      }
      if (line >= until) break;
      if (this.lines[line] === undefined) {
        let end = line;
        while (end < until && this.lines[end] === undefined) end += 1;
        this.pushRow(this.marker({ kind: "missing", from: line, to: end, at: line }));
        line = end;
        continue;
      }
      this.pushRow(line);
      line += 1;
    }
    this.builtUntil = Math.max(line, until);
    this.placedEvents = e;
  }

  rebuild() {
    this.markers = [];
    this.rowCount = 0;
    this.builtUntil = 0;
    this.placedEvents = 0;
    this.groupByEvent = new Map(this.groups.map((group) => [group.event, group]));
    this.groupState = new Map(this.groups.filter((g) => g.open !== null).map((g) => [g.start, g.open]));
    this.extend(this.shownUntil());
    this.dirty = false;
    this.offsets = null;
  }

  update() {
    if (!this.groupByEvent) this.groupByEvent = new Map();
    const until = this.shownUntil();
    // Appending is enough when nothing before the built end changed: no new group, fold or earlier event.
    if (this.dirty || until < this.builtUntil) this.rebuild();
    else if (until > this.builtUntil || this.hasEventsToPlace(until)) {
      this.extend(until);
      this.offsets = null;
    }
    const rows = this.rowCount;
    // The trailing marker: lines that should be here and are not yet.
    const waiting = !this.ended && this.highest >= this.contiguous;
    this.waitingFor = waiting ? [this.contiguous, this.firstHeldAfter(this.contiguous)] : null;
    return rows;
  }

  hasEventsToPlace(until) {
    const next = this.events[this.placedEvents];
    return next !== undefined && next.at_line <= until && this.placedEvents < this.events.length;
  }

  firstHeldAfter(from) {
    for (let i = from; i <= this.highest; i += 1) if (this.lines[i] !== undefined) return i;
    return this.highest + 1;
  }

  // --- geometry ---

  heightOf(row) {
    if (!this.wrap) return 1;
    const value = this.rows[row];
    if (value < 0) return 1;
    const length = strip(this.lines[value].text).length;
    return Math.max(1, Math.ceil(length / this.columns));
  }

  ensureOffsets() {
    if (!this.wrap) return;
    if (this.offsets && this.offsets.length === this.rowCount + 1) return;
    const offsets = new Float64Array(this.rowCount + 1);
    for (let i = 0; i < this.rowCount; i += 1) offsets[i + 1] = offsets[i] + this.heightOf(i);
    this.offsets = offsets;
  }

  totalUnits() { return this.wrap ? this.offsets[this.rowCount] : this.rowCount; }
  startOf(row) { return this.wrap ? this.offsets[row] : row; }
  rowAtUnit(unit) {
    if (!this.wrap) return Math.max(0, Math.min(this.rowCount - 1, Math.floor(unit)));
    let lo = 0, hi = this.rowCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= unit) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The spacer's height and the factor from scroll pixels to row-unit pixels. */
  geometry() {
    const total = (this.totalUnits() + (this.waitingFor ? 1 : 0)) * this.lineHeight + 8;
    const spacer = Math.min(total, MAX_PX);
    const span = Math.max(1, spacer - this.viewHeight);
    const ratio = total > MAX_PX ? (total - this.viewHeight) / span : 1;
    return { total, spacer, ratio };
  }

  // --- drawing ---

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.render(); });
  }

  render() {
    this.update();
    this.ensureOffsets();
    const { spacer, ratio } = this.geometry();
    // written only when they change, so a frame that only scrolls invalidates no layout before it reads scrollTop
    const spacerPx = `${Math.max(0, spacer - this.viewHeight)}px`;
    if (this.spacerPx !== spacerPx) { this.spacerPx = spacerPx; this.spacer.style.height = spacerPx; }
    const windowPx = `${this.viewHeight}px`;
    if (this.windowPx !== windowPx) { this.windowPx = windowPx; this.window.style.height = windowPx; }
    if (this.follow) this.scrollToBottom();
    const virtualTop = this.root.scrollTop * ratio;
    const firstUnit = virtualTop / this.lineHeight;
    const first = Math.max(0, this.rowAtUnit(firstUnit) - OVERSCAN);
    const html = [];
    let row = first;
    const limit = firstUnit + this.viewHeight / this.lineHeight + OVERSCAN;
    for (; row < this.rowCount && this.startOf(row) < limit; row += 1) html.push(this.rowHtml(row));
    let waiting = "";
    if (row >= this.rowCount && this.waitingFor) {
      const [from, to] = this.waitingFor;
      waiting = `<div class="l gap waiting">waiting for line${to - from > 1 ? "s" : ""} ${from + 1}${to - from > 1 ? `–${to}` : ""}…</div>`;
    }
    this.patch(first, html, waiting);
    const offset = `${this.rowCount ? this.startOf(first) * this.lineHeight - virtualTop : 0}px`;
    const top = this.window.firstElementChild;
    if (top && top.style.marginTop !== offset) top.style.marginTop = offset;
    this.drawn = { first, last: row };
  }

  /** Make the window hold rows `first…` drawn as `html` (one string a row), then `waiting`. The DOM is touched only
   * where it differs from what is drawn: a frame that scrolls within the same rows changes nothing but the offset,
   * and a scroll by a few rows removes those that left and adds those that came (the rows in both are kept, so
   * the browser parses and lays out only the new ones), instead of re-parsing the whole window every frame. */
  patch(first, html, waiting) {
    const before = this.shown;
    this.shown = { first, html, waiting };
    const w = this.window;
    if (before && before.waiting === waiting) {
      const lo = Math.max(first, before.first);
      const hi = Math.min(first + html.length, before.first + before.html.length);
      let same = lo < hi || (html.length === 0 && before.html.length === 0);
      for (let i = lo; same && i < hi; i += 1) same = html[i - first] === before.html[i - before.first];
      if (same && w.childElementCount === before.html.length + (waiting ? 1 : 0)) {
        if (w.firstElementChild) w.firstElementChild.style.marginTop = "";
        for (let i = before.first; i < lo; i += 1) w.firstElementChild.remove();
        for (let i = hi; i < before.first + before.html.length; i += 1) (waiting ? w.lastElementChild.previousElementSibling : w.lastElementChild).remove();
        if (first < lo) w.insertAdjacentHTML("afterbegin", html.slice(0, lo - first).join(""));
        if (hi < first + html.length) {
          const added = html.slice(Math.max(hi, first) - first).join("");
          if (waiting) w.lastElementChild.insertAdjacentHTML("beforebegin", added); else w.insertAdjacentHTML("beforeend", added);
        }
        return;
      }
    }
    w.innerHTML = html.join("") + waiting;
  }

  rowHtml(row) {
    const value = this.rows[row];
    const wrapClass = this.wrap ? " wrap" : "";
    if (value < 0) {
      const marker = this.markers[-value - 1];
      if (marker.kind === "group") {
        const group = marker.group;
        const folded = group && this.folded(group);
        const count = group && group.end !== null ? ` <span class="count">${group.end - group.start} lines</span>` : "";
        return `<div class="l group" data-group="${group ? group.start : -1}" role="button" tabindex="-1" aria-expanded="${!folded}">`
          + `<span class="n">${folded ? "▸" : "▾"}</span><span class="x">${escapeHtml(group ? group.title : "")}${count}</span></div>`;
      }
      if (marker.kind === "annotation") {
        const e = marker.event;
        const where = e.file ? ` ${escapeHtml(e.file)}${e.line ? `:${e.line}` : ""}` : "";
        const title = e.title ? `${escapeHtml(e.title)}: ` : "";
        return `<div class="l annotation ${escapeHtml(e.level || "notice")}${wrapClass}"><span class="n">${escapeHtml(e.level || "notice")}</span>`
          + `<span class="x">${title}${escapeHtml(e.message || "")}${where}</span></div>`;
      }
      const { from, to } = marker;
      return `<div class="l gap missing"><span class="n"></span><span class="x">line${to - from > 1 ? "s" : ""} ${from + 1}${to - from > 1 ? `–${to}` : ""} ${to - from > 1 ? "are" : "is"} missing</span></div>`;
    }
    const line = this.lines[value];
    const number = value + 1;
    const classes = ["l"];
    if (line.stream === "stderr") classes.push("stderr");
    if (this.target === value) classes.push("target");
    if (this.current >= 0 && this.matches[this.current] === value) classes.push("current");
    const stamp = this.timestamps ? `<span class="ts">${line.ts ? clock(line.ts) : ""}</span>` : "";
    const flags = (line.cut ? "<span class='flag'>[cut]</span>" : "") + (line.invalid_utf8 ? "<span class='flag'>[invalid UTF-8]</span>" : "");
    return `<div class="${classes.join(" ")}${wrapClass}" data-line="${value}"><a class="n" href="${this.options.permalink ? escapeHtml(this.options.permalink(number)) : `#L${number}`}">${number}</a>`
      + `${stamp}<span class="x">${this.textHtml(line.text, line.sgr ?? null)}${flags}</span></div>`;
  }

  textHtml(text, start) {
    const query = this.query ? this.query.toLowerCase() : "";
    let out = "";
    for (const run of parse(text, start)) {
      let inner = query ? highlight(run.text, query) : escapeHtml(run.text);
      const style = run.style ? ` style="${run.style}"` : "";
      if (run.href) inner = `<a href="${escapeHtml(run.href)}" target="_blank" rel="noopener noreferrer"${style}>${inner}</a>`;
      else if (style) inner = `<span${style}>${inner}</span>`;
      out += inner;
    }
    return out;
  }

  // --- scrolling ---

  atBottom() { return this.root.scrollTop + this.root.clientHeight >= this.root.scrollHeight - 4; }

  scrollToBottom() {
    this.root.scrollTop = this.root.scrollHeight;
    this.lastTop = this.root.scrollTop;
  }

  /** A scroll up from where the page last put or saw the view pauses follow; reaching the bottom resumes it. */
  onScroll() {
    const top = this.root.scrollTop;
    if (this.atBottom()) this.setFollow(true);
    else if (top < this.lastTop - 1) this.setFollow(false);
    this.lastTop = top;
    this.schedule();
  }

  setFollow(on) {
    if (this.follow === on) return;
    this.follow = on;
    if (on) this.scrollToBottom();
    this.options.onFollow?.(on);
    this.schedule();
  }

  /** Scrolls so that the row of line `number` (0-based) is in view, opening a folded group around it. */
  reveal(number) {
    this.update();
    const group = this.groups.find((g) => g.end !== null && g.start <= number && number < g.end && this.folded(g));
    if (group) { group.open = true; this.rebuild(); }
    this.ensureOffsets();
    const row = this.rowOfLine(number);
    if (row < 0) return false;
    this.setFollow(false);
    const { ratio } = this.geometry();
    const unit = this.startOf(row);
    this.root.scrollTop = Math.max(0, (unit * this.lineHeight - this.viewHeight / 3) / ratio);
    this.lastTop = this.root.scrollTop;
    this.render();
    return true;
  }

  rowOfLine(number) {
    const key = (row) => {
      const value = this.rows[row];
      return value >= 0 ? value : this.markers[-value - 1].at - 0.5;
    };
    let lo = 0, hi = this.rowCount - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const k = key(mid);
      if (k === number) return mid;
      if (k < number) lo = mid + 1; else hi = mid - 1;
    }
    return -1;
  }

  onClick(event) {
    const group = event.target.closest(".group");
    if (group) {
      const start = Number(group.dataset.group);
      const found = this.groups.find((g) => g.start === start);
      if (found) { found.open = this.folded(found); this.dirty = true; this.render(); }
      return;
    }
    const number = event.target.closest("a.n");
    if (number) {
      event.preventDefault();
      const line = Number(number.closest(".l").dataset.line);
      this.target = line;
      history.replaceState(null, "", number.getAttribute("href"));
      this.options.onTarget?.(line);
      this.render();
    }
  }

  // --- toggles ---

  setWrap(on) { this.wrap = on; this.offsets = null; this.measure(); this.render(); }
  setTimestamps(on) { this.timestamps = on; this.measure(); this.offsets = null; this.render(); }

  // --- search ---

  matchLine(line) { return strip(line.text).toLowerCase().includes(this.queryLower); }

  insertMatch(number) {
    let lo = 0, hi = this.matches.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.matches[mid] < number) lo = mid + 1; else hi = mid; }
    this.matches.splice(lo, 0, number);
  }

  /** Searches every line held (folded ones too); answers the number of matches. */
  search(query) {
    this.query = query;
    this.queryLower = query.toLowerCase();
    this.matches = [];
    this.current = -1;
    if (query) {
      const lines = this.lines;
      for (let i = 0; i <= this.highest; i += 1) {
        const line = lines[i];
        if (line !== undefined && strip(line.text).toLowerCase().includes(this.queryLower)) this.matches.push(i);
      }
    }
    this.render();
    return this.matches.length;
  }

  /** Moves to the next (+1) or previous (−1) match; answers [position (1-based), count]. */
  step(direction) {
    if (!this.matches.length) return [0, 0];
    this.current = (this.current + direction + this.matches.length) % this.matches.length;
    if (direction < 0 && this.current < 0) this.current = this.matches.length - 1;
    this.reveal(this.matches[this.current]);
    return [this.current + 1, this.matches.length];
  }

  // --- text out ---

  plainText() {
    const out = [];
    for (let i = 0; i <= this.highest; i += 1) if (this.lines[i] !== undefined) out.push(strip(this.lines[i].text));
    return out.join("\n");
  }

  rawText() {
    const out = [];
    for (let i = 0; i <= this.highest; i += 1) {
      const line = this.lines[i];
      if (line !== undefined) out.push(line.text + (line.partial ? "" : "\n"));
    }
    return out.join("");
  }
}

function highlight(text, query) {
  const lower = text.toLowerCase();
  let at = 0, out = "", found;
  while ((found = lower.indexOf(query, at)) !== -1) {
    out += escapeHtml(text.slice(at, found)) + `<mark>${escapeHtml(text.slice(found, found + query.length))}</mark>`;
    at = found + query.length;
  }
  return out + escapeHtml(text.slice(at));
}
