// infra/firestore.rules, evaluated for real: @firebase/rules-unit-testing drives the Firebase JS SDK (what the web
// viewer uses) against a Firestore emulator that enforces rules, as alice (who owns a job in her personal workspace
// and the workspace "team"), bob (another user, in neither), carol (a viewer of "team") and a reader who is not
// signed in. The emulator's address comes from FIRESTORE_EMULATOR_HOST, so the same tests run
// against Google's emulator (tests/node/test_rules.py starts it) or any other that enforces rules.
//
// Run: FIRESTORE_EMULATOR_HOST=127.0.0.1:PORT node --test tests/node/rules.test.mjs
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { assertFails, assertSucceeds, initializeTestEnvironment } from '@firebase/rules-unit-testing';
import {
  Timestamp,
  collection,
  collectionGroup,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  setLogLevel,
  setDoc,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';

const here = path.dirname(fileURLToPath(import.meta.url));
const RULES = readFileSync(path.resolve(here, '../../infra/firestore.rules'), 'utf8');
const PROJECT = 'demo-tailrun-rules';
const LISTEN_TIMEOUT_MS = 15000;
const CUT_TIMEOUT_MS = 60000; // how long a removed member's listener may take to be cut (Google's emulator)
setLogLevel('silent'); // refusals are what these tests expect; the SDK would log each one as an error

const ALICE_JOB = 'a'.repeat(32);
const BOB_JOB = 'b'.repeat(32);
const MISSING_JOB = 'c'.repeat(32);
const CHUNK = '0001-00000000';
const ATTEMPT = '0001';
const ARTIFACT = 'report-txt';
const at = Timestamp.fromMillis(Date.UTC(2026, 0, 2, 3, 4, 5));
const ALICE_BATCH = '1'.repeat(32);
const BOB_BATCH = '2'.repeat(32);
const HALF_WRITTEN_BATCH = '3'.repeat(32); // rows written, batch document not yet: readable by nobody
const ROW = '000000';
const TEAM = 't'.repeat(32); // alice owns it, carol is a viewer
const TEAM_JOB = 'e'.repeat(32);
const LEGACY_JOB = 'f'.repeat(32); // alice's, written before workspaces: no workspace_id (her personal workspace)
const TEAM_BATCH = '4'.repeat(32);
const ALICE_WS = 'personal-alice';

function workspace(owner, members, personal) {
  const roles = Object.fromEntries(members.map(([uid, role]) => [uid, role]));
  return {
    name: personal ? 'Personal' : 'team', owner, roles, member_uids: members.map(([uid]) => uid),
    emails: Object.fromEntries(members.map(([uid]) => [uid, null])), personal, created_at: at, updated_at: at,
  };
}

function batch(owner, status, workspaceId = `personal-${owner}`) {
  return {
    owner, workspace_id: workspaceId, name: 'b', status, concurrency: 2, total: 1, created_at: at, updated_at: at,
    counts: { total: 1, queued: 1, running: 0, succeeded: 0, failed: 0, canceled: 0, timed_out: 0 },
  };
}

function row(status) {
  return { row: 0, values: { name: 'x' }, status, job_id: null, updated_at: at };
}

function job(owner, status, workspaceId = `personal-${owner}`) {
  const placed = workspaceId === null ? {} : { workspace_id: workspaceId };
  return {
    owner, ...placed, status, attempt: 1, argv: ['echo', 'hi'], spec: { argv: ['echo', 'hi'], timeout_s: 60, labels: {} },
    created_at: at, updated_at: at, lines: 1, last_seq: 1, tail: [{ line: 0, stream: 'stdout', text: 'hi' }],
    parent_job_id: null, idempotency_key: null,
  };
}

// Every document a reader could aim at, as the functions write them (functions/DATA_MODEL.md).
const SEED = {
  [`workspaces/${ALICE_WS}`]: workspace('alice', [['alice', 'owner']], true),
  'workspaces/personal-bob': workspace('bob', [['bob', 'owner']], true),
  [`workspaces/${TEAM}`]: workspace('alice', [['alice', 'owner'], ['carol', 'viewer']], false),
  [`jobs/${TEAM_JOB}`]: job('alice', 'running', TEAM),
  [`jobs/${TEAM_JOB}/chunks/${CHUNK}`]: { attempt: 1, seq: 0, first_line: 0, line_count: 0, lines: [], created_at: at },
  [`jobs/${LEGACY_JOB}`]: job('alice', 'succeeded', null),
  [`jobs/${LEGACY_JOB}/chunks/${CHUNK}`]: { attempt: 1, seq: 0, first_line: 0, line_count: 0, lines: [], created_at: at },
  [`batches/${TEAM_BATCH}`]: batch('alice', 'running', TEAM),
  [`batches/${TEAM_BATCH}/rows/${ROW}`]: row('queued'),
  [`jobs/${ALICE_JOB}`]: job('alice', 'running'),
  [`jobs/${ALICE_JOB}/chunks/${CHUNK}`]: {
    attempt: 1, seq: 0, first_line: 0, line_count: 1, created_at: at,
    lines: [{ line: 0, stream: 'stdout', ts: 1767323045000, text: 'hi' }],
  },
  [`jobs/${ALICE_JOB}/attempts/${ATTEMPT}`]: { attempt: 1, status: 'running', created_at: at },
  [`jobs/${ALICE_JOB}/artifacts/${ARTIFACT}`]: { name: 'report.txt', size: 3, review: 'pending', created_at: at },
  [`jobs/${BOB_JOB}`]: job('bob', 'succeeded'),
  [`jobs/${BOB_JOB}/chunks/${CHUNK}`]: { attempt: 1, seq: 0, first_line: 0, line_count: 0, lines: [], created_at: at },
  [`jobs/${BOB_JOB}/attempts/${ATTEMPT}`]: { attempt: 1, status: 'succeeded', created_at: at },
  [`jobs/${BOB_JOB}/artifacts/${ARTIFACT}`]: { name: 'report.txt', size: 3, review: 'approved', created_at: at },
  [`batches/${ALICE_BATCH}`]: batch('alice', 'running'),
  [`batches/${ALICE_BATCH}/rows/${ROW}`]: row('queued'),
  [`batches/${BOB_BATCH}`]: batch('bob', 'completed'),
  [`batches/${BOB_BATCH}/rows/${ROW}`]: row('succeeded'),
  [`batches/${HALF_WRITTEN_BATCH}/rows/${ROW}`]: row('queued'),
  'users/alice/artifacts/upload-1': { name: 'notes.md', size: 5, created_at: at },
  'users/bob/artifacts/upload-2': { name: 'notes.md', size: 5, created_at: at },
  // Server-only, each holding alice's own data: owning it does not make it readable.
  [`job_secrets/${ALICE_JOB}`]: { owner: 'alice', env: { API_KEY: 'secret' } },
  [`attempt_tokens/${ALICE_JOB}-0001`]: { owner: 'alice', job_id: ALICE_JOB, attempt: 1, token_hash: '00'.repeat(32) },
  [`idempotency/${'d'.repeat(64)}`]: { owner: 'alice', job_id: ALICE_JOB, fingerprint: 'f', created_at: at },
  'artifact_uploads/upload-3': { owner: 'alice', job_id: ALICE_JOB, name: 'out.bin', created_at: at },
  [`batch_secrets/${ALICE_BATCH}`]: { owner: 'alice', env: { API_KEY: 'secret' } },
  [`batch_slots/${ALICE_BATCH}-0`]: { owner: 'alice', batch_id: ALICE_BATCH, k: 0, job_id: ALICE_JOB },
  'users/alice': { owner: 'alice' },
  'anything_added_later/x': { owner: 'alice' },
};
const SERVER_ONLY = [
  `job_secrets/${ALICE_JOB}`, `attempt_tokens/${ALICE_JOB}-0001`, `idempotency/${'d'.repeat(64)}`,
  'artifact_uploads/upload-3', `batch_secrets/${ALICE_BATCH}`, `batch_slots/${ALICE_BATCH}-0`, 'users/alice',
  'anything_added_later/x',
];
const SUBCOLLECTIONS = ['chunks', 'attempts', 'artifacts'];
const ONE = { chunks: CHUNK, attempts: ATTEMPT, artifacts: ARTIFACT };

let env;
let alice;
let bob;
let carol;
let anonymous;

function emulatorHost() {
  const address = process.env.FIRESTORE_EMULATOR_HOST;
  if (!address) throw new Error('set FIRESTORE_EMULATOR_HOST to the host:port of a Firestore emulator that enforces rules');
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon), port: Number(address.slice(colon + 1)) };
}

