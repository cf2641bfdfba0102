/** Peer entries: URLs (CFG-12..15), Basic auth (CFG-25..27, 35) and TLS (CFG-28..30). */
import { describe, expect, it } from 'vitest';
import { accepted, compat22, compatHead, loadBalancing, memoryFiles, parseOne, REL, rejected, withPeer } from './config-fixtures.js';

const server2Url = `${REL}.peers[1].url`;

describe('CFG-12..15 peer URLs', () => {
  for (const options of [compat22, compatHead]) {
    const v = options.compat;
    it(`CFG-12 URL without scheme (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { url: '127.0.0.1' }), options), {
        path: server2Url,
        rule: 'peer-url-invalid',
        text: 'invalid URL: url 127.0.0.1 lacks http or https scheme for server server2',
      });
    });

    it(`CFG-13 host name instead of an address (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { url: 'http://localhost:8080/' }), options), {
        path: server2Url,
        rule: 'peer-url-host',
        text: "bad url 'http://localhost:8080/': Failed to convert string to address 'localhost': Invalid argument for server server2",
      });
    });

    it(`CFG-14 https without TLS parameters (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { url: 'https://127.0.0.1:8080/' }), options), {
        path: server2Url,
        rule: 'https-without-tls',
        text: "bad url 'https://127.0.0.1:8080/': https scheme is not supported for server server2 where TLS is disabled",
      });
    });

    it(`CFG-15 IPv6 literal URL (${v})`, () => {
      const config = accepted(parseOne(withPeer(loadBalancing(), 1, { url: 'http://[2001:db8::1]:8080/' }), options));
      expect(config.partner?.url).toEqual({ href: 'http://[2001:db8::1]:8080/', scheme: 'http', host: '2001:db8::1', family: 6, port: 8080 });
    });
  }

  const syntaxCases: ReadonlyArray<readonly [string, string]> = [
    [':8080/', 'url :8080/ lacks http or https scheme'],
    ['ftp://127.0.0.1:21/', 'invalid scheme ftp in ftp://127.0.0.1:21/'],
    ['http:/127.0.0.1:8080/', 'expected :// after scheme in http:/127.0.0.1:8080/'],
    ['http://', 'hostname missing in http://'],
    ['http://[2001:db8::1:8080/', 'expected ] after IPv6 address in http://[2001:db8::1:8080/'],
    ['http://[]:8080/', 'expected IPv6 address within [] in http://[]:8080/'],
    ['http://127.0.0.1:/', 'expected port number after : in http://127.0.0.1:/'],
    ['http://127.0.0.1:80a/', 'invalid port number 80a in http://127.0.0.1:80a/'],
    // An unbracketed IPv6 address reads as host "2001" followed by a bad port, as in Kea.
    ['http://2001:db8::1:8080/', 'invalid port number db8::1:8080 in http://2001:db8::1:8080/'],
  ];
  for (const [url, detail] of syntaxCases) {
    it(`CFG-12 malformed URL ${url}`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { url })), {
        path: server2Url,
        rule: 'peer-url-invalid',
        text: `invalid URL: ${detail} for server server2`,
      });
    });
  }

  for (const host of ['example.org', '127.0.0.256', '127.0.0.01', '1.2.3', '', '[2001:db8:::1]', '[1:2:3:4:5:6:7:8:9]']) {
    it(`CFG-13 host ${JSON.stringify(host)} is not an address literal`, () => {
      const url = `http://${host}:8080/`;
      const stripped = host.replace(/^\[(.*)\]$/, '$1');
      rejected(parseOne(withPeer(loadBalancing(), 1, { url })), {
        path: server2Url,
        rule: 'peer-url-host',
        text: `bad url '${url}': Failed to convert string to address '${stripped}': Invalid argument for server server2`,
      });
    });
  }

  for (const [url, host, family] of [
    ['http://[::1]:8080/', '::1', 6],
    ['http://[::ffff:192.0.2.1]:8080/', '::ffff:192.0.2.1', 6],
    ['http://[1:2:3:4:5:6:7:8]:8080', '1:2:3:4:5:6:7:8', 6],
    ['http://[192.0.2.7]:8080/', '192.0.2.7', 4],
    ['http://0.0.0.0:8080', '0.0.0.0', 4],
    ['http://198.18.0.12:8001/some/path', '198.18.0.12', 4],
  ] as const) {
    it(`CFG-15 address literal URL ${url}`, () => {
      const config = accepted(parseOne(withPeer(loadBalancing(), 1, { url })));
      expect(config.partner?.url).toMatchObject({ href: url, host, family, port: url.includes(':8001') ? 8001 : 8080 });
    });
  }

  for (const [url, detail] of [
    ['http://127.0.0.1/', 'port number missing'],
    ['http://127.0.0.1', 'port number missing'],
    ['http://127.0.0.1:0/', 'port number 0 is outside 1..65535'],
    ['http://127.0.0.1:65536/', 'port number 65536 is outside 1..65535'],
  ] as const) {
    it(`Tandem refuses ${url}, which Kea accepts but cannot reach`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { url })), {
        path: server2Url,
        rule: 'peer-url-port',
        text: `bad url '${url}': ${detail}`,
      });
    });
  }

  it('URL problems are reported for peers in name order, as Kea visits its peer map', () => {
    const relationship = withPeer(withPeer(loadBalancing(), 2, { url: 'bogus' }), 1, { url: 'http://localhost:1/' });
    // server2 (peers[1]) sorts before server3 (peers[2]).
    rejected(parseOne(relationship), { path: server2Url, rule: 'peer-url-host', text: "bad url 'http://localhost:1/'" });
  });

  it('this-server-name is checked before any URL', () => {
    const relationship = withPeer(loadBalancing({ 'this-server-name': 'ghost' }), 1, { url: 'bogus' });
    rejected(parseOne(relationship), {
      path: `${REL}.this-server-name`,
      rule: 'this-server-not-in-peers',
      text: "no peer configuration specified for the 'ghost'",
    });
  });
});

