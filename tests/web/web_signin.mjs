// Signs in to the web app (web/, served by `tailrun dev --auth-emulator`) in headless Chromium with an email and a
// password on the stack's Firebase Auth emulator, then uses the workspace switcher, and reports on stdout what it
// saw: `OK <what>` per check. The page runs the real Firebase JS SDK (Auth and Firestore) against the stack.
//
//   node web_signin.mjs ARGS_JSON
//
// ARGS_JSON: `base` (the stack's URL), `email`, `password`, `id_token` (the same user's, for the functions called
// here as another client of theirs would), `python`, and the commands' markers `mine`, `team`, `other` (the job
// in the user's personal workspace, the job of the workspace this script creates, a second user's job).
// Environment: TAILRUN_CHROMIUM (the browser), TAILRUN_WEB_SHOTS (a folder: `signin.png` when a check fails).
// Launched as web_pages.mjs launches it. Every wait polls the page with a deadline (no sleeps). Exits 1 with the
// page's text when a check fails.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { chromium } = await import(pathToFileURL(path.join(here, '..', 'node', 'node_modules', 'playwright-core', 'index.mjs')));
const args = JSON.parse(process.argv[2]);
const TIMEOUT = 30000;

const browser = await chromium.launch({
  executablePath: process.env.TAILRUN_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
const page = await context.newPage();
page.on('console', (message) => console.error(`page: ${message.text()}`));
page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
page.on('dialog', (dialog) => { console.error(`unexpected dialog: ${dialog.message()}`); dialog.dismiss(); });

const ok = (what) => console.log(`OK ${what}`);
/** Waits until `fn(arg)` is truthy in the page. */
const until = (what, fn, arg) => page.waitForFunction(fn, arg, { timeout: TIMEOUT }).then(() => ok(what), (error) => {
  throw new Error(`${what}: ${error.message.split('\n')[0]}`);
});
const textOf = (selector) => page.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector);
/** The jobs table shows exactly the rows whose command holds one of `want` (of the markers this script knows). */
const rowsAre = (what, want) => until(what, ([want, all]) => {
  const rows = [...document.querySelectorAll('#job-rows tr')].map((r) => r.textContent);
  return all.every((m) => rows.some((r) => r.includes(m)) === want.includes(m));
}, [want, [args.mine, args.team, args.other]]);

/** POST to one of the functions with the user's ID token, as any client of theirs would. */
async function call(name, body) {
  const answer = await fetch(`${args.base}/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${args.id_token}` },
    body: JSON.stringify(body),
  });
  const payload = await answer.json();
  if (!answer.ok) throw new Error(`${name}: HTTP ${answer.status} ${JSON.stringify(payload)}`);
  return payload;
}

async function signin() {
  await page.goto(`${args.base}/web/`);
  await until('the sign-in form shows without a token', () => !document.getElementById('signin').hidden
    && !localStorage.getItem('tailrun.devToken'));
  await page.fill('#email', args.email);
  await page.fill('#password', `${args.password} but wrong`);
  await page.click('#signin button[type=submit]');
  await until('a wrong password is said as a sentence', () => document.getElementById('signin-error').textContent
    === 'That email and password do not match an account.' && !document.getElementById('signin').hidden);
  await page.fill('#password', args.password);
  await page.click('#signin button[type=submit]');
  await until('signed in', (email) => document.getElementById('signin').hidden
    && document.getElementById('who').textContent.includes(email), args.email);
  await rowsAre('the jobs list shows the personal job, not the other user\'s', [args.mine]);
  await until('no switcher with one workspace', () => document.getElementById('workspace').hidden);

  const team = await call('create_workspace', { name: 'team web' });
  await call('create_job', { argv: [args.python, '-c', `print(${JSON.stringify(args.team)})`], workspace_id: team.workspace_id });
  await until('the switcher appears with the second workspace, live', (id) => {
    const switcher = document.getElementById('workspace');
    return !switcher.hidden && switcher.options.length === 2 && [...switcher.options].some((o) => o.value === id
      && o.textContent === 'team web');
  }, team.workspace_id);
  await rowsAre('still the personal workspace\'s jobs until one chooses', [args.mine]);

  await Promise.all([page.waitForEvent('load'), page.selectOption('#workspace', team.workspace_id)]);
  await until('the chosen workspace is kept across the reload, signed in', (id) => document.getElementById('workspace').value === id
    && document.getElementById('signin').hidden, team.workspace_id);
  await rowsAre('choosing it shows its job and not the others', [args.team]);

  const personal = await page.evaluate(() => [...document.getElementById('workspace').options].find((o) => o.value.startsWith('personal-'))?.value);
  if (!personal) throw new Error('no personal workspace in the switcher');
  await Promise.all([page.waitForEvent('load'), page.selectOption('#workspace', personal)]);
  await rowsAre('back to the personal workspace', [args.mine]);
}

try {
  await signin();
} catch (error) {
  const folder = process.env.TAILRUN_WEB_SHOTS;
  if (folder) await page.screenshot({ path: path.join(folder, 'signin.png'), fullPage: true }).catch(() => {});
  console.log(`FAILED ${error.message}`);
  console.log(`MESSAGE ${await textOf('#message').catch(() => '')} ${await textOf('#signin-error').catch(() => '')}`);
  console.log(`PAGE ${await page.evaluate(() => document.body.innerText).catch(() => '')}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
