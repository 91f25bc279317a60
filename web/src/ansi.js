// ANSI escape sequences of a log line, turned into styled runs: SGR (bold, dim, italic, underline, inverse,
// strikethrough; 16, 256 and truecolor foregrounds and backgrounds), OSC 8 hyperlinks, and plain URLs as links.
// Every other escape (cursor moves, other OSC strings) is dropped. Hand-written, no dependency: one pass per line.
//
// A style set on one line and not reset carries on to the next lines, as in a terminal (`ls --color`, pytest and
// cargo rely on it). So that any line can still be drawn alone (a permalink, a search hit, a scroll to the middle of
// a million lines), the state at a line's start is computed once, as lines arrive in order (`advance`, which only
// looks at a line's escapes), and kept with the line; `parse(text, state)` draws the line from it.

const ESC = "\x1b";
// an escape: CSI (ESC [ params final), OSC (ESC ] ... BEL or ESC \), or a two-character escape
const ESCAPE = /\x1b(?:\[([0-9;:?]*)([@-~])|\]([^\x07\x1b]*)(?:\x07|\x1b\\)|[@-Z\\-_])/g;
const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`\x1b]+[^\s<>"'`\x1b.,;:!?)\]}]/g;

const BASIC = [
  "#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
  "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff",
];

/** The colour of index n (0–255) of the xterm palette. */
export function palette(n) {
  if (n < 16) return BASIC[n];
  if (n < 232) {
    const i = n - 16;
    const level = (v) => (v === 0 ? 0 : 55 + v * 40);
    return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
  }
  const grey = 8 + (n - 232) * 10;
  return `rgb(${grey},${grey},${grey})`;
}

function blank() {
  return { fg: null, bg: null, bold: false, dim: false, italic: false, underline: false, inverse: false, strike: false };
}

/** Applies one SGR parameter list to a style (in place). */
function sgr(style, params) {
  const codes = params === "" ? [0] : params.split(/[;:]/).map((p) => (p === "" ? 0 : Number(p)));
  for (let i = 0; i < codes.length; i += 1) {
    const code = codes[i];
    if (code === 0) Object.assign(style, blank());
    else if (code === 1) style.bold = true;
    else if (code === 2) style.dim = true;
    else if (code === 3) style.italic = true;
    else if (code === 4) style.underline = true;
    else if (code === 7) style.inverse = true;
    else if (code === 9) style.strike = true;
    else if (code === 22) { style.bold = false; style.dim = false; }
    else if (code === 23) style.italic = false;
    else if (code === 24) style.underline = false;
    else if (code === 27) style.inverse = false;
    else if (code === 29) style.strike = false;
    else if (code >= 30 && code <= 37) style.fg = BASIC[code - 30];
    else if (code === 39) style.fg = null;
    else if (code >= 40 && code <= 47) style.bg = BASIC[code - 40];
    else if (code === 49) style.bg = null;
    else if (code >= 90 && code <= 97) style.fg = BASIC[code - 90 + 8];
    else if (code >= 100 && code <= 107) style.bg = BASIC[code - 100 + 8];
    else if (code === 38 || code === 48) {
      let colour = null;
      if (codes[i + 1] === 5 && i + 2 < codes.length) {
        colour = palette(Math.max(0, Math.min(255, codes[i + 2])));
        i += 2;
      } else if (codes[i + 1] === 2 && i + 4 < codes.length) {
        const [r, g, b] = codes.slice(i + 2, i + 5).map((v) => Math.max(0, Math.min(255, v)));
        colour = `rgb(${r},${g},${b})`;
        i += 4;
      } else break;
      if (code === 38) style.fg = colour; else style.bg = colour;
    }
  }
}

function css(style) {
  let fg = style.fg, bg = style.bg;
  if (style.inverse) { [fg, bg] = [bg || "#eeeeee", fg || "#111111"]; }
  const parts = [];
  if (fg) parts.push(`color:${fg}`);
  if (bg) parts.push(`background:${bg}`);
  if (style.bold) parts.push("font-weight:bold");
  if (style.dim) parts.push("opacity:.7");
  if (style.italic) parts.push("font-style:italic");
  const lines = [style.underline && "underline", style.strike && "line-through"].filter(Boolean);
  if (lines.length) parts.push(`text-decoration:${lines.join(" ")}`);
  return parts.join(";");
}

/** Only http(s) and mailto links are followed: a job's output must not make a javascript: link. */
export function safeHref(href) {
  return /^(https?:|mailto:)/i.test(href) ? href : null;
}

function isBlank(style) {
  return style.fg === null && style.bg === null && !style.bold && !style.dim && !style.italic && !style.underline
    && !style.inverse && !style.strike;
}

/** The OSC 8 target an OSC string sets (null: it ends the link), or undefined when it is not an OSC 8. */
function osc8(osc) {
  if (!osc.startsWith("8;")) return undefined;
  const target = osc.slice(osc.indexOf(";", 2) + 1);
  return target ? safeHref(target) : null;
}

/** The state after a line, from the state at its start (null: the default style, no link). States are frozen
 * and shared: a line without escapes passes its state on unchanged, so a log costs memory only where it styles. */
export function advance(text, start = null) {
  if (text.indexOf(ESC) === -1) return start;
  const style = start ? { ...start.style } : blank();
  let href = start ? start.href : null;
  ESCAPE.lastIndex = 0;
  let match;
  while ((match = ESCAPE.exec(text))) {
    if (match[2] === "m") sgr(style, match[1]);
    else if (match[3] !== undefined) {
      const target = osc8(match[3]);
      if (target !== undefined) href = target;
    }
  }
  if (isBlank(style) && href === null) return null;
  return Object.freeze({ style: Object.freeze(style), href });
}

/** The runs of a line, drawn from `start` (the state at its start, from `advance`; null: the default):
 * [{text, style (CSS text), href}]. */
export function parse(text, start = null) {
  const runs = [];
  const style = start ? { ...start.style } : blank();
  let href = start ? start.href : null;
  let at = 0;
  const push = (chunk) => {
    if (!chunk) return;
    const styled = css(style);
    const last = runs[runs.length - 1];
    if (last && last.style === styled && last.href === href) last.text += chunk;
    else runs.push({ text: chunk, style: styled, href });
  };
  if (text.indexOf(ESC) !== -1) {
    ESCAPE.lastIndex = 0;
    let match;
    while ((match = ESCAPE.exec(text))) {
      push(text.slice(at, match.index));
      at = ESCAPE.lastIndex;
      if (match[2] === "m") sgr(style, match[1]);
      else if (match[3] !== undefined) {
        const target = osc8(match[3]);
        if (target !== undefined) href = target;
      }
    }
  }
  push(text.slice(at));
  return linkify(runs);
}

/** Splits runs that are not links yet at the URLs they contain. */
function linkify(runs) {
  const out = [];
  for (const run of runs) {
    if (run.href || run.text.indexOf("http") === -1) { out.push(run); continue; }
    let at = 0;
    URL_PATTERN.lastIndex = 0;
    let match;
    while ((match = URL_PATTERN.exec(run.text))) {
      if (match.index > at) out.push({ ...run, text: run.text.slice(at, match.index) });
      out.push({ ...run, text: match[0], href: match[0] });
      at = URL_PATTERN.lastIndex;
    }
    if (at < run.text.length) out.push({ ...run, text: run.text.slice(at) });
  }
  return out;
}

/** The text a reader sees: the line without its escapes (what search and copy use). */
export function strip(text) {
  if (text.indexOf(ESC) === -1) return text;
  return text.replace(ESCAPE, "");
}
