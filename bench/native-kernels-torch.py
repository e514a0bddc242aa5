#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU; oneDNN/mkldnn inside) counterpart of bench/native-kernels.ts:
seconds per convolution pass (forward, input gradient, weight gradient through
aten.convolution_backward) for the layer shapes of Conv-6 and ResNet-20 at 32x32x3, batch 128,
NCHW as PyTorch trains by default. CPU time at 1 thread, wall time at more; median of --reps.
Usage: /usr/bin/python3 bench/native-kernels-torch.py [--threads 1] [--reps 5] [--batch 128]"""
import argparse, time
import torch
import torch.nn.functional as F

SHAPES = [  # net, name, hw, ci, co, k, s, p, count
    ("conv6", "conv1 3->64 @32", 32, 3, 64, 3, 1, 1, 1), ("conv6", "conv2 64->64 @32", 32, 64, 64, 3, 1, 1, 1),
    ("conv6", "conv3 64->128 @16", 16, 64, 128, 3, 1, 1, 1), ("conv6", "conv4 128->128 @16", 16, 128, 128, 3, 1, 1, 1),
    ("conv6", "conv5 128->256 @8", 8, 128, 256, 3, 1, 1, 1), ("conv6", "conv6 256->256 @8", 8, 256, 256, 3, 1, 1, 1),
    ("resnet20", "conv1 3->16 @32", 32, 3, 16, 3, 1, 1, 1), ("resnet20", "16->16 @32", 32, 16, 16, 3, 1, 1, 6),
    ("resnet20", "16->32 s2 @32", 32, 16, 32, 3, 2, 1, 1), ("resnet20", "sc 16->32 1x1 s2", 32, 16, 32, 1, 2, 0, 1),
    ("resnet20", "32->32 @16", 16, 32, 32, 3, 1, 1, 5), ("resnet20", "32->64 s2 @16", 16, 32, 64, 3, 2, 1, 1),
    ("resnet20", "sc 32->64 1x1 s2", 16, 32, 64, 1, 2, 0, 1), ("resnet20", "64->64 @8", 8, 64, 64, 3, 1, 1, 5),
]


def timed(fn, reps, threads):
    fn()
    out = []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        out.append(time.process_time() - c0 if threads == 1 else time.perf_counter() - t0)
    return sorted(out)[len(out) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--batch", type=int, default=128)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    totals = {}
    print(f"torch {torch.__version__}, {a.threads} thread(s), batch {a.batch}; fwd bwdD bwdW seconds")
    for net, name, hw, ci, co, k, s, p, count in SHAPES:
        x = torch.randn(a.batch, ci, hw, hw)
        w = torch.randn(co, ci, k, k) * 0.1
        y = F.conv2d(x, w, None, s, p)
        dy = torch.randn_like(y)
        bw = lambda mask: torch.ops.aten.convolution_backward(dy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, mask)
        with torch.no_grad():
            r = [timed(lambda: F.conv2d(x, w, None, s, p), a.reps, a.threads), timed(lambda: bw([True, False, False]), a.reps, a.threads), timed(lambda: bw([False, True, False]), a.reps, a.threads)]
        print(f"{net:9} {name:18} {r[0]:8.4f} {r[1]:8.4f} {r[2]:8.4f}")
        t = totals.setdefault(net, [0.0, 0.0, 0.0])
        for i in range(3):
            t[i] += count * r[i]
    for net, t in totals.items():
        print(f"{net} total (all layers, fwd+bwdD+bwdW): torch {sum(t):.3f} s (fwd {t[0]:.3f}, bwdD {t[1]:.3f}, bwdW {t[2]:.3f})")


main()
