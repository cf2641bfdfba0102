/**
 * Finds the `high-availability` list in what the caller hands over: the bare list, the hook's
 * `parameters` map, or a whole Kea document whose `hooks-libraries` loads libdhcp_ha.so.
 * Paths in errors start at the caller's root, so they point into the file the operator edits.
 */
import { fail } from './errors.js';
import { childPath, ROOT_PATH } from './json-path.js';
import { describeJsonType, hasMember, isJsonMap, member, rejectUnknownKeys, type JsonMap } from './json-reader.js';

export interface LocatedHaList {
  readonly value: unknown;
  readonly path: string;
}

const HA_LIBRARY_FILE = 'libdhcp_ha.so';
const SERVER_KEYS = ['Dhcp4', 'Dhcp6'] as const;
const HOOK_PARAMETER_KEYS: ReadonlySet<string> = new Set(['high-availability']);

export function locateHaList(input: unknown): LocatedHaList {
  // Anything but a map is taken as the bare list, so Kea's own "must be a list" text applies.
  if (!isJsonMap(input)) return { value: input, path: ROOT_PATH };
  if (SERVER_KEYS.some((key) => hasMember(input, key))) return fromKeaDocument(input);
  if (hasMember(input, 'high-availability')) return fromHookParameters(input, ROOT_PATH);
  return fail(
    ROOT_PATH,
    'input-shape',
    "expected the 'high-availability' list, the HA hook parameters map or a Kea document with Dhcp4 or Dhcp6",
  );
}

function fromHookParameters(parameters: JsonMap, path: string): LocatedHaList {
  rejectUnknownKeys(parameters, HOOK_PARAMETER_KEYS, path, 'HA hook parameters');
  if (!hasMember(parameters, 'high-availability')) {
    fail(childPath(path, 'high-availability'), 'missing-parameter', "missing parameter 'high-availability'");
  }
  return { value: member(parameters, 'high-availability'), path: childPath(path, 'high-availability') };
}

function fromKeaDocument(document: JsonMap): LocatedHaList {
  const present = SERVER_KEYS.filter((key) => hasMember(document, key));
  if (present.length > 1) {
    fail(ROOT_PATH, 'input-shape', 'the document configures both Dhcp4 and Dhcp6; pass the one Tandem should serve');
  }
  const serverKey = present[0] ?? 'Dhcp4';
  const serverPath = childPath(ROOT_PATH, serverKey);
  const server = member(document, serverKey);
  if (!isJsonMap(server)) fail(serverPath, 'invalid-type', `'${serverKey}' must be a map, got ${describeJsonType(server)}`);

  const librariesPath = childPath(serverPath, 'hooks-libraries');
  const libraries = member(server, 'hooks-libraries');
  if (libraries === undefined) fail(librariesPath, 'ha-library-missing', `no hooks-libraries entry loads ${HA_LIBRARY_FILE}`);
  if (!Array.isArray(libraries)) {
    fail(librariesPath, 'invalid-type', `'hooks-libraries' must be a list, got ${describeJsonType(libraries)}`);
  }

  const haEntries = libraries.flatMap((entry: unknown, index) =>
    isJsonMap(entry) && isHaLibrary(member(entry, 'library')) ? [{ entry, path: childPath(librariesPath, index) }] : [],
  );
  const [first, second] = haEntries;
  if (first === undefined) fail(librariesPath, 'ha-library-missing', `no hooks-libraries entry loads ${HA_LIBRARY_FILE}`);
  if (second !== undefined) fail(second.path, 'ha-library-duplicate', `${HA_LIBRARY_FILE} is loaded more than once`);

  const parametersPath = childPath(first.path, 'parameters');
  if (!hasMember(first.entry, 'parameters')) {
    fail(parametersPath, 'missing-parameter', `missing parameter 'parameters' for ${HA_LIBRARY_FILE}`);
  }
  const parameters = member(first.entry, 'parameters');
  if (!isJsonMap(parameters)) {
    fail(parametersPath, 'invalid-type', `'parameters' of ${HA_LIBRARY_FILE} must be a map, got ${describeJsonType(parameters)}`);
  }
  return fromHookParameters(parameters, parametersPath);
}

function isHaLibrary(library: unknown): boolean {
  if (typeof library !== 'string') return false;
  const fileName = library.slice(library.lastIndexOf('/') + 1);
  return fileName === HA_LIBRARY_FILE;
}