/** Resolves with the first snapshot the server answers (not one from the local cache), rejects with the error. */
function firstServerSnapshot(target) {
  const listener = listen(target);
  return listener.next(() => true).finally(listener.close);
}

/** A listener whose snapshots from the server are awaited one predicate at a time; errors reject the wait. */
function listen(target) {
  const seen = [];
  const waiters = [];
  let failure = null;
  const settle = () => {
    for (const waiter of [...waiters]) {
      const found = seen.find(waiter.predicate);
      if (failure || found) {
        waiters.splice(waiters.indexOf(waiter), 1);
        clearTimeout(waiter.timer);
        if (found) waiter.resolve(found);
        else waiter.reject(failure);
      }
    }
  };
  const unsubscribe = onSnapshot(
    target,
    { includeMetadataChanges: true },
    (snapshot) => {
      if (!snapshot.metadata.fromCache) seen.push(snapshot);
      settle();
    },
    (error) => {
      failure = error;
      settle();
    },
  );
  return {
    next(predicate, timeoutMs = LISTEN_TIMEOUT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching snapshot within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = { predicate, resolve, reject, timer };
        waiters.push(waiter);
        settle();
      });
    },
    close: unsubscribe,
  };
}

/** Asserts, reading with rules off, that every seeded document is as seeded and no other job or chunk appeared. */
async function assertNothingChanged() {
  await asServer(async (db) => {
    for (const [name, data] of Object.entries(SEED)) {
      const snapshot = await getDoc(doc(db, name));
      assert.deepEqual(snapshot.data(), data, `${name} changed`);
    }
    assert.equal((await getDoc(doc(db, 'jobs', MISSING_JOB))).exists(), false);
    assert.equal((await getDocs(collection(db, 'jobs', ALICE_JOB, 'chunks'))).size, 1);
  });
}

