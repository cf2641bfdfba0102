/**
 * Finds where the first complete JSON value in a byte stream ends, the way Kea's JSONFeed decides a command
 * has arrived on the control socket (the socket carries one request per connection, no length prefix).
 */
export class JsonFrame {
  #text = '';
  #depth = 0;
  #inString = false;
  #escaped = false;
  #started = false;
  #scanned = 0;

  push(chunk: string): void {
    this.#text += chunk;
  }

  get size(): number {
    return this.#text.length;
  }

  /** The complete value's text, or undefined while more input is needed. */
  complete(): string | undefined {
    for (let i = this.#scanned; i < this.#text.length; i++) {
      const c = this.#text[i];
      if (this.#inString) {
        if (this.#escaped) this.#escaped = false;
        else if (c === '\\') this.#escaped = true;
        else if (c === '"') this.#inString = false;
        continue;
      }
      if (c === '"') this.#inString = true;
      else if (c === '{' || c === '[') {
        this.#depth += 1;
        this.#started = true;
      } else if (c === '}' || c === ']') {
        this.#depth -= 1;
        if (this.#started && this.#depth <= 0) {
          this.#scanned = i + 1;
          return this.#text.slice(0, i + 1);
        }
      } else if (!this.#started && c !== undefined && !/\s/.test(c)) {
        // A scalar at top level is not a command; hand it over so the parser reports it.
        this.#scanned = this.#text.length;
        return this.#text;
      }
    }
    this.#scanned = this.#text.length;
    return undefined;
  }

  text(): string {
    return this.#text;
  }
}
