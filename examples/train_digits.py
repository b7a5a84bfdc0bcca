"""Main job: train a digit classifier with rtorch.

Until `nn`, `optim` and autograd land, this trains a softmax regression on 8x8 digits with
gradients written by hand, so every step runs on rtorch's kernels (matmul, softmax,
reductions, broadcasting). Uses scikit-learn's digits when installed, otherwise a synthetic
set of noisy digit templates.
"""
from __future__ import annotations

import time

import numpy as np

import rtorch as torch


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """(N, 64) float32 images scaled to [0, 1] and (N,) int64 labels."""
    try:
        from sklearn.datasets import load_digits as sk_digits

        d = sk_digits()
        return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64)
    except ImportError:
        rng = np.random.default_rng(0)
        templates = rng.random((10, 64)) > 0.6
        y = rng.integers(0, 10, 1800)
        x = templates[y].astype(np.float32) + rng.normal(0, 0.35, (1800, 64)).astype(np.float32)
        return x.clip(0, 1), y.astype(np.int64)


def main() -> None:
    torch.manual_seed(0)
    x_np, y_np = load_digits()
    n = len(x_np)
    split = int(n * 0.8)
    x = torch.from_numpy(x_np)
    onehot = torch.from_numpy(np.eye(10, dtype=np.float32)[y_np])
    x_train, x_test = x[:split], x[split:]
    y_train, y_test = onehot[:split], torch.from_numpy(y_np[split:])

    w = torch.randn(64, 10) * 0.01
    b = torch.zeros(10)
    lr, epochs, batch = 0.5, 30, 64
    start = time.perf_counter()
    for epoch in range(epochs):
        for i in range(0, split, batch):
            xb, yb = x_train[i:i + batch], y_train[i:i + batch]
            p = (xb @ w + b).softmax(1)
            g = (p - yb) / xb.shape[0]           # d(cross-entropy)/d(logits)
            w -= lr * (xb.t() @ g)
            b -= lr * g.sum(0)
        if epoch % 10 == 9 or epoch == epochs - 1:
            logp = (x_train @ w + b).log_softmax(1)
            loss = -(logp * y_train).sum(1).mean().item()
            acc = ((x_test @ w + b).argmax(1) == y_test).float().mean().item()
            print(f"epoch {epoch + 1:3d}  train loss {loss:.4f}  test accuracy {acc:.3f}")
    print(f"trained {epochs} epochs on {split} images in {time.perf_counter() - start:.2f}s")


if __name__ == "__main__":
    main()
