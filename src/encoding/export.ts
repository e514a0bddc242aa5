/**
 * Graph export and import.
 *
 * Binary format (`.bin`, version 1), all little-endian, 4-byte aligned:
 *   offset 0   8 bytes  magic "SNNGRAPH"
 *          8   u32      format version (1)
 *         12   u32      flags (bit 0: weights present)
 *         16   u64      numNodes N
 *         24   u64      numEdges E
 *         32   u32      J = byte length of the JSON block (space-padded to a multiple of 4)
 *         36   J bytes  UTF-8 JSON {"partitions": [...Partition], "meta": {...}}
 *    36 + J    i32 × (N + 1) offsets, then i32 × E targets, then (if flag) f32 × E weights
 * Writing and reading are O(N + E) with no per-edge allocation; the reader checks the magic, the
 * version, every size against the file length, and the CSR invariants (monotone offsets, targets in
 * range, partitions covering 0..N−1), naming the file in every error.
 *
 * GraphML is streamed to the file (O(1) memory beyond a chunk); it is ~100 bytes per edge, so graphs
 * above `maxEdges` (default 5 M) are refused unless `force` is set. `toGraphology` builds a
 * graphology MultiDirectedGraph for drawing small graphs.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { MultiDirectedGraph } from "graphology";
import type { CsrGraph, Partition } from "./csr";
import { nodePosition } from "./csr";

const MAGIC = "SNNGRAPH";
const VERSION = 1;

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 26));
}

function bytesOf(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes a CSR graph in the binary format above; `meta` is stored in the JSON block. */
export function writeGraphBinary(file: string, g: CsrGraph, meta: Record<string, unknown> = {}, withWeights = true): void {
  let json = JSON.stringify({ partitions: g.partitions, meta });
  const jl = Buffer.byteLength(json, "utf8");
  json += " ".repeat((4 - (jl % 4)) % 4);
  const jb = Buffer.from(json, "utf8");
  const head = Buffer.alloc(36);
  head.write(MAGIC, 0, "ascii");
  head.writeUInt32LE(VERSION, 8);
  head.writeUInt32LE(withWeights ? 1 : 0, 12);
  head.writeBigUInt64LE(BigInt(g.numNodes), 16);
  head.writeBigUInt64LE(BigInt(g.numEdges), 24);
  head.writeUInt32LE(jb.length, 32);
  const fd = openSync(file, "w");
  try {
    writeAll(fd, head);
    writeAll(fd, jb);
    writeAll(fd, bytesOf(g.offsets));
    writeAll(fd, bytesOf(g.targets.subarray(0, g.numEdges)));
    if (withWeights) writeAll(fd, bytesOf(g.weights.subarray(0, g.numEdges)));
  } finally {
    closeSync(fd);
  }
}

function readExact(fd: number, target: Uint8Array, position: number, where: string, what: string): void {
  let off = 0;
  while (off < target.length) {
    const n = readSync(fd, target, off, Math.min(target.length - off, 1 << 26), position + off);
    if (n === 0) throw new Error(`${where}: truncated file while reading ${what}`);
    off += n;
  }
}

/** Reads a graph written by `writeGraphBinary` (weights default to 1 when the file has none). */
export function readGraphBinary(file: string): CsrGraph & { meta: Record<string, unknown> } {
  const where = `encoding/export: ${file}`;
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size < 36) throw new Error(`${where}: truncated file (${size} bytes, the header needs 36)`);
    const head = Buffer.alloc(36);
    readExact(fd, head, 0, where, "the header");
    if (head.toString("ascii", 0, 8) !== MAGIC) throw new Error(`${where}: not an snn-topology graph file (bad magic)`);
    const version = head.readUInt32LE(8);
    if (version !== VERSION) throw new Error(`${where}: unsupported format version ${version} (this reader knows ${VERSION})`);
    const hasW = (head.readUInt32LE(12) & 1) === 1;
    const nB = head.readBigUInt64LE(16);
    const eB = head.readBigUInt64LE(24);
    if (nB > 2n ** 31n - 2n || eB > 2n ** 31n - 1n) throw new Error(`${where}: ${nB} nodes / ${eB} edges exceed the Int32 CSR limits`);
    const n = Number(nB);
    const m = Number(eB);
    const jl = head.readUInt32LE(32);
    const expected = 36 + jl + 4 * (n + 1) + 4 * m + (hasW ? 4 * m : 0);
    if (expected !== size) throw new Error(`${where}: file has ${size} bytes, the header announces ${expected} (${n} nodes, ${m} edges)`);
    const jb = Buffer.alloc(jl);
    readExact(fd, jb, 36, where, "the JSON block");
    let parsed: { partitions?: unknown; meta?: unknown };
    try {
      parsed = JSON.parse(jb.toString("utf8"));
    } catch (err) {
      throw new Error(`${where}: bad JSON block (${(err as Error).message})`);
    }
    const partitions = parsed.partitions as Partition[];
    if (!Array.isArray(partitions)) throw new Error(`${where}: JSON block has no partitions`);
    let pos = 0;
    for (const p of partitions) {
      if (p.start !== pos || !(p.size >= 0) || p.channels * p.height * p.width !== p.size) throw new Error(`${where}: partition '${p.name}' does not fit (start ${p.start}, size ${p.size})`);
      pos += p.size;
    }
    if (pos !== n) throw new Error(`${where}: partitions cover ${pos} nodes, the graph has ${n}`);
    const offsets = new Int32Array(n + 1);
    const targets = new Int32Array(m);
    const weights = new Float32Array(m);
    let at = 36 + jl;
    readExact(fd, bytesOf(offsets), at, where, "the offsets");
    at += 4 * (n + 1);
    readExact(fd, bytesOf(targets), at, where, "the targets");
    at += 4 * m;
    if (hasW) readExact(fd, bytesOf(weights), at, where, "the weights");
    else weights.fill(1);
    if (offsets[0] !== 0 || offsets[n] !== m) throw new Error(`${where}: offsets run from ${offsets[0]} to ${offsets[n]}, expected 0 to ${m}`);
    for (let v = 0; v < n; v++) if (offsets[v + 1] < offsets[v]) throw new Error(`${where}: offsets decrease at node ${v}`);
    for (let e = 0; e < m; e++) if (targets[e] < 0 || targets[e] >= n) throw new Error(`${where}: edge slot ${e} has target ${targets[e]} outside 0..${n - 1}`);
    return { numNodes: n, numEdges: m, offsets, targets, weights, partitions, meta: (parsed.meta ?? {}) as Record<string, unknown> };
  } finally {
    closeSync(fd);
  }
}

