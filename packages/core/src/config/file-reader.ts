/**
 * The parser reads password, user and TLS files only through a reader the shell injects;
 * the core itself never touches the file system.
 */

/** Returns a file's content; throws (any error) when it cannot be read. */
export type ReadFile = (path: string) => string;

export type FileReadOutcome = { readonly ok: true; readonly content: string } | { readonly ok: false; readonly reason: string };

export function tryReadFile(readFile: ReadFile | undefined, path: string): FileReadOutcome {
  if (readFile === undefined) return { ok: false, reason: 'no file reader was given to the configuration parser' };
  try {
    const content: unknown = readFile(path);
    return typeof content === 'string' ? { ok: true, content } : { ok: false, reason: 'the file reader returned no text' };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}
