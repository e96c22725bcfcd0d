import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { program, type BenchOptions } from '../../src/cli/bench.ts';
import { cspOrigins } from '../../src/cli/bench-args.ts';
import { serverCsp } from '../../src/cli/serve.ts';
import { hubModel, parseHubHost } from '../../src/core/catalog.ts';
import { appCsp, hashSource, hubOrigins, reportCsp, workerCsp } from '../../src/core/csp.ts';
import { base64, sha256 } from '../../src/core/sha256.ts';
import { renderReportHtml } from '../../src/report/report.ts';
import { oneDevice } from '../fixtures/report-input.ts';

const directive = (policy: string, name: string): string[] =>
  policy
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name)
    ?.slice(1) ?? [];

describe('sha256', () => {
  it('matches Node for empty, block-edge, multi-byte and long inputs', () => {
    for (const s of ['', 'abc', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'é€𝄞'.repeat(100), 'q'.repeat(200_001)]) {
      expect(base64(sha256(s)), s.slice(0, 8)).toBe(createHash('sha256').update(s).digest('base64'));
    }
  });
});

describe('the hub host', () => {
  it('must be an http(s) URL; anything else is refused naming the valid form', () => {
    expect(parseHubHost('https://huggingface.co/')).toBe('https://huggingface.co/');
    expect(parseHubHost('http://127.0.0.1:8080/mirror/')).toBe('http://127.0.0.1:8080/mirror/');
    for (const bad of ['javascript:alert(1)//', 'file:///etc/', 'ftp://mirror/', 'data:text/html,x', 'huggingface.co', 'https://user:pw@mirror/']) {
      expect(() => parseHubHost(bad), bad).toThrow(/should be an http:\/\/ or https:\/\/ URL .*e\.g\. https:\/\/huggingface\.co\//);
      expect(() => hubModel('org/name', 'fp32', bad, 'text-generation'), bad).toThrow(/should be an http:\/\/ or https:\/\/ URL/);
    }
  });
  it('--hub-host is a usage error when it is not http(s)', () => {
    const parse = (args: string[]) =>
      program()
        .exitOverride()
        .configureOutput({ writeErr: () => undefined })
        .parse(args, { from: 'user' })
        .opts<BenchOptions>();
    expect(parse(['--hub-host', 'http://127.0.0.1:9/']).hubHost).toBe('http://127.0.0.1:9/');
    expect(() => parse(['--hub-host', 'file:///models/'])).toThrow(/--hub-host "file:\/\/\/models\/" should be an http:\/\/ or https:\/\/ URL/);
  });
});

describe("the app's CSP", () => {
  it('allows its own origin, wasm compilation, and the default hub with its CDNs; no eval, no inline script', () => {
    const policy = appCsp();
    expect(directive(policy, 'default-src')).toEqual(["'self'"]);
    expect(directive(policy, 'script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directive(policy, 'style-src')).toEqual(["'self'"]);
    expect(directive(policy, 'connect-src')).toEqual(["'self'", 'blob:', 'data:', 'https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co']);
    expect(directive(appCsp({ dev: true }), 'style-src')).toEqual(["'self'", "'unsafe-inline'"]);
  });
  it("worker scripts get the page's policy plus eval (protobufjs's decoders), nothing else", () => {
    const page = appCsp();
    const worker = workerCsp(page);
    expect(directive(worker, 'script-src')).toEqual(["'self'", "'wasm-unsafe-eval'", "'unsafe-eval'"]);
    expect(worker.replace(" 'unsafe-eval'", '')).toBe(page);
    expect(workerCsp(worker)).toBe(worker);
  });
  it("the CLI's server allows its --hub-host instead of huggingface.co, and URL models' origins", () => {
    expect(hubOrigins('http://127.0.0.1:8080/mirror/')).toEqual(['http://127.0.0.1:8080']);
    const opts = { hubHost: 'http://127.0.0.1:8080/', model: ['mlp-1m', 'https://models.example/a/m.onnx', 'hub:o/n'] };
    expect(directive(serverCsp(cspOrigins(opts)), 'connect-src')).toEqual(["'self'", 'blob:', 'data:', 'http://127.0.0.1:8080', 'https://models.example']);
    expect(directive(serverCsp({}), 'connect-src')).toContain('https://huggingface.co');
  });
});

describe("the report's CSP", () => {
  it('is a <meta> allowing exactly its inline scripts and style by hash, and nothing remote', () => {
    const html = renderReportHtml(oneDevice('/* chart.js */ window.Chart = function () {};'));
    const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    expect(directive(policy, 'default-src')).toEqual(["'none'"]);
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBe(2);
    expect(directive(policy, 'script-src')).toEqual(scripts.map(hashSource));
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!);
    expect(directive(policy, 'style-src')).toEqual(styles.map(hashSource));
    expect(html).not.toMatch(/\sstyle="/);
    expect(reportCsp({ scripts: [], styles: [] })).toContain("script-src 'none'");
  });
});
