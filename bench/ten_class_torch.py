"""The ten-class exercise in idiomatic PyTorch: the peer deep_mlp's speed is measured against.

    python3 bench/ten_class_torch.py DATA_DIR [--epochs E] [--hidden 256,128] [--batch 128] [--lr 1e-3]
                                     [--threads N] [--dtype float32|float64]

784 -> hidden (ReLU) -> 10, nn.Linear layers with PyTorch's own initialisation, cross-entropy on
the logits, torch.optim.Adam, mini-batches of a fresh permutation every epoch: the same work as
`./deep_mlp --classes 10 --act relu --optimizer adam --reduction mean` on the same 56,000 training
images, written as a PyTorch user would (not the float64, draw-for-draw reference of
exercises/torch_reference.py, which reproduces deep_mlp's numbers; here only the time matters).
torch.set_num_threads(N); ATEN_CPU_CAPABILITY=avx2 in the environment restricts PyTorch to AVX2.
Prints 'epoch_seconds S' for every epoch and 'best_epoch_seconds S'.
"""
import time

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from notes_numpy import load
from ten_class_numpy import ten_class_arguments


def main():
    ap = ten_class_arguments(__doc__)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--dtype', default='float32', choices=['float32', 'float64'])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dtype = getattr(torch, a.dtype)

    X, y = load(a.data)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=42)
    X_train = torch.tensor(X_train / 255.0, dtype=dtype)
    y_train = torch.tensor(y_train.astype(np.int64))

    sizes = [784] + [int(h) for h in a.hidden.split(',')] + [10]
    layers = []
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(torch.nn.Linear(n_in, n_out, dtype=dtype))
        if l < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    N = X_train.shape[0]
    best = float('inf')
    for _ in range(a.epochs):
        t0 = time.perf_counter()
        perm = torch.randperm(N)
        for start in range(0, N, a.batch):
            idx = perm[start:start + a.batch]
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        seconds = time.perf_counter() - t0
        best = min(best, seconds)
        print(f'epoch_seconds {seconds}', flush=True)
    print(f'best_epoch_seconds {best}')


if __name__ == '__main__':
    main()
