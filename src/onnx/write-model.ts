/**
 * Writing a model whose weights may be synthetic and may be far beyond protobuf's 2 GiB: the graph goes to
 * `model.onnx` with every large weight pointing into an external data file (ONNX's `data_location = EXTERNAL`,
 * keys location / offset / length), and the data file is streamed out in fixed-size chunks, so writing a
 * 2 GB replica holds one chunk in memory, not the model.
 */
import { getAttribute, type GraphProto, type ModelProto, type TensorProto } from './model.ts';
import { encodeModel } from './model.ts';
import { fillSynthetic } from './synthetic.ts';
import { tensorBytes } from './tensor.ts';

export const DEFAULT_DATA_FILE = 'model.onnx_data';
/** Offsets in the data file are aligned to this (ORT does not need it; it keeps every tensor's start tidy). */
const ALIGN = 64;
const CHUNK_BYTES = 8 << 20;

export interface ModelFiles {
  /** The graph (`model.onnx`): small weights inline, the rest naming `dataFile`. */
  graph: Uint8Array;
  dataFile: string;
  /** Size of the data file. */
  dataBytes: number;
  /** Stream the data file into `sink`, one chunk at a time (a chunk is reused: copy it if you keep it). */
  writeData(sink: (chunk: Uint8Array) => void | Promise<void>, onProgress?: (written: number, total: number) => void): Promise<void>;
}

/** Constant nodes holding synthetic tensors become initializers (the same value name), so the writer sees them all. */
function hoistSyntheticConstants(graph: GraphProto): void {
  const kept = [];
  for (const node of graph.node) {
    const t = node.opType === 'Constant' && !node.domain ? getAttribute(node, 'value')?.t : null;
    if (t?.synthetic && node.output[0]) graph.initializer.push({ ...t, name: node.output[0] });
    else kept.push(node);
  }
  graph.node = kept;
}

/**
 * Lay a model out as graph + external data, in place: synthetic weights and real ones of `inlineBelow` bytes or
 * more move to the data file (in initializer order); smaller real tensors (shapes, scalars) stay in the graph.
 */
export function layoutModel(model: ModelProto, dataFile = DEFAULT_DATA_FILE, inlineBelow = 1024): ModelFiles {
  const graph = model.graph!;
  hoistSyntheticConstants(graph);
  const placed: { tensor: TensorProto; offset: number; length: number; raw: Uint8Array | null }[] = [];
  let offset = 0;
  for (const t of graph.initializer) {
    const raw = t.rawData?.byteLength ? t.rawData : null;
    if (!t.synthetic && (!raw || raw.byteLength < inlineBelow)) continue;
    const length = tensorBytes(t);
    offset = Math.ceil(offset / ALIGN) * ALIGN;
    placed.push({ tensor: { ...t }, offset, length, raw });
    t.dataLocation = 1;
    t.externalData = [
      { key: 'location', value: dataFile },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(length) },
    ];
    delete t.rawData;
    delete t.synthetic;
    offset += length;
  }
  const dataBytes = offset;
  return {
    graph: encodeModel(model),
    dataFile,
    dataBytes,
    async writeData(sink, onProgress) {
      const chunk = new Uint8Array(Math.min(CHUNK_BYTES, Math.max(dataBytes, 1)));
      let filled = 0; // bytes of `chunk` in use
      let written = 0; // bytes handed to the sink
      const flush = async () => {
        if (!filled) return;
        await sink(chunk.subarray(0, filled));
        written += filled;
        filled = 0;
        onProgress?.(written, dataBytes);
      };
      let position = 0; // file position of chunk[filled]
      for (const p of placed) {
        // Padding up to the tensor's offset (zeros: the chunk is cleared as it is reused).
        while (position < p.offset) {
          const n = Math.min(p.offset - position, chunk.length - filled);
          chunk.fill(0, filled, filled + n);
          filled += n;
          position += n;
          if (filled === chunk.length) await flush();
        }
        let done = 0;
        while (done < p.length) {
          const n = Math.min(p.length - done, chunk.length - filled);
          const window = chunk.subarray(filled, filled + n);
          if (p.raw) window.set(p.raw.subarray(done, done + n));
          else fillSynthetic(p.tensor, window, done);
          filled += n;
          done += n;
          position += n;
          if (filled === chunk.length) await flush();
        }
      }
      await flush();
    },
  };
}
