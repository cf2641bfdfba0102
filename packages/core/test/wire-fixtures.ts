/**
 * Access to the captured Kea 2.2 exchanges in /work/shared/kea-wire for the wire tests.
 * Fixture files hold the body as it crossed the wire plus one trailing newline.
 */

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseKeaJson } from '../src/wire/kea-json.js';

export const KEA_WIRE_DIR = '/work/shared/kea-wire';

/** Body text of a fixture file, without the newline the capture tool appended. */
export function fixtureText(path: string): string {
  return readFileSync(join(KEA_WIRE_DIR, path), 'utf8').replace(/\n$/, '');
}

/** Parsed body; doubles kept as `KeaDouble` so that re-serialising is byte-exact. */
export function fixtureJson(path: string): unknown {
  const parsed = parseKeaJson(fixtureText(path), { doubles: 'keep' });
  if (!parsed.ok) throw new Error(`fixture ${path} is not JSON: ${parsed.reason}`);
  return parsed.value;
}

/** Every fixture path (relative to the capture directory) whose name ends with `suffix`. */
export function fixturePaths(suffix: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(suffix)) found.push(relative(KEA_WIRE_DIR, full));
    }
  };
  walk(KEA_WIRE_DIR);
  return found;
}

/** Kea writes `{ "…` with a space; our curl requests are compact `{"…`. */
export const isKeaFormatted = (body: string): boolean => !body.startsWith('{"');

export interface HttpExchange {
  readonly path: string;
  readonly requestHead: string;
  readonly requestBody: string;
  readonly responseHead: string;
  readonly responseBody: string;
}

/** Splits a `*.http.txt` capture into its two messages, cutting each body at its Content-Length. */
export function httpExchange(path: string): HttpExchange {
  const text = readFileSync(join(KEA_WIRE_DIR, path), 'utf8');
  const afterComment = text.indexOf('\n') + 1;
  const request = readMessage(text, afterComment, path);
  const responseStart = text.indexOf('HTTP/1.1', request.end);
  const response = readMessage(text, responseStart, path);
  return {
    path,
    requestHead: request.head,
    requestBody: request.body,
    responseHead: response.head,
    responseBody: response.body,
  };
}

function readMessage(text: string, start: number, path: string): { head: string; body: string; end: number } {
  const headEnd = text.indexOf('\r\n\r\n', start);
  if (headEnd < 0) throw new Error(`${path}: no end of headers after offset ${start}`);
  const head = text.slice(start, headEnd);
  const lengthHeader = /\r\nContent-Length: (\d+)/i.exec(`\r\n${head}`);
  if (lengthHeader === null) throw new Error(`${path}: no Content-Length in ${head}`);
  const bodyStart = headEnd + 4;
  const bytes = Buffer.from(text.slice(bodyStart), 'utf8').subarray(0, Number(lengthHeader[1]));
  const body = bytes.toString('utf8');
  return { head, body, end: bodyStart + body.length };
}