export interface GraphMLOptions {
  /** Refuse graphs with more edges than this unless `force` (default 5,000,000). */
  readonly maxEdges?: number;
  readonly force?: boolean;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Streams the graph as GraphML: node attributes layer (partition index), layer_name, channel, row,
 * col; edge attribute weight. Directed; parallel edges kept.
 */
export function writeGraphML(file: string, g: CsrGraph, options: GraphMLOptions = {}): void {
  const max = options.maxEdges ?? 5_000_000;
  if (g.numEdges > max && !options.force) {
    throw new Error(`encoding/export: ${file}: GraphML of ${g.numEdges} edges (~${Math.round((g.numEdges * 100) / 1e6)} MB) exceeds the limit of ${max} edges; use the binary format, or force it`);
  }
  const fd = openSync(file, "w");
  let buf: string[] = [];
  let len = 0;
  const out = (s: string): void => {
    buf.push(s);
    len += s.length;
    if (len > 1 << 20) {
      writeSync(fd, buf.join(""));
      buf = [];
      len = 0;
    }
  };
  try {
    out('<?xml version="1.0" encoding="UTF-8"?>\n');
    out('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n');
    out('<key id="layer" for="node" attr.name="layer" attr.type="int"/>\n');
    out('<key id="layer_name" for="node" attr.name="layer_name" attr.type="string"/>\n');
    out('<key id="channel" for="node" attr.name="channel" attr.type="int"/>\n');
    out('<key id="row" for="node" attr.name="row" attr.type="int"/>\n');
    out('<key id="col" for="node" attr.name="col" attr.type="int"/>\n');
    out('<key id="weight" for="edge" attr.name="weight" attr.type="double"/>\n');
    out('<graph id="G" edgedefault="directed">\n');
    const names = g.partitions.map((p) => xmlEscape(p.name));
    for (let v = 0; v < g.numNodes; v++) {
      const p = nodePosition(g, v);
      out(`<node id="n${v}"><data key="layer">${p.partition}</data><data key="layer_name">${names[p.partition]}</data><data key="channel">${p.channel}</data><data key="row">${p.row}</data><data key="col">${p.col}</data></node>\n`);
    }
    for (let v = 0; v < g.numNodes; v++) {
      for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) {
        out(`<edge source="n${v}" target="n${g.targets[e]}"><data key="weight">${g.weights[e]}</data></edge>\n`);
      }
    }
    out("</graph>\n</graphml>\n");
    if (buf.length > 0) writeSync(fd, buf.join(""));
  } finally {
    closeSync(fd);
  }
}

/**
 * A graphology MultiDirectedGraph (node keys = indices as strings; attributes layer, channel, row,
 * col; edge attribute weight) for drawing small graphs. Refuses more than `maxEdges` (default 200,000).
 */
export function toGraphology(g: CsrGraph, maxEdges = 200_000): MultiDirectedGraph {
  if (g.numEdges > maxEdges) throw new Error(`encoding/export: toGraphology: ${g.numEdges} edges exceed the limit of ${maxEdges} (graphology holds one object per edge)`);
  const out = new MultiDirectedGraph();
  for (let v = 0; v < g.numNodes; v++) {
    const p = nodePosition(g, v);
    out.addNode(String(v), { layer: p.partition, channel: p.channel, row: p.row, col: p.col });
  }
  for (let v = 0; v < g.numNodes; v++) {
    for (let e = g.offsets[v]; e < g.offsets[v + 1]; e++) out.addEdge(String(v), String(g.targets[e]), { weight: g.weights[e] });
  }
  return out;
}
