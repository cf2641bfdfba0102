/** A command's arguments are wrong; its message is the operator-facing text of the result-1 answer. */
export class CommandArgumentError extends Error {
  override readonly name = 'CommandArgumentError';
}
