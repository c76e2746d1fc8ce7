"""The walk of --explain N, computed by numpy from the notes' formulas: tests/explain_numpy.txt.

    /usr/bin/python3 tests/explain_numpy.py DATA_DIR > tests/explain_numpy.txt

For each case below (the flags of ./mlp or ./deep_mlp it stands for), the network is made as the
programs make it (np.random.seed(S), W_l = s * randn(n_{l-1}, n_l) layer after layer, biases zero;
for the trained lesson, the notes' 30 epochs of full-batch gradient descent, as bench/notes_numpy.py
runs them), test image N goes forward through eq. (1), its loss (2) and back through (3) and (4)
written out here, one step of (5) at the rate given, and a few weights are checked by central
differences of this file's own loss. Nothing here comes from the C++ programs: tests/test_explain.sh
compares their --explain output and their page's embedded walk with these numbers.

Output: one block per case, 'case NAME|FLAGS', then 'KEY|v1 v2 ...' lines:
z_l, y_l, delta_l, grad_bl, dL_dy_l, phi_prime_l (full rows), grad_Wl[r] (row r of grad_W_l, for the
rows the programs print or check), loss, after_y, after_loss, and check_W_l[r,c] / check_b_l[c]
(backprop, central difference).
"""
import math
import sys

import numpy as np


def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def test_set(data_dir, classes):
    X = np.concatenate([read_idx(f'{data_dir}/train-images-idx3-ubyte').reshape(-1, 784),
                        read_idx(f'{data_dir}/t10k-images-idx3-ubyte').reshape(-1, 784)]).astype(np.float64)
    y = np.concatenate([read_idx(f'{data_dir}/train-labels-idx1-ubyte'),
                        read_idx(f'{data_dir}/t10k-labels-idx1-ubyte')]).astype(int)
    keep = y < classes
    X, y = X[keep], y[keep]
    try:
        from sklearn.model_selection import train_test_split
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    except ImportError:  # what train_test_split does: the first ceil(0.2 n) of a permutation are the test rows
        p = np.random.RandomState(42).permutation(len(y))
        n_test = math.ceil(0.2 * len(y))
        X_train, X_test, y_train, y_test = X[p[n_test:]], X[p[:n_test]], y[p[n_test:]], y[p[:n_test]]
    return X_train / 255.0, y_train, X_test / 255.0, y_test


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


ACTIVATIONS = {  # phi, and phi' from z and y = phi(z)
    'sigmoid': (sigmoid, lambda z, y: y * (1 - y)),
    'tanh': (np.tanh, lambda z, y: 1 - y * y),
    'relu': (lambda z: np.maximum(z, 0.0), lambda z, y: (z > 0).astype(np.float64)),
}


def make_network(seed, sizes, scale):
    rng = np.random.RandomState(seed)
    Ws, bs = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        s = math.sqrt(2.0 / n_in) if scale == 'he' else scale
        Ws.append(s * rng.randn(n_in, n_out))
        bs.append(np.zeros((1, n_out)))
    return Ws, bs


def forward(Ws, bs, acts, x, classes):
    zs, ys, y = [], [], x
    for l, (W, b) in enumerate(zip(Ws, bs)):
        z = y @ W + b
        if l + 1 < len(Ws):
            y = ACTIVATIONS[acts[l]][0](z)
        elif classes == 2:
            y = sigmoid(z)
        else:
            e = np.exp(z - z.max())
            y = e / e.sum()
        zs.append(z)
        ys.append(y)
    return zs, ys


def loss_of(zs, ys, t, classes):
    if classes == 2:
        p = ys[-1][0, 0]
        return float(-(t[0, 0] * np.log(p) + (1 - t[0, 0]) * np.log(1 - p)))
    z = zs[-1][0]
    c = int(np.argmax(t[0]))
    return float(np.log(np.sum(np.exp(z - z.max()))) + z.max() - z[c])


def backward(Ws, acts, x, zs, ys, t):
    K = len(Ws)
    deltas, dL_dys, phi_primes = [None] * K, [None] * K, [None] * K
    deltas[K - 1] = ys[K - 1] - t                                        # (3) delta_K = y_K - y
    for l in range(K - 1, 0, -1):                                        # (4), layer l (0-based) down to 1
        dL_dys[l - 1] = deltas[l] @ Ws[l].T                               # delta_l W_l^T
        phi_primes[l - 1] = ACTIVATIONS[acts[l - 1]][1](zs[l - 1], ys[l - 1])
        deltas[l - 1] = dL_dys[l - 1] * phi_primes[l - 1]
    inputs = [x] + ys[:-1]
    grad_W = [inputs[l].T @ deltas[l] for l in range(K)]                 # y_{l-1}^T delta_l
    grad_b = [deltas[l].sum(axis=0, keepdims=True) for l in range(K)]
    return deltas, dL_dys, phi_primes, grad_W, grad_b