/** Runs `write(db)` with rules off, as the functions (Admin access) write. */
function asServer(write) {
  return env.withSecurityRulesDisabled((context) => write(context.firestore()));
}

before(async () => {
  env = await initializeTestEnvironment({ projectId: PROJECT, firestore: { ...emulatorHost(), rules: RULES } });
  await env.clearFirestore();
  await asServer((db) => Promise.all(Object.entries(SEED).map(([name, data]) => setDoc(doc(db, name), data))));
  alice = env.authenticatedContext('alice').firestore();
  bob = env.authenticatedContext('bob').firestore();
  carol = env.authenticatedContext('carol').firestore();
  anonymous = env.unauthenticatedContext().firestore();
});

after(async () => {
  await env?.cleanup();
});

describe('jobs', () => {
  test('the owner gets her job', async () => {
    const snapshot = await assertSucceeds(getDoc(doc(alice, 'jobs', ALICE_JOB)));
    assert.equal(snapshot.get('owner'), 'alice');
  });

  test("another user cannot get someone else's job", async () => {
    await assertFails(getDoc(doc(bob, 'jobs', ALICE_JOB)));
    await assertFails(getDoc(doc(alice, 'jobs', BOB_JOB)));
  });

  test('a reader who is not signed in gets no job', async () => {
    await assertFails(getDoc(doc(anonymous, 'jobs', ALICE_JOB)));
  });

  test('getting a job that does not exist is refused, so it tells nothing about which ids exist', async () => {
    await assertFails(getDoc(doc(alice, 'jobs', MISSING_JOB)));
  });

  test('a member lists her workspace\'s jobs filtered on workspace_id, as the job lists query, and sees only those', async () => {
    const mine = await assertSucceeds(getDocs(query(collection(alice, 'jobs'), where('workspace_id', '==', ALICE_WS))));
    assert.deepEqual(mine.docs.map((d) => d.id), [ALICE_JOB]); // the job without workspace_id is in no such list
    const newest = query(collection(alice, 'jobs'), where('workspace_id', '==', ALICE_WS), orderBy('created_at', 'desc'), limit(20));
    assert.equal((await assertSucceeds(getDocs(newest))).size, 1);
    const byStatus = query(collection(alice, 'jobs'), where('workspace_id', '==', ALICE_WS), where('status', '==', 'running'));
    assert.equal((await assertSucceeds(getDocs(byStatus))).size, 1);
    const retries = query(collection(alice, 'jobs'), where('workspace_id', '==', ALICE_WS), where('parent_job_id', '==', BOB_JOB));
    assert.equal((await assertSucceeds(getDocs(retries))).size, 0);
    const team = await assertSucceeds(getDocs(query(collection(carol, 'jobs'), where('workspace_id', '==', TEAM))));
    assert.deepEqual(team.docs.map((d) => d.id), [TEAM_JOB]);
  });

  test('rules are not filters: a list without the workspace constraint is refused as a whole', async () => {
    await assertFails(getDocs(collection(alice, 'jobs')));
    await assertFails(getDocs(query(collection(alice, 'jobs'), orderBy('created_at', 'desc'))));
    await assertFails(getDocs(query(collection(alice, 'jobs'), where('status', '==', 'running'))));
    await assertFails(getDocs(query(collection(alice, 'jobs'), where('owner', '==', 'alice'))));
  });

  test("a list of another workspace's jobs is refused", async () => {
    await assertFails(getDocs(query(collection(alice, 'jobs'), where('workspace_id', '==', 'personal-bob'))));
    await assertFails(getDocs(query(collection(bob, 'jobs'), where('workspace_id', '==', TEAM))));
    await assertFails(getDocs(query(collection(carol, 'jobs'), where('workspace_id', '==', ALICE_WS))));
    await assertFails(getDocs(query(collection(alice, 'jobs'), where('workspace_id', '==', 'no-such-workspace'))));
  });

  test('a reader who is not signed in cannot list jobs, even filtered on a workspace', async () => {
    await assertFails(getDocs(query(collection(anonymous, 'jobs'), where('workspace_id', '==', ALICE_WS))));
  });

  test("a viewer gets her workspace's jobs, and none of another workspace's", async () => {
    assert.equal((await assertSucceeds(getDoc(doc(carol, 'jobs', TEAM_JOB)))).get('workspace_id'), TEAM);
    await assertFails(getDoc(doc(carol, 'jobs', ALICE_JOB)));
    await assertFails(getDoc(doc(bob, 'jobs', TEAM_JOB)));
  });

  test("a job written before workspaces is its owner's personal workspace's", async () => {
    await assertSucceeds(getDoc(doc(alice, 'jobs', LEGACY_JOB)));
    await assertSucceeds(getDocs(collection(alice, 'jobs', LEGACY_JOB, 'chunks')));
    for (const db of [bob, carol]) {
      await assertFails(getDoc(doc(db, 'jobs', LEGACY_JOB)));
      await assertFails(getDocs(collection(db, 'jobs', LEGACY_JOB, 'chunks')));
    }
  });
});

