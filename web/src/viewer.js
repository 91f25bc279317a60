// The tailrun web app: jobs, one job (its log, attempts, events, artifacts), batches (the live execution view) and a
// form to create either, all live through Firestore listeners (onSnapshot) of the Firebase JS SDK.
//
// Pages are chosen by the address: `?job=ID` (optionally `&attempt=N`, and `#L120` for a line), `?batch=ID`,
// `?page=batches`, `?page=create`, else the jobs table. Served by `tailrun dev` at /web/, it reads the stack's
// settings from /_tailrun/config and reaches the emulator through the stack's WebChannel front; deployed as static
// files, it reads `config.json` beside the page (`{project, apiKey, authDomain}`) and signs in with Firebase Auth.
//
// Identity: the development token is never served over HTTP: `tailrun dev` prints the viewer's link with the token
// in its fragment (`/web/#token=…`, which browsers do not send to the server). The page keeps it in this origin's
// localStorage, removes it from the address bar, and uses it for the Listen channel (mockUserToken, sent as
// `Authorization: Bearer …` on the handshake) and for function calls; later links (`/web/?job=ID`) reuse it.
// Without it, and when the stack runs the Auth emulator (config `auth_emulator`) or the page is deployed, the page
// offers an email and password sign-in (Firebase Auth, loaded only then).
//
// Workspaces (issue 14): the page lists the caller's `workspaces` (`member_uids array-contains uid`); when there
// are several, a switcher chooses one; lists query `workspace_id == W` (the chosen one, else the caller's personal
// workspace `personal-<uid>`, which `list_workspaces` creates on first use).
//
// Lines are shown only while they are contiguous: each chunk holds lines numbered across the attempt, chunks can
// arrive in any order, so a chunk past a hole waits for the missing one (as `tailrun logs -f` does); once the
// attempt has ended and a grace has passed, a hole is shown as missing lines.
import { initializeApp } from "firebase/app";
import {
  collection, connectFirestoreEmulator, doc, getDocs, getFirestore, limit, onSnapshot, orderBy, query, startAfter, where,
} from "firebase/firestore";
import { LogView, clock } from "./logview.js";
import { parseCsv, renderMarkdown } from "./text.js";

const params = new URLSearchParams(location.search);
const TERMINAL = new Set(["succeeded", "failed", "canceled", "timed_out"]);
const BATCH_ENDED = new Set(["completed", "stopped"]);
const GAP_GRACE_MS = 5000; // how long an ended attempt may keep a hole before it is reported
const PAGE_SIZE = Math.max(1, Math.min(500, Number(params.get("size")) || 50)); // jobs per page (`&size=` for a test)
const TOKEN_KEY = "tailrun.devToken";
const WORKSPACE_KEY = "tailrun.workspace";

const $ = (id) => document.getElementById(id);

function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (key === "text") element.textContent = value;
    else element.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) element.append(child);
  return element;
}

function setStatus(text, className = "") {
  $("status").textContent = text;
  $("status").className = `status ${className}`;
}

function say(text) { $("message").textContent = text; }

// --- identity and connection ---

/** The development token: from the link's fragment (then stored and removed from the address bar), or stored. */
function devToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromLink = fragment.get("token");
  if (fromLink) {
    localStorage.setItem(TOKEN_KEY, fromLink);
    fragment.delete("token");
    const rest = fragment.toString().replace(/=(&|$)/g, "$1");
    history.replaceState(null, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
  }
  return localStorage.getItem(TOKEN_KEY);
}

async function loadConfig() {
  const local = await fetch("/_tailrun/config").catch(() => null);
  if (local && local.ok) return { ...(await local.json()), local: true };
  const deployed = await fetch("config.json").catch(() => null);
  if (deployed && deployed.ok) return { ...(await deployed.json()), local: false };
  throw new Error("this page found neither a local stack (/_tailrun/config) nor its config.json");
}

/** Who the page acts as: {uid, token() → bearer token, db, signOut}. */
async function identify(config) {
  const app = initializeApp({
    projectId: config.project, apiKey: config.apiKey || config.api_key || "local",
    authDomain: config.authDomain, appId: "tailrun-web",
  });
  const db = getFirestore(app);
  const token = devToken();
  const host = config.local ? location.hostname : null;
  if (token && config.local) {
    connectFirestoreEmulator(db, host, Number(location.port || 80), { mockUserToken: token });
    return { uid: config.owner, db, token: async () => token, dev: true };
  }
  if (config.local && !config.auth_emulator) return null;
  const authModule = await import("firebase/auth");
  const auth = authModule.getAuth(app);
  if (config.auth_emulator) authModule.connectAuthEmulator(auth, `http://${config.auth_emulator}`, { disableWarnings: true });
  if (config.local) connectFirestoreEmulator(db, host, Number(location.port || 80));
  const user = await new Promise((resolve) => { const stop = authModule.onAuthStateChanged(auth, (u) => { stop(); resolve(u); }); });
  const signedIn = user || (await signInForm(authModule, auth));
  return {
    uid: signedIn.uid, db, token: () => signedIn.getIdToken(), email: signedIn.email,
    signOut: () => authModule.signOut(auth).then(() => location.reload()),
  };
}

function signInForm(authModule, auth) {
  return new Promise((resolve) => {
    const form = $("signin");
    form.hidden = false;
    setStatus("sign in to see your jobs");
    form.onsubmit = async (event) => {
      event.preventDefault();
      $("signin-error").textContent = "";
      try {
        const answer = await authModule.signInWithEmailAndPassword(auth, $("email").value, $("password").value);
        form.hidden = true;
        resolve(answer.user);
      } catch (error) {
        $("signin-error").textContent = error.code === "auth/invalid-credential" || error.code === "auth/wrong-password"
          ? "That email and password do not match an account." : `Could not sign in: ${error.message}`;
      }
    };
  });
}

/** Live / Reconnecting / Offline, from the SDK's snapshots (fromCache once the channel is down) and the browser. */
const connection = {
  state: "connecting",
  report(fromCache) { this.set(navigator.onLine === false ? "offline" : fromCache ? "reconnecting" : "live"); },
  set(state) {
    this.state = state;
    const shown = { live: "Live", reconnecting: "Reconnecting…", offline: "Offline", connecting: "Connecting…" }[state];
    $("connection").textContent = shown;
    $("connection").className = `connection ${state}`;
  },
};
addEventListener("offline", () => connection.set("offline"));
addEventListener("online", () => connection.set("reconnecting"));

let me = null; // the identity
let workspace = null; // the chosen workspace id, or null (the personal workspace)

/** POST to one of the functions with the caller's token; its JSON answer, or an Error whose message is a sentence. */
async function callFunction(name, body) {
  let answer;
  try {
    answer = await fetch(`${functionsBase()}/${name}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${await me.token()}` },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`Could not reach the functions (${name}): ${error.message}.`);
  }
  const payload = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error((payload.error && payload.error.message) || `${name} answered HTTP ${answer.status}.`);
  return payload;
}

let functionsUrl = "";
function functionsBase() { return functionsUrl; }

