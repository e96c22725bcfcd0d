/**
 * The WASM kernels of the device roofline, emitted as WebAssembly bytes from TypeScript: a SIMD streaming read
 * and a register-blocked SIMD f32 matmul, both over an imported shared memory so that several workers can run
 * one module on one buffer. Pure (no DOM, no worker): it runs in Node for the unit tests.
 */

// ── A minimal emitter of the binary format (https://webassembly.github.io/spec/core/binary/) ──────────────

type Bytes = number[];

/** Unsigned LEB128 (sizes, indices, memarg offsets). */
function u32(n: number): Bytes {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff_ffff) throw new RangeError(`u32 out of range: ${n}`);
  const out: Bytes = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
function s32(n: number): Bytes {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 32) throw new RangeError(`i32 out of range: ${n}`);
  n |= 0; // values in [2^31, 2^32) are written as their two's complement, as wasm does
  const out: Bytes = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: Bytes[]): Bytes => [...u32(items.length), ...items.flat()];
const utf8 = (s: string): Bytes => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const section = (id: number, body: Bytes): Bytes => [id, ...u32(body.length), ...body];

const T = { i32: 0x7f, f32: 0x7d, v128: 0x7b } as const;
type ValType = (typeof T)[keyof typeof T];

/** The instructions the kernels use. SIMD opcodes are 0xfd followed by a LEB128 sub-opcode. */
const simd = (op: number, ...imm: Bytes): Bytes => [0xfd, ...u32(op), ...imm];
/** memarg: log2 of the alignment hint, then a constant byte offset added to the address operand. */
const memarg = (alignLog2: number, offset: number): Bytes => [...u32(alignLog2), ...u32(offset)];

const op = {
  block: [0x02, 0x40], // block with no result
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...u32(depth)],
  br: (depth: number) => [0x0c, ...u32(depth)],
  get: (i: number) => [0x20, ...u32(i)],
  set: (i: number) => [0x21, ...u32(i)],
  tee: (i: number) => [0x22, ...u32(i)],
  i32const: (n: number) => [0x41, ...s32(n)],
  i32add: [0x6a],
  i32mul: [0x6c],
  i32ltU: [0x49],
  i32geU: [0x4f],
  i32ne: [0x47],
  v128load: (offset: number) => simd(0x00, ...memarg(4, offset)),
  v128load32splat: (offset: number) => simd(0x09, ...memarg(2, offset)),
  v128store: (offset: number) => simd(0x0b, ...memarg(4, offset)),
  v128zero: simd(0x0c, ...new Array<number>(16).fill(0)),
  i32x4extractLane: (lane: number) => simd(0x1b, lane),
  i32x4add: simd(0xae),
  f32x4add: simd(0xe4),
  f32x4mul: simd(0xe6),
  /** Relaxed SIMD: a·b + c, fused or not as the hardware prefers (one FMA on x86 with FMA3, ARM). */
  f32x4relaxedMadd: simd(0x105),
} as const;

interface FuncDef {
  name: string;
  params: ValType[];
  results: ValType[];
  /** Extra locals after the params, in order. */
  locals: ValType[];
  body: Bytes;
}

