"""Times python-igraph (the official code's library) on a graph written by bench/metrics.ts, with the
calls of the official main.py, so that our timings can be compared with it on the same machine at the
same moment. Usage: igraph-baseline.py DIR N INPUT_SIZE OUTPUT_SIZE STEPS MOTIFS [REPEAT]; each step is run REPEAT
times and the fastest is kept; prints one JSON line
{step: seconds}. Only a benchmark aid: tests never need it."""
import json, random, sys, time
import numpy as np
import igraph as ig

d, n, inp, outp, steps, motifs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5].split(","), sys.argv[6]
repeat = int(sys.argv[7]) if len(sys.argv) > 7 else 1
s = np.fromfile(f"{d}/src.bin", dtype=np.int32)
t = np.fromfile(f"{d}/tgt.bin", dtype=np.int32)
w = np.fromfile(f"{d}/w.bin", dtype=np.float32)
G = ig.Graph(n=n, edges=np.stack([s, t], 1), directed=True)
G.es["weight"] = w.astype(np.float64)
dimension = [inp, outp]
out = {}


def timed(name, f):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    out[name] = best


def local():
    g = G
    len([v.index for v in g.vs if v.outdegree() == 0 and v.indegree() != 0]) - dimension[-1]
    len([v.index for v in g.vs if v.outdegree() != 0 and v.indegree() == 0]) - dimension[0]
    len([v.index for v in g.vs if v.outdegree() == 0 and v.indegree() == 0])
    sum([v.indegree() for v in g.vs if v.outdegree() == 0 and v.indegree() != 0 and v.index < int(g.vcount() - 1) - dimension[-1]])
    sum([v.outdegree() for v in g.vs if v.outdegree() != 0 and v.indegree() == 0 and v.index > dimension[0]])


def components():
    h = G.as_undirected(combine_edges="first")
    h.to_directed()
    cc = h.connected_components(mode="strong")
    len(cc), np.mean([len(c) for c in cc])


def spectral(kind):
    import scipy.sparse as sp
    from scipy.sparse.linalg import eigsh
    h = G.as_undirected(combine_edges="first")
    e = np.array(h.get_edgelist())
    ww = np.array(h.es["weight"], dtype=np.float32)
    rows = np.concatenate([e[:, 0], e[:, 1]]); cols = np.concatenate([e[:, 1], e[:, 0]]); data = np.concatenate([ww, ww])
    A = sp.csc_matrix((data, (rows, cols)), shape=(n, n))
    t0 = time.perf_counter()
    if kind == "gap":
        eigsh(A, k=3, which="LM")
    else:
        L = sp.csc_matrix(sp.diags(np.asarray(A.sum(axis=0)).ravel()) - A)
        eigsh(L, k=2, which="LM")
    return time.perf_counter() - t0


calls = {
    "local": local,
    "oneHop": lambda: np.mean(G.neighborhood_size(order=1, mode="out")),
    "twoHop": lambda: np.mean(G.neighborhood_size(order=2, mode="out")),
    "strength": lambda: np.mean(G.strength(weights="weight", mode="all")),
    "kCore": lambda: np.mean(G.coreness(mode="all")),
    "cutStructure": lambda: (len(G.bridges()), len(G.articulation_points())),
    "components": components,
    "motifs:estimate": lambda: (random.seed(0), G.motifs_randesu_estimate(size=4, sample=int(0.001 * n))),
}
for step in steps:
    if step in calls:
        timed(step, calls[step])
    elif step == "spectralGap":
        out[step] = min(spectral("gap") for _ in range(repeat))
    elif step == "spectralRadius":
        out[step] = min(spectral("radius") for _ in range(repeat))
print(json.dumps(out))
