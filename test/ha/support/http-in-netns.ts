import { spawnSync } from 'node:child_process';

export interface HttpExchange {
  readonly status: number;
  readonly body: string;
  /** The body parsed as JSON, undefined when it is not JSON. */
  readonly json: unknown;
}

/**
 * One raw HTTP POST from inside a namespace (the HA listeners live only on the test LAN), with curl so
 * that the request is exactly what the test says: any body, any headers, no client library in between.
 */
export const postInNamespace = (
  ns: string,
  url: string,
  body: string,
  opts: { readonly headers?: readonly string[]; readonly method?: string; readonly contentType?: string | null } = {},
): HttpExchange => {
  const contentType = opts.contentType === undefined ? 'application/json' : opts.contentType;
  const args = [
    'netns', 'exec', ns, 'curl', '-s', '-m', '10',
    '-X', opts.method ?? 'POST',
    ...(contentType !== null ? ['-H', `Content-Type: ${contentType}`] : []),
    ...(opts.headers ?? []).flatMap((h) => ['-H', h]),
    '--data-binary', '@-',
    '-w', '\nHTTP-STATUS:%{http_code}',
    url,
  ];
  const run = spawnSync('ip', args, { input: body, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`curl failed (${run.status}): ${run.stderr}`);
  const at = run.stdout.lastIndexOf('\nHTTP-STATUS:');
  const text = run.stdout.slice(0, at);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: Number(run.stdout.slice(at + '\nHTTP-STATUS:'.length)), body: text, json };
};
