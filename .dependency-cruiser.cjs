/**
 * The architecture on one page, checked on every `npm test` (`npm run deps`).
 *
 *   ui/  cli/            the app's DOM and the headless CLI: side by side, neither imports the other
 *                        (ui/model/: what the app's views compute, pure like core: presets, share links, ETA, filters)
 *     ↓
 *   client/              the page side: one worker per run, suites, calibration, caches
 *     ↓
 *   engines/             the worker side: onnxruntime-web, transformers.js, memory probes
 *     ↓
 *   onnx/  store/        ONNX bytes (read, write, build, quantize) · the run log (IndexedDB)
 *   gguf/                GGUF bytes (llama.cpp's format: write, read, convert a model's weights); may read onnx/
 *     ↓
 *   core/                pure: vocabularies, specs, the result schema, statistics, maths. Imports only itself.
 *
 * Feature wings that span layers, each with its own rule:
 *   claims/   the articles' claims, their rules and verdicts (pure: core only)
 *   roofline/ the device roofline: its maths, kernels, worker and client
 *   text/     DOM-free formatting that the app and the CLI both print (core only)
 *   report/   the shareable report (Markdown, HTML): DOM-free, built from records and verdicts
 *
 * And each heavy library has exactly one importer, so that a bundle or an upgrade touches one file.
 */
const layer = (name, allowed, comment) => ({
  name: `${name}-layer`,
  comment,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: '^src/', pathNot: allowed.map((d) => (d.endsWith('$') ? `^src/${d}` : `^src/${d}/`)) },
});

const onlyImporter = (lib, importers) => ({
  name: `one-importer-of-${lib.replace(/[^a-z]/g, '-')}`,
  comment: `${lib} is imported by ${importers.join(' and ')} only (type-only imports aside: they vanish at build time).`,
  severity: 'error',
  from: { pathNot: importers.map((p) => `^${p.replace(/\./g, '\\.')}$`) },
  to: { path: `^node_modules/${lib.replace(/\./g, '\\.')}/`, dependencyTypesNot: ['type-only'] },
});

module.exports = {
  forbidden: [
    layer('core', ['core'], 'core is the pure base: it imports nothing of the project outside itself.'),
    layer('onnx', ['core', 'onnx'], 'onnx reads, writes, builds and quantizes models from core types alone.'),
    layer('gguf', ['core', 'onnx', 'gguf'], 'gguf writes and reads llama.cpp files, from core types and ONNX weights alone.'),
    layer('store', ['core', 'store'], 'the run log depends on the result schema only.'),
    layer('claims', ['core', 'claims'], 'claims are pure rules over records.'),
    layer('text', ['core', 'text', 'engines/contract\\.ts$'], 'text formats records; it names the worker contract for inspections only.'),
    layer('report', ['core', 'claims', 'text', 'report', 'roofline/roofline\\.ts$'], 'the report is DOM-free: records, verdicts and text in, documents out.'),
    layer('engines', ['core', 'onnx', 'gguf', 'engines'], 'the worker side never reaches back to the page.'),
    layer(
      'client',
      ['core', 'onnx', 'gguf', 'engines', 'store', 'claims', 'roofline', 'client'],
      'the page side: workers, suites, caches; never the DOM views or the CLI.',
    ),
    layer(
      'ui',
      ['core', 'client', 'store', 'claims', 'roofline', 'text', 'report', 'engines/contract\\.ts$', 'ui'],
      'the app: everything below it, never the CLI.',
    ),
    layer(
      'cli',
      ['core', 'client', 'store', 'claims', 'roofline', 'text', 'report', 'engines/contract\\.ts$', 'cli'],
      'the CLI: everything below it, never the app.',
    ),
    {
      name: 'ui-model-pure',
      comment: "ui/model is the app's views as pure data: core and itself only, no DOM module of ui.",
      severity: 'error',
      from: { path: '^src/ui/model/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/ui/model/'] },
    },
    {
      name: 'roofline-wing',
      comment: 'the roofline wing: its maths from core, its page side through the client helpers; nothing above it.',
      severity: 'error',
      from: { path: '^src/roofline/' },
      to: { path: '^src/', pathNot: ['^src/(core|roofline)/', '^src/client/(keyed-storage|worker-lifecycle)\\.ts$'] },
    },
    onlyImporter('onnxruntime-web', ['src/engines/ort-engine.ts', 'src/engines/ort-assets.ts']),
    onlyImporter('@huggingface/transformers', ['src/engines/transformers-engine.ts']),
    onlyImporter('@wllama/wllama', ['src/engines/wllama-engine.ts']),
    onlyImporter('@huggingface/tokenizers', ['src/engines/tokenizer.ts']),
    onlyImporter('chart.js', ['src/ui/charts.ts', 'src/ui/report-assets.ts']), // the second reads its UMD file as text, for the report
    onlyImporter('idb', ['src/store/results-db.ts']),
    onlyImporter('zod', ['src/core/zod.ts']), // configured there (jitless: no eval probe under the app's CSP)
    onlyImporter('protobufjs', ['src/onnx/model.ts']),
    onlyImporter('@noble/hashes', ['src/core/sha256.ts']),
    onlyImporter('playwright-core', ['src/cli/browser.ts', 'src/cli/driver.ts', 'src/cli/remote.ts']),
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    { name: 'not-to-unresolvable', severity: 'error', from: { path: '^(src|workers)/' }, to: { couldNotResolve: true, pathNot: '\\?url$' } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
