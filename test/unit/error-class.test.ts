// The error classifier over real texts: what onnxruntime-web (1.31, wasm) threw for each bad input when collected,
// what transformers.js and the browser say, and the project's own errors; then records old and new through the schema.
import { describe, expect, it } from 'vitest';
import { classifyError, heapExhausted, type ErrorClass } from '../../src/core/error-class.ts';
import { classifyMemoryError } from '../../src/core/error-class.ts';
import { emptyResult, finish, toErrorInfo } from '../../src/core/result.ts';
import { RunResultSchema } from '../../src/core/schema.ts';
import { DEFAULT_WORKLOAD, type RunSpec } from '../../src/core/spec.ts';
import { formatReason } from '../../src/text/errors.ts';

const GiB = 1024 ** 3;
// Each: onnxruntime-web's text (InferenceSession.create or session.run in Node, the same wasm as the browser's).
const ORT: [string, string, ErrorClass][] = [
  ['empty file', "Can't create a session. ERROR_CODE: 2, ERROR_MESSAGE: No graph was found in the protobuf.", 'bad-model'],
  ['random bytes', "Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to load model because protobuf parsing failed.", 'bad-model'],
  ['truncated file', "Can't create a session. ERROR_CODE: 7, ERROR_MESSAGE: Failed to load model because protobuf parsing failed.", 'bad-model'],
  ['unknown op', "Can't create a session. ERROR_CODE: 6, ERROR_MESSAGE: No Op registered for FooBar with domain_version of 17", 'unsupported-op'],
  ['unknown domain', "Can't create a session. ERROR_CODE: 6, ERROR_MESSAGE: No opset import for domain 'com.example'", 'unsupported-op'],
  [
    'dangling input',
    "Can't create a session. ERROR_CODE: 2, ERROR_MESSAGE: Invalid model. Node input 'missing' is not a graph input, initializer, or output of a previous node.",
    'bad-model',
  ],
  [
    'opset from the future',
    "Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/graph/model_load_utils.h:56 void onnxruntime::model_load_utils::ValidateOpsetForDomain(const std::unordered_map<std::string, int> &, const logging::Logger &, bool, const std::string &, int) ONNX Runtime only *guarantees* support for models stamped with official released onnx opset versions. Opset 99 is under development and support for this is limited. The operator schemas and or other functionality may change before next ONNX release and in this case ONNX Runtime will not guarantee backward compatibility. Current official support for domain ai.onnx is till opset 26.\n",
    'unsupported-op',
  ],
  [
    'wrong input shape',
    'failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Got invalid dimensions for input: x for the following indices\n index: 0 Got: 2 Expected: 1\n index: 1 Got: 3 Expected: 4\n Please fix either the inputs/outputs or the model.',
    'bad-input',
  ],
  [
    'a tensor over 4 GiB at session creation (ConstantOfShape to 1.2 G floats)',
    "Can't create a session. ERROR_CODE: 1, ERROR_MESSAGE: /mnt/azure_nvme_temp/_work/1/s/onnxruntime/core/common/safeint.h:17 static void SafeIntExceptionHandler<onnxruntime::OnnxRuntimeException>::SafeIntOnOverflow() Integer overflow\n",
    'out-of-memory',
  ],
  ['a 3.6 GB activation at run time', 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc', 'out-of-memory'],
  [
    'Tile past 4 GiB',
    "failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: Non-zero status code returned while running Tile node. Name:'/t' Status Message: Tile output tensor would require more than 4294967295 bytes, which exceeds the supported maximum of 4294967295 bytes.",
    'out-of-memory',
  ],
  ['an allocation failing in wasm (a bare pointer thrown)', 'onnxruntime-web threw a raw number (1234567)', 'out-of-memory'],
];

describe('classifyError', () => {
  it.each(ORT)("onnxruntime-web's %s", (_, message, cls) => {
    expect(classifyError({ name: 'Error', message }, { device: 'wasm' })).toBe(cls);
  });
  it("the project's own errors, by name and by the text they wrap", () => {
    const c = (name: string, message: string, device = 'wasm') => classifyError({ name, message }, { device });
    expect(c('ModelFetchError', 'Could not fetch model "x.onnx": HTTP 404 Not Found (no such file: /tmp/x.onnx).')).toBe('fetch');
    expect(c('Error', 'Model "/tmp/empty.onnx" is empty (0 bytes at http://127.0.0.1:1/f/empty.onnx): expected an ONNX protobuf file.')).toBe('bad-model');
    expect(c('ModelLoadError', 'onnxruntime-web could not load model "m" (4096 bytes) on wasm: something new')).toBe('bad-model');
    expect(c('InferenceError', 'Inference failed for model "m" on wasm with inputs input[1,16]: Pad reflect …')).toBe('bad-input');
    expect(c('AbortError', 'Aborted by the user.')).toBe('aborted');
    expect(c('UnsupportedError', 'WebNN (navigator.ml) is not available in this browser.')).toBe('unsupported');
    expect(c('OutOfMemoryError', 'GPU memory ran out')).toBe('out-of-memory');
    // A lost device means something on webgpu; the same words on wasm do not make a GPU failure.
    expect(c('OperationError', 'Device was lost: the GPU process crashed', 'webgpu')).toBe('device-lost');
    expect(c('Error', 'GPUOutOfMemoryError: Failed to allocate buffer', 'webgpu')).toBe('out-of-memory');
    expect(c('TypeError', "Cannot read properties of undefined (reading 'dims')")).toBe('other');
  });
  it('reads the raw runtime text kept beside a message that words it otherwise', () => {
    expect(classifyError({ name: 'ModelLoadError', message: 'could not load', raw: 'std::bad_alloc' })).toBe('out-of-memory');
  });
});

describe('heap at a failed session creation', () => {
  it('out of memory when the heap had grown to within the model of its limit', () => {
    // The Gemma-2-2B q4 replica on wasm (CLI, 1 thread): 3.72 GiB of graph and weights, the heap at 2,872,442,880 bytes
    // when onnxruntime threw the SafeInt overflow above (which read as "… Expected a complete ONNX model file.").
    expect(heapExhausted({ heapBytes: 2_872_442_880, limitBytes: 4 * GiB, modelBytes: 3.72 * GiB })).toBe(true);
    expect(heapExhausted({ heapBytes: 3.9 * GiB, limitBytes: 4 * GiB, modelBytes: 1 })).toBe(true);
    expect(heapExhausted({ heapBytes: 2.5 * GiB, limitBytes: 4 * GiB, modelBytes: 1.6 * GiB })).toBe(true);
    expect(heapExhausted({ heapBytes: 16 * 2 ** 20, limitBytes: 4 * GiB, modelBytes: 300_000 })).toBe(false);
    expect(heapExhausted({ heapBytes: null, limitBytes: 4 * GiB, modelBytes: 1.6 * GiB })).toBe(false);
  });
});

const spec: RunSpec = {
  id: 'r1',
  suiteId: null,
  engine: 'ort',
  device: 'wasm',
  workload: DEFAULT_WORKLOAD,
  model: { id: 'm', source: 'bundled', url: '/m.onnx', dtype: 'fp32', task: 'image-classification' },
};

describe('records', () => {
  it('finish gives every reason a class, keeps one already given and the raw text', () => {
    const oom = finish(emptyResult(spec), 'errored', { name: 'OutOfMemoryError', message: 'Out of memory at session creation', raw: 'std::bad_alloc' });
    expect(oom.error).toEqual({ name: 'OutOfMemoryError', message: 'Out of memory at session creation', raw: 'std::bad_alloc', class: 'out-of-memory' });
    expect(finish(emptyResult(spec), 'aborted', { name: 'StalledError', message: 'no word' }).error?.class).toBe('aborted');
    expect(finish(emptyResult(spec), 'unsupported', { name: 'UnsupportedError', message: 'no q4' }).error?.class).toBe('unsupported');
    const kept = finish(emptyResult(spec), 'errored', { name: 'Error', message: 'x', class: 'device-lost' });
    expect(kept.error?.class).toBe('device-lost');
    expect(RunResultSchema.parse(JSON.parse(JSON.stringify(oom))).error).toEqual(oom.error);
  });
  it('errors thrown with a class and raw text keep them across toErrorInfo; a bare number names itself', () => {
    const e = Object.assign(new Error('Out of memory at session creation'), { name: 'OutOfMemoryError', class: 'out-of-memory', raw: '12345' });
    expect(toErrorInfo(e)).toEqual({ name: 'OutOfMemoryError', message: 'Out of memory at session creation', class: 'out-of-memory', raw: '12345' });
    expect(toErrorInfo(Object.assign(new Error('x'), { class: 'no-such-class' }))).toEqual({ name: 'Error', message: 'x' });
    expect(toErrorInfo(42)).toEqual({ name: 'RuntimeError', message: 'onnxruntime-web threw a raw number (42)' });
  });
  it('the run-time memory rewrite keeps the raw text and its class', () => {
    const info = classifyMemoryError({ name: 'InferenceError', message: 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc' }, 'wasm');
    expect(info).toMatchObject({
      name: 'OutOfMemoryError',
      class: 'out-of-memory',
      raw: 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc',
    });
    expect(info.message).toMatch(/^The WASM heap ran out/);
  });
  it('older records (no class, no raw) still import, and the tables classify them from their text', () => {
    const old = {
      ...finish(emptyResult(spec), 'errored', { name: 'Error', message: 'y' }),
      error: { name: 'ModelLoadError', message: 'x: No Op registered for Foo' },
    };
    const parsed = RunResultSchema.parse(JSON.parse(JSON.stringify(old)));
    expect(parsed.error).toEqual({ name: 'ModelLoadError', message: 'x: No Op registered for Foo' });
    expect(formatReason(parsed)).toBe('unsupported op: x: No Op registered for Foo');
    expect(formatReason(finish(emptyResult(spec), 'unsupported', { name: 'UnsupportedError', message: 'no q4' }))).toBe('no q4');
    expect(formatReason(finish(emptyResult(spec), 'completed'))).toBe('');
  });
});