/** A button that runs `action`, disabled while it runs; a failure is said in `where` (or the page's message). */
function button(label, action, { where = null, className = "" } = {}) {
  const element = el("button", { type: "button", class: className, text: label });
  element.addEventListener("click", async () => {
    element.disabled = true;
    try { await action(); } catch (error) { (where || $("message")).textContent = error.message; }
    element.disabled = false;
  });
  return element;
}

// --- formatting ---

function formatSize(bytes) {
  if (typeof bytes !== "number") return "";
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

const millis = (ts) => (ts && typeof ts.toMillis === "function" ? ts.toMillis() : null);

function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "";
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

function jobDuration(job) {
  const start = millis(job.started_at);
  if (!start) return "";
  return duration(((millis(job.ended_at) || Date.now()) - start) / 1000);
}

function when(ts) {
  const ms = millis(ts);
  return ms ? new Date(ms).toLocaleString() : "";
}

function commandOf(job) {
  const spec = job.spec || {};
  if (spec.prompt) return `${spec.agent || "agent"}: ${spec.prompt}`;
  return (job.argv || spec.argv || []).join(" ");
}

function badge(status) { return el("span", { class: `badge ${status}`, text: status || "" }); }

// --- navigation ---

function nav() {
  const here = params.get("job") ? "jobs" : params.get("batch") ? "batches" : params.get("page") || "jobs";
  const links = [["jobs", "./", "Jobs"], ["batches", "?page=batches", "Batches"], ["create", "?page=create", "Create"]];
  $("nav").replaceChildren(...links.map(([key, href, label]) =>
    el("a", { href, class: key === here ? "here" : "", "aria-current": key === here ? "page" : null, text: label })));
}

/** The caller's workspaces, live; the switcher shows only when there is more than one. The functions create the
 * caller's personal workspace on first use: `list_workspaces` is called once first, so that it exists (the rules
 * judge every list by its workspace document). */
async function watchWorkspaces(onChange) {
  await callFunction("list_workspaces", {}).catch(() => null); // its failure shows as the lists' own refusal
  const mine = query(collection(me.db, "workspaces"), where("member_uids", "array-contains", me.uid));
  let first = true;
  onSnapshot(mine, (snapshot) => {
    const spaces = snapshot.docs.map((snap) => ({ id: snap.id, ...snap.data() }));
    const switcher = $("workspace");
    switcher.hidden = spaces.length < 2;
    const stored = localStorage.getItem(WORKSPACE_KEY);
    const chosen = spaces.find((s) => s.id === stored) || spaces.find((s) => s.personal) || spaces[0];
    switcher.replaceChildren(...spaces.map((s) => el("option", { value: s.id, text: s.name || s.id, selected: chosen && s.id === chosen.id })));
    const next = chosen ? chosen.id : null;
    if (first || next !== workspace) { workspace = next; first = false; onChange(); }
  }, () => { if (first) { first = false; onChange(); } }); // refused: the personal workspace's lists say why
  $("workspace").addEventListener("change", (event) => {
    localStorage.setItem(WORKSPACE_KEY, event.target.value);
    location.reload();
  });
}

/** A list query's scope: the chosen workspace, else the caller's personal one (rules are not filters: every list
 * names its workspace). */
function scope() {
  return where("workspace_id", "==", workspace || `personal-${me.uid}`);
}

// --- the jobs table ---

function jobsPage() {
  $("jobs-page").hidden = false;
  setStatus("jobs");
  const filters = { status: params.get("status") || "", label: params.get("label") || "", batch: params.get("batch_filter") || "" };
  $("filter-status").value = filters.status;
  $("filter-label").value = filters.label;
  $("filter-batch").value = filters.batch;
  $("filters").onsubmit = (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    if ($("filter-status").value) next.set("status", $("filter-status").value);
    if ($("filter-label").value.trim()) next.set("label", $("filter-label").value.trim());
    if ($("filter-batch").value.trim()) next.set("batch_filter", $("filter-batch").value.trim());
    location.search = next.toString();
  };
  const cursors = [null]; // the last document of each page before the shown one
  let page = 0;
  let stop = () => {};
  let lastDoc = null;
  const show = () => {
    stop();
    if (filters.batch) { stop = batchJobs(filters.batch, page); return; }
    const constraints = [scope()];
    if (filters.status) constraints.push(where("status", "==", filters.status));
    if (filters.label) constraints.push(where("label_pairs", "array-contains", filters.label));
    constraints.push(orderBy("created_at", "desc"));
    if (cursors[page]) constraints.push(startAfter(cursors[page]));
    constraints.push(limit(PAGE_SIZE + 1));
    stop = onSnapshot(query(collection(me.db, "jobs"), ...constraints), { includeMetadataChanges: true }, (snapshot) => {
      connection.report(snapshot.metadata.fromCache);
      const docs = snapshot.docs.slice(0, PAGE_SIZE);
      lastDoc = docs[docs.length - 1] || null;
      showJobRows(docs.map((snap) => ({ id: snap.id, ...snap.data() })));
      $("next-page").disabled = snapshot.docs.length <= PAGE_SIZE;
      $("prev-page").disabled = page === 0;
      $("page-number").textContent = `page ${page + 1}`;
      if (!snapshot.metadata.fromCache) setStatus(docs.length ? "jobs" : "no jobs yet: create one");
    }, (error) => setStatus(sentence(error, "jobs"), "failed"));
  };
  $("next-page").onclick = () => { cursors[page + 1] = lastDoc; page += 1; show(); };
  $("prev-page").onclick = () => { if (page > 0) { page -= 1; show(); } };
  show();
}

/** The jobs of one batch, through its rows (in row order), one page at a time. */
function batchJobs(batchId, page) {
  const listeners = new Map();
  const jobs = new Map();
  const rowsRef = collection(me.db, "batches", batchId, "rows");
  const stopRows = onSnapshot(query(rowsRef, orderBy("row")), (snapshot) => {
    const rows = snapshot.docs.map((snap) => snap.data()).filter((row) => row.job_id);
    const shown = rows.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
    $("next-page").disabled = rows.length <= (page + 1) * PAGE_SIZE;
    $("prev-page").disabled = page === 0;
    for (const row of shown) {
      if (listeners.has(row.job_id)) continue;
      listeners.set(row.job_id, onSnapshot(doc(me.db, "jobs", row.job_id), (snap) => {
        if (snap.exists()) jobs.set(snap.id, { id: snap.id, ...snap.data() });
        showJobRows(shown.map((r) => jobs.get(r.job_id)).filter(Boolean));
      }));
    }
    setStatus(`jobs of batch ${batchId}`);
  }, (error) => setStatus(sentence(error, "rows of that batch"), "failed"));
  return () => { stopRows(); for (const stop of listeners.values()) stop(); };
}

function showJobRows(jobs) {
  const body = $("job-rows");
  body.replaceChildren(...jobs.map((job) => {
    const labels = Object.entries((job.spec && job.spec.labels) || {}).map(([k, v]) => el("span", { class: "label", text: `${k}=${v}` }));
    const progress = job.progress ? `${Math.round(Number(job.progress.percent) || 0)}%` : "";
    return el("tr", {},
      el("td", {}, badge(job.status)),
      el("td", {}, el("a", { href: `?job=${encodeURIComponent(job.id)}`, text: commandOf(job) || job.id })),
      el("td", {}, ...labels),
      el("td", { text: when(job.created_at) }),
      el("td", { text: jobDuration(job) }),
      el("td", { text: job.exit_code ?? "" }),
      el("td", { text: progress }),
      el("td", { class: "step", text: job.current_step || (job.progress && job.progress.step) || "" }));
  }));
}

function sentence(error, what) {
  if (error.code === "permission-denied") return `The ${what} cannot be read here: they do not exist, or they are not shared with you.`;
  if (error.code === "failed-precondition") return `The ${what} list needs an index the database does not have yet: ${error.message}`;
  return `Could not read the ${what}: ${error.message}.`;
}

// --- a job ---

function jobPage(jobId) {
  $("job-page").hidden = false;
  $("job-id").textContent = jobId;
  document.title = `tailrun — job ${jobId}`;
  const wanted = Number(params.get("attempt")) || null;
  let job = null;
  let shown = null; // {attempt, view, stop}
  const attempts = new Map();

  const jobRef = doc(me.db, "jobs", jobId);
  onSnapshot(jobRef, { includeMetadataChanges: true }, (snapshot) => {
    connection.report(snapshot.metadata.fromCache);
    if (!snapshot.exists() && snapshot.metadata.fromCache) {
      // The SDK answers from its (empty) cache once the channel fails: a refused (stale) token, or no stack.
      if (!job) setStatus("cannot listen to the stack: if it was restarted with another state directory, "
        + "open the job viewer link that `tailrun dev` printed (…/web/#token=…)");
      return;
    }
    if (!snapshot.exists()) { setStatus("no such job"); say("There is no such job: check the link."); return; }
    job = snapshot.data();
    showJob(jobId, job);
    const latest = job.attempt || 1;
    if (!shown) open(wanted && wanted <= latest ? wanted : latest);
    else if (!wanted && shown.attempt < latest && shown.followLatest) open(latest);
    refresh();
  }, (error) => {
    // The rules refuse a job that does not exist as they refuse another user's: Firestore cannot tell them apart.
    // the badge stays short (tests/cli/test_viewer_browser.py reads it); the sentence goes in the message line
    setStatus(error.code === "permission-denied" ? "no such job (or not yours)" : "error", "failed");
    say(error.code === "permission-denied" ? "This job does not exist, or it is not shared with you." : `Could not read the job: ${error.message}.`);
  });

  onSnapshot(collection(jobRef, "attempts"), (snapshot) => {
    for (const snap of snapshot.docs) { const a = snap.data(); attempts.set(a.attempt, a); }
    showAttempts();
    showFailedUploads(attempts);
    refresh();
  }, () => {});

  function showAttempts() {
    const latest = (job && job.attempt) || Math.max(1, ...attempts.keys());
    const tabs = [];
    for (let n = 1; n <= latest; n += 1) {
      const attempt = attempts.get(n) || {};
      const label = `attempt ${n}${attempt.status ? ` · ${attempt.status}` : ""}${attempt.exit_code !== undefined && attempt.exit_code !== null ? ` · exit ${attempt.exit_code}` : ""}`;
      tabs.push(el("button", {
        type: "button", role: "tab", class: `attempt ${attempt.status || ""}`, "aria-selected": shown && shown.attempt === n ? "true" : "false",
        text: label, onclick: () => { history.replaceState(null, "", `?job=${encodeURIComponent(jobId)}&attempt=${n}`); open(n); },
      }));
    }
    $("attempts").replaceChildren(...tabs);
  }

  /** Whether the shown attempt has ended, and with how many lines. */
  function refresh() {
    if (!shown || !job) return;
    const attempt = attempts.get(shown.attempt);
    const latest = job.attempt || 1;
    const ended = shown.attempt < latest || TERMINAL.has(job.status);
    const count = attempt && typeof attempt.lines === "number" ? attempt.lines : (shown.attempt === latest && ended ? job.lines : null);
    // The grace for holes runs from when the attempt ended and its stored chunks have all been read.
    if (!ended || !shown.done) { shown.endedAt = null; shown.view.setEnded(null, false); return; }
    shown.endedAt = shown.endedAt || Date.now();
    const complete = count !== null && shown.view.contiguous >= count;
    const final = complete || Date.now() - shown.endedAt >= GAP_GRACE_MS;
    shown.view.setEnded(count, final);
    if (complete && shown.stop && shown.done) { shown.stop(); shown.stop = null; }
  }
  setInterval(refresh, 1000); // lets the grace for a hole run out even when nothing arrives

  function open(n) {
    if (shown && shown.attempt === n) return;
    if (shown) { shown.closed = true; if (shown.stop) shown.stop(); }
    $("output").replaceChildren();
    $("output").className = "";
    const view = new LogView($("output"), {
      permalink: (line) => `?job=${encodeURIComponent(jobId)}&attempt=${n}#L${line}`,
      onFollow: (on) => { $("follow").setAttribute("aria-pressed", String(on)); $("follow").textContent = on ? "Following" : "Follow"; },
    });
    view.setWrap($("wrap").checked);
    view.setTimestamps($("timestamps").checked);
    const latest = (job && job.attempt) || n;
    shown = { attempt: n, view, stop: null, followLatest: n === latest && !wanted, events: [], done: false };
    window.tailrunLog = view; // for the benchmark and the tests: the viewer's own state
    showAttempts();
    $("events").replaceChildren();
    loadAttempt(jobId, shown);
    const target = /^#L(\d+)$/.exec(location.hash);
    if (target) {
      const line = Number(target[1]) - 1;
      view.target = line;
      view.follow = false;
      shown.pendingTarget = line;
    } else view.setFollow(true);
  }
  // A permalink followed on the same page (only the fragment changes): go to its line.
  addEventListener("hashchange", () => {
    const target = /^#L(\d+)$/.exec(location.hash);
    if (!target || !shown) return;
    const line = Number(target[1]) - 1;
    shown.view.target = line;
    if (!shown.view.reveal(line)) shown.pendingTarget = line;
  });
  wireLogControls(() => shown && shown.view, jobId, () => shown && shown.attempt);
  watchArtifacts(jobId);
}

/** Reads an attempt's chunks page by page (a first small page for a quick first screen), then listens for the rest
 * from the last chunk after which nothing is missing (a later chunk with a lower seq is still seen). */
async function loadAttempt(jobId, shown) {
  const { attempt, view } = shown;
  const base = collection(me.db, "jobs", jobId, "chunks");
  const inOrder = [where("attempt", "==", attempt), orderBy("seq")];
  let cursor = null;
  let safeSeq = null; // every line and event up to this chunk's is held
  let broken = false;
  const take = (chunks) => {
    const lines = [];
    const events = [];
    for (const chunk of chunks) {
      if (chunk.lines && chunk.lines.length) for (const line of chunk.lines) lines.push(line);
      if (chunk.events && chunk.events.length) for (const event of chunk.events) events.push(event);
    }
    if (events.length) { view.addEvents(events); addTimeline(shown, events); }
    if (lines.length) view.addLines(lines);
    if (shown.pendingTarget !== undefined && view.contiguous > shown.pendingTarget) {
      const line = shown.pendingTarget;
      delete shown.pendingTarget;
      requestAnimationFrame(() => view.reveal(line));
    }
  };
  const advanceSafe = (chunk) => {
    if (broken) return;
    const linesEnd = (chunk.first_line || 0) + (chunk.line_count || (chunk.lines || []).length);
    if (view.contiguous >= linesEnd) safeSeq = chunk.seq; else broken = true;
  };
  try {
    for (let size = 4; !shown.closed; size = Math.min(size * 4, 200)) {
      const page = query(base, ...inOrder, ...(cursor === null ? [] : [startAfter(cursor)]), limit(size));
      const snapshot = await getDocs(page);
      const chunks = snapshot.docs.map((snap) => snap.data());
      take(chunks);
      for (const chunk of chunks) advanceSafe(chunk);
      if (chunks.length) cursor = chunks[chunks.length - 1].seq;
      if (chunks.length < size) break;
    }
  } catch (error) {
    if (error.code !== "permission-denied") say(`Could not read the output: ${error.message}`);
    return;
  }
  if (shown.closed) return;
  shown.done = true;
  const rest = query(base, ...inOrder, ...(safeSeq === null ? [] : [startAfter(safeSeq)]));
  shown.stop = onSnapshot(rest, (snapshot) => {
    take(snapshot.docChanges().filter((change) => change.type !== "removed").map((change) => change.doc.data()));
  }, (error) => say(`The output stopped updating: ${error.message}`));
}

function wireLogControls(current, jobId, attemptOf) {
  const find = () => {
    const view = current();
    if (!view) return;
    const count = view.search($("search").value);
    if (count) { const [at] = view.step(1); $("search-count").textContent = `${at} of ${count}`; }
    else $("search-count").textContent = $("search").value ? "no match" : "";
  };
  let timer = null;
  $("search").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(find, 200); });
  $("search").addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    clearTimeout(timer);
    const view = current();
    if (!view) return;
    if (view.query !== $("search").value) { find(); return; }
    const [at, count] = view.step(event.shiftKey ? -1 : 1);
    $("search-count").textContent = count ? `${at} of ${count}` : "no match";
  });
  const step = (direction) => {
    const view = current();
    if (!view) return;
    if (view.query !== $("search").value) find();
    const [at, count] = view.step(direction);
    $("search-count").textContent = count ? `${at} of ${count}` : "no match";
  };
  $("search-next").onclick = () => step(1);
  $("search-prev").onclick = () => step(-1);
  $("follow").onclick = () => current()?.setFollow(true);
  $("wrap").onchange = () => current()?.setWrap($("wrap").checked);
  $("timestamps").onchange = () => current()?.setTimestamps($("timestamps").checked);
  $("copy").onclick = async () => {
    const view = current();
    if (!view) return;
    try { await navigator.clipboard.writeText(view.plainText()); say("The log was copied."); } catch (error) {
      say(`Could not copy: ${error.message}`);
    }
  };
  $("download").onclick = () => {
    const view = current();
    if (!view) return;
    const blob = new Blob([view.rawText()], { type: "text/plain" });
    const link = el("a", { href: URL.createObjectURL(blob), download: `${jobId}-attempt-${attemptOf()}.log` });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  };
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "f" && !$("job-page").hidden) {
      event.preventDefault();
      $("search").focus();
      $("search").select();
    } else if (event.key === "Escape" && document.activeElement === $("search")) {
      $("search").value = "";
      find();
    }
  });
}

