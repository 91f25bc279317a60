// CSV parsing (RFC 4180: quotes, doubled quotes, newlines in quotes) and a safe markdown renderer: it builds DOM
// nodes with textContent only, so no script and no raw HTML from an artifact ever reaches the page; links are kept
// only for http(s) and mailto targets.

/** The rows of a CSV text, each a list of cells. */
export function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"') { if (text[i + 1] === '"') { cell += '"'; i += 1; } else quoted = false; }
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

const SAFE_LINK = /^(https?:|mailto:)/i;

/** Inline markdown: `code`, **bold**, *italic* / _italic_, [text](url); everything else is text. */
function inline(text) {
  const out = document.createDocumentFragment();
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*]+)\*|_([^_]+)_|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0, match;
  while ((match = pattern.exec(text))) {
    if (match.index > at) out.append(text.slice(at, match.index));
    let node;
    if (match[1] !== undefined) { node = document.createElement("code"); node.textContent = match[1]; }
    else if (match[2] !== undefined) { node = document.createElement("strong"); node.append(inline(match[2])); }
    else if (match[3] !== undefined || match[4] !== undefined) { node = document.createElement("em"); node.append(inline(match[3] ?? match[4])); }
    else if (SAFE_LINK.test(match[6])) {
      node = document.createElement("a");
      node.href = match[6];
      node.rel = "noopener noreferrer";
      node.target = "_blank";
      node.textContent = match[5];
    } else node = document.createTextNode(match[5]);
    out.append(node);
    at = pattern.lastIndex;
  }
  if (at < text.length) out.append(text.slice(at));
  return out;
}

/** A markdown text as a DOM element: headings, paragraphs, lists, block quotes, fenced code, rules. */
export function renderMarkdown(text) {
  const root = document.createElement("div");
  root.className = "markdown";
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let paragraph = [];
  let list = null;
  const flush = () => {
    if (paragraph.length) { const p = document.createElement("p"); p.append(inline(paragraph.join(" "))); root.append(p); }
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    if (/^```/.test(line)) {
      flush(); list = null;
      const code = [];
      for (i += 1; i < lines.length && !/^```/.test(lines[i]); i += 1) code.push(lines[i]);
      const pre = document.createElement("pre");
      pre.textContent = code.join("\n");
      root.append(pre);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    const item = /^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$/.exec(line);
    if (heading) {
      flush(); list = null;
      const h = document.createElement(`h${Math.min(6, heading[1].length + 2)}`);
      h.append(inline(heading[2]));
      root.append(h);
    } else if (item) {
      flush();
      const tag = item[1] ? "ol" : "ul";
      if (!list || list.tagName.toLowerCase() !== tag) { list = document.createElement(tag); root.append(list); }
      const li = document.createElement("li");
      li.append(inline(item[2]));
      list.append(li);
    } else if (/^>\s?/.test(line)) {
      flush(); list = null;
      const quote = document.createElement("blockquote");
      quote.append(inline(line.replace(/^>\s?/, "")));
      root.append(quote);
    } else if (/^(-{3,}|\*{3,})\s*$/.test(line)) {
      flush(); list = null;
      root.append(document.createElement("hr"));
    } else if (!line.trim()) { flush(); list = null; }
    else { list = null; paragraph.push(line.trim()); }
  }
  flush();
  return root;
}
