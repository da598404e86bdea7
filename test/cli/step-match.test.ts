/** The ranking of library steps for a step no definition matches (cli/step-match.ts). */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closestSteps, expressionVariants, type LibraryStep } from '../../cli/step-match';

const TYPES: Record<string, string[]> = {
  string: ['"([^"\\\\]*(\\\\.[^"\\\\]*)*)"'],
  int: ['-?\\d+'],
  word: ['[^\\s]+'],
  duration: ['\\d+(?:\\.\\d+)?(?:\\s?[kKMG]?\\s?[A-Za-z]+)?'],
};
const regexps = (name: string) => TYPES[name];
const steps = (...e: string[]): LibraryStep[] => e.map((expression) => ({ expression, isRegExp: false }));
const text = (v: ReturnType<typeof expressionVariants>[number]) => v.map((t) => ('char' in t ? t.char : `{${t.param}}`)).join('');

test('expressions: optional text and alternatives are expanded, escaped parentheses are text', () => {
  assert.deepEqual(expressionVariants('{int} fault(s) fired').map(text), ['{int} faults fired', '{int} fault fired']);
  assert.deepEqual(expressionVariants('the cat/dog sleeps').map(text), ['the cat sleeps', 'the dog sleeps']);
  assert.deepEqual(expressionVariants('a \\(data) abort').map(text), ['a (data) abort']);
});

test('the closest steps are the library\'s expressions filled with the values the user wrote', () => {
  const lib = steps('the scenario {string}', '{word} shows {string}', 'the run is limited to {duration}', 'it runs', 'the machine halts');
  const s = closestSteps('the scenrio "a.yaml"', lib, regexps, 3);
  assert.equal(s.length, 3);
  assert.deepEqual(s[0], { filled: 'the scenario "a.yaml"', expression: 'the scenario {string}' });
  const d = closestSteps('the run is limitd to 2 parsecs', lib, regexps, 1);
  assert.deepEqual(d[0], { filled: 'the run is limited to 2 parsecs', expression: 'the run is limited to {duration}' });
});

test('a placeholder the text has no value for stays a placeholder', () => {
  const lib = steps('the console shows {string} {int} time(s)', 'the console shows {string}');
  assert.deepEqual(closestSteps('the console show "ping" many times', lib, regexps, 2).map((x) => x.filled),
    ['the console shows "ping" {int} times', 'the console shows "ping"']);
  assert.deepEqual(closestSteps('the console show "ping" 3 times', lib, regexps, 1).map((x) => x.filled), ['the console shows "ping" 3 times']);
});