function showJob(jobId, job) {
  setStatus(job.status, job.status);
  $("command").textContent = commandOf(job);
  const progress = job.progress || null;
  $("progress").hidden = !progress && !job.current_step;
  $("bar").hidden = !progress;
  if (progress) $("bar").value = Number(progress.percent) || 0;
  const step = job.current_step || (progress && progress.step) || "";
  $("step").textContent = `${progress ? `${Math.round(Number(progress.percent) || 0)}% ` : ""}${step}`;
  $("current-url").replaceChildren(...(job.current_url && /^https?:/i.test(job.current_url)
    ? [el("a", { href: job.current_url, target: "_blank", rel: "noopener noreferrer", text: job.current_url })] : []));
  const end = [];
  if (job.exit_code !== null && job.exit_code !== undefined) end.push(`exit code ${job.exit_code}`);
  if (job.signal) end.push(`signal ${job.signal}`);
  if (job.error && job.error.message && job.error.code !== "exit_code") end.push(job.error.message);
  $("end").textContent = TERMINAL.has(job.status) ? end.join("; ") : "";
  const facts = [];
  const notes = job.annotations || {};
  if (notes.error) facts.push(`${notes.error} error${notes.error > 1 ? "s" : ""}`);
  if (notes.warning) facts.push(`${notes.warning} warning${notes.warning > 1 ? "s" : ""}`);
  if (job.usage && typeof job.usage.cost_usd === "number") facts.push(`$${job.usage.cost_usd.toFixed(4)}`);
  if (job.usage && job.usage.input_tokens) facts.push(`${job.usage.input_tokens} in / ${job.usage.output_tokens || 0} out tokens`);
  const duration_ = jobDuration(job);
  if (duration_) facts.push(duration_);
  $("facts").textContent = facts.join(" · ");
  const related = [];
  if (job.parent_job_id) related.push("retry of ", el("a", { href: `?job=${encodeURIComponent(job.parent_job_id)}`, text: job.parent_job_id }), " ");
  for (const retry of job.retried_by || []) related.push("retried as ", el("a", { href: `?job=${encodeURIComponent(retry)}`, class: "retried-by", text: retry }), " ");
  if (job.batch_id) related.push("row ", String((job.row ?? 0) + 1), " of batch ", el("a", { href: `?batch=${encodeURIComponent(job.batch_id)}`, text: job.batch_id }));
  $("related").replaceChildren(...related);
  const actions = [];
  if (!TERMINAL.has(job.status)) {
    actions.push(button("Cancel", async () => {
      await callFunction("cancel_job", { job_id: jobId });
      say("Cancel requested.");
    }, { className: "danger", where: $("message") }));
  } else {
    actions.push(button("Retry", async () => {
      const answer = await callFunction("retry_job", { job_id: jobId });
      say("");
      $("message").replaceChildren("Retried as ", el("a", { href: `?job=${encodeURIComponent(answer.job_id)}`, id: "retry-link", text: answer.job_id }), ".");
    }));
  }
  $("job-actions").replaceChildren(...actions);
}

