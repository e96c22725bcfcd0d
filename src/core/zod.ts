/**
 * zod, configured once for every module that validates (page and workers): `jitless`, so zod never probes for
 * `new Function` — the app's Content-Security-Policy refuses eval, and Chromium reports even a caught probe as a
 * policy violation. The project's only importer of zod's value (type-only imports aside).
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
