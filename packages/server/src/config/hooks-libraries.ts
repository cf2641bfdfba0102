import { ConfigError, expectObject, expectString, rejectUnknownKeys } from './config-error.js';

/** Hook libraries Tandem has built in; every other library is refused. */
export type HookLibrary =
  | { readonly kind: 'lease-cmds'; readonly library: string }
  | { readonly kind: 'high-availability'; readonly library: string; readonly parameters: unknown };

const KNOWN = new Set(['library', 'parameters', 'user-context', 'comment']);

const baseName = (library: string): string => library.slice(library.lastIndexOf('/') + 1);

export const parseHooksLibraries = (value: unknown, path: string): readonly HookLibrary[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ConfigError(`${path} must be a list`);
  const libraries = value.map((entry, i): HookLibrary => {
    const at = `${path}[${i}]`;
    const section = expectObject(entry, at);
    rejectUnknownKeys(section, KNOWN, at);
    const library = expectString(section.library, `${at}.library`);
    switch (baseName(library)) {
      case 'libdhcp_lease_cmds.so':
        return { kind: 'lease-cmds', library };
      case 'libdhcp_ha.so':
        if (section.parameters === undefined) throw new ConfigError(`${at}: libdhcp_ha.so needs 'parameters' with a 'high-availability' list`);
        return { kind: 'high-availability', library, parameters: section.parameters };
      default:
        throw new ConfigError(
          `${at}.library: hook library '${library}' is not supported; Tandem has libdhcp_lease_cmds.so and libdhcp_ha.so built in and loads no others`,
        );
    }
  });
  const kinds = libraries.map((l) => l.kind);
  for (const kind of new Set(kinds)) {
    if (kinds.filter((k) => k === kind).length > 1) throw new ConfigError(`${path}: ${kind === 'lease-cmds' ? 'libdhcp_lease_cmds.so' : 'libdhcp_ha.so'} is listed twice`);
  }
  return libraries;
};
