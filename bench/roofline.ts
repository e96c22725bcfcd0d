/**
 * The device roofline in headless Chromium: streaming-read GB/s and f32 matmul GFLOP/s on WASM (one thread, then
 * every core) and WebGPU, through the built app's `window.ondevice.roofline`.
 * Usage: npm run bench:roofline -- [--device wasm,webgpu] [--quick] [--repeats N] [--buffer-mib N] [--matmul N] [--json]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openApp } from '../src/cli/driver.ts';
import { ROOFLINE_DEVICES, type RooflineDevice, type RooflineOptions, type RooflineResult } from '../src/roofline/roofline.ts';

const { values } = parseArgs({
  options: {
    device: { type: 'string', default: ROOFLINE_DEVICES.join(',') },
    quick: { type: 'boolean', default: false },
    repeats: { type: 'string' },
    'buffer-mib': { type: 'string' },
    matmul: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const devices = values.device.split(',').map((d) => d.trim()) as RooflineDevice[];
for (const d of devices) {
  if (!(ROOFLINE_DEVICES as readonly string[]).includes(d)) {
    console.error(`Unsupported device: "${d}". Should be one of: ${ROOFLINE_DEVICES.join(', ')}.`);
    process.exit(2);
  }
}
const options: Omit<RooflineOptions, 'device'> = {
  quick: values.quick,
  ...(values.repeats ? { repeats: Number(values.repeats) } : {}),
  ...(values['buffer-mib'] ? { bufferBytes: Number(values['buffer-mib']) * 2 ** 20 } : {}),
  ...(values.matmul ? { matmulSize: Number(values.matmul) } : {}),
};

const log = (line: string) => {
  if (!values.json) console.log(line);
};
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const page = await openApp({
  onEvent: (e) => {
    if (!values.json && e.type === 'prepare') process.stderr.write(`\r${e.message} ${e.done}/${e.total}\x1b[K`);
  },
});
const rows: { label: string; result: RooflineResult }[] = [];
try {
  const cores = await page.page.evaluate(() => navigator.hardwareConcurrency);
  log(`device roofline: ${cores} logical cores, load average before ${load()}`);
  for (const device of devices) {
    const runs =
      device === 'wasm'
        ? [...new Set([1, cores])].map((threads) => ({ label: `wasm ×${threads}`, opts: { ...options, threads } }))
        : [{ label: device, opts: options }];
    for (const { label, opts } of runs) {
      const result = await page.measureRoofline(device, opts);
      if (!values.json) process.stderr.write('\r\x1b[K');
      rows.push({ label, result });
    }
  }
} finally {
  await page.close();
}

if (values.json) {
  console.log(JSON.stringify(rows.map((r) => ({ label: r.label, ...r.result }))));
} else {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  log(`load average after ${load()}${loadavg()[0]! > 1 ? ' (other work on this machine lowers and scatters these figures)' : ''}\n`);
  log('backend       GB/s best (median)   buffer     GFLOP/s best (median)   matmul   ridge FLOP/B   timing');
  for (const { label, result } of rows) {
    const r = result.roofline;
    if (!r) {
      log(`${label.padEnd(13)} ${result.state}: ${result.reason}`);
      continue;
    }
    const bw = `${r.bandwidthGBps.toFixed(2)} (${r.bandwidthMedianGBps.toFixed(2)})`;
    const fl = `${r.gflops.toFixed(2)} (${r.gflopsMedian.toFixed(2)})`;
    log(
      `${label.padEnd(13)} ${bw.padStart(18)}   ${mib(r.bandwidthBufferBytes).padEnd(9)}  ${fl.padStart(21)}   ${String(r.matmulSize).padStart(6)}   ${(r.gflops / r.bandwidthGBps).toFixed(2).padStart(12)}   ${r.method.timing}`,
    );
  }
  for (const { label, result } of rows) {
    const r = result.roofline;
    if (!r) continue;
    log(`\n${label}: ${r.adapter}\n  read:   ${r.method.bandwidth}\n  matmul: ${r.method.compute}${r.notes.map((n) => `\n  note: ${n}`).join('')}`);
  }
}
