// onnxruntime's profiler output → the top operators: real profiles captured from onnxruntime-web 1.31-dev's wasm build
// (mlp-1m at fp32 and q4, one warm-up run then the profiled one), with the numbers worked out from their events.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseOrtProfile, profileHints, profileUnsupportedReason, summarizeProfile } from '../../src/core/profile.ts';
import { formatOpTypes, formatShare } from '../../src/text/format.ts';
import { renderReportHtml, renderReportMarkdown } from '../../src/report/report.ts';
import { oneDevice } from '../fixtures/report-input.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/ort-profile/${name}`, import.meta.url), 'utf8');
const fp32 = fixture('mlp-1m-fp32-wasm.txt');
const q4 = fixture('mlp-1m-q4-wasm.txt');

describe('parseOrtProfile', () => {
  it('reads every event of the captured output', () => {
    const events = parseOrtProfile(fp32);
    // model_loading_array, session_initialization, then 4 nodes + SequentialExecutor::Execute + model_run twice.
    expect(events).toHaveLength(14);
    expect(events.filter((e) => e.name === 'model_run').map((e) => e.dur)).toEqual([5345, 1760]);
  });

  it('finds the array among other lines the console printed', () => {
    const events = parseOrtProfile(`some other log line\n${fp32}\nanother one`);
    expect(events).toHaveLength(14);
  });

  it('names what is wrong with output that is not a profile', () => {
    expect(() => parseOrtProfile('')).toThrow(/no JSON array \(no lines "\[" … "\]" in 1 line\(s\) captured\)/);
    expect(() => parseOrtProfile('[\n{"cat" : "Node","name" :"a"b_kernel_time"}\n]')).toThrow(/not valid JSON .*quote or backslash/);
  });
});

