/**
 * Metrics on the picture: which nodes and edges to mark, taken from the metric implementations
 * themselves (src/metrics/), never recomputed here:
 * - "sinks", "sources", "disconnected": `nodeRoles` (metrics/local); sinks of the output partition
 *   and sources of the input partition are the network's own ends and are not marked;
 * - "removable": the removable out-/in-connections of `localConnectivity` (in-edges of sinks below
 *   `removableBounds().sinksBelow`, out-edges of sources above `sourcesAbove`), drawn as an edge layer;
 * - "cut-nodes": articulation points from `cutStructure` (metrics/connectivity);
 * - "components": `weakComponents` labels: nodes of the largest component, and nodes with edges in any
 *   other component (where a pruner cut part of the network off), two lanes.
 * Nodes are marked in lanes left of their bar, one lane per set; a lane pixel's opacity grows with the
 * share of the nodes drawn at that pixel row that belong to the set (0.35 for one node … 1 for all).
 * Complexity: the metrics' own (O(N + E); cut-nodes O(N + E) time and 22N bytes) plus O(N) marking.
 */
import type { CsrGraph } from "../../encoding/csr";
import { inDegrees } from "../../encoding/csr";
import { NODE_ROLE, nodeRoles, removableBounds } from "../../metrics/local";
import { cutStructure, weakComponents } from "../../metrics/connectivity";
import type { MgeLayout } from "./layout";
import { paintPixel, type Rgb } from "./tone";

export type HighlightName = "sinks" | "sources" | "disconnected" | "removable" | "cut-nodes" | "components";

export const HIGHLIGHTS: readonly HighlightName[] = ["sinks", "sources", "disconnected", "removable", "cut-nodes", "components"];

export const HIGHLIGHT_COLOURS = {
  sinks: [214, 39, 40],
  sources: [44, 160, 44],
  disconnected: [127, 127, 127],
  removable: [200, 0, 160],
  "cut-nodes": [148, 103, 189],
  largest: [23, 190, 207],
  others: [255, 127, 14],
} as const satisfies Record<string, Rgb>;

/** One lane of node marks. */
export interface NodeMarks {
  readonly key: string;
  readonly label: string;
  readonly colour: Rgb;
  /** 1 for every marked node. */
  readonly nodes: Uint8Array;
  readonly count: number;
}

export interface HighlightSets {
  readonly lanes: readonly NodeMarks[];
  /** Edge u → v is removable iff removableSource[u] or removableTarget[v] (null when not asked). */
  readonly removableSource: Uint8Array | null;
  readonly removableTarget: Uint8Array | null;
}

/** Parses a comma-separated list of highlight names. @throws naming an unknown one. */
export function parseHighlights(list: string): HighlightName[] {
  const out: HighlightName[] = [];
  for (const raw of list.split(",")) {
    const s = raw.trim();
    if (s.length === 0) continue;
    if (!(HIGHLIGHTS as readonly string[]).includes(s)) throw new Error(`notebook/mge-picture: unknown highlight '${s}' (${HIGHLIGHTS.join(", ")})`);
    if (!out.includes(s as HighlightName)) out.push(s as HighlightName);
  }
  return out;
}

function count(a: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) c += a[i];
  return c;
}

