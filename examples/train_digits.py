"""Main job: train a digit classifier with rtorch.

Until `nn` and `optim` land, this trains a two-layer perceptron on 8x8 digits with rtorch's
autograd (`loss.backward()`) and a hand-written SGD step under `torch.no_grad()`. Uses
scikit-learn's digits when installed, otherwise a synthetic set of noisy digit templates.
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

    w1 = (torch.randn(64, 32) * 0.1).requires_grad_()
    b1 = torch.zeros(32, requires_grad=True)
    w2 = (torch.randn(32, 10) * 0.1).requires_grad_()
    b2 = torch.zeros(10, requires_grad=True)
    params = [w1, b1, w2, b2]

    def logits(xb: torch.Tensor) -> torch.Tensor:
        return (xb @ w1 + b1).relu() @ w2 + b2

    lr, epochs, batch = 0.5, 30, 64
    start = time.perf_counter()
    for epoch in range(epochs):
        for i in range(0, split, batch):
            xb, yb = x_train[i:i + batch], y_train[i:i + batch]
            loss = -(logits(xb).log_softmax(1) * yb).sum(1).mean()   # cross-entropy
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
                    p.grad = None
        if epoch % 10 == 9 or epoch == epochs - 1:
            with torch.no_grad():
                train_loss = -(logits(x_train).log_softmax(1) * y_train).sum(1).mean().item()
                acc = (logits(x_test).argmax(1) == y_test).float().mean().item()
            print(f"epoch {epoch + 1:3d}  train loss {train_loss:.4f}  test accuracy {acc:.3f}")
    print(f"trained {epochs} epochs on {split} images in {time.perf_counter() - start:.2f}s")


if __name__ == "__main__":
    main()