/** The agent's events as a timeline: steps, messages, tool calls and results, the result and its cost. */
function addTimeline(shown, events) {
  const list = $("events");
  const interesting = events.filter((e) => !["group", "endgroup"].includes(e.kind)).sort((a, b) => a.event - b.event);
  if (!interesting.length) return;
  $("timeline").hidden = false;
  const items = interesting.map((event) => {
    const text = describe(event);
    return el("li", { class: `event ${event.kind} ${event.level || ""}`, "data-event": event.event },
      el("time", { text: event.ts ? clock(event.ts) : "" }), " ", el("b", { text: event.kind.replaceAll("_", " ") }), " ",
      event.kind === "url" && /^https?:/i.test(event.url || "")
        ? el("a", { href: event.url, target: "_blank", rel: "noopener noreferrer", text: event.url })
        : el("span", { text }),
      event.at_line !== undefined ? el("a", { class: "at-line", href: `#L${event.at_line + 1}`, text: ` line ${event.at_line + 1}`, onclick: (e) => {
        e.preventDefault();
        window.tailrunLog?.reveal(Math.max(0, Math.min(event.at_line, window.tailrunLog.highest)));
      } }) : null);
  });
  list.append(...items);
  while (list.childElementCount > 2000) list.firstElementChild.remove(); // the newest 2,000 on the page
}