/** The node sets and removable-edge endpoints for `names`. */
export function highlightSets(g: CsrGraph, names: readonly HighlightName[]): HighlightSets {
  for (const n of names) if (!HIGHLIGHTS.includes(n)) throw new Error(`notebook/mge-picture: unknown highlight '${String(n)}' (${HIGHLIGHTS.join(", ")})`);
  const N = g.numNodes;
  const P = g.partitions.length;
  const lanes: NodeMarks[] = [];
  let roles: Uint8Array | null = null;
  const needRoles = names.some((n) => n === "sinks" || n === "sources" || n === "disconnected" || n === "removable");
  let indeg: Int32Array | null = null;
  if (needRoles) {
    indeg = inDegrees(g);
    roles = nodeRoles(g, indeg);
  }
  const firstEnd = P > 1 ? g.partitions[0].size : 0;
  const lastStart = P > 1 ? g.partitions[P - 1].start : N;
  const roleSet = (role: number, from: number, to: number): Uint8Array => {
    const s = new Uint8Array(N);
    const r = roles as Uint8Array;
    for (let v = from; v < to; v++) if (r[v] === role) s[v] = 1;
    return s;
  };
  let removableSource: Uint8Array | null = null;
  let removableTarget: Uint8Array | null = null;
  for (const name of names) {
    if (name === "sinks") {
      const s = roleSet(NODE_ROLE.sink, 0, lastStart);
      lanes.push({ key: name, label: "sink nodes (no out-edge; outputs excluded)", colour: HIGHLIGHT_COLOURS.sinks, nodes: s, count: count(s) });
    } else if (name === "sources") {
      const s = roleSet(NODE_ROLE.source, firstEnd, N);
      lanes.push({ key: name, label: "source nodes (no in-edge; inputs excluded)", colour: HIGHLIGHT_COLOURS.sources, nodes: s, count: count(s) });
    } else if (name === "disconnected") {
      const s = roleSet(NODE_ROLE.disconnected, 0, N);
      lanes.push({ key: name, label: "disconnected nodes (no edge)", colour: HIGHLIGHT_COLOURS.disconnected, nodes: s, count: count(s) });
    } else if (name === "removable") {
      const { sinksBelow, sourcesAbove } = removableBounds(g);
      const r = roles as Uint8Array;
      removableSource = new Uint8Array(N);
      removableTarget = new Uint8Array(N);
      for (let v = 0; v < N; v++) {
        if (r[v] === NODE_ROLE.sink && v < sinksBelow) removableTarget[v] = 1;
        else if (r[v] === NODE_ROLE.source && v > sourcesAbove) removableSource[v] = 1;
      }
    } else if (name === "cut-nodes") {
      const s = cutStructure(g).isArticulation;
      lanes.push({ key: name, label: "cut-nodes (articulation points)", colour: HIGHLIGHT_COLOURS["cut-nodes"], nodes: s, count: count(s) });
    } else if (name === "components") {
      const c = weakComponents(g);
      const sizes = new Int32Array(c.count);
      for (let v = 0; v < N; v++) sizes[c.labels[v]]++;
      let big = 0;
      for (let k = 1; k < c.count; k++) if (sizes[k] > sizes[big]) big = k;
      const largest = new Uint8Array(N);
      const others = new Uint8Array(N);
      for (let v = 0; v < N; v++) {
        const l = c.labels[v];
        if (l === big) largest[v] = 1;
        else if (sizes[l] > 1) others[v] = 1;
      }
      const otherComponents = sizes.reduce((s, x, k) => s + (k !== big && x > 1 ? 1 : 0), 0);
      lanes.push({ key: "largest-component", label: `largest component (${sizes[big]} nodes)`, colour: HIGHLIGHT_COLOURS.largest, nodes: largest, count: count(largest) });
      lanes.push({ key: "other-components", label: `nodes in the ${otherComponents} other components with edges`, colour: HIGHLIGHT_COLOURS.others, nodes: others, count: count(others) });
    }
  }
  return { lanes, removableSource, removableTarget };
}

/**
 * Paints every lane left of its bar: lane k occupies `laneWidth` columns ending `barHalf + k·laneWidth`
 * px left of the bar's boundary. O(N + lanes · bar pixels).
 */
export function paintLanes(rgba: Uint8Array, layout: MgeLayout, lanes: readonly NodeMarks[], barHalf: number, laneWidth: number): void {
  const { width: W, height: H } = layout;
  const parts = layout.partitions;
  for (let k = 0; k < lanes.length; k++) {
    const lane = lanes[k];
    for (let p = 0; p < parts.length; p++) {
      const { start, size } = parts[p];
      if (size === 0) continue;
      const r0 = Math.floor(layout.top[p]);
      const rows = Math.max(1, Math.ceil(layout.top[p] + layout.barHeight[p]) - r0);
      const marked = new Float64Array(rows);
      const total = new Float64Array(rows);
      for (let i = 0; i < size; i++) {
        const y = layout.top[p] + ((i + 0.5) * layout.barHeight[p]) / size;
        let r = Math.floor(y) - r0;
        if (r >= rows) r = rows - 1;
        if (r < 0) r = 0;
        total[r]++;
        marked[r] += lane.nodes[start + i];
      }
      const xRight = layout.x[p] - barHalf - k * laneWidth;
      for (let r = 0; r < rows; r++) {
        if (marked[r] === 0) continue;
        const a = 0.35 + 0.65 * (marked[r] / total[r]);
        for (let x = xRight - laneWidth + 1; x < xRight; x++) paintPixel(rgba, W, H, x, r0 + r, lane.colour, a);
      }
    }
  }
}
