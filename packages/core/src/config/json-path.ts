/**
 * JSON paths in error messages. Kea's keys (`high-availability`, `this-server-name`, ...) are
 * written with dots so a path reads like the document; anything unusual is bracket-quoted.
 */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const ROOT_PATH = '$';

export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return PLAIN_KEY.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}
