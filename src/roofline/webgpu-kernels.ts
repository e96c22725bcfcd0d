/**
 * The WebGPU roofline's WGSL compute shaders: the grid-stride streaming read, the fill that gives every word a
 * known value, and two f32 matmul kernels with the workgroup counts and sizes each handles. The host code that runs
 * and times them is in webgpu-host.ts and webgpu-roofline.ts.
 */
export const READ_WORKGROUP = 256;

/**
 * Each invocation sums vec4<u32>s in a grid-stride loop, four strides per iteration (neighbouring invocations read
 * neighbouring 16 bytes, so every sweep is coalesced), and adds its lane sum to its own slot of `out`. The sum is
 * what keeps the loads from being optimised away, and it is checked: each bound range holds 0, 1, 2, … . Words
 * are u32, not f32, so that the check is exact; the bytes moved are the same.
 */
export const READ_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(${READ_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * ${READ_WORKGROUP}u;
  let n = arrayLength(&src);
  var a0 = vec4<u32>(0u); var a1 = vec4<u32>(0u); var a2 = vec4<u32>(0u); var a3 = vec4<u32>(0u);
  var i = gid.x;
  for (; i + 3u * stride < n; i += 4u * stride) {
    a0 += src[i]; a1 += src[i + stride]; a2 += src[i + 2u * stride]; a3 += src[i + 3u * stride];
  }
  for (; i < n; i += stride) { a0 += src[i]; }
  let acc = a0 + a1 + a2 + a3;
  out[gid.x] += acc.x + acc.y + acc.z + acc.w;
}`;

/**
 * Workgroup counts tried for the read; the faster is timed. A GPU needs many invocations in flight to cover memory
 * latency; SwiftShader (WebGPU on the CPU) runs each invocation as a CPU thread's SIMD lane and was 2× faster
 * with few (16 × 256) than with 1024 × 256.
 */
export const READ_GROUPS = [1024, 16] as const;

/** Word i of each bound range gets the value i (written as vec4s: 3× faster than u32 stores on SwiftShader). */
export const FILL_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dst: array<vec4<u32>>;
@compute @workgroup_size(${READ_WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * ${READ_WORKGROUP}u;
  for (var i = gid.x; i < arrayLength(&dst); i += stride) {
    dst[i] = vec4<u32>(4u * i) + vec4<u32>(0u, 1u, 2u, 3u);
  }
}`;

const MATMUL_HEAD = /* wgsl */ `
struct Dims { m: u32, n: u32, k: u32 }
@group(0) @binding(3) var<uniform> dims: Dims;`;

export interface MatmulKernel {
  name: string;
  code: string;
  /** Workgroups for an m×n result. */
  groups(m: number, n: number): [number, number];
  /** Whether the kernel handles these sizes. */
  fits(m: number, n: number, k: number): boolean;
}

/**
 * Two f32 matmul kernels (C = A·B, row-major); the faster on this adapter is timed, after both pass the small check.
 * - tiled: a 16×16 workgroup computes a 64×64 tile of C, each invocation a 4×4 block in registers, with 64×16 tiles
 *   of A and 16×64 of B staged in workgroup memory (the usual shape for a GPU).
 * - registers: each invocation computes a 4×4 block straight from vec4 loads, no workgroup memory and no barriers;
 *   on SwiftShader this ran 4× faster than the tiled one (a barrier there switches every invocation's fiber).
 */
export const MATMUL_KERNELS: readonly MatmulKernel[] = [
  {
    name: 'tiled 64×64 per 16×16 workgroup, 4×4 per invocation, workgroup memory',
    groups: (m, n) => [n / 64, m / 64],
    fits: (m, n, k) => m % 64 === 0 && n % 64 === 0 && k % 16 === 0,
    code: /* wgsl */ `${MATMUL_HEAD}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
var<workgroup> tileA: array<array<f32, 64>, 16>; // [k][row]
var<workgroup> tileB: array<array<f32, 64>, 16>; // [k][col]
@compute @workgroup_size(16, 16)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let flat = lid.y * 16u + lid.x;
  let rowBase = wid.y * 64u;
  let colBase = wid.x * 64u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < dims.k; k0 += 16u) {
    for (var t = 0u; t < 4u; t++) {
      let e = flat * 4u + t;
      let ar = e / 16u; let ak = e % 16u;
      tileA[ak][ar] = a[(rowBase + ar) * dims.k + k0 + ak];
      let bk = e / 64u; let bc = e % 64u;
      tileB[bk][bc] = b[(k0 + bk) * dims.n + colBase + bc];
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk++) {
      let bv = vec4<f32>(tileB[kk][lid.x * 4u], tileB[kk][lid.x * 4u + 1u], tileB[kk][lid.x * 4u + 2u], tileB[kk][lid.x * 4u + 3u]);
      for (var r = 0u; r < 4u; r++) {
        acc[r] = fma(vec4<f32>(tileA[kk][lid.y * 4u + r]), bv, acc[r]);
      }
    }
    workgroupBarrier();
  }
  for (var r = 0u; r < 4u; r++) {
    let base = (rowBase + lid.y * 4u + r) * dims.n + colBase + lid.x * 4u;
    c[base] = acc[r].x; c[base + 1u] = acc[r].y; c[base + 2u] = acc[r].z; c[base + 3u] = acc[r].w;
  }
}`,
  },
  {
    name: 'registers: 4×4 per invocation from vec4 loads, 64×1 workgroups, no workgroup memory',
    groups: (m, n) => [Math.ceil(n / 4 / 64), m / 4],
    fits: (m, n, k) => m % 4 === 0 && n % 4 === 0 && k % 4 === 0,
    code: /* wgsl */ `${MATMUL_HEAD}
@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4<f32>>;
@compute @workgroup_size(64, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n4 = dims.n / 4u;
  let k4 = dims.k / 4u;
  let col = gid.x;
  let row = gid.y * 4u;
  if (col >= n4) { return; }
  var acc: array<vec4<f32>, 4>;
  for (var k = 0u; k < k4; k++) {
    let b0 = b[(4u * k) * n4 + col];
    let b1 = b[(4u * k + 1u) * n4 + col];
    let b2 = b[(4u * k + 2u) * n4 + col];
    let b3 = b[(4u * k + 3u) * n4 + col];
    for (var r = 0u; r < 4u; r++) {
      let av = a[(row + r) * k4 + k];
      acc[r] = fma(vec4<f32>(av.x), b0, fma(vec4<f32>(av.y), b1, fma(vec4<f32>(av.z), b2, fma(vec4<f32>(av.w), b3, acc[r]))));
    }
  }
  for (var r = 0u; r < 4u; r++) { c[(row + r) * n4 + col] = acc[r]; }
}`,
  },
];
