// The Node Firestore client (@google-cloud/firestore from npm) against the embedded emulator, started here as a
// child process: writes, queries, aggregations, a transaction and listeners, over real gRPC.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { AggregateField, Firestore, FieldValue } from '@google-cloud/firestore';

const here = path.dirname(fileURLToPath(import.meta.url));
const venvPython = path.resolve(here, '../../.venv/bin/python');
const python = process.env.PYTHON || (existsSync(venvPython) ? venvPython : 'python3');

let emulator;
let db;

function startEmulator() {
  const child = spawn(python, ['-m', 'firestore_emulator', '--port', '0', '--exit-with-stdin'], {
    cwd: path.resolve(here, '../..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start in 30 s')), 30000);
    child.on('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = line.match(/^firestore-emulator ready grpc=(\S+) http=(\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, grpc: match[1], http: match[2] });
      }
    });
  });
}

/** Resolves with the next value a listener pushes into `queue` (an array used as a FIFO of resolvers). */
function nextSnapshot(queue) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no snapshot within 10 s')), 10000);
    queue.push((snapshot) => {
      clearTimeout(timer);
      resolve(snapshot);
    });
  });
}

function collector() {
  const pending = [];
  const buffered = [];
  return {
    push(snapshot) {
      const resolver = pending.shift();
      if (resolver) resolver(snapshot);
      else buffered.push(snapshot);
    },
    next() {
      if (buffered.length) return Promise.resolve(buffered.shift());
      return nextSnapshot(pending);
    },
  };
}

before(async () => {
  emulator = await startEmulator();
  process.env.FIRESTORE_EMULATOR_HOST = emulator.grpc;
  db = new Firestore({ projectId: 'node-test' });
});

after(async () => {
  await db.terminate();
  emulator.child.removeAllListeners('exit');
  emulator.child.kill('SIGTERM');
});

test('writes and reads documents', async () => {
  const doc = db.collection('things').doc('a');
  await doc.set({ n: 1, nested: { x: 'y' }, tags: ['a'] });
  await doc.update({ n: FieldValue.increment(2), tags: FieldValue.arrayUnion('b'), at: FieldValue.serverTimestamp() });
  const snapshot = await doc.get();
  assert.equal(snapshot.get('n'), 3);
  assert.deepEqual(snapshot.get('tags'), ['a', 'b']);
  assert.deepEqual(snapshot.get('nested'), { x: 'y' });
  assert.ok(snapshot.get('at').toMillis() > 0);
  await assert.rejects(doc.create({ n: 0 }), (error) => error.code === 6); // ALREADY_EXISTS
  await assert.rejects(db.collection('things').doc('missing').update({ n: 1 }), (error) => error.code === 5);
});

test('queries and aggregations', async () => {
  const scores = db.collection('scores');
  const batch = db.batch();
  for (let i = 0; i < 10; i++) batch.set(scores.doc(`s${i}`), { score: i, even: i % 2 === 0 });
  await batch.commit();
  const top = await scores.where('even', '==', true).orderBy('score', 'desc').limit(2).get();
  assert.deepEqual(top.docs.map((d) => d.id), ['s8', 's6']);
  const page = await scores.orderBy('score').startAfter(7).get();
  assert.deepEqual(page.docs.map((d) => d.id), ['s8', 's9']);
  const counted = await scores.where('score', '>=', 5).count().get();
  assert.equal(counted.data().count, 5);
  const summed = await scores.aggregate({ total: AggregateField.sum('score') }).get();
  assert.equal(summed.data().total, 45);
});

test('transactions from many concurrent callers end exact', async () => {
  const counter = db.collection('counters').doc('c');
  await counter.set({ n: 0 });
  const increment = () =>
    db.runTransaction(async (transaction) => {
      const snapshot = await transaction.get(counter);
      transaction.update(counter, { n: snapshot.get('n') + 1 });
    });
  await Promise.all(Array.from({ length: 20 }, increment));
  assert.equal((await counter.get()).get('n'), 20);
});

test('query listeners see adds, changes and removals', async () => {
  const jobs = db.collection('jobs');
  await jobs.doc('a').set({ state: 'running' });
  const snapshots = collector();
  const unsubscribe = jobs.where('state', '==', 'running').onSnapshot((s) => snapshots.push(s));
  try {
    const first = await snapshots.next();
    assert.deepEqual(first.docs.map((d) => d.id), ['a']);
    await jobs.doc('b').set({ state: 'running' });
    const added = await snapshots.next();
    assert.deepEqual(added.docChanges().map((c) => [c.type, c.doc.id]), [['added', 'b']]);
    await jobs.doc('a').update({ state: 'done' });
    const removed = await snapshots.next();
    assert.deepEqual(removed.docChanges().map((c) => [c.type, c.doc.id]), [['removed', 'a']]);
    await jobs.doc('b').update({ extra: 1 });
    const modified = await snapshots.next();
    assert.deepEqual(modified.docChanges().map((c) => [c.type, c.doc.id]), [['modified', 'b']]);
  } finally {
    unsubscribe();
  }
});

test('document listeners see a document appear and disappear', async () => {
  const doc = db.collection('watched').doc('w');
  const snapshots = collector();
  const unsubscribe = doc.onSnapshot((s) => snapshots.push(s));
  try {
    assert.equal((await snapshots.next()).exists, false);
    await doc.set({ v: 1 });
    assert.equal((await snapshots.next()).get('v'), 1);
    await doc.delete();
    assert.equal((await snapshots.next()).exists, false);
  } finally {
    unsubscribe();
  }
});