describe('workspaces', () => {
  test('a member gets her workspaces and lists them filtered on member_uids', async () => {
    assert.equal((await assertSucceeds(getDoc(doc(carol, 'workspaces', TEAM)))).get('owner'), 'alice');
    const mine = await assertSucceeds(
      getDocs(query(collection(alice, 'workspaces'), where('member_uids', 'array-contains', 'alice'))),
    );
    assert.deepEqual(mine.docs.map((d) => d.id).sort(), [ALICE_WS, TEAM].sort());
    const carols = await assertSucceeds(
      getDocs(query(collection(carol, 'workspaces'), where('member_uids', 'array-contains', 'carol'))),
    );
    assert.deepEqual(carols.docs.map((d) => d.id), [TEAM]);
  });

  test('nobody else reads a workspace, and a list without the member constraint is refused', async () => {
    for (const db of [bob, anonymous]) await assertFails(getDoc(doc(db, 'workspaces', TEAM)));
    await assertFails(getDoc(doc(carol, 'workspaces', ALICE_WS)));
    await assertFails(getDocs(collection(alice, 'workspaces')));
    await assertFails(getDocs(query(collection(bob, 'workspaces'), where('owner', '==', 'alice'))));
  });

  test("a viewer reads the team's job output and batch rows, not a personal workspace's", async () => {
    await assertSucceeds(getDocs(collection(carol, 'jobs', TEAM_JOB, 'chunks')));
    await assertSucceeds(getDocs(collection(carol, 'batches', TEAM_BATCH, 'rows')));
    await assertSucceeds(getDocs(query(collection(carol, 'batches'), where('workspace_id', '==', TEAM))));
    await assertFails(getDocs(collection(carol, 'jobs', ALICE_JOB, 'chunks')));
    await assertFails(getDocs(collection(carol, 'batches', ALICE_BATCH, 'rows')));
    await assertFails(getDocs(collection(bob, 'jobs', TEAM_JOB, 'chunks')));
  });
});

