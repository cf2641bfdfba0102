import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, dhcp4Config, requireBuiltTandemd, tempDir, writeConfig } from '../harness/daemons.js';

const tandemdCheck = (file: string) => spawnSync(process.execPath, [requireBuiltTandemd(), '-t', file], { encoding: 'utf8' });
const keaAvailable = spawnSync('kea-dhcp4', ['-v']).error === undefined;

describe('tandemd -t (configuration check, as kea-dhcp4 -t)', () => {
  const dir = tempDir('cli');
  const base = dhcp4Config({ interfaces: ['lo'], leaseFile: join(dir, 'l.csv'), leaseCmds: true, rawSockets: true }) as { Dhcp4: Record<string, unknown> };

  it('accepts a file kea-dhcp4 accepts, warning once about each setting it handles differently', () => {
    const file = writeConfig(dir, 'ok.json', { Dhcp4: { ...base.Dhcp4, 'multi-threading': { 'enable-multi-threading': false }, 'sanity-checks': { 'lease-checks': 'warn' } } });
    const result = tandemdCheck(file);
    expect(result.status).toBe(0);
    expect(result.stderr.match(/warning: \$\.Dhcp4\.interfaces-config\.dhcp-socket-type/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/warning: \$\.Dhcp4\.multi-threading: accepted/);
    expect(result.stderr).toMatch(/warning: \$\.Dhcp4\.sanity-checks: accepted/);
    if (keaAvailable) expect(spawnSync('kea-dhcp4', ['-t', file], { encoding: 'utf8' }).status).toBe(0);
  });

  it('the loopback example (npm start) is valid for tandemd and for kea-dhcp4', () => {
    const example = join(REPO_ROOT, 'packages/server/examples/loopback.json');
    expect(tandemdCheck(example).status).toBe(0);
    if (keaAvailable) expect(spawnSync('kea-dhcp4', ['-t', example], { encoding: 'utf8' }).status).toBe(0);
  });

  it('accepts Kea comments (#, //, /* */) in the file, as kea-dhcp4 does', () => {
    const file = join(dir, 'comments.json');
    writeFileSync(file, `# a comment\n${JSON.stringify(base, null, 1).replace('{', '{ // another\n /* and a\n block */')}`);
    expect(tandemdCheck(file).status).toBe(0);
  });

  it('rejects an unknown key with a message naming it, and exits non-zero', () => {
    const file = writeConfig(dir, 'unknown.json', { Dhcp4: { ...base.Dhcp4, 'valid-lifetme': 10 } });
    const result = tandemdCheck(file);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('valid-lifetme');
  });

  it('rejects a hook library it does not have, naming the library', () => {
    const file = writeConfig(dir, 'hook.json', { Dhcp4: { ...base.Dhcp4, 'hooks-libraries': [{ library: '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_stat_cmds.so' }] } });
    const result = tandemdCheck(file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("hook library '/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_stat_cmds.so' is not supported");
  });

  it('rejects a lease backend other than memfile and a missing file with clear messages', () => {
    const file = writeConfig(dir, 'mysql.json', { Dhcp4: { ...base.Dhcp4, 'lease-database': { type: 'mysql', name: 'kea' } } });
    expect(tandemdCheck(file).stderr).toContain("$.Dhcp4.lease-database.type 'mysql' is not supported");
    const missing = tandemdCheck(join(dir, 'absent.json'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("cannot read configuration file '");
  });

  it('exits 1 with usage text on bad arguments', () => {
    const result = spawnSync(process.execPath, [requireBuiltTandemd(), '-q'], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown argument '-q'");
    expect(result.stderr).toContain('Usage: tandemd -c config-file');
  });
});