describe('CFG-25..27, CFG-35 Basic HTTP authentication', () => {
  for (const options of [compat22, compatHead]) {
    const v = options.compat;
    it(`CFG-25 user with a colon (${v})`, () => {
      rejected(parseOne(withPeer(loadBalancing(), 1, { 'basic-auth-user': 'foo:bar', 'basic-auth-password': 'x' }), options), {
        path: `${REL}.peers[1].basic-auth-user`,
        rule: 'basic-auth-user-colon',
        text: "user 'foo:bar' must not contain a ':' in peer 'server2'",
      });
    });

    it(`CFG-26 both password and password file (${v})`, () => {
      const peer = { 'basic-auth-user': 'foo', 'basic-auth-password': 'x', 'basic-auth-password-file': '/etc/kea/pw' };
      rejected(parseOne(withPeer(loadBalancing(), 1, peer), options), {
        path: `${REL}.peers[1].basic-auth-password-file`,
        rule: 'basic-auth-password-exclusive',
        text: "only one of basic-auth-password and basic-auth-password-file parameter can be configured in peer 'server2'",
      });
    });

    it(`CFG-26 unreadable password file (${v})`, () => {
      const peer = { 'basic-auth-user': 'foo', 'basic-auth-password-file': '/does/not/exist' };
      const result = parseOne(withPeer(loadBalancing(), 1, peer), { ...options, readFile: memoryFiles({}) });
      const error = rejected(result, {
        path: `${REL}.peers[1].basic-auth-password-file`,
        rule: 'basic-auth-password-file',
        text: "bad password file in peer 'server2': ",
      });
      expect(error.message).toContain('/does/not/exist');
    });

    it(`CFG-27 empty basic-auth-user means no credentials (${v})`, () => {
      const config = accepted(parseOne(withPeer(loadBalancing(), 1, { 'basic-auth-user': '', 'basic-auth-password': 'ignored' }), options));
      expect(config.partner?.basicAuth).toBeUndefined();
      expect(config.partner).not.toHaveProperty('basicAuth');
    });

    it(`CFG-35 both user and user file (${v})`, () => {
      const peer = { 'basic-auth-user': 'foo', 'basic-auth-user-file': '/etc/kea/user' };
      rejected(parseOne(withPeer(loadBalancing(), 1, peer), options), {
        path: `${REL}.peers[1].basic-auth-user-file`,
        rule: 'basic-auth-user-exclusive',
        text: "only one of basic-auth-user and basic-auth-user-file parameter can be configured in peer 'server2'",
      });
    });

    it(`CFG-35 unreadable user file (${v})`, () => {
      const result = parseOne(withPeer(loadBalancing(), 1, { 'basic-auth-user-file': '/nope' }), { ...options, readFile: memoryFiles({}) });
      rejected(result, { path: `${REL}.peers[1].basic-auth-user-file`, rule: 'basic-auth-user-file', text: "bad user file in peer 'server2': " });
    });
  }

  it('CFG-27 user and password are what this server sends to that peer', () => {
    const relationship = withPeer(withPeer(loadBalancing(), 1, { 'basic-auth-user': 'kea', 'basic-auth-password': 's3cret' }), 0, {
      'basic-auth-user': 'me',
    });
    const config = accepted(parseOne(relationship));
    expect(config.partner?.basicAuth).toEqual({ user: 'kea', password: 's3cret' });
    expect(config.thisServer.basicAuth).toEqual({ user: 'me', password: '' });
  });

  it('CFG-26 the password file is read through the injected reader and trimmed', () => {
    const files = memoryFiles({ '/etc/kea/pw': '  s3cret\n', '/etc/kea/user': 'kea\n' });
    const peer = { 'basic-auth-user-file': '/etc/kea/user', 'basic-auth-password-file': '/etc/kea/pw' };
    const config = accepted(parseOne(withPeer(loadBalancing(), 1, peer), { readFile: files }));
    expect(config.partner?.basicAuth).toEqual({ user: 'kea', password: 's3cret' });
  });

  it('CFG-35 a colon in the user read from a file is refused too', () => {
    const files = memoryFiles({ '/u': 'a:b\n' });
    rejected(parseOne(withPeer(loadBalancing(), 1, { 'basic-auth-user-file': '/u' }), { readFile: files }), {
      path: `${REL}.peers[1].basic-auth-user-file`,
      rule: 'basic-auth-user-colon',
      text: "user 'a:b' must not contain a ':' in peer 'server2'",
    });
  });

  it('CFG-26 a password file without a file reader is an error, not an empty password', () => {
    rejected(parseOne(withPeer(loadBalancing(), 1, { 'basic-auth-user': 'kea', 'basic-auth-password-file': '/pw' })), {
      path: `${REL}.peers[1].basic-auth-password-file`,
      rule: 'basic-auth-password-file',
      text: "bad password file in peer 'server2': no file reader",
    });
  });

  it('the password is checked before the user, as in Kea', () => {
    const peer = { 'basic-auth-user': 'a:b', 'basic-auth-password': 'x', 'basic-auth-password-file': '/pw' };
    rejected(parseOne(withPeer(loadBalancing(), 1, peer)), {
      path: `${REL}.peers[1].basic-auth-password-file`,
      rule: 'basic-auth-password-exclusive',
      text: 'only one of basic-auth-password and basic-auth-password-file',
    });
  });
});