for (const sub of SUBCOLLECTIONS) {
  describe(`jobs/{job}/${sub}`, () => {
    test(`the job's owner gets and lists its ${sub}`, async () => {
      const one = await assertSucceeds(getDoc(doc(alice, 'jobs', ALICE_JOB, sub, ONE[sub])));
      assert.ok(one.exists());
      const all = await assertSucceeds(getDocs(collection(alice, 'jobs', ALICE_JOB, sub)));
      assert.deepEqual(all.docs.map((d) => d.id), [ONE[sub]]);
    });

    test(`another user cannot get or list the ${sub} of someone else's job`, async () => {
      await assertFails(getDoc(doc(bob, 'jobs', ALICE_JOB, sub, ONE[sub])));
      await assertFails(getDocs(collection(bob, 'jobs', ALICE_JOB, sub)));
      await assertFails(getDoc(doc(alice, 'jobs', BOB_JOB, sub, ONE[sub])));
      await assertFails(getDocs(collection(alice, 'jobs', BOB_JOB, sub)));
    });

    test(`a reader who is not signed in cannot get or list ${sub}`, async () => {
      await assertFails(getDoc(doc(anonymous, 'jobs', ALICE_JOB, sub, ONE[sub])));
      await assertFails(getDocs(collection(anonymous, 'jobs', ALICE_JOB, sub)));
    });

    test(`the ${sub} of a job that does not exist are refused`, async () => {
      await assertFails(getDocs(collection(alice, 'jobs', MISSING_JOB, sub)));
    });

    test(`a collection-group query over every job's ${sub} is refused, even to an owner`, async () => {
      await assertFails(getDocs(collectionGroup(alice, sub)));
    });
  });
}

describe('jobs/{job}/chunks queries', () => {
  test("the owner reads one attempt's output in order, as clients and the completed callback query it", async () => {
    const chunks = collection(alice, 'jobs', ALICE_JOB, 'chunks');
    const inOrder = await assertSucceeds(getDocs(query(chunks, where('attempt', '==', 1), orderBy('seq'))));
    assert.equal(inOrder.size, 1);
    const tail = await assertSucceeds(getDocs(query(chunks, where('attempt', '==', 1), orderBy('seq', 'desc'), limit(5))));
    assert.equal(tail.size, 1);
  });
});

describe('batches and their rows', () => {
  test('the owner gets her batch and lists her batches filtered on owner, newest first', async () => {
    const snapshot = await assertSucceeds(getDoc(doc(alice, 'batches', ALICE_BATCH)));
    assert.equal(snapshot.get('owner'), 'alice');
    const mine = collection(alice, 'batches');
    const listed = await assertSucceeds(getDocs(query(mine, where('workspace_id', '==', ALICE_WS), orderBy('created_at', 'desc'))));
    assert.deepEqual(listed.docs.map((d) => d.id), [ALICE_BATCH]);
  });

  test("another user, or a reader who is not signed in, gets no batch and lists none", async () => {
    for (const db of [bob, anonymous]) {
      await assertFails(getDoc(doc(db, 'batches', ALICE_BATCH)));
      await assertFails(getDocs(query(collection(db, 'batches'), where('workspace_id', '==', ALICE_WS))));
    }
    await assertFails(getDocs(collection(alice, 'batches'))); // rules are not filters
  });

  test('the owner reads her rows in row order and listens to them', async () => {
    const rows = collection(alice, 'batches', ALICE_BATCH, 'rows');
    const inOrder = await assertSucceeds(getDocs(query(rows, orderBy('row'))));
    assert.deepEqual(inOrder.docs.map((d) => d.id), [ROW]);
    const snapshot = await firstServerSnapshot(query(rows, orderBy('row')));
    assert.equal(snapshot.size, 1);
  });

  test("someone else's rows, and rows whose batch document is not written yet, are readable by nobody", async () => {
    for (const db of [alice, bob, anonymous]) {
      if (db !== bob) await assertFails(getDocs(collection(db, 'batches', BOB_BATCH, 'rows')));
      await assertFails(getDoc(doc(db, 'batches', HALF_WRITTEN_BATCH, 'rows', ROW)));
      await assertFails(getDocs(collection(db, 'batches', HALF_WRITTEN_BATCH, 'rows')));
    }
    await assertFails(getDoc(doc(bob, 'batches', ALICE_BATCH, 'rows', ROW)));
    await assertFails(firstServerSnapshot(collection(bob, 'batches', ALICE_BATCH, 'rows')));
    await assertFails(getDocs(collectionGroup(alice, 'rows')));
  });
});

