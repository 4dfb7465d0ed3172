import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Forwards to moto and rewrites the timestamps in its Glue answers: this moto (5.1) sends them as ISO strings
 * without a zone, where the awsJson1_1 protocol has epoch seconds (boto3 tolerates that, the JS SDK does not).
 */
export async function startGlueTimestampProxy(target: string): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const glue = String(req.headers['x-amz-target'] ?? '').startsWith('AWSGlue.');
      fetch(`${target}${req.url ?? '/'}`, {
        method: req.method, headers: req.headers as Record<string, string>, body: chunks.length ? Buffer.concat(chunks) : undefined,
      }).then(async (upstream) => {
        let body = Buffer.from(await upstream.arrayBuffer());
        if (glue) {
          body = Buffer.from(body.toString('utf8').replace(/"(\w+On)": "(\d{4}-\d\d-\d\dT[\d:.]+)"/g,
            (_m, key: string, iso: string) => `"${key}": ${Date.parse(`${iso}Z`) / 1000}`));
        }
        const headers: Record<string, string> = {};
        upstream.headers.forEach((v, k) => { if (k !== 'content-length' && k !== 'content-encoding' && k !== 'transfer-encoding') headers[k] = v; });
        res.writeHead(upstream.status, { ...headers, 'content-length': String(body.length) });
        res.end(body);
      }).catch((err: unknown) => { res.writeHead(502); res.end(String(err)); });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
