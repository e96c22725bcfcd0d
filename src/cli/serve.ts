/** Serving the built app on loopback (Vite preview, cross-origin isolated), plus model files from disk for the CLI. */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { networkInterfaces } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview, type Plugin } from 'vite';
import { DEFAULT_HUB_HOST } from '../core/catalog.ts';
import { appCsp, hubOrigins } from '../core/csp.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface AppServer {
  /** What a browser opens: http://127.0.0.1:PORT/ by default, or the public URL the server was given. */
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

export interface ServeOptions {
  /** Address to bind (default 127.0.0.1, loopback only); 0.0.0.0 serves every interface, for browsers on other machines. */
  host?: string;
  /** Port (default 0: any free one); a tunnel or port forward set up in advance needs a fixed one. */
  port?: number;
  /** The URL browsers should open instead of http://HOST:PORT/ (a tunnel's or a port forward's), with its trailing path. */
  publicUrl?: string;
  /** Where hub models come from (default https://huggingface.co/): the only remote origin the app's CSP allows. */
  hubHost?: string;
  /** More origins the page may fetch from: those of URL models (`--model https://…`). */
  connect?: readonly string[];
}

/** The app's Content-Security-Policy for this server: its own origin, the hub host's, and the URL models' origins. */
export function serverCsp(options: Pick<ServeOptions, 'hubHost' | 'connect'>): string {
  const urls = (options.connect ?? []).map((u) => new URL(u).origin);
  return appCsp({ connect: [...hubOrigins(options.hubHost ?? DEFAULT_HUB_HOST), ...urls] });
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** The address to put in the app's URL: the bound one, or for a wildcard bind the first external IPv4 (loopback if none). */
function urlHost(host: string): string {
  if (!WILDCARD.has(host)) return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export async function startAppServer(options: ServeOptions = {}): Promise<AppServer> {
  const host = options.host ?? '127.0.0.1';
  if (!existsSync(join(ROOT, 'dist', 'index.html'))) {
    throw new Error('The app is not built (dist/index.html is missing): run `npm run build` first.');
  }
  const csp = serverCsp(options);
  const publicHost = options.publicUrl ? new URL(options.publicUrl).hostname : null;
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
    // Vite answers only Host headers it knows (DNS-rebinding protection): a tunnel's name must be allowed.
    // The config file's headers (cross-origin isolation) with this server's CSP in place of the default one.
    preview: {
      headers: { 'Content-Security-Policy': csp },
      host,
      port: options.port ?? 0,
      strictPort: options.port !== undefined,
      open: false,
      ...(publicHost ? { allowedHosts: [publicHost] } : {}),
    },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('the app server did not report its port');
  return {
    url: options.publicUrl ?? `http://${urlHost(host)}:${address.port}/`,
    serveFile(path) {
      files.push(resolve(path));
      return `/__files/${files.length - 1}/${encodeURIComponent(basename(path))}`;
    },
    close: () => server.close(),
  };
}