describe('users/{uid}/artifacts', () => {
  test('a user gets and lists her own uploads', async () => {
    assert.ok((await assertSucceeds(getDoc(doc(alice, 'users/alice/artifacts/upload-1')))).exists());
    const all = await assertSucceeds(getDocs(collection(alice, 'users/alice/artifacts')));
    assert.deepEqual(all.docs.map((d) => d.id), ['upload-1']);
  });

  test("another user, or a reader who is not signed in, cannot read someone's uploads", async () => {
    await assertFails(getDoc(doc(bob, 'users/alice/artifacts/upload-1')));
    await assertFails(getDocs(collection(bob, 'users/alice/artifacts')));
    await assertFails(getDoc(doc(anonymous, 'users/alice/artifacts/upload-1')));
    await assertFails(getDocs(collection(anonymous, 'users/alice/artifacts')));
  });
});

describe('server-only collections', () => {
  for (const name of SERVER_ONLY) {
    test(`${name} is readable by no client, not even the user it belongs to`, async () => {
      const collectionPath = name.slice(0, name.lastIndexOf('/'));
      for (const db of [alice, bob, anonymous]) {
        await assertFails(getDoc(doc(db, name)));
        await assertFails(getDocs(collection(db, collectionPath)));
        await assertFails(getDocs(query(collection(db, collectionPath), where('owner', '==', 'alice'))));
      }
    });
  }
});

describe('writes: clients write nothing', () => {
  const existing = Object.keys(SEED);

  test('no client creates, overwrites, updates or deletes any document, even her own', async () => {
    for (const db of [alice, bob, anonymous]) {
      for (const name of existing) {
        await assertFails(setDoc(doc(db, name), { owner: 'alice' }));
        await assertFails(setDoc(doc(db, name), { status: 'succeeded' }, { merge: true }));
        await assertFails(updateDoc(doc(db, name), { status: 'succeeded' }));
        await assertFails(deleteDoc(doc(db, name)));
      }
    }
    await assertNothingChanged();
  });

  test('no client creates a job, even one she would own, nor anything under it', async () => {
    await assertFails(setDoc(doc(alice, 'jobs', MISSING_JOB), job('alice', 'queued')));
    for (const sub of SUBCOLLECTIONS) {
      await assertFails(setDoc(doc(alice, 'jobs', ALICE_JOB, sub, 'new'), { attempt: 1 }));
    }
    await assertFails(setDoc(doc(alice, 'users/alice/artifacts/new'), { name: 'x' }));
    await assertNothingChanged();
  });

  test('a batch or a transaction is refused as a whole', async () => {
    const batch = writeBatch(alice);
    batch.update(doc(alice, 'jobs', ALICE_JOB), { status: 'canceled' });
    batch.set(doc(alice, 'jobs', ALICE_JOB, 'chunks', 'forged'), { attempt: 1, seq: 9 });
    await assertFails(batch.commit());
    await assertFails(
      runTransaction(alice, async (transaction) => {
        const mine = await transaction.get(doc(alice, 'jobs', ALICE_JOB));
        transaction.update(mine.ref, { status: 'canceled' });
      }),
    );
    await assertNothingChanged();
  });
});

