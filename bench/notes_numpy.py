"""The yardstick for `make bench`: the lecture notes' numpy code, timed.

    python3 bench/notes_numpy.py DATA_DIR run       the notes' whole experiment (load, split, 30 epochs, test)
    python3 bench/notes_numpy.py DATA_DIR shapes R  R timings of numpy's matmul on the bench's shapes

The experiment is the notes' code as written, on the IDX files in DATA_DIR instead of fetch_openml,
with the bias gradients summed per unit (as mlp.cpp does; see README). It prints the training loop's
time as 'train_seconds S'; the caller times the whole process. Python is a tool for comparison here,
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


def run(data_dir):
    from sklearn.model_selection import train_test_split
    X, y = load(data_dir)
    X = X[(y == 0) | (y == 1)]
    y = y[(y == 0) | (y == 1)]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    X_train = X_train / 255.0
    X_test = X_test / 255.0

    def phi(x):
        return 1 / (1 + np.exp(-x))

    np.random.seed(0)
    W_1 = 0.1 * np.random.randn(784, 64)
    b_1 = 0.1 * np.zeros((1, 64))
    W_2 = 0.1 * np.random.randn(64, 1)
    b_2 = 0.1 * np.zeros((1, 1))
    learning_rate, epochs = 1e-4, 30
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
    if len(sys.argv) >= 3 and sys.argv[2] == 'run':
        run(sys.argv[1])
    elif len(sys.argv) >= 4 and sys.argv[2] == 'shapes':
        shapes(sys.argv[1], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
