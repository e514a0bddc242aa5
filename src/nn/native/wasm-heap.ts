/**
 * Addresses of tfjs wasm tensors in host memory, for handing them to native code without a copy.
 *
 * The wasm backend keeps every tensor in its WebAssembly.Memory at `memoryOffset`; koffi gives the
 * host address of that memory's ArrayBuffer. Memory growth replaces the ArrayBuffer object (V8
 * reserves the whole 4 GiB wasm32 range up front, so the address measured here did not move, but
 * that is not promised), so the base is re-read whenever the buffer object changes. Native calls
 * are synchronous and allocate nothing in the wasm heap, so an address stays valid for the call.
 */
import type * as tf from "@tensorflow/tfjs";
import type { KoffiModule } from "./dnnl";

/** The part of tfjs-backend-wasm's BackendWasm used here. */
export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(id: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Frees a tensor's buffer (a kernel's scratch). */
  disposeData(dataId: object): boolean;
}

export class WasmHeap {
  private buffer: ArrayBufferLike | null = null;
  private base = 0n;

  constructor(private readonly koffi: KoffiModule) {}

  /** Host address of a tensor's first element. */
  address(backend: WasmBackendLike, t: tf.TensorInfo, who: string): bigint {
    const entry = backend.dataIdMap.get(t.dataId);
    if (!entry) throw new Error(`nn/native: ${who}: tensor [${t.shape.join(",")}] is not in the wasm heap`);
    const buf = backend.wasm.HEAPU8.buffer;
    if (buf !== this.buffer) {
      this.buffer = buf;
      this.base = this.koffi.address(buf);
    }
    return this.base + BigInt(entry.memoryOffset);
  }
}
