/**
 * @tandem/core is a functional core (docs/architecture.md): it never opens a socket, reads a
 * clock, touches a file, starts a timer or draws a random number. This test reads every .ts
 * file under packages/core/src and fails on
 *  - imports of node:* and of Node's I/O, timer and process modules (fs, net, dgram, http, …);
 *  - reading the clock: Date.now(), performance.now(), `new Date()` without an argument, `Date()`;
 *  - randomness: Math.random(), crypto.getRandomValues(), crypto.randomUUID();
 *  - timers: setTimeout, setInterval, setImmediate;
 *  - the process: any `process.` access.
 * `new Date(ms)` with an argument is a pure conversion (used to format Kea's date-time texts)
 * and is allowed by rule, not by exception. There is no list of exempt files.
 * Comments and string contents are blanked before the usage checks, so a comment or a log text
 * that mentions Date.now() does not count; import specifiers are read from the strings.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

const FORBIDDEN_MODULES = new Set([
  'fs',
  'fs/promises',
  'net',
  'dgram',
  'http',
  'https',
  'http2',
  'tls',
  'dns',
  'child_process',
  'timers',
  'timers/promises',
  'os',
  'process',
  'perf_hooks',
  'worker_threads',
  'cluster',
  'readline',
]);

const FORBIDDEN_USES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bDate\s*\.\s*now\b/, 'Date.now reads the clock'],
  [/\bnew\s+Date\s*\(\s*\)/, 'new Date() reads the clock'],
  [/\bnew\s+Date\b(?!\s*\()/, 'new Date reads the clock'],
  [/(?<![\w.$]|new\s)Date\s*\(/, 'Date() reads the clock'],
  [/\bperformance\s*\.\s*now\b/, 'performance.now reads the clock'],
  [/\bMath\s*\.\s*random\b/, 'Math.random draws a random number'],
  [/\bgetRandomValues\b|\brandomUUID\b/, 'crypto randomness'],
  [/\bsetTimeout\b/, 'setTimeout starts a timer'],
  [/\bsetInterval\b/, 'setInterval starts a timer'],
  [/\bsetImmediate\b/, 'setImmediate schedules work'],
  [/(?<![\w.$])process\s*\./, 'process. touches the process'],
];

type Mode = 'code' | 'line-comment' | 'block-comment' | 'single' | 'double' | 'template' | 'regex';

/**
 * Blank out comments (always) and the contents of string, template and regex literals (when
 * `strings` is true), keeping offsets and line breaks. Template substitutions `${…}` stay code.
 */
function blank(source: string, strings: boolean): string {
  const out = source.split('');
  const modes: Mode[] = ['code'];
  const braces: number[] = [];
  let lastSignificant = '';
  const mode = () => modes[modes.length - 1] as Mode;
  const erase = (i: number, keepForStrings = false) => {
    if (out[i] !== '\n' && !(keepForStrings && !strings)) out[i] = ' ';
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    const next = source[i + 1];
    switch (mode()) {
      case 'code':
        if (c === '/' && next === '/') {
          modes.push('line-comment');
          erase(i);
        } else if (c === '/' && next === '*') {
          modes.push('block-comment');
          erase(i);
        } else if (c === "'" || c === '"' || c === '`') {
          modes.push(c === "'" ? 'single' : c === '"' ? 'double' : 'template');
          braces.push(0);
        } else if (c === '/' && (lastSignificant === '' || '(,=:[!&|?{};+-*%<>~^'.includes(lastSignificant))) {
          modes.push('regex');
        } else if (c === '{' && braces.length > 0) {
          braces[braces.length - 1] = (braces[braces.length - 1] as number) + 1;
        } else if (c === '}' && braces.length > 0 && modes.length > 1 && braces[braces.length - 1] === 0) {
          // end of a template substitution
          modes.pop();
          braces.pop();
          break;
        } else if (c === '}' && braces.length > 0) {
          braces[braces.length - 1] = (braces[braces.length - 1] as number) - 1;
        }
        if (!/\s/.test(c)) lastSignificant = c;
        break;
      case 'line-comment':
        if (c === '\n') modes.pop();
        else erase(i);
        break;
      case 'block-comment':
        erase(i);
        if (c === '*' && next === '/') {
          erase(i + 1);
          i++;
          modes.pop();
        }
        break;
      case 'single':
      case 'double':
      case 'regex': {
        const close = mode() === 'single' ? "'" : mode() === 'double' ? '"' : '/';
        if (c === '\\') {
          erase(i, true);
          erase(i + 1, true);
          i++;
        } else if (c === close || (c === '\n' && mode() !== 'regex')) {
          modes.pop();
          if (mode() !== 'regex') braces.pop();
          lastSignificant = 'x';
        } else {
          erase(i, true);
        }
        break;
      }
      case 'template':
        if (c === '\\') {
          erase(i, true);
          erase(i + 1, true);
          i++;
        } else if (c === '`') {
          modes.pop();
          braces.pop();
          lastSignificant = 'x';
        } else if (c === '$' && next === '{') {
          modes.push('code');
          braces.push(0);
          lastSignificant = '{';
          i++;
        } else {
          erase(i, true);
        }
        break;
    }
  }
  return out.join('');
}