describe('listeners (onSnapshot), as the web viewer reads', () => {
  test('the owner listens to her job, her job list and her output', async () => {
    const job = await firstServerSnapshot(doc(alice, 'jobs', ALICE_JOB));
    assert.equal(job.get('owner'), 'alice');
    const jobs = await firstServerSnapshot(
      query(collection(alice, 'jobs'), where('workspace_id', '==', ALICE_WS), orderBy('created_at', 'desc')),
    );
    assert.equal(jobs.size, 1);
    for (const sub of SUBCOLLECTIONS) {
      assert.equal((await firstServerSnapshot(collection(alice, 'jobs', ALICE_JOB, sub))).size, 1);
    }
    assert.equal((await firstServerSnapshot(collection(alice, 'users/alice/artifacts'))).size, 1);
  });

  test("a listener sees the server's later writes: an artifact appears and its review changes", async () => {
    const listener = listen(collection(alice, 'jobs', ALICE_JOB, 'artifacts'));
    try {
      await listener.next((snapshot) => snapshot.size === 1);
      const added = `listened-${Date.now()}`;
      await asServer((db) => setDoc(doc(db, 'jobs', ALICE_JOB, 'artifacts', added), { name: 'b.txt', review: 'pending' }));
      await listener.next((snapshot) => snapshot.docs.some((d) => d.id === added));
      await asServer((db) => updateDoc(doc(db, 'jobs', ALICE_JOB, 'artifacts', added), { review: 'approved' }));
      await listener.next((snapshot) => snapshot.docs.some((d) => d.id === added && d.get('review') === 'approved'));
      await asServer((db) => deleteDoc(doc(db, 'jobs', ALICE_JOB, 'artifacts', added)));
    } finally {
      listener.close();
    }
  });

  test("a listener on someone else's job, list or output is refused", async () => {
    await assertFails(firstServerSnapshot(doc(bob, 'jobs', ALICE_JOB)));
    await assertFails(firstServerSnapshot(query(collection(bob, 'jobs'), where('workspace_id', '==', ALICE_WS))));
    for (const sub of SUBCOLLECTIONS) {
      await assertFails(firstServerSnapshot(collection(bob, 'jobs', ALICE_JOB, sub)));
    }
    await assertFails(firstServerSnapshot(collection(bob, 'users/alice/artifacts')));
  });

  test('a listener on the job list without the owner constraint is refused', async () => {
    await assertFails(firstServerSnapshot(collection(alice, 'jobs')));
    await assertFails(firstServerSnapshot(query(collection(alice, 'jobs'), orderBy('created_at', 'desc'))));
  });

  test('a reader who is not signed in can listen to nothing', async () => {
    await assertFails(firstServerSnapshot(doc(anonymous, 'jobs', ALICE_JOB)));
    await assertFails(firstServerSnapshot(query(collection(anonymous, 'jobs'), where('workspace_id', '==', ALICE_WS))));
    await assertFails(firstServerSnapshot(collection(anonymous, 'jobs', ALICE_JOB, 'chunks')));
  });

  test('a listener on a server-only document or collection is refused, even to the user it belongs to', async () => {
    for (const name of SERVER_ONLY) {
      await assertFails(firstServerSnapshot(doc(alice, name)));
      await assertFails(firstServerSnapshot(collection(alice, name.slice(0, name.lastIndexOf('/')))));
    }
  });
});

describe('a removed member loses her listeners', () => {
  test("a viewer's listeners on the team's job list and job are cut once she is removed", async () => {
    const list = listen(query(collection(carol, 'jobs'), where('workspace_id', '==', TEAM)));
    const one = listen(doc(carol, 'jobs', TEAM_JOB));
    const removed = { member_uids: ['alice'], roles: { alice: 'owner' } };
    try {
      await list.next((snapshot) => snapshot.size === 1);
      await one.next((snapshot) => snapshot.exists());
      await asServer((db) => updateDoc(doc(db, 'workspaces', TEAM), removed));
      // Google's emulator cuts a target once a document it holds changes (at times a query target sooner); the
      // embedded one cuts both at the removal's commit. The job changing is what every viewer waits for anyway.
      await asServer((db) => updateDoc(doc(db, 'jobs', TEAM_JOB), { lines: 2 }));
      const denied = (error) => error.code === 'permission-denied';
      // Google's emulator takes up to several seconds to cut them (more on a loaded machine).
      await assert.rejects(list.next((snapshot) => snapshot.docs[0]?.get('lines') === 2, CUT_TIMEOUT_MS), denied);
      await assert.rejects(one.next((snapshot) => snapshot.get('lines') === 2, CUT_TIMEOUT_MS), denied);
      await assertFails(getDoc(doc(carol, 'jobs', TEAM_JOB)));
    } finally {
      list.close();
      one.close();
      await asServer(async (db) => {
        await setDoc(doc(db, 'workspaces', TEAM), SEED[`workspaces/${TEAM}`]);
        await setDoc(doc(db, 'jobs', TEAM_JOB), SEED[`jobs/${TEAM_JOB}`]);
      });
    }
  });
});