function describe(event) {
  const cut = event.cut ? " [cut]" : "";
  const json = (value) => { try { return typeof value === "string" ? value : JSON.stringify(value); } catch { return String(value); } };
  switch (event.kind) {
    case "step": return event.text + cut;
    case "annotation": return `${event.level}: ${event.title ? `${event.title}: ` : ""}${event.message || ""}${event.file ? ` (${event.file}${event.line ? `:${event.line}` : ""})` : ""}`;
    case "message": case "thinking": return (event.text || json(event.content || "")) + cut;
    case "tool_call": return `${event.name || event.tool || ""} ${event.summary || json(event.input || "")}`.trim() + cut;
    case "tool_result": return (event.summary || json(event.output || event.content || "")).slice(0, 500) + cut;
    case "result": return json(event.value).slice(0, 500) + cut;
    case "usage": return [event.input_tokens && `${event.input_tokens} in`, event.output_tokens && `${event.output_tokens} out`, typeof event.cost_usd === "number" && `$${event.cost_usd.toFixed(4)}`].filter(Boolean).join(", ");
    default: {
      const { event: _n, at_line: _a, ts: _t, kind: _k, ...rest } = event;
      return json(rest).slice(0, 500);
    }
  }
}

// --- artifacts ---

const artifactsShown = { documents: 0, failures: 0 };
function showArtifactsSection() {
  $("artifacts").hidden = artifactsShown.documents === 0 && artifactsShown.failures === 0;
}

/** The files the job's runners could not upload (each attempt's `artifact_errors`), with the reason. */
function showFailedUploads(attempts) {
  const list = $("artifact-failures");
  list.replaceChildren();
  for (const [n, attempt] of [...attempts].sort((a, b) => a[0] - b[0])) {
    for (const error of attempt.artifact_errors || []) {
      list.appendChild(el("li", { text: `not uploaded: ${error.name} (attempt ${n}): ${error.message}` }));
    }
  }
  artifactsShown.failures = list.childElementCount;
  showArtifactsSection();
}

/** The job's artifacts, live: each appears when finalized, and its review state changes in place. */
function watchArtifacts(jobId) {
  const download = async (artifact) => (await callFunction("download_artifact", { job_id: jobId, artifact_id: artifact.id })).url;
  const db = me.db;
  const ordered = query(collection(db, "jobs", jobId, "artifacts"), orderBy("created_at"));
  onSnapshot(ordered, (snapshot) => {
    artifactsShown.documents = snapshot.size;
    showArtifactsSection();
    const rows = $("artifact-rows");
    const open = new Set([...rows.querySelectorAll("tr.preview-row")].map((row) => row.dataset.id));
    rows.replaceChildren();
    for (const snap of snapshot.docs) {
      const artifact = { id: snap.id, ...snap.data() };
      const state = (artifact.review && artifact.review.state) || "pending";
      const by = state !== "pending" && artifact.review.reviewer ? ` by ${artifact.review.reviewer}` : "";
      const note = artifact.review && artifact.review.note ? ` — ${artifact.review.note}` : "";
      const preview = el("td", { colspan: 6 });
      const previewRow = el("tr", { class: "preview-row", "data-id": artifact.id, hidden: true }, preview);
      const actions = el("td", {},
        button("Preview", async () => {
          previewRow.hidden = !previewRow.hidden;
          if (!previewRow.hidden && !preview.childElementCount) await showPreview(preview, artifact, await download(artifact));
        }, { where: $("artifact-error") }),
        button("Download", async () => { window.location.assign(await download(artifact)); }, { where: $("artifact-error") }));
      if (state === "pending") actions.append(reviewForm(jobId, artifact));
      rows.append(el("tr", { "data-id": artifact.id },
        el("td", { text: artifact.name }), el("td", { text: formatSize(artifact.size) }), el("td", { text: artifact.content_type || "" }),
        el("td", { text: artifact.uploaded_by || "" }), el("td", { class: `review ${state}`, text: `${state}${by}${note}` }), actions), previewRow);
      if (open.has(artifact.id)) previewRow.hidden = false;
    }
  }, (error) => { $("artifact-error").textContent = `Could not read the artifacts: ${error.message}.`; });
}

/** Approve or reject with an optional note, in the page. */
function reviewForm(jobId, artifact) {
  const noteInput = el("input", { type: "text", class: "note-input", placeholder: "note (optional)", "aria-label": `note for ${artifact.name}`, maxlength: 1000 });
  const decide = (decision) => async () => {
    await callFunction("review_artifact", { job_id: jobId, artifact_id: artifact.id, decision, note: noteInput.value });
  };
  return el("span", { class: "review-form" }, noteInput,
    button("Approve", decide("approve"), { where: $("artifact-error") }),
    button("Reject", decide("reject"), { where: $("artifact-error"), className: "danger" }));
}

/** A preview by type: images as images; text, CSV (a table) and markdown (rendered without any HTML) read in full
 * up to 1 MiB. */
async function showPreview(where, artifact, url) {
  const type = (artifact.content_type || "").split(";")[0].trim();
  const name = artifact.name || "";
  if (type.startsWith("image/")) { where.append(el("img", { src: url, alt: name, class: "preview-image" })); return; }
  const textual = type.startsWith("text/") || /json|csv|markdown|xml|yaml/.test(type) || /\.(md|csv|txt|log|json)$/i.test(name);
  if (!textual) { where.append(el("p", { text: "No preview for this type: download it." })); return; }
  if (artifact.size > 1024 * 1024) { where.append(el("p", { text: "Too large to preview (over 1 MiB): download it." })); return; }
  let text;
  try {
    const answer = await fetch(url);
    if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
    text = await answer.text();
  } catch (error) {
    where.append(el("p", { text: `Could not load the preview (${error.message}): download it.` }));
    return;
  }
  if (type === "text/csv" || /\.csv$/i.test(name)) {
    const rows = parseCsv(text).slice(0, 501);
    const [head, ...body] = rows;
    where.append(el("table", { class: "csv-preview" },
      el("thead", {}, el("tr", {}, ...(head || []).map((cell) => el("th", { text: cell })))),
      el("tbody", {}, ...body.map((row) => el("tr", {}, ...row.map((cell) => el("td", { text: cell })))))));
  } else if (type === "text/markdown" || /\.md$/i.test(name)) {
    where.append(renderMarkdown(text));
  } else where.append(el("pre", { class: "text-preview", text }));
}