describe('summarizeProfile', () => {
  it('fp32: the profiled run only (after the warm-up run), its nodes by time, shares of the run', () => {
    const s = summarizeProfile(parseOrtProfile(fp32), 1);
    expect(s.runs).toBe(1);
    expect(s.iterationMs).toBeCloseTo(1.76, 10);
    expect(s.kernelMs).toBeCloseTo((685 + 869 + 94 + 45) / 1000, 10);
    expect(s.providers).toEqual(['CPUExecutionProvider']);
    expect(s.topOps.map((o) => [o.opType, o.node, o.ms, o.calls])).toEqual([
      ['FusedGemm', 'fused layer1/MatMul/MatMulAddFusion', 0.869, 1],
      ['FusedGemm', 'fused layer0/MatMul/MatMulAddFusion', 0.685, 1],
      ['Gemm', 'layer2/MatMul/MatMulAddFusion', 0.094, 1],
      ['Softmax', 'softmax', 0.045, 1],
    ]);
    expect(s.topOps[0]!.share).toBeCloseTo(869 / 1760, 12);
    expect(s.opTypes.map((t) => [t.opType, t.nodes, t.calls])).toEqual([
      ['FusedGemm', 2, 2],
      ['Gemm', 1, 1],
      ['Softmax', 1, 1],
    ]);
    expect(s.opTypes[0]!.ms).toBeCloseTo(1.554, 10);
    expect(s.opTypes[0]!.share).toBeCloseTo(1554 / 1760, 12);
  });

  it('q4: MatMulNBits takes almost all of the iteration', () => {
    const s = summarizeProfile(parseOrtProfile(q4), 1);
    expect(s.iterationMs).toBeCloseTo(34.734, 10);
    expect(s.opTypes.map((t) => t.opType)).toEqual(['MatMulNBits', 'Relu', 'Softmax']);
    expect(s.opTypes[0]!.ms).toBeCloseTo((764 + 28899 + 4649) / 1000, 10);
    expect(s.opTypes[0]!.share).toBeCloseTo(34312 / 34734, 12);
    expect(s.opTypes[1]!.ms).toBeCloseTo((55 + 99) / 1000, 10);
    expect(s.opTypes[2]!.ms).toBeCloseTo(0.125, 10);
    expect(s.topOps[0]).toMatchObject({ opType: 'MatMulNBits', node: 'h1_mm_MatMulNBits', provider: 'CPUExecutionProvider', ms: 28.899 });
    expect(formatOpTypes(s)).toBe('MatMulNBits 99 %, Relu 0.4 %, Softmax 0.4 %');
    expect(profileHints(s, 'wasm')).toEqual([
      expect.stringMatching(/^MatMulNBits: onnxruntime-web's wasm build has no 4-bit kernel: .*dequantizes its whole weight to fp32 on every call/),
    ]);
    // The hint is about the wasm build's CPU kernels.
    expect(profileHints(s, 'webgpu')).toEqual([]);
  });

  it("several profiled runs (a generation's steps): a node's calls are summed, shares are of all the runs", () => {
    const s = summarizeProfile(parseOrtProfile(fp32), 0);
    expect(s.runs).toBe(2);
    expect(s.iterationMs).toBeCloseTo((5345 + 1760) / 1000, 10);
    expect(s.topOps[0]).toMatchObject({ node: 'fused layer0/MatMul/MatMulAddFusion', ms: (4784 + 685) / 1000, calls: 2 });
    expect(s.opTypes[0]).toMatchObject({ opType: 'FusedGemm', nodes: 2, calls: 4 });
  });

  it('repeats of one inference: the run of median length only (the lower one of an even count)', () => {
    const median = summarizeProfile(parseOrtProfile(fp32), 0, undefined, 1);
    expect(median).toEqual(summarizeProfile(parseOrtProfile(fp32), 1));
    // Repeats of two runs: only one whole repeat here, so both runs are read.
    expect(summarizeProfile(parseOrtProfile(fp32), 0, undefined, 2)).toEqual(summarizeProfile(parseOrtProfile(fp32), 0));
  });

  it('keeps the top n nodes and every op type', () => {
    const s = summarizeProfile(parseOrtProfile(q4), 1, 2);
    expect(s.topOps.map((o) => o.node)).toEqual(['h1_mm_MatMulNBits', 'h2_mm_MatMulNBits']);
    expect(s.opTypes).toHaveLength(3);
  });

  it('a profile without the profiled run is an error that says so', () => {
    expect(() => summarizeProfile(parseOrtProfile(fp32), 2)).toThrow(/no model_run event after the first 2: nothing was profiled/);
  });
});

describe('profiling and engines', () => {
  it('ort can be profiled; transformers gets the reason naming what is valid', () => {
    expect(profileUnsupportedReason('ort')).toBeNull();
    expect(profileUnsupportedReason('transformers')).toMatch(/available on the ort engine only.*this run is on transformers.*--engine ort/);
  });

  it('formats shares', () => {
    expect([0.94, 0.0321, 0.0004, 0].map(formatShare)).toEqual(['94 %', '3.2 %', '<0.1 %', '0.0 %']);
  });
});

describe('the claims report shows profiles', () => {
  it('a line per profiled run with its top op types and why; no section without profiles', () => {
    const input = oneDevice(null);
    const r = input.devices[0]!.results[0]!;
    r.model.dtype = 'q4';
    r.device = 'wasm';
    r.profile = { workload: 'one inference', ...summarizeProfile(parseOrtProfile(q4), 1), profilingMs: 321, note: null };
    const md = renderReportMarkdown(input);
    expect(md).toContain('## Per-operator profiles');
    expect(md).toContain(
      `| \`${r.id}\` | mobilenet\\_v2 q4 wasm ort: **MatMulNBits 99 %, Relu 0.4 %, Softmax 0.4 %** | h1\\_mm\\_MatMulNBits (MatMulNBits) 28.90 ms, 83 % | 34.73 ms: one inference |`,
    );
    expect(md).toContain('no 4-bit kernel');
    const html = renderReportHtml(input);
    expect(html).toContain(`<tr data-profile-of="${r.id}">`);
    expect(html).toContain('<strong>MatMulNBits 99 %, Relu 0.4 %, Softmax 0.4 %</strong>');
    expect(renderReportMarkdown(oneDevice(null))).not.toContain('Per-operator profiles');
    expect(renderReportHtml(oneDevice(null))).not.toContain('id="profiles"');
  });
});
