/** Finding and launching Chromium for the headless runner and the browser tests (playwright-core, no download). */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  // WebGPU on machines without a GPU runs through SwiftShader; headless Chromium hides it without this flag.
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  // Keep Chromium from calling home: this machine's closed network refuses it, noisily.
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // measureUserAgentSpecificMemory() answers at once instead of at the next garbage collection.
  '--enable-blink-features=ForceEagerMeasureMemory',
] as const;

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** CHROME_PATH, then /usr/bin/chromium, then the usual names on PATH; null when none is there. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHROME_PATH) return existsSync(env.CHROME_PATH) ? env.CHROME_PATH : null;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    for (const name of CANDIDATES) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

export const NO_CHROMIUM_MESSAGE =
  'ondevice: no Chromium found (looked at $CHROME_PATH, /usr/bin/chromium, and chromium, chromium-browser, google-chrome on PATH); install one with `sudo apt-get install -y chromium` or set CHROME_PATH.';

export class NoChromiumError extends Error {
  override name = 'NoChromiumError';
  constructor() {
    super(NO_CHROMIUM_MESSAGE);
  }
}

/**
 * Launch headless Chromium. `marker` is added as an extra (ignored) switch so that this launch's processes
 * can be found in /proc (src/cli/proc-memory.ts).
 */
export async function launchChromium(marker?: string, options: { webgpu?: boolean } = {}): Promise<Browser> {
  return chromium.launch(launchOptions(marker, options));
}

function launchOptions(marker: string | undefined, options: { webgpu?: boolean }): { executablePath: string; headless: true; args: string[] } {
  const executablePath = findChromium();
  if (!executablePath) throw new NoChromiumError();
  // webgpu: false leaves out --enable-unsafe-webgpu: how tests get a browser without WebGPU.
  const flags = CHROMIUM_FLAGS.filter((f) => options.webgpu !== false || f !== '--enable-unsafe-webgpu');
  return { executablePath, headless: true, args: marker ? [...flags, `--ondevice-session=${marker}`] : [...flags] };
}

/**
 * Launch headless Chromium on a profile folder (src/cli/profile.ts): its one context keeps the site's storage and
 * Blobs on disk, where a fresh off-the-record context holds them in memory (and refuses a replica past ~1.5 GiB).
 */
export async function launchChromiumProfile(dir: string, marker?: string, options: { webgpu?: boolean } = {}): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, launchOptions(marker, options));
}