def train_lesson(Ws, bs, X, y, epochs, lr):  # the notes' loop (bench/notes_numpy.py)
    W_1, W_2 = Ws
    b_1, b_2 = bs
    y = np.expand_dims(y, axis=-1)
    for _ in range(epochs):
        z_1 = X @ W_1 + b_1
        y_1 = sigmoid(z_1)
        z_2 = y_1 @ W_2 + b_2
        y_2 = sigmoid(z_2)
        delta_2 = y_2 - y
        delta_1 = np.dot(delta_2, W_2.T) * (y_1 * (1 - y_1))
        grad_W2 = np.dot(y_1.T, delta_2)
        grad_b2 = np.sum(delta_2, axis=0, keepdims=True)
        grad_W1 = np.dot(X.T, delta_1)
        grad_b1 = np.sum(delta_1, axis=0, keepdims=True)
        W_2 -= lr * grad_W2
        b_2 -= lr * grad_b2
        W_1 -= lr * grad_W1
        b_1 -= lr * grad_b1


def first_largest(v):
    return int(np.argmax(np.abs(v)))


def grey_pixel(x):  # the first ink pixel closest to 0.5, the one the programs print and check
    ink = np.nonzero(x)[0]
    return int(ink[np.argmin(np.abs(x[ink] - 0.5))])


def line(key, values):
    print(key + '|' + ' '.join(repr(float(v)) for v in np.ravel(values)))


def walk(name, flags, data_dir, seed=0, hidden=(64,), acts=None, classes=2, scale=0.1, image=0, lr=1e-4,
         epochs=0, h=1e-5):
    X_train, y_train, X_test, y_test = test_set(data_dir, classes)
    acts = acts or ['sigmoid'] * len(hidden)
    Ws, bs = make_network(seed, [784] + list(hidden) + [1 if classes == 2 else classes], scale)
    if epochs:
        train_lesson(Ws, bs, X_train, y_train, epochs, lr)
    x = X_test[image:image + 1]
    label = int(y_test[image])
    t = np.array([[label]], dtype=np.float64) if classes == 2 else np.eye(classes)[[label]]
    zs, ys = forward(Ws, bs, acts, x, classes)
    loss = loss_of(zs, ys, t, classes)
    deltas, dL_dys, phi_primes, grad_W, grad_b = backward(Ws, acts, x, zs, ys, t)
    print(f'case {name}|{flags}')
    K = len(Ws)
    for l in range(K):
        n = str(l + 1)
        for key, v in [('z_', zs), ('y_', ys), ('delta_', deltas), ('dL_dy_', dL_dys), ('phi_prime_', phi_primes)]:
            if v[l] is not None:
                line(key + n, v[l])
        line('grad_b' + n, grad_b[l])
        rows = {0, grey_pixel(x[0])} if l == 0 else {0, first_largest(ys[l - 1][0])}
        for r in sorted(rows):
            line(f'grad_W{n}[{r}]', grad_W[l][r])
    line('loss', [loss])
    Ws_after = [W - lr * g for W, g in zip(Ws, grad_W)]                  # (5) on this image alone
    bs_after = [b - lr * g for b, g in zip(bs, grad_b)]
    zs_after, ys_after = forward(Ws_after, bs_after, acts, x, classes)
    line('after_y', ys_after[-1])
    line('after_loss', [loss_of(zs_after, ys_after, t, classes)])
    for l in range(K):  # the parameters the programs check, by this file's own central differences
        row = grey_pixel(x[0]) if l == 0 else first_largest(ys[l - 1][0])
        col = first_largest(deltas[l][0])
        for bias in (False, True):
            def loss_at(shift):
                W2 = [W.copy() for W in Ws]
                b2 = [b.copy() for b in bs]
                if bias:
                    b2[l][0, col] += shift
                else:
                    W2[l][row, col] += shift
                z2, y2 = forward(W2, b2, acts, x, classes)
                return loss_of(z2, y2, t, classes)
            numeric = (loss_at(h) - loss_at(-h)) / (2 * h)
            backprop = grad_b[l][0, col] if bias else grad_W[l][row, col]
            key = f'check_b_{l + 1}[{col}]' if bias else f'check_W_{l + 1}[{row}, {col}]'
            line(key, [backprop, numeric])


if __name__ == '__main__':
    data = sys.argv[1] if len(sys.argv) > 1 else 'data'
    walk('lesson_untrained', './mlp --epochs 0 --explain 0', data)
    walk('lesson_untrained_7', './mlp --epochs 0 --explain 7 --lr 0.01', data, image=7, lr=0.01)
    walk('lesson_trained', './mlp --explain 0', data, epochs=30)
    walk('tanh_k2', './deep_mlp --hidden 12,8 --act tanh --epochs 0 --explain 5 --lr 0.001', data, hidden=(12, 8),
         acts=['tanh', 'tanh'], image=5, lr=1e-3)
    walk('ten_classes', './deep_mlp --classes 10 --hidden 16,12 --act relu,sigmoid --init he --epochs 0 --explain 3',
         data, hidden=(16, 12), acts=['relu', 'sigmoid'], classes=10, scale='he', image=3)
