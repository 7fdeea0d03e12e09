// Builds the lab page with esbuild and serves it on 127.0.0.1.
//   npm run lab                       build into dist/lab, serve on a free port and open a browser
//   npm run lab -- --port 8080 --no-open
//   npm run lab:build [-- --out DIR]  only write the static folder (index.html, main.js, worker.js, CSS)
// The page and its training worker are bundled from the package's source entry (src/index.ts).

import { build, type Plugin } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { spawn } from 'node:child_process';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Node built-ins (reached only through file helpers the page never calls) become empty modules in the bundle. */
const nodeBuiltinsAsEmpty: Plugin = {
  name: 'node-builtins-as-empty',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'empty-node-builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'empty-node-builtin' }, () => ({
      contents: 'module.exports = {};',
      loader: 'js',
    }));
  },
};

/** Writes the static lab into outDir. */
export async function buildLab(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { main: join(here, 'src', 'main.ts'), worker: join(here, 'src', 'worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    plugins: [nodeBuiltinsAsEmpty],
  });
  copyFileSync(join(here, 'index.html'), join(outDir, 'index.html'));
  copyFileSync(join(here, 'lab.css'), join(outDir, 'lab.css'));
  copyFileSync(join(here, '..', 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), join(outDir, 'uplot.css'));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.map': 'application/json',
};

/**
 * Serves `dir` on 127.0.0.1 (port 0 picks a free one), as a plain static host would: no COOP/COEP headers, so the
 * page is not cross-origin isolated and has no SharedArrayBuffer, and the CPU backend must work without it.
 */
export function serveLab(dir: string, port = 0): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(
      /^(\.\.[/\\])+/,
      '',
    );
    const file = join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => ok(server));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'no-open': { type: 'boolean' },
      'build-only': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const outDir = resolve(values.out ?? join(here, '..', 'dist', 'lab'));
  await buildLab(outDir);
  if (values['build-only']) {
    console.log(`lab written to ${outDir} (any static host can serve it)`);
  } else {
    const port = Number(values.port ?? 0);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new Error(`--port expects 0..65535, got '${values.port}'`);
    const server = await serveLab(outDir, port);
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    console.log(`the lab is at ${url} (Ctrl-C to stop)`);
    if (!values['no-open']) {
      const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
      spawn(opener, [url], { stdio: 'ignore', detached: true })
        .on('error', () => console.log('(could not open a browser; open the address yourself)'))
        .unref();
    }
  }
}