// --- batches ---

function batchesPage() {
  $("batches-page").hidden = false;
  setStatus("batches");
  const recent = query(collection(me.db, "batches"), scope(), orderBy("created_at", "desc"), limit(100));
  onSnapshot(recent, { includeMetadataChanges: true }, (snapshot) => {
    connection.report(snapshot.metadata.fromCache);
    $("batch-rows").replaceChildren(...snapshot.docs.map((snap) => {
      const batch = snap.data();
      const counts = batch.counts || {};
      return el("tr", {},
        el("td", {}, badge(batch.status)),
        el("td", {}, el("a", { href: `?batch=${encodeURIComponent(snap.id)}`, text: batch.name || snap.id })),
        el("td", { text: `${(counts.succeeded || 0) + (counts.failed || 0) + (counts.canceled || 0) + (counts.timed_out || 0)} / ${batch.total ?? ""}` }),
        el("td", { text: when(batch.created_at) }));
    }));
    if (!snapshot.metadata.fromCache && !snapshot.size) setStatus("no batches yet");
  }, (error) => setStatus(sentence(error, "batches"), "failed"));
}

const ROW_HEIGHT = 28;
const FIRST_ROWS = 50; // the results table's first page: more than a screen
const ROWS_PAGE = 1000; // its later pages

function batchPage(batchId) {
  $("batch-page").hidden = false;
  $("batch-id").textContent = batchId;
  document.title = `tailrun — batch ${batchId}`;
  let batch = null;
  let everSeenRunning = false;
  let rows = [];
  const sort = { key: "row", direction: 1 };
  const cards = new Map(); // job id → {element, stop}
  const ref = doc(me.db, "batches", batchId);

  onSnapshot(ref, { includeMetadataChanges: true }, (snapshot) => {
    connection.report(snapshot.metadata.fromCache);
    if (!snapshot.exists()) { if (!snapshot.metadata.fromCache) { setStatus("no such batch"); say("There is no such batch: check the link."); } return; }
    const before = batch && batch.status;
    batch = snapshot.data();
    if (!BATCH_ENDED.has(batch.status)) everSeenRunning = true;
    if (before && before !== batch.status && BATCH_ENDED.has(batch.status) && everSeenRunning) notifyEnd(batch);
    showBatch(batchId, batch);
  }, (error) => {
    setStatus(error.code === "permission-denied" ? "no such batch (or not yours)" : "error", "failed");
    say(error.code === "permission-denied" ? "This batch does not exist, or it is not shared with you." : `Could not read the batch: ${error.message}.`);
  });

  // The rows, as listeners over pages in row order: a first page of one screen, then pages of ROWS_PAGE rows, each
  // opened once the one before it is full. One listener over every row made the table wait for the whole first
  // snapshot (the emulator serves and the SDK decodes ~10,000 documents before it); pages draw as they land. Row
  // numbers never change, so a row stays in its page; the last page is never full, so it sees rows added at the end.
  const rowsQuery = query(collection(ref, "rows"), orderBy("row"));
  const pages = []; // [{rows, stop}] in row order
  function openPage(index, after) {
    const size = index === 0 ? FIRST_ROWS : ROWS_PAGE;
    const page = { rows: [], stop: null };
    pages[index] = page;
    page.stop = onSnapshot(query(rowsQuery, ...(after === null ? [] : [startAfter(after)]), limit(size)), (snapshot) => {
      page.rows = snapshot.docs.map((snap) => snap.data());
      if (page.rows.length === size && !pages[index + 1]) openPage(index + 1, page.rows[size - 1].row);
      rows = pages.flatMap((each) => each.rows);
      showCards(rows);
      reorder();
    }, (error) => say(`The rows could not be read: ${error.message}`));
  }
  openPage(0, null);

  setInterval(() => { if (batch) showStats(batch); for (const card of cards.values()) card.tick(); }, 1000);

  function showCards(all) {
    const running = all.filter((row) => (row.status === "booting" || row.status === "running") && row.job_id);
    const ids = new Set(running.map((row) => row.job_id));
    for (const [id, card] of cards) if (!ids.has(id)) { card.stop(); card.element.remove(); cards.delete(id); }
    for (const row of running) {
      if (cards.has(row.job_id)) continue;
      const element = el("article", { class: "card", "data-row": row.row });
      let job = null;
      const tick = () => {
        if (!job) return;
        const progress = job.progress;
        element.replaceChildren(
          el("header", {}, el("a", { href: `?job=${encodeURIComponent(row.job_id)}`, text: `row ${row.row + 1}` }), " ", badge(job.status)),
          el("div", { class: "card-step", text: job.current_step || (progress && progress.step) || "" }),
          job.current_url && /^https?:/i.test(job.current_url) ? el("a", { class: "card-url", href: job.current_url, target: "_blank", rel: "noopener noreferrer", text: job.current_url }) : el("span"),
          progress ? el("progress", { max: 100, value: Number(progress.percent) || 0 }) : el("span"),
          el("div", { class: "card-elapsed", text: jobDuration(job) }));
      };
      const stop = onSnapshot(doc(me.db, "jobs", row.job_id), (snap) => { job = snap.data() || null; tick(); }, () => {});
      cards.set(row.job_id, { element, stop, tick });
      $("cards").append(element);
    }
    $("running").hidden = cards.size === 0;
  }

  // The results table: a virtual list of fixed-height rows, sorted and filtered in memory (≤ 10,000 rows).
  const scroller = $("results");
  let drawing = false;
  scroller.addEventListener("scroll", () => {
    if (drawing) return;
    drawing = true;
    requestAnimationFrame(() => { drawing = false; drawTable(); });
  }, { passive: true });
  $("row-filter").onchange = () => reorder();
  for (const th of document.querySelectorAll("#results-head [data-sort]")) {
    th.tabIndex = 0;
    const choose = () => {
      sort.direction = sort.key === th.dataset.sort ? -sort.direction : 1;
      sort.key = th.dataset.sort;
      for (const other of document.querySelectorAll("#results-head [data-sort]")) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", sort.direction > 0 ? "ascending" : "descending");
      reorder();
    };
    th.onclick = choose;
    th.onkeydown = (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); choose(); } };
  }
  let ordered = null; // the rows filtered and sorted: recomputed when the rows, the sort or the filter change
  let redraw = false;
  // A new snapshot, sort or filter redraws once in the next frame (several snapshots in a frame cost one draw).
  const reorder = () => {
    ordered = null;
    if (redraw) return;
    redraw = true;
    requestAnimationFrame(() => { redraw = false; drawTable(); });
  };
  function sortedRows() {
    if (ordered) return ordered;
    const filter = $("row-filter").value;
    const shown = filter ? rows.filter((row) => (filter === "running" ? row.status === "running" || row.status === "booting" : row.status === filter)) : rows.slice();
    const key = sort.key;
    const value = (row) => (key === "values" ? Object.values(row.values || {}).join(" ") : row[key] ?? (key === "row" ? 0 : ""));
    shown.sort((a, b) => { const x = value(a), y = value(b); return (x < y ? -1 : x > y ? 1 : 0) * sort.direction || a.row - b.row; });
    ordered = shown;
    return shown;
  }
  const rowElement = (row) => el("div", { class: "result", role: "row", "data-row": row.row },
    el("span", { role: "cell", text: row.row + 1 }),
    el("span", { role: "cell" }, badge(row.status)),
    el("span", { role: "cell", class: "values", text: Object.entries(row.values || {}).map(([k, v]) => `${k}=${v}`).join(" ") }),
    el("span", { role: "cell", text: row.exit_code ?? "" }),
    el("span", { role: "cell", text: duration(row.duration_s) }),
    el("span", { role: "cell", text: row.attempts ?? "" }),
    el("span", { role: "cell", class: "result-value", text: row.error ? row.error.message : row.result !== undefined && row.result !== null ? JSON.stringify(row.result) : "" }),
    el("span", { role: "cell" }, row.job_id ? el("a", { href: `?job=${encodeURIComponent(row.job_id)}`, text: "job" }) : ""));
  // What is drawn: rows drawnFirst … drawnLast − 1 of drawnOf. A scroll within the same order only removes the rows
  // that left the view and adds those that entered it (a few a frame), so a frame lays out and paints little.
  let drawnOf = null, drawnFirst = 0, drawnLast = 0, shownText = "", spacerHeight = -1;
  function drawTable() {
    const shown = sortedRows();
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - 5);
    const last = Math.min(shown.length, first + Math.ceil(scroller.clientHeight / ROW_HEIGHT) + 10);
    const body = $("result-rows");
    if (shown !== drawnOf) {
      body.replaceChildren(...shown.slice(first, last).map(rowElement));
      drawnOf = shown;
    } else {
      if (first === drawnFirst && last === drawnLast) return;
      for (; drawnFirst < first && drawnFirst < drawnLast; drawnFirst += 1) body.firstElementChild.remove();
      for (; drawnLast > last && drawnLast > drawnFirst; drawnLast -= 1) body.lastElementChild.remove();
      if (drawnFirst === drawnLast) drawnFirst = drawnLast = first;
      if (first < drawnFirst) body.prepend(...shown.slice(first, drawnFirst).map(rowElement));
      if (last > drawnLast) body.append(...shown.slice(drawnLast, last).map(rowElement));
    }
    drawnFirst = first;
    drawnLast = last;
    body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    if (spacerHeight !== shown.length * ROW_HEIGHT) {
      spacerHeight = shown.length * ROW_HEIGHT;
      $("results-spacer").style.height = `${spacerHeight}px`;
    }
    const text = `${shown.length} of ${rows.length} rows`;
    if (text !== shownText) { shownText = text; $("rows-shown").textContent = text; }
  }
  wireBatchControls(batchId, () => batch);
}

