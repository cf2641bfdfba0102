/**
 * tandemctl: kea-shell for Tandem. One command per run; `--help` documents options and exit statuses.
 */

import type { ControlRequest } from '@tandem/core';
import { PeerClient } from './client.js';
import { ExitCode, HELP_TEXT, buildArguments, exitCodeForAnswer, parseTandemctlArgs } from './tandemctl-args.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseTandemctlArgs(argv, process.stdin.isTTY === true);
  if (args.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return ExitCode.SUCCESS;
  }
  if (args.kind === 'usage-error') {
    process.stderr.write(`tandemctl: ${args.message}\nTry 'tandemctl --help'.\n`);
    return ExitCode.USAGE;
  }

  const jsonText =
    args.argumentsSource.kind === 'text' ? args.argumentsSource.text : args.argumentsSource.kind === 'stdin' ? await readStdin() : undefined;
  const built = buildArguments(jsonText, args.flagArguments);
  if (!built.ok) {
    process.stderr.write(`tandemctl: ${built.problem}\n`);
    return ExitCode.USAGE;
  }
  const request: ControlRequest = {
    command: args.command,
    ...(args.service === undefined ? {} : { service: args.service }),
    ...(built.value === undefined ? {} : { arguments: built.value }),
  };

  let client: PeerClient;
  try {
    client = new PeerClient({
      url: args.url,
      maxSockets: 1,
      ...(args.basicAuth === undefined ? {} : { basicAuth: args.basicAuth }),
      ...(args.tls === undefined ? {} : { tls: args.tls }),
    });
  } catch (error) {
    process.stderr.write(`tandemctl: ${error instanceof Error ? error.message : String(error)}\n`);
    return ExitCode.USAGE;
  }
  try {
    const reply = await client.send(request, { timeoutMs: args.timeoutMs });
    if (reply.kind === 'transport-error') {
      process.stderr.write(`tandemctl: no answer from ${args.url}: ${reply.message}\n`);
      return ExitCode.NO_ANSWER;
    }
    if (reply.body === undefined) {
      process.stderr.write(`tandemctl: ${args.url} answered HTTP ${reply.status} with an empty body\n`);
      return ExitCode.NO_ANSWER;
    }
    process.stdout.write(`${JSON.stringify(reply.body, null, 2)}\n`);
    return exitCodeForAnswer(reply.body);
  } finally {
    client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`tandemctl: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = ExitCode.NO_ANSWER;
  },
);
