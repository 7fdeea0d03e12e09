// Bundles the browser demo with esbuild and, run directly, serves it on http://127.0.0.1:8080 (or $PORT):
//   npx tsx examples/browser/build.ts        then open the printed address in a WebGPU-enabled browser
// The automated test (test/webgpu/browser.test.ts) calls buildBrowserExample and serveDirectory itself.

import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function buildBrowserExample(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(outDir, 'main.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  }); // no plugins and no externals: the library's browser entry reaches no Node built-in
  copyFileSync(join(here, 'index.html'), join(outDir, 'index.html'));
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** A static file server for `dir` on 127.0.0.1 (port 0 picks a free one); resolves once listening. */
export function serveDirectory(dir: string, port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const outDir = join(here, '..', '..', 'out', 'browser');
  await buildBrowserExample(outDir);
  const server = await serveDirectory(outDir, Number(process.env.PORT ?? 8080));
  const addr = server.address();
  console.log(
    `serving the demo at http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : ''}/ (Ctrl-C to stop)`,
  );
}