function showStats(batch) {
  const counts = batch.counts || {};
  const ended = (counts.succeeded || 0) + (counts.failed || 0) + (counts.canceled || 0) + (counts.timed_out || 0);
  const start = millis(batch.started_at);
  const elapsed = start ? ((millis(batch.ended_at) || Date.now()) - start) / 1000 : null;
  const stats = [
    ["total", batch.total ?? counts.total ?? 0], ["queued", counts.queued || 0], ["running", counts.running || 0],
    ["succeeded", counts.succeeded || 0], ["failed", counts.failed || 0], ["canceled", counts.canceled || 0], ["timed out", counts.timed_out || 0],
    ["success rate", typeof batch.success_rate === "number" ? `${Math.round(batch.success_rate * 100)}%` : "—"],
    ["elapsed", elapsed === null ? "—" : duration(elapsed)],
    ["ETA", typeof batch.eta_s === "number" ? duration(batch.eta_s) : "—"],
    ["throughput", typeof batch.rows_per_minute === "number" ? `${batch.rows_per_minute.toFixed(1)} rows/min` : "—"],
    ["concurrency", batch.concurrency ?? ""],
  ];
  $("stats").replaceChildren(...stats.map(([name, value]) => el("div", { class: "stat", "data-stat": name }, el("b", { text: String(value) }), el("span", { text: name }))));
  const total = batch.total || 1;
  $("batch-bar").value = Math.round((ended / total) * 100);
}

function showBatch(batchId, batch) {
  setStatus(batch.status, batch.status);
  $("batch-name").textContent = batch.name || "";
  const template = batch.template || {};
  $("batch-template").textContent = template.prompt ? `${template.agent || "agent"}: ${template.prompt}` : (template.argv || []).join(" ");
  const reason = batch.status === "paused" && batch.paused_reason ? `paused: ${batch.paused_reason}`
    : batch.stopped_reason && (batch.status === "stopped" || batch.status === "stopping") ? `stopped: ${batch.stopped_reason}` : "";
  $("batch-reason").textContent = reason;
  showStats(batch);
  const running = batch.status === "running", paused = batch.status === "paused";
  $("pause").hidden = !running;
  $("resume").hidden = !paused;
  $("stop-form").hidden = !(running || paused);
  const counts = batch.counts || {};
  // retry_batch refuses a stopped (or stopping) batch: it re-queues failed, timed-out and canceled rows of the others
  const retryable = (counts.failed || 0) + (counts.timed_out || 0) + (counts.canceled || 0);
  $("retry-failed").hidden = !retryable || batch.status === "stopped" || batch.status === "stopping";
  if (document.activeElement !== $("concurrency")) $("concurrency").value = batch.concurrency ?? 1;
  $("concurrency-form").hidden = BATCH_ENDED.has(batch.status);
  if (BATCH_ENDED.has(batch.status)) $("batch-done").hidden = false;
  $("batch-done").textContent = batch.status === "completed"
    ? `This batch completed: ${counts.succeeded || 0} succeeded, ${(counts.failed || 0) + (counts.timed_out || 0)} failed, ${counts.canceled || 0} canceled.`
    : batch.status === "stopped" ? `This batch was stopped${batch.stopped_reason ? ` (${batch.stopped_reason})` : ""}.` : "";
}

function notifyEnd(batch) {
  $("batch-done").hidden = false;
  $("batch-done").classList.add("flash");
  if ("Notification" in window && Notification.permission === "granted") {
    new Notification(`tailrun: batch ${batch.name || ""} ${batch.status}`);
  }
}

