/**
 * HTTP Basic authentication as Kea's agent checks it (libkea-http `BasicHttpAuthConfig::checkAuth`):
 * the `Authorization` value, trimmed, must be at least 8 characters, start with the scheme `basic`
 * in any case, and carry exactly the base64 of one accepted `user:password`. Kea compares the
 * encoded form, so a differently padded or re-encoded credential is refused as it is by Kea.
 */

import { timingSafeEqual } from 'node:crypto';

export interface BasicAuthCredential {
  readonly user: string;
  readonly password: string;
}

export type BasicAuthVerdict =
  | { readonly kind: 'authorized'; readonly user: string }
  | { readonly kind: 'no-header' }
  | { readonly kind: 'bad-header'; readonly reason: string }
  | { readonly kind: 'not-authorized' };

/** The header value a client sends for a credential. */
export const basicAuthHeader = (credential: BasicAuthCredential): string =>
  `Basic ${Buffer.from(`${credential.user}:${credential.password}`, 'utf8').toString('base64')}`;

export class BasicAuthChecker {
  readonly #accepted: readonly { readonly encoded: Buffer; readonly user: string }[];

  constructor(credentials: readonly BasicAuthCredential[]) {
    this.#accepted = credentials.map((credential) => ({
      encoded: Buffer.from(basicAuthHeader(credential).slice('Basic '.length), 'latin1'),
      user: credential.user,
    }));
  }

  check(authorization: string | undefined): BasicAuthVerdict {
    if (authorization === undefined) return { kind: 'no-header' };
    const value = authorization.trim();
    if (value.length < 8) return { kind: 'bad-header', reason: 'header content is too short' };
    if (value.slice(0, 5).toLowerCase() !== 'basic') return { kind: 'bad-header', reason: 'not basic authentication' };
    const offered = Buffer.from(value.slice(5).trim(), 'latin1');
    // Every credential is compared, in constant time each, so the answer time says nothing about which was close.
    let user: string | undefined;
    for (const accepted of this.#accepted) {
      if (accepted.encoded.length === offered.length && timingSafeEqual(accepted.encoded, offered)) {
        user ??= accepted.user;
      }
    }
    return user === undefined ? { kind: 'not-authorized' } : { kind: 'authorized', user };
  }
}
