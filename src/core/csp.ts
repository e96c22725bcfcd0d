/**
 * The Content-Security-Policies: the app's (a response header, from Vite's server) allows only its own origin plus
 * the hub host for hub models; the report's (a <meta>, the file is opened from disk) allows its inline script and
 * style by hash and nothing remote. Pure strings, checked in Node.
 */
import { base64, sha256 } from './sha256.ts';
import { DEFAULT_HUB_HOST, parseHubHost } from './catalog.ts';

/**
 * The origins a hub host's downloads come from: its own, and for huggingface.co the hosts its `resolve` URLs redirect
 * to for large files (its LFS and Xet CDNs; CSP checks every redirect's target too).
 */
export function hubOrigins(host: string): string[] {
  const url = new URL(parseHubHost(host));
  return url.hostname === 'huggingface.co' ? [url.origin, 'https://*.huggingface.co', 'https://*.hf.co'] : [url.origin];
}

export interface AppCspOptions {
  /** Origins the page and its workers may fetch from beyond its own: the hub host's, and URL models' (the CLI's). */
  connect?: readonly string[];
  /** Vite's dev server injects CSS as <style> elements: allow inline styles there only. */
  dev?: boolean;
}

/**
 * The app's policy. `wasm-unsafe-eval`: onnxruntime-web and the roofline compile WebAssembly (no JS eval is allowed);
 * `blob:` in worker-src and connect-src: a user's file and the levels made from it are blob URLs, fetched in workers.
 */
export function appCsp(options: AppCspOptions = {}): string {
  const connect = [...new Set(options.connect ?? hubOrigins(DEFAULT_HUB_HOST))];
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    `connect-src ${["'self'", 'blob:', 'data:', ...connect].join(' ')}`,
    "img-src 'self' data: blob:",
    `style-src 'self'${options.dev ? " 'unsafe-inline'" : ''}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * The policy a worker script is served with: the page's, plus 'unsafe-eval' for scripts. protobufjs (the ONNX
 * reader, in the run worker only) compiles its decoders with `new Function`. A worker has no DOM, so markup cannot
 * reach it; the page itself keeps eval refused.
 */
export function workerCsp(pagePolicy: string): string {
  return pagePolicy
    .split('; ')
    .map((d) => (d.startsWith('script-src ') && !d.includes("'unsafe-eval'") ? `${d} 'unsafe-eval'` : d))
    .join('; ');
}

/** A CSP hash source for an inline element's exact text. */
export const hashSource = (text: string): string => `'sha256-${base64(sha256(text))}'`;

/**
 * The report's policy, for a <meta http-equiv>: nothing may load from anywhere (its own file included), only these
 * inline scripts and styles run, and canvases may draw (Chart.js); `data:` images are what a canvas exports.
 */
export function reportCsp(inline: { scripts: readonly string[]; styles: readonly string[] }): string {
  const scripts = inline.scripts.map(hashSource);
  const styles = inline.styles.map(hashSource);
  return [
    "default-src 'none'",
    `script-src ${scripts.length ? scripts.join(' ') : "'none'"}`,
    `style-src ${styles.length ? styles.join(' ') : "'none'"}`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
