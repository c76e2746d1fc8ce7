"""The ten-class exercise solved in numpy, the way a student would: the yardstick for deep_mlp's speed.

    python3 bench/ten_class_numpy.py DATA_DIR [--epochs E] [--hidden 256,128] [--batch 128] [--lr 1e-3] [--seed S]

784 -> hidden (ReLU) -> 10 (softmax, cross-entropy), He initialisation, Adam, mini-batches whose
gradients are the batch's mean: exactly `./deep_mlp --classes 10 --act relu --optimizer adam
--init he --reduction mean` with the same --hidden, --batch, --lr, --epochs and --seed, following
the exercises' protocol (exercises/README.md): the same split, the same random stream, the same
batches and updates, so that it prints the same losses to rounding. Backpropagation is written by
hand with numpy's matrix products (OpenBLAS here). Besides the protocol's lines it prints
'epoch_seconds S' per epoch and 'train_seconds S' at the end; the caller times the whole process.
"""
import argparse
import math
import time

import numpy as np
from sklearn.model_selection import train_test_split

from notes_numpy import load


def ten_class_arguments(usage):
    """The options of both ten-class scripts (this one and ten_class_torch.py): data, network, training."""
    ap = argparse.ArgumentParser(usage=usage)
    ap.add_argument('data')
    ap.add_argument('--epochs', type=int, default=3)
    ap.add_argument('--hidden', default='256,128')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--lr', type=float, default=1e-3)
    return ap


def main():
    ap = ten_class_arguments(__doc__)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()

    X, y = load(a.data)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    X_train = X_train / 255.0
    X_test = X_test / 255.0
    print(X_train.shape, y_train.shape)
    print(X_test.shape, y_test.shape)

    rng = np.random.RandomState(a.seed)
    sizes = [784] + [int(h) for h in a.hidden.split(',')] + [10]
    W = [math.sqrt(2.0 / n_in) * rng.randn(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    b = [np.zeros((1, n_out)) for n_out in sizes[1:]]
    params = W + b
    mom = [np.zeros_like(p) for p in params]
    vel = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    L = len(W)

    def forward(x):
        ys, zs = [x], []
        for l in range(L):
            zs.append(ys[-1] @ W[l] + b[l])
            if l < L - 1:
                ys.append(np.maximum(zs[-1], 0.0))
        return ys, zs

    N = X_train.shape[0]
    t = 0
    t_train = time.perf_counter()
    for epoch in range(a.epochs):
        t_epoch = time.perf_counter()
        p = rng.permutation(N)
        losses = []
        for start in range(0, N, a.batch):
            idx = p[start:start + a.batch]
            n = len(idx)
            ys, zs = forward(X_train[idx])
            z = zs[-1]
            z_max = z.max(axis=1, keepdims=True)
            e = np.exp(z - z_max)
            s = e.sum(axis=1, keepdims=True)
            labels = y_train[idx]
            losses.append(z_max[:, 0] + np.log(s[:, 0]) - z[np.arange(n), labels])
            delta = e / s
            delta[np.arange(n), labels] -= 1.0      # delta_L = softmax(z_L) - t
            delta /= n                              # the batch's mean loss
            grads_W, grads_b = [None] * L, [None] * L
            for l in range(L - 1, -1, -1):
                grads_W[l] = ys[l].T @ delta
                grads_b[l] = delta.sum(axis=0, keepdims=True)
                if l > 0:
                    delta = (delta @ W[l].T) * (zs[l - 1] > 0)
            t += 1
            for theta, g, m, v in zip(params, grads_W + grads_b, mom, vel):
                m *= b1
                m += (1 - b1) * g
                v *= b2
                v += (1 - b2) * g * g
                theta -= (a.lr / (1 - b1 ** t)) * m / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps)
        print(f'Epoch {epoch}, Loss: {np.mean(np.concatenate(losses))}')
        print(f'epoch_seconds {time.perf_counter() - t_epoch}')
    train_seconds = time.perf_counter() - t_train
    _, zs = forward(X_test)
    accuracy = np.mean(np.argmax(zs[-1], axis=1) == y_test)
    print(f'Exactitud de Prueba (Test accuracy): {accuracy * 100}%')
    print(f'train_seconds {train_seconds}')


if __name__ == '__main__':
    main()
