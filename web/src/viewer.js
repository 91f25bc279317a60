// The live job viewer: a job's output, status and progress, watched with Firestore listeners (onSnapshot).
//
// Lines are shown only while they are contiguous: each chunk holds lines numbered across the attempt, chunks can
// arrive in any order, so a chunk past a hole waits for the missing one (as `tailrun logs -f` does). Served by
// `tailrun dev` at /web/, it reads the stack's settings from /_tailrun/config and reaches the emulator through
// the stack's WebChannel front. A job's artifacts are listed live too, with download, approve and reject buttons
// (which call the stack's functions with its development token).
//
// The development token is never served over HTTP: `tailrun dev` prints the viewer's link with the token in its
// fragment (`/web/#token=…`, which browsers do not send to the server). The page keeps it in this origin's
// localStorage, removes it from the address bar, and uses it for the Listen channel (mockUserToken, sent as
// `Authorization: Bearer …` on the handshake) and for function calls; later links (`/web/?job=ID`) reuse it.
import { initializeApp } from "firebase/app";
import {
  collection, connectFirestoreEmulator, doc, getFirestore, limit, onSnapshot, orderBy, query, where,
} from "firebase/firestore";

const TERMINAL = new Set(["succeeded", "failed", "canceled", "timed_out"]);
const GAP_GRACE_MS = 5000; // how long an ended attempt may keep a hole before it is reported

const $ = (id) => document.getElementById(id);

const TOKEN_KEY = "tailrun.devToken";

/** The development token: from the link's fragment (then stored and removed from the address bar), or stored. */
function devToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const fromLink = fragment.get("token");
  if (fromLink) {
    localStorage.setItem(TOKEN_KEY, fromLink);
    fragment.delete("token");
    const rest = fragment.toString();
    history.replaceState(null, "", `${location.pathname}${location.search}${rest ? `#${rest}` : ""}`);
  }
  return localStorage.getItem(TOKEN_KEY);
}

async function connect(token) {
  const config = await (await fetch("/_tailrun/config")).json();
  const app = initializeApp({ projectId: config.project, apiKey: "local", appId: "tailrun-local" });
  const db = getFirestore(app);
  connectFirestoreEmulator(db, location.hostname, Number(location.port || 80), { mockUserToken: token });
  return { db, owner: config.owner };
}