function wireBatchControls(batchId, current) {
  const control = (name, body = {}) => async () => {
    say("");
    await callFunction(name, { batch_id: batchId, ...body });
  };
  const where = { where: $("message") };
  $("pause").replaceWith(Object.assign(button("Pause", control("pause_batch"), where), { id: "pause" }));
  $("resume").replaceWith(Object.assign(button("Resume", control("resume_batch"), where), { id: "resume" }));
  $("retry-failed").replaceWith(Object.assign(button("Retry failed rows", control("retry_batch"), where), { id: "retry-failed" }));
  $("stop-form").onsubmit = async (event) => {
    event.preventDefault();
    try {
      await control("stop_batch", { reason: $("stop-reason").value || null, cancel_running: $("cancel-running").checked })();
    } catch (error) { say(error.message); }
  };
  $("concurrency-form").onsubmit = async (event) => {
    event.preventDefault();
    try {
      await control("set_batch_concurrency", { concurrency: Number($("concurrency").value) })();
      say(`Concurrency set to ${$("concurrency").value}.`);
    } catch (error) { say(error.message); }
  };
  for (const format of ["csv", "jsonl"]) {
    $(`export-${format}`).onclick = async () => {
      try {
        const answer = await fetch(`${functionsBase()}/export_batch?batch_id=${encodeURIComponent(batchId)}&format=${format}`, {
          headers: { Authorization: `Bearer ${await me.token()}` },
        });
        if (!answer.ok) { const payload = await answer.json().catch(() => ({})); throw new Error((payload.error && payload.error.message) || `export answered HTTP ${answer.status}`); }
        const blob = await answer.blob();
        const link = el("a", { href: URL.createObjectURL(blob), download: `batch-${batchId}.${format}` });
        document.body.appendChild(link);
        link.click();
        link.remove();
      } catch (error) { say(`Could not export: ${error.message}`); }
    };
  }
  void current;
}

// --- create ---

/** Splits a command line as a POSIX shell does for words and quotes (no expansions). */
export function shellSplit(text) {
  const words = [];
  let word = null, quote = null;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < text.length && '"\\$`'.includes(text[i + 1])) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') { quote = c; word = word ?? ""; }
    else if (c === "\\" && i + 1 < text.length) word = (word ?? "") + text[++i];
    else if (/\s/.test(c)) { if (word !== null) words.push(word); word = null; }
    else word = (word ?? "") + c;
  }
  if (quote) throw new Error("A quote in the command is not closed.");
  if (word !== null) words.push(word);
  return words;
}

function fill(template, values) {
  return template.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (match, name) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    return name in values ? values[name] : `{${name}?}`;
  });
}

function labelsOf(text) {
  const labels = {};
  for (const pair of text.split(/[\s,]+/).filter(Boolean)) {
    const at = pair.indexOf("=");
    if (at < 1) throw new Error(`The label "${pair}" is not key=value.`);
    labels[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return labels;
}

function createPage() {
  $("create-page").hidden = false;
  setStatus("create a job or a batch");
  const kind = () => $("create-form").elements.kind.value;
  const mode = () => $("create-form").elements.mode.value;
  const sync = () => {
    $("batch-fields").hidden = kind() !== "batch";
    $("command-field").hidden = mode() !== "command";
    $("prompt-fields").hidden = mode() !== "prompt";
    $("create-submit").textContent = kind() === "batch" ? "Start batch" : "Run job";
    preview();
  };
  let csvText = "";
  const preview = () => {
    const out = $("csv-preview");
    out.replaceChildren();
    if (kind() !== "batch" || !csvText) return;
    const [header = [], ...body] = parseCsv(csvText);
    const first = body.slice(0, 5);
    const template = mode() === "command" ? $("new-command").value : $("prompt").value;
    out.append(
      el("p", { text: `${body.length} row${body.length === 1 ? "" : "s"}; columns: ${header.join(", ")}` }),
      el("table", {}, el("thead", {}, el("tr", {}, ...header.map((h) => el("th", { text: h })), el("th", { text: "filled template" }))),
        el("tbody", {}, ...first.map((row) => {
          const values = Object.fromEntries(header.map((h, i) => [h, row[i] ?? ""]));
          return el("tr", {}, ...row.map((cell) => el("td", { text: cell })), el("td", { class: "filled" }, el("code", { text: fill(template, values) })));
        }))));
  };
  for (const input of $("create-form").querySelectorAll("input[type=radio]")) input.onchange = sync;
  $("new-command").oninput = preview;
  $("prompt").oninput = preview;
  $("csv-file").onchange = async () => {
    const file = $("csv-file").files[0];
    csvText = file ? await file.text() : "";
    $("csv-text").value = csvText;
    preview();
  };
  $("csv-text").oninput = () => { csvText = $("csv-text").value; preview(); };
  $("create-form").onsubmit = async (event) => {
    event.preventDefault();
    $("create-error").textContent = "";
    try {
      const body = { labels: labelsOf($("labels").value) };
      if (mode() === "command") {
        const argv = shellSplit($("new-command").value);
        if (!argv.length) throw new Error("Type the command to run.");
        body.argv = argv;
      } else {
        if (!$("prompt").value.trim()) throw new Error("Type the prompt.");
        body.prompt = $("prompt").value;
        body.agent = $("agent").value;
      }
      if ($("timeout").value) body.timeout_s = Number($("timeout").value);
      if (workspace) body.workspace_id = workspace;
      if (kind() === "job") {
        const answer = await callFunction("create_job", body);
        location.assign(`?job=${encodeURIComponent(answer.job_id)}`);
        return;
      }
      if (!csvText.trim()) throw new Error("Choose a CSV file (or paste its text).");
      body.csv = csvText;
      body.concurrency = Number($("batch-concurrency").value) || 1;
      if ($("sample").checked) body.sample = Number($("sample-size").value) || 1;
      if ($("batch-name-input").value) body.name = $("batch-name-input").value;
      const answer = await callFunction("create_batch", body);
      location.assign(`?batch=${encodeURIComponent(answer.batch_id)}`);
    } catch (error) {
      $("create-error").textContent = error.message;
    }
  };
  sync();
}

// --- start ---

async function main() {
  nav();
  let config;
  try { config = await loadConfig(); } catch (error) { setStatus(error.message, "failed"); return; }
  functionsUrl = config.functions_url || "";
  me = await identify(config);
  if (!me) {
    setStatus("this page needs the stack's development token: open the job viewer link that "
      + "`tailrun dev` printed (…/web/#token=…) once in this browser", "failed");
    return;
  }
  $("who").textContent = me.email || me.uid;
  if (me.signOut) $("who").append(" ", button("Sign out", me.signOut));
  const jobId = params.get("job");
  const batchId = params.get("batch");
  if (jobId) jobPage(jobId);
  else if (batchId) batchPage(batchId);
  else watchWorkspaces(() => {
    for (const page of ["jobs-page", "batches-page", "create-page"]) $(page).hidden = true;
    const page = params.get("page");
    if (page === "batches") batchesPage();
    else if (page === "create") createPage();
    else jobsPage();
  });
  // A stored token from an earlier stack is refused at the Listen handshake, which the SDK retries quietly.
  setTimeout(() => {
    if ($("status").textContent === "connecting…") {
      setStatus("still connecting: if the stack was restarted with another state directory, open "
        + "the job viewer link that `tailrun dev` printed (…/web/#token=…)");
    }
  }, 15000);
}

main();