/** The module: one imported shared memory ("env"."memory"), the given exported functions. */
function emitModule(funcs: FuncDef[]): Uint8Array<ArrayBuffer> {
  const types = funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  // Limits flag 0x03 = shared, with a maximum (a shared memory must declare one). 65536 pages = 4 GiB, the wasm32
  // ceiling, so any memory the host makes is compatible with the import.
  const memoryImport = [...utf8('env'), ...utf8('memory'), 0x02, 0x03, ...u32(1), ...u32(65536)];
  const exports = funcs.map((f, i) => [...utf8(f.name), 0x00, ...u32(i)]);
  const bodies = funcs.map((f) => {
    // Locals are run-length encoded by type.
    const runs: Bytes[] = [];
    for (const t of f.locals) {
      const last = runs.at(-1);
      if (last && last[1] === t) last[0]! += 1;
      else runs.push([1, t]);
    }
    const code = [...vec(runs.map(([n, t]) => [...u32(n!), t!])), ...f.body, ...op.end];
    return [...u32(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(funcs.map((_, i) => u32(i)))),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

// ── Kernels ──────────────────────────────────────────────────────────────────────────────────────────────

/** Bytes the read kernel consumes per loop iteration: ranges must be a positive multiple of this. */
export const READ_STEP_BYTES = 256;

/**
 * `read_sum(start, end) → i32`: the wrapping sum of the u32 words in [start, end), read as 16 v128 loads per
 * iteration into 8 independent accumulators (so the adds never wait on each other and loads are the only limit).
 * Integer adds keep the sum exact, which is what lets every pass be checked against a known value.
 */
function readSumFunc(): FuncDef {
  const [start, end] = [0, 1];
  const acc = (i: number) => 2 + i; // 8 v128 locals
  const loads = READ_STEP_BYTES / 16;
  const body: Bytes = [];
  body.push(...op.block, ...op.loop);
  for (let u = 0; u < loads; u++) {
    body.push(...op.get(acc(u % 8)), ...op.get(start), ...op.v128load(u * 16), ...op.i32x4add, ...op.set(acc(u % 8)));
  }
  body.push(...op.get(start), ...op.i32const(READ_STEP_BYTES), ...op.i32add, ...op.tee(start), ...op.get(end), ...op.i32ltU, ...op.brIf(0));
  body.push(...op.end, ...op.end);
  // Fold the accumulators pairwise, then the four lanes.
  for (const [a, b] of [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
    [0, 2],
    [4, 6],
    [0, 4],
  ] as const) {
    body.push(...op.get(acc(a)), ...op.get(acc(b)), ...op.i32x4add, ...op.set(acc(a)));
  }
  body.push(...op.get(acc(0)), ...op.i32x4extractLane(0));
  for (let lane = 1; lane < 4; lane++) body.push(...op.get(acc(0)), ...op.i32x4extractLane(lane), ...op.i32add);
  return { name: 'read_sum', params: [T.i32, T.i32], results: [T.i32], locals: new Array<ValType>(8).fill(T.v128), body };
}

export interface MatmulShape {
  /** Columns of B and C (the row stride of B and C), a multiple of `nr`. */
  n: number;
  /** Columns of A, rows of B (the row stride of A). */
  k: number;
  /** Rows per register block. */
  mr: number;
  /** Columns per register block, a multiple of 4 (one v128 holds 4 f32). */
  nr: number;
  /** Use relaxed SIMD's fused multiply-add instead of mul + add. */
  fma: boolean;
}

/**
 * `matmul(a, bPacked, c, m)`: C[m×n] = A[m×k] · B[k×n], f32, A and C row-major, B packed by `packB` (panels of nr
 * columns, each k×nr contiguous, as inference engines prepack constant weights). Any m that is a multiple of `mr`
 * (threads take row bands). The module is specialised for n and k: strides are constant memarg offsets, so the
 * inner loop is loads, multiplies and adds with two pointer bumps. Each mr×nr block of C lives in mr·nr/4 v128
 * locals across the whole k loop (register blocking: each A value loaded is used nr/4 times, each B vector mr times).
 *
 * NOTE: packing matters. Unpacked, the B column panel is read at a stride of n·4 bytes; for n = 1024 that is
 * 4 KiB, so every row of the panel lands in the same L1 set and the kernel ran at half speed.
 */
function matmulFunc({ n, k, mr, nr, fma }: MatmulShape): FuncDef {
  if (nr % 4 !== 0) throw new RangeError(`nr must be a multiple of 4, got ${nr}`);
  const qs = nr / 4;
  const [a, b, c, m] = [0, 1, 2, 3];
  // i32 locals
  const i = 4,
    j = 5,
    pa = 6,
    pb = 7,
    paEnd = 8,
    pc = 9;
  const v0 = 10;
  const acc = (r: number, q: number) => v0 + r * qs + q;
  const bv = (q: number) => v0 + mr * qs + q;
  const av = v0 + mr * qs + qs;
  const locals: ValType[] = [...new Array<ValType>(6).fill(T.i32), ...new Array<ValType>(mr * qs + qs + 1).fill(T.v128)];
  const rowA = k * 4;
  const rowB = n * 4;
  const body: Bytes = [];
  // for (i = 0; i < m; i += mr)
  body.push(...op.i32const(0), ...op.set(i), ...op.block, ...op.loop);
  body.push(...op.get(i), ...op.get(m), ...op.i32geU, ...op.brIf(1));
  //   for (j = 0; j < n; j += nr)
  body.push(...op.i32const(0), ...op.set(j), ...op.block, ...op.loop);
  body.push(...op.get(j), ...op.i32const(n), ...op.i32geU, ...op.brIf(1));
  for (let r = 0; r < mr; r++) for (let q = 0; q < qs; q++) body.push(...op.v128zero, ...op.set(acc(r, q)));
  // pa = a + i·k·4; paEnd = pa + k·4; pb = b + j·k·4 (the start of panel j/nr)
  body.push(...op.get(a), ...op.get(i), ...op.i32const(rowA), ...op.i32mul, ...op.i32add, ...op.tee(pa));
  body.push(...op.i32const(rowA), ...op.i32add, ...op.set(paEnd));
  body.push(...op.get(b), ...op.get(j), ...op.i32const(rowA), ...op.i32mul, ...op.i32add, ...op.set(pb));
  //     do { … } while (pa != paEnd)   (k ≥ 1)
  body.push(...op.loop);
  for (let q = 0; q < qs; q++) body.push(...op.get(pb), ...op.v128load(q * 16), ...op.set(bv(q)));
  for (let r = 0; r < mr; r++) {
    body.push(...op.get(pa), ...op.v128load32splat(r * rowA), ...op.set(av));
    for (let q = 0; q < qs; q++) {
      if (fma) body.push(...op.get(av), ...op.get(bv(q)), ...op.get(acc(r, q)), ...op.f32x4relaxedMadd);
      else body.push(...op.get(acc(r, q)), ...op.get(av), ...op.get(bv(q)), ...op.f32x4mul, ...op.f32x4add);
      body.push(...op.set(acc(r, q)));
    }
  }
  body.push(...op.get(pb), ...op.i32const(nr * 4), ...op.i32add, ...op.set(pb));
  body.push(...op.get(pa), ...op.i32const(4), ...op.i32add, ...op.tee(pa), ...op.get(paEnd), ...op.i32ne, ...op.brIf(0), ...op.end);
  //     store the block: pc = c + (i·n + j)·4
  body.push(
    ...op.get(c),
    ...op.get(i),
    ...op.i32const(rowB),
    ...op.i32mul,
    ...op.i32add,
    ...op.get(j),
    ...op.i32const(4),
    ...op.i32mul,
    ...op.i32add,
    ...op.set(pc),
  );
  for (let r = 0; r < mr; r++) for (let q = 0; q < qs; q++) body.push(...op.get(pc), ...op.get(acc(r, q)), ...op.v128store(r * rowB + q * 16));
  body.push(...op.get(j), ...op.i32const(nr), ...op.i32add, ...op.set(j), ...op.br(0), ...op.end, ...op.end);
  body.push(...op.get(i), ...op.i32const(mr), ...op.i32add, ...op.set(i), ...op.br(0), ...op.end, ...op.end);
  return { name: 'matmul', params: [T.i32, T.i32, T.i32, T.i32], results: [], locals, body };
}

/** Register block used unless told otherwise: 4×8 is 8 accumulators + 2 B vectors + 1 A splat = 11 of x64's 16 XMM registers. */
export const DEFAULT_BLOCK = { mr: 4, nr: 8 } as const;

/** The roofline module: `read_sum` and a `matmul` specialised for the given shape. */
export function rooflineModuleBytes(shape: MatmulShape): Uint8Array<ArrayBuffer> {
  if (shape.n % shape.nr !== 0) throw new RangeError(`n (${shape.n}) must be a multiple of nr (${shape.nr})`);
  if (!(shape.k >= 1)) throw new RangeError(`k must be at least 1, got ${shape.k}`);
  return emitModule([readSumFunc(), matmulFunc(shape)]);
}

/** A module that only uses relaxed SIMD's madd: it validates only where relaxed SIMD is supported. */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(rooflineModuleBytes({ n: 8, k: 1, mr: 1, nr: 8, fma: true }));
}

export interface RooflineExports {
  read_sum(start: number, end: number): number;
  matmul(a: number, b: number, c: number, m: number): void;
}

export function instantiateRoofline(module: WebAssembly.Module, memory: WebAssembly.Memory): RooflineExports {
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  return instance.exports as unknown as RooflineExports;
}

/**
 * Fill a buffer so that word i holds i (mod 2³²): every range then has a known sum that depends on where it is,
 * so a kernel that read the wrong bytes, or some twice, or too few, does not pass.
 */
export function fillWithIndices(buffer: ArrayBufferLike): void {
  const words = new Uint32Array(buffer);
  for (let i = 0; i < words.length; i++) words[i] = i;
}

/** What `read_sum(start, end)` must return over a buffer filled by `fillWithIndices`: Σ i for the words in range, as i32. */
export function expectedIndexSum(start: number, end: number): number {
  const [a, b] = [BigInt(start / 4), BigInt(end / 4)];
  return Number(((b * (b - 1n)) / 2n - (a * (a - 1n)) / 2n) % 2n ** 32n) | 0;
}

/** B (k×n, row-major) in the panel layout `matmul` reads: for each panel of nr columns, k rows of nr values. */
export function packB(b: Float32Array, n: number, k: number, nr: number, out = new Float32Array(k * n)): Float32Array {
  if (n % nr !== 0) throw new RangeError(`n (${n}) must be a multiple of nr (${nr})`);
  let o = 0;
  for (let j = 0; j < n; j += nr) {
    for (let p = 0; p < k; p++) {
      for (let q = 0; q < nr; q++) out[o++] = b[p * n + j + q]!;
    }
  }
  return out;
}

/** Plain scalar C = A·B (row-major), the reference the SIMD kernels are checked against. */
export function scalarMatmul(a: Float32Array, b: Float32Array, m: number, n: number, k: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p]! * b[p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}