/** POST to one of the stack's functions with the development token; its JSON answer, or an Error. */
async function callFunction(token, name, body) {
  const answer = await fetch(`/${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  const payload = await answer.json();
  if (!answer.ok) throw new Error((payload.error && payload.error.message) || `${name} answered ${answer.status}`);
  return payload;
}

function formatSize(bytes) {
  if (typeof bytes !== "number") return "";
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes, unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function button(label, action) {
  const element = document.createElement("button");
  element.textContent = label;
  element.addEventListener("click", async () => {
    element.disabled = true;
    try { await action(); } catch (error) { $("artifact-error").textContent = error.message; }
    element.disabled = false;
  });
  return element;
}

// What the artifacts section holds: it shows once there is an artifact or a file that could not be uploaded.
const artifactsShown = { documents: 0, failures: 0 };
function showArtifactsSection() {
  $("artifacts").hidden = artifactsShown.documents === 0 && artifactsShown.failures === 0;
}

/** The files the job's runners could not upload (each attempt's `artifact_errors`), with the reason. */
function showFailedUploads(failures) {
  const list = $("artifact-failures");
  list.replaceChildren();
  const byAttempt = [...failures].sort((a, b) => a[0] - b[0]);
  for (const [attempt, errors] of byAttempt) {
    for (const error of errors) {
      const item = document.createElement("li");
      item.textContent = `not uploaded: ${error.name} (attempt ${attempt}): ${error.message}`;
      list.appendChild(item);
    }
  }
  artifactsShown.failures = list.childElementCount;
  showArtifactsSection();
}

/** The job's artifacts, live: each appears when finalized, and its review state changes in place. */
function watchArtifacts(db, token, jobId) {
  const review = (artifact, decision) => async () => {
    const note = window.prompt(`${decision} ${artifact.name}: a note (optional)`, "");
    if (note === null) return;
    await callFunction(token, "review_artifact", { job_id: jobId, artifact_id: artifact.id, decision, note });
  };
  const download = (artifact) => async () => {
    const answer = await callFunction(token, "download_artifact", { job_id: jobId, artifact_id: artifact.id });
    window.location.assign(answer.url);
  };
  const ordered = query(collection(db, "jobs", jobId, "artifacts"), orderBy("created_at"));
  onSnapshot(ordered, (snapshot) => {
    artifactsShown.documents = snapshot.size;
    showArtifactsSection();
    const rows = $("artifact-rows");
    rows.replaceChildren();
    for (const snap of snapshot.docs) {
      const artifact = { id: snap.id, ...snap.data() };
      const state = (artifact.review && artifact.review.state) || "pending";
      const row = document.createElement("tr");
      const cells = [artifact.name, formatSize(artifact.size), artifact.content_type, artifact.uploaded_by];
      for (const text of cells) {
        const cell = document.createElement("td");
        cell.textContent = text || "";
        row.appendChild(cell);
      }
      const decided = document.createElement("td");
      decided.className = `review ${state}`;
      const by = state !== "pending" && artifact.review.reviewer ? ` by ${artifact.review.reviewer}` : "";
      const note = artifact.review && artifact.review.note ? ` — ${artifact.review.note}` : "";
      decided.textContent = `${state}${by}${note}`;
      row.appendChild(decided);
      const actions = document.createElement("td");
      actions.appendChild(button("download", download(artifact)));
      if (state === "pending") actions.append(button("approve", review(artifact, "approve")), button("reject", review(artifact, "reject")));
      row.appendChild(actions);
      rows.appendChild(row);
    }
  }, (error) => { $("artifact-error").textContent = `artifacts: ${error.message}`; });
}

/** Holds the chunks of one attempt and hands out lines only while they follow each other. */
class Lines {
  constructor() { this.next = 0; this.pending = new Map(); }
  add(lines) {
    for (const line of lines) if (line.line >= this.next) this.pending.set(line.line, line);
  }
  ready() {
    const out = [];
    while (this.pending.has(this.next)) { out.push(this.pending.get(this.next)); this.pending.delete(this.next++); }
    return out;
  }
  gap() {
    if (this.pending.size === 0) return null;
    return [this.next, Math.min(...this.pending.keys())];
  }
  skip() { const gap = this.gap(); if (gap) this.next = gap[1]; return gap; }
}

function appendLines(lines) {
  const output = $("output");
  const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
  for (const line of lines) {
    const span = document.createElement("span");
    span.className = line.stream === "stderr" ? "stderr" : "stdout";
    span.textContent = line.text + (line.partial ? "" : "\n");
    output.appendChild(span);
  }
  if (atBottom) output.scrollTop = output.scrollHeight;
}

function note(text, className = "note") {
  const span = document.createElement("span");
  span.className = className;
  span.textContent = text + "\n";
  $("output").appendChild(span);
}

function showJob(job) {
  $("status").textContent = job.status;
  $("status").className = `status ${job.status}`;
  $("command").textContent = (job.argv || (job.spec && job.spec.argv) || []).join(" ");
  const progress = job.progress || null;
  $("progress").hidden = !progress;
  if (progress) {
    $("bar").value = Number(progress.percent) || 0;
    $("step").textContent = `${Math.round(Number(progress.percent) || 0)}% ${progress.step || ""}`;
  }
  const end = [];
  if (job.exit_code !== null && job.exit_code !== undefined) end.push(`exit code ${job.exit_code}`);
  if (job.signal) end.push(`signal ${job.signal}`);
  if (job.error && job.error.message && job.error.code !== "exit_code") end.push(job.error.message);
  $("end").textContent = TERMINAL.has(job.status) ? end.join("; ") : "";
}

function watchJob(db, jobId) {
  $("job-id").textContent = jobId;
  const attempts = new Map(); // attempt → Lines
  const counts = new Map(); // attempt → its stored line count, once it has ended
  const failedUploads = new Map(); // attempt → its artifact_errors
  let shown = null; // the attempt on screen
  let job = null;
  let waitingSince = null;
  const linesOf = (attempt) => attempts.get(attempt) || attempts.set(attempt, new Lines()).get(attempt);

  function advance() {
    if (!job) return;
    const latest = job.attempt || 1;
    if (shown === null) { shown = latest; note(`attempt ${shown}`); }
    for (;;) {
      const lines = linesOf(shown);
      appendLines(lines.ready());
      const expected = counts.has(shown) ? counts.get(shown) : (shown === latest ? job.lines : undefined);
      const ended = shown < latest || TERMINAL.has(job.status);
      const complete = ended && expected !== undefined && lines.next >= expected;
      const hole = lines.gap();
      $("gap").textContent = hole ? `waiting for lines ${hole[0]}–${hole[1] - 1}…` : "";
      if (!ended) return;
      if (!complete) {
        waitingSince = waitingSince || Date.now();
        if (Date.now() - waitingSince < GAP_GRACE_MS) return;
        let missing;
        while ((missing = lines.skip())) {
          note(`lines ${missing[0]}–${missing[1] - 1} are missing`, "gap");
          appendLines(lines.ready());
        }
      }
      waitingSince = null;
      if (shown >= latest) return;
      shown += 1;
      note(`attempt ${shown}`);
    }
  }

  const jobRef = doc(db, "jobs", jobId);
  onSnapshot(jobRef, (snapshot) => {
    if (!snapshot.exists() && snapshot.metadata.fromCache) {
      // The SDK answers from its (empty) cache once the channel fails: a refused (stale) token, or no stack.
      $("status").textContent = "cannot listen to the stack: if it was restarted with another state directory, "
        + "open the job viewer link that `tailrun dev` printed (…/web/#token=…)";
      return;
    }
    if (!snapshot.exists()) { $("status").textContent = "no such job"; return; }
    job = snapshot.data();
    showJob(job);
    advance();
  }, (error) => {
    // The rules refuse a job that does not exist as they refuse another user's: Firestore cannot tell them apart.
    $("status").textContent = error.code === "permission-denied" ? "no such job (or not yours)" : `error: ${error.message}`;
  });
  onSnapshot(collection(jobRef, "chunks"), (snapshot) => {
    for (const change of snapshot.docChanges()) {
      if (change.type === "removed") continue;
      const chunk = change.doc.data();
      linesOf(chunk.attempt || 1).add(chunk.lines || []);
    }
    advance();
  });
  onSnapshot(collection(jobRef, "attempts"), (snapshot) => {
    for (const change of snapshot.docChanges()) {
      const attempt = change.doc.data();
      if (typeof attempt.lines === "number") counts.set(attempt.attempt, attempt.lines);
      failedUploads.set(attempt.attempt, attempt.artifact_errors || []);
    }
    showFailedUploads(failedUploads);
    advance();
  });
  setInterval(advance, 1000); // lets the grace for a hole run out even when nothing arrives
}

function listJobs(db, owner) {
  $("viewer").hidden = true;
  $("status").textContent = "your recent jobs (open one to follow it live)";
  $("status").className = "status";
  const recent = query(collection(db, "jobs"), where("owner", "==", owner), orderBy("created_at", "desc"), limit(50));
  onSnapshot(recent, (snapshot) => {
    const list = $("jobs");
    list.replaceChildren();
    for (const snap of snapshot.docs) {
      const job = snap.data();
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `?job=${encodeURIComponent(snap.id)}`;
      link.textContent = snap.id;
      const status = document.createElement("span");
      status.className = `status ${job.status}`;
      status.textContent = job.status;
      item.append(link, " ", status, " ", (job.argv || []).join(" "));
      list.appendChild(item);
    }
  }, (error) => { $("status").textContent = `error: ${error.message}`; });
}

const token = devToken();
if (!token) {
  $("status").textContent = "this page needs the stack's development token: open the job viewer link that "
    + "`tailrun dev` printed (…/web/#token=…) once in this browser";
  $("status").className = "status failed";
} else {
  const { db, owner } = await connect(token);
  const jobId = new URLSearchParams(location.search).get("job");
  if (jobId) { watchJob(db, jobId); watchArtifacts(db, token, jobId); } else listJobs(db, owner);
  // A stored token from an earlier stack is refused at the Listen handshake, which the SDK retries quietly.
  setTimeout(() => {
    if ($("status").textContent === "connecting…") {
      $("status").textContent = "still connecting: if the stack was restarted with another state directory, open "
        + "the job viewer link that `tailrun dev` printed (…/web/#token=…)";
    }
  }, 15000);
}
