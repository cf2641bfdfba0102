import { ConfigError } from './config-error.js';

/**
 * Kea's configuration files are JSON plus comments (`#`, `//`, C-style blocks) and `<?include?>` directives.
 * Comments are blanked out (keeping line numbers for JSON errors); includes are refused because a file
 * tandemd reads must stand alone.
 */
export const stripKeaComments = (text: string): string => {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === '\\' && i + 1 < text.length) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i += 1;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i += 1;
      continue;
    }
    if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i += 1;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new ConfigError('unterminated /* comment in configuration');
      out += text.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 2;
      continue;
    }
    if (c === '<' && text[i + 1] === '?') {
      throw new ConfigError('<?include?> directives are not supported: tandemd reads a single configuration file');
    }
    out += c;
    i += 1;
  }
  return out;
};

export const parseKeaJson = (text: string, source: string): unknown => {
  try {
    return JSON.parse(stripKeaComments(text));
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`${source}: ${error.message}`);
    throw new ConfigError(`${source}: not valid JSON: ${(error as Error).message}`);
  }
};
