#!/usr/bin/python3
"""PyTorch (Debian python3-torch, CPU, 1 thread) counterpart of bench/train.ts: CPU seconds per
training step (forward + backward + SGD momentum 0.9, weight decay 1e-4) of LeNet-5, LeNet-300-100
and Conv-6 at width 1/8 on 28x28x1 inputs (Fashion-MNIST from Debian's dataset package), or with
--cifar LeNet-5, LeNet-300-100, full-width Conv-6 and ResNet-20 (option B) on synthetic 32x32x3 inputs.
Prints one JSON object: {net: {"step_cpu_s": median, "step_wall_s": median, "batch": B, "params": n}}.
--threads N sets torch's intra-op threads (default 1); with N > 1 compare wall times.
Usage: /usr/bin/python3 bench/train-torch.py [--batch 128] [--steps 20] [--cifar]"""
import argparse, gzip, json, struct, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        b = f.read()
    nd = b[3]
    dims = struct.unpack(">" + "I" * nd, b[4 : 4 + 4 * nd])
    return np.frombuffer(b, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)


class LeNet300(nn.Module):
    def __init__(self, inputs=784):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(inputs, 300), nn.Linear(300, 100), nn.Linear(100, 10)

    def forward(self, x):
        x = x.flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class LeNet5(nn.Module):
    def __init__(self, c_in=1, size=28):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(c_in, 6, 5), nn.Conv2d(6, 16, 5)
        flat = 16 * (((size - 4) // 2 - 4) // 2) ** 2
        self.fc1, self.fc2, self.fc3 = nn.Linear(flat, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Conv6(nn.Module):
    def __init__(self, m=0.125, c_in=1, size=28):
        super().__init__()
        w = [max(1, round(v * m)) for v in (64, 64, 128, 128, 256, 256)]
        fc = [max(1, round(v * m)) for v in (256, 256)]
        layers, c = [], c_in
        for i, o in enumerate(w):
            layers += [nn.Conv2d(c, o, 3, padding=1, bias=True), nn.BatchNorm2d(o), nn.ReLU()]
            c = o
            if i % 2 == 1:
                layers.append(nn.MaxPool2d(2))
                size //= 2
        self.convs1 = nn.Sequential(*layers)
        self.linear = nn.Sequential(nn.Linear(c * size * size, fc[0]), nn.BatchNorm1d(fc[0]), nn.ReLU(),
                                    nn.Linear(fc[0], fc[1]), nn.BatchNorm1d(fc[1]), nn.ReLU(), nn.Linear(fc[1], 10))

    def forward(self, x):
        return self.linear(self.convs1(x).flatten(1))


class Block(nn.Module):
    """CIFAR BasicBlock, option B (1x1 conv + BN projection shortcut), no conv biases."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + self.shortcut(x))


class ResNet20(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        blocks, cin = [], 16
        for stage, w in enumerate((16, 32, 64)):
            for b in range(3):
                blocks.append(Block(cin, w, 2 if stage > 0 and b == 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.linear = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.linear(F.adaptive_avg_pool2d(x, 1).flatten(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--cifar", action="store_true", help="full-width Conv-6 and ResNet-20 on synthetic 32x32x3 images")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--scaling", action="store_true", help="timed steps alternate 1 and --threads threads; report both medians")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.cifar:
        g = torch.Generator().manual_seed(0)
        X = torch.randn(2048, 3, 32, 32, generator=g)
        Y = torch.randint(0, 10, (2048,), generator=g)
        nets = (("lenet5", LeNet5(c_in=3, size=32)), ("lenet300-100", LeNet300(inputs=3 * 32 * 32)),
                ("conv6", Conv6(m=1, c_in=3, size=32)), ("resnet20", ResNet20()))
    else:
        X = read_idx(f"{a.data}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0
        Y = read_idx(f"{a.data}/train-labels-idx1-ubyte.gz").astype(np.int64)
        X = torch.from_numpy((X - X.mean()) / X.std()).unsqueeze(1)
        Y = torch.from_numpy(Y)
        nets = (("lenet5", LeNet5()), ("lenet300-100", LeNet300()), ("conv6-w8", Conv6()))
    out = {}
    for name, net in nets:
        for mod in net.modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(mod.weight)
                if mod.bias is not None:
                    nn.init.zeros_(mod.bias)
                    mod.bias.requires_grad_(False)
        net.train()
        opt = torch.optim.SGD([p for p in net.parameters() if p.requires_grad], lr=0.02, momentum=0.9, weight_decay=1e-4)
        times, walls = [], []
        one, many = [], []
        for s in range(a.steps + 2):
            if a.scaling:
                torch.set_num_threads(1 if s % 2 == 0 else a.threads)
            i = (s * a.batch) % (X.shape[0] - a.batch)
            xb, yb = X[i : i + a.batch], Y[i : i + a.batch]
            t0, w0 = time.process_time(), time.perf_counter()
            opt.zero_grad()
            loss = F.cross_entropy(net(xb), yb)
            loss.backward()
            opt.step()
            t1, w1 = time.process_time(), time.perf_counter()
            if s >= 2:
                times.append(t1 - t0)
                walls.append(w1 - w0)
                (one if s % 2 == 0 else many).append(w1 - w0)
        out[name] = {"step_cpu_s": float(np.median(times)), "step_wall_s": float(np.median(walls)), "batch": a.batch,
                     "params": int(sum(p.numel() for p in net.parameters()))}
        if a.scaling:
            out[name]["one_thread_wall_s"] = float(np.median(one))
            out[name]["many_threads_wall_s"] = float(np.median(many))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
