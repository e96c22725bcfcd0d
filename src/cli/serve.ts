/** Serving the built app on loopback (Vite preview, cross-origin isolated), plus model files from disk for the CLI. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview, type Plugin } from 'vite';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface AppServer {
  url: string;
  /** Make a file on disk fetchable by the page; returns its same-origin URL path. */
  serveFile(path: string): string;
  close(): Promise<void>;
}

function notFound(res: ServerResponse, message: string): void {
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(message);
}

export async function startAppServer(): Promise<AppServer> {
  if (!existsSync(join(ROOT, 'dist', 'index.html'))) {
    throw new Error('The app is not built (dist/index.html is missing): run `npm run build` first.');
  }
  const files: string[] = [];
  const filesPlugin: Plugin = {
    name: 'ondevice-local-files',
    configurePreviewServer(server) {
      server.middlewares.use('/__files', (req, res) => {
        const index = Number((req.url ?? '').split('/')[1]);
        const path = files[index];
        if (path === undefined) return notFound(res, `no file registered at ${req.url}`);
        if (!existsSync(path) || !statSync(path).isFile()) return notFound(res, `no such file: ${path}`);
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(statSync(path).size));
        createReadStream(path).pipe(res);
      });
    },
  };
  const server = await preview({
    root: ROOT,
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    plugins: [filesPlugin],
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('the app server did not report its port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    serveFile(path) {
      files.push(resolve(path));
      return `/__files/${files.length - 1}/${encodeURIComponent(basename(path))}`;
    },
    close: () => server.close(),
  };
}
