"""The lecture notes' numpy code, on MNIST's IDX files: the yardstick for ./mlp's numbers and speed.

    python3 bench/notes_numpy.py DATA_DIR [--seed S] [--hidden H] [--epochs E] [--lr LR] [--timing]
        the notes' experiment (load, split, train, test), printing the notes' lines; with --timing
        also 'train_seconds S' (the training loop's time) at the end
    python3 bench/notes_numpy.py DATA_DIR --shapes R
        R timings of numpy's matmul on the benchmark's shapes

The experiment is the notes' code as written (with np.random.seed(S) uncommented), on the IDX files
in DATA_DIR instead of fetch_openml (which returns the same 70,000 images in the same order), with
one correction: the bias gradients are summed per unit, np.sum(delta, axis=0, keepdims=True), where
the notes write np.sum(delta)[0] (see README). tests/notes_numpy_seed0.txt is its output for seed 0;
tests/compare_with_numpy.sh compares ./mlp's output with it. Python is a tool for comparison here,
never a dependency of the C++ program.
"""
import sys
import time

import numpy as np


def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data_dir):
    X = np.concatenate([read_idx(f'{data_dir}/train-images-idx3-ubyte').reshape(-1, 784),
                        read_idx(f'{data_dir}/t10k-images-idx3-ubyte').reshape(-1, 784)]).astype(np.float64)
    y = np.concatenate([read_idx(f'{data_dir}/train-labels-idx1-ubyte'),
                        read_idx(f'{data_dir}/t10k-labels-idx1-ubyte')]).astype(int)
    return X, y


def run(data_dir, seed=0, hidden=64, epochs=30, learning_rate=1e-4, timing=False):
    from sklearn.model_selection import train_test_split
    X, y = load(data_dir)
    X = X[(y == 0) | (y == 1)]
    y = y[(y == 0) | (y == 1)]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    X_train = X_train / 255.0
    X_test = X_test / 255.0
    print(X_train.shape, y_train.shape)
    print(X_test.shape, y_test.shape)

    def phi(x):
        return 1 / (1 + np.exp(-x))

    np.random.seed(seed)
    W_1 = 0.1 * np.random.randn(784, hidden)
    b_1 = 0.1 * np.zeros((1, hidden))
    W_2 = 0.1 * np.random.randn(hidden, 1)
    b_2 = 0.1 * np.zeros((1, 1))
    y_0 = X_train
    yy = np.expand_dims(y_train, axis=-1)
    t0 = time.perf_counter()
    for epoch in range(epochs):
        z_1 = y_0 @ W_1 + b_1
        y_1 = phi(z_1)
        z_2 = y_1 @ W_2 + b_2
        y_2 = phi(z_2)
        loss = -np.mean(yy * np.log(y_2) + (1 - yy) * np.log(1 - y_2))
        delta_2 = y_2 - yy
        delta_1 = np.dot(delta_2, W_2.T) * (y_1 * (1 - y_1))
        grad_W2 = np.dot(y_1.T, delta_2)
        grad_b2 = np.sum(delta_2, axis=0, keepdims=True)
        grad_W1 = np.dot(y_0.T, delta_1)
        grad_b1 = np.sum(delta_1, axis=0, keepdims=True)
        W_2 -= learning_rate * grad_W2
        b_2 -= learning_rate * grad_b2
        W_1 -= learning_rate * grad_W1
        b_1 -= learning_rate * grad_b1
        print(f'Epoch {epoch}, Loss: {loss}')
    train_seconds = time.perf_counter() - t0
    y_2 = phi(phi(X_test @ W_1 + b_1) @ W_2 + b_2)
    accuracy = np.mean(np.squeeze((y_2 >= 0.5).astype(int)) == np.array(y_test))
    print(f'Exactitud de Prueba (Test accuracy): {accuracy * 100}%')
    if timing:
        print(f'train_seconds {train_seconds}')


def shapes(data_dir, repeats):
    X, y = load(data_dir)
    y_0 = X[(y == 0) | (y == 1)][:11824] / 255.0   # real images, as in training
    rng = np.random.RandomState(1)
    W_1 = rng.randn(784, 64)
    delta_1 = rng.randn(11824, 64)
    A, B = rng.randn(1024, 1024), rng.randn(1024, 1024)
    cases = {'y0_W1': lambda: y_0 @ W_1, 'y0T_delta1': lambda: y_0.T @ delta_1, 'square1024': lambda: A @ B}
    for name, f in cases.items():
        f()
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            f()
            times.append(time.perf_counter() - t)
        print(name, ' '.join(str(t) for t in times))
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get('user_api') == 'blas':
                print('blas', info.get('internal_api'), info.get('version'), 'core', info.get('architecture'),
                      'threads', info.get('num_threads'))
    except ImportError:
        pass


if __name__ == '__main__':
    import argparse
    ap = argparse.ArgumentParser(usage=__doc__)
    ap.add_argument('data')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--hidden', type=int, default=64)
    ap.add_argument('--epochs', type=int, default=30)
    ap.add_argument('--lr', type=float, default=1e-4)
    ap.add_argument('--timing', action='store_true')
    ap.add_argument('--shapes', type=int, metavar='R')
    a = ap.parse_args()
    if a.shapes:
        shapes(a.data, a.shapes)
    else:
        run(a.data, a.seed, a.hidden, a.epochs, a.lr, a.timing)
