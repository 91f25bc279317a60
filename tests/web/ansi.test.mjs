// Unit tests of the log viewer's ANSI parser (web/src/ansi.js), a pure module: run with
// `node --experimental-detect-module --test tests/web/ansi.test.mjs` (test_web_units.py does).
import assert from 'node:assert/strict';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const { advance, parse, strip } = await import(pathToFileURL(path.join(here, '..', '..', 'web', 'src', 'ansi.js')));

/** Parses lines in order as the viewer does: each from the state the previous one left. */
function lines(...texts) {
  let state = null;
  return texts.map((text) => {
    const runs = parse(text, state);
    state = advance(text, state);
    return runs;
  });
}

test('a line alone starts from the default style', () => {
  assert.deepEqual(parse('plain'), [{ text: 'plain', style: '', href: null }]);
  assert.deepEqual(parse('\x1b[31mred\x1b[0m back'), [
    { text: 'red', style: 'color:#cd3131', href: null },
    { text: ' back', style: '', href: null },
  ]);
});

test('a colour not reset carries on to the next lines, until a reset', () => {
  const [first, second, third, fourth] = lines('\x1b[1;33mwarn: start', 'still yellow and bold', '\x1b[0mplain', 'plain too');
  assert.equal(first[0].style, 'color:#e5e510;font-weight:bold');
  assert.deepEqual(second, [{ text: 'still yellow and bold', style: 'color:#e5e510;font-weight:bold', href: null }]);
  assert.deepEqual(third, [{ text: 'plain', style: '', href: null }]);
  assert.deepEqual(fourth, [{ text: 'plain too', style: '', href: null }]);
});

test('a partial reset carries what it leaves: 22 ends bold, the colour stays', () => {
  const [, second] = lines('\x1b[1;38;5;82mgreen bold', '\x1b[22mgreen only');
  assert.equal(second[0].style, 'color:rgb(95,255,0)');
});

test('truecolor backgrounds and inverse carry too', () => {
  const [, second] = lines('\x1b[48;2;1;2;3mbg', 'next');
  assert.equal(second[0].style, 'background:rgb(1,2,3)');
  const [, inverted] = lines('\x1b[7m', 'inverted');
  assert.equal(inverted[0].style, 'color:#eeeeee;background:#111111');
});

test('an OSC 8 link left open carries on; its end closes it', () => {
  const [, second, third] = lines('\x1b]8;;https://example.org/a\x1b\\start', 'still linked', '\x1b]8;;\x1b\\unlinked');
  assert.deepEqual(second, [{ text: 'still linked', style: '', href: 'https://example.org/a' }]);
  assert.deepEqual(third, [{ text: 'unlinked', style: '', href: null }]);
});

test('a javascript: OSC 8 target makes no link', () => {
  const [, second] = lines('\x1b]8;;javascript:alert(1)\x1b\\x', 'y');
  assert.equal(second[0].href, null);
});

test('advance shares states: a line without escapes passes its state on unchanged; a reset gives null', () => {
  const red = advance('\x1b[31mred');
  assert.ok(Object.isFrozen(red));
  assert.equal(advance('no escapes', red), red);
  assert.equal(advance('\x1b[0m', red), null);
  assert.equal(advance('\x1b[31mx\x1b[39m', null), null);
  assert.equal(advance('\x1b[2K\x1b[1Gcursor moves only', null), null);
});

test('the start state is not changed by parsing or advancing from it', () => {
  const red = advance('\x1b[31m');
  parse('\x1b[1mbold', red);
  advance('\x1b[1mbold', red);
  assert.deepEqual(parse('x', red), [{ text: 'x', style: 'color:#cd3131', href: null }]);
});

test('URLs become links in a carried style; strip drops every escape', () => {
  const [, second] = lines('\x1b[36m', 'see https://example.com/x.');
  assert.deepEqual(second, [
    { text: 'see ', style: 'color:#11a8cd', href: null },
    { text: 'https://example.com/x', style: 'color:#11a8cd', href: 'https://example.com/x' },
    { text: '.', style: 'color:#11a8cd', href: null },
  ]);
  assert.equal(strip('\x1b[31mred\x1b[0m \x1b]8;;https://a\x1b\\a\x1b]8;;\x1b\\'), 'red a');
});
