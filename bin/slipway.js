#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm install`'s prepare step) when it is up to date
// with src/, else the TypeScript sources through tsx's loader: see entry.js.
import { fileURLToPath } from 'node:url';
import { COMPILED_MAIN, chooseEntry, SOURCE_MAIN } from './entry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let main;
if (chooseEntry(root) === 'compiled') {
  main = new URL(`../${COMPILED_MAIN.split('\\').join('/')}`, import.meta.url);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  main = new URL(`../${SOURCE_MAIN.split('\\').join('/')}`, import.meta.url);
}
const { runFromProcess } = await import(main.href);
await runFromProcess();