describe('CFG-28..30 TLS', () => {
  const files = memoryFiles({ '/ca': 'CA', '/cert': 'CERT', '/key': 'KEY', '/other-cert': 'C2', '/other-key': 'K2' });
  const globalTls = { 'trust-anchor': '/ca', 'cert-file': '/cert', 'key-file': '/key' };

  for (const options of [compat22, compatHead]) {
    const v = options.compat;
    it(`CFG-28 TLS set globally is inherited, overridden and blanked per peer (${v})`, () => {
      let relationship = loadBalancing(globalTls);
      relationship = withPeer(relationship, 0, { url: 'https://127.0.0.1:8080/' });
      relationship = withPeer(relationship, 1, { url: 'https://127.0.0.1:8081/', 'cert-file': '/other-cert', 'key-file': '/other-key' });
      relationship = withPeer(relationship, 2, { 'trust-anchor': '', 'cert-file': '', 'key-file': '' });
      const config = accepted(parseOne(relationship, { ...options, readFile: files }));
      expect(config.tls).toEqual({ trustAnchor: '/ca', certFile: '/cert', keyFile: '/key' });
      expect(config.peers.map((peer) => peer.tls)).toEqual([
        { trustAnchor: '/ca', certFile: '/cert', keyFile: '/key' },
        { trustAnchor: '/ca', certFile: '/other-cert', keyFile: '/other-key' },
        undefined,
      ]);
    });

    for (const [missing, present] of [
      ['trust-anchor', { 'cert-file': '/cert', 'key-file': '/key' }],
      ['cert-file', { 'trust-anchor': '/ca', 'key-file': '/key' }],
      ['key-file', { 'trust-anchor': '/ca', 'cert-file': '/cert' }],
    ] as const) {
      it(`CFG-29 ${missing} missing while the others are set (${v})`, () => {
        rejected(parseOne(withPeer(loadBalancing(), 1, present), { ...options, readFile: files }), {
          path: `${REL}.peers[1]`,
          rule: 'tls-all-or-none',
          text: `bad TLS config for server server2: ${missing} parameter is missing or empty: all or none of TLS parameters must be set`,
        });
      });
    }

    for (const key of ['trust-anchor', 'cert-file', 'key-file'] as const) {
      it(`CFG-30 unreadable ${key} (${v})`, () => {
        const relationship = loadBalancing({ ...globalTls, [key]: '/missing' });
        const error = rejected(parseOne(relationship, { ...options, readFile: files }), {
          path: `${REL}.${key}`,
          rule: 'tls-file',
          text: `bad TLS config for server server1: cannot read ${key} '/missing'`,
        });
        expect(error.message).toContain('ENOENT');
      });
    }
  }

  it('CFG-29 a blank value on a peer does not fall back to the global one', () => {
    rejected(parseOne(withPeer(loadBalancing(globalTls), 1, { 'trust-anchor': '' }), { readFile: files }), {
      path: `${REL}.peers[1]`,
      rule: 'tls-all-or-none',
      text: 'bad TLS config for server server2: trust-anchor parameter is missing or empty',
    });
  });

  it('CFG-28 partial global TLS completed by every peer is valid, and no relationship-level set is reported', () => {
    let relationship = loadBalancing({ 'trust-anchor': '/ca' });
    for (const index of [0, 1, 2]) relationship = withPeer(relationship, index, { 'cert-file': '/cert', 'key-file': '/key' });
    const config = accepted(parseOne(relationship, { readFile: files }));
    expect(config.tls).toBeUndefined();
    expect(config.peers.every((peer) => peer.tls?.trustAnchor === '/ca')).toBe(true);
  });

  it('CFG-30 without a file reader TLS files are not checked', () => {
    const config = accepted(parseOne(loadBalancing({ 'trust-anchor': '/x', 'cert-file': '/y', 'key-file': '/z' })));
    expect(config.thisServer.tls).toEqual({ trustAnchor: '/x', certFile: '/y', keyFile: '/z' });
  });

  it('CFG-14 https is accepted once TLS is configured for that peer', () => {
    const relationship = withPeer(loadBalancing(), 1, { url: 'https://127.0.0.1:8443/', ...globalTls });
    const config = accepted(parseOne(relationship, { readFile: files }));
    expect(config.partner?.url.scheme).toBe('https');
  });

  it('TLS parameters must be strings', () => {
    rejected(parseOne(withPeer(loadBalancing(), 1, { 'cert-file': 5 })), {
      path: `${REL}.peers[1].cert-file`,
      rule: 'invalid-type',
      text: "invalid type specified for parameter 'cert-file': expected a string, got an integer",
    });
  });
});