interface Violation {
  readonly line: number;
  readonly what: string;
}

function violations(source: string): Violation[] {
  const found: Violation[] = [];
  const lineOf = (offset: number) => source.slice(0, offset).split('\n').length;
  const withStrings = blank(source, false);
  const specifier = /\b(?:import|export)\b[^;'"`]*?\bfrom\s*(['"])([^'"]+)\1|\bimport\s*(['"])([^'"]+)\3|\b(?:import|require)\s*\(\s*(['"`])([^'"`]+)\5/g;
  for (const m of withStrings.matchAll(specifier)) {
    const name = m[2] ?? m[4] ?? m[6] ?? '';
    if (name.startsWith('node:') || FORBIDDEN_MODULES.has(name)) found.push({ line: lineOf(m.index), what: `imports '${name}'` });
  }
  const code = blank(source, true);
  code.split('\n').forEach((text, i) => {
    for (const [pattern, what] of FORBIDDEN_USES) if (pattern.test(text)) found.push({ line: i + 1, what });
  });
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? tsFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('purity of @tandem/core', () => {
  it('no file under packages/core/src does I/O, reads a clock, starts a timer, draws a random number or touches the process', () => {
    const files = tsFiles(SRC);
    expect(files.length).toBeGreaterThan(20);
    const report = files.flatMap((file) => violations(readFileSync(file, 'utf8')).map((v) => `${relative(SRC, file)}:${v.line} ${v.what}`));
    expect(report).toEqual([]);
  });

  describe('the scanner itself', () => {
    const bad: ReadonlyArray<readonly [string, string]> = [
      ["import { readFileSync } from 'node:fs';", "imports 'node:fs'"],
      ["import * as fs from 'fs';", "imports 'fs'"],
      ["import dgram from 'dgram';", "imports 'dgram'"],
      ["import type { Server } from 'http';", "imports 'http'"],
      ["import { exec } from 'child_process';", "imports 'child_process'"],
      ["import { scheduler } from 'timers/promises';", "imports 'timers/promises'"],
      ["export { createServer } from 'net';", "imports 'net'"],
      ["import 'node:process';", "imports 'node:process'"],
      ["const fs = await import('node:fs');", "imports 'node:fs'"],
      ["const t = Date.now();", 'Date.now reads the clock'],
      ['const d = new Date();', 'new Date() reads the clock'],
      ['const d = new Date;', 'new Date reads the clock'],
      ['const s = Date();', 'Date() reads the clock'],
      ['const t = performance.now();', 'performance.now reads the clock'],
      ['const r = Math.random();', 'Math.random draws a random number'],
      ['const id = crypto.randomUUID();', 'crypto randomness'],
      ['setTimeout(run, 10);', 'setTimeout starts a timer'],
      ['const h = globalThis.setInterval(run, 10);', 'setInterval starts a timer'],
      ['const home = process.env.HOME;', 'process. touches the process'],
      ['const x = `${Date.now()}`;', 'Date.now reads the clock'],
    ];
    for (const [source, what] of bad) {
      it(`flags: ${source}`, () => expect(violations(source).map((v) => v.what)).toEqual([what]));
    }

    const fine = [
      '// the caller reads Date.now() and passes nowMs',
      '/* never setTimeout here; process.exit is the shell\'s */',
      "const message = 'use Date.now() in the shell, not process.env';",
      'const text = `setTimeout is not called: ${name}`;',
      'const date = new Date(epochMs);',
      'const t = Date.UTC(2026, 0, 1);',
      'const re = /process\\.env|Date\\.now/;',
      "const url = 'http://127.0.0.1:8080/'; const n = 1; // Math.random",
      'const ms = config.heartbeatDelayMs; const o = { process: 1 }; o.process;',
    ];
    for (const source of fine) {
      it(`does not flag: ${source}`, () => expect(violations(source)).toEqual([]));
    }
  });
});
