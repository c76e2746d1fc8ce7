"""An independent reference for ./deep_mlp: the exercises' protocol in PyTorch float64, with autograd
for the gradients and torch.optim for the updates.

    /usr/bin/python3 exercises/torch_reference.py [DATA_DIR] [deep_mlp's flags]

DATA_DIR (default data) holds MNIST's four IDX files. The flags are deep_mlp's: --seed, --epochs,
--lr, --hidden LIST, --act LIST, --classes 2|10, --batch N, --optimizer gd|momentum|nesterov|adam,
--momentum, --beta1, --beta2, --eps, --init s|he|xavier, --reduction sum|mean, --weight-decay L,
--dropout P, --lr-decay G, --limit N, --denormals keep|flush (flush: torch.set_flush_denormal(True))
(--data and --out are accepted and ignored: the data folder is the positional argument). It prints what
deep_mlp must print: the two shape lines, "Epoch k, Loss: L" for every epoch and the test accuracy,
floats as Python prints them. exercises/compare_torch.sh runs both and compares.

What is PyTorch's and what is shared with deep_mlp by construction:
  - shared: the data (the IDX files, the split by scikit-learn's train_test_split with
    random_state=42), the initial weights and the per-epoch permutations (numpy's RandomState(seed),
    one stream: W_l = s_l * randn(n_in, n_out) for l = 1..K, then permutation(N) every epoch, then,
    with --dropout P, at every step keep_l = random_sample((n, n_l)) >= P for each hidden layer);
  - PyTorch's: the forward pass (torch.sigmoid, torch.tanh, torch.relu, float64 matmuls), the loss
    (binary_cross_entropy_with_logits or cross_entropy), the gradients (autograd), the updates
    (torch.optim.SGD, SGD(momentum), SGD(momentum, nesterov=True), Adam, each with its weight_decay),
    the rate schedule (torch.optim.lr_scheduler.ExponentialLR), dropout as a product with the mask.
With the default flags this is the lesson: its output equals bench/notes_numpy.py's.

Python, numpy, scikit-learn and torch are comparison tools, never dependencies of the C++ programs:
without them this script says so and exits 0.
"""
import math
import os
import sys

USAGE = __doc__.split('\n\n')[1]


def fail(message):
    print(f'torch_reference: {message}', file=sys.stderr)
    sys.exit(2)


def parse_args(argv):
    """deep_mlp's flags, with the spec's defaults. Returns (data_dir, options dict)."""
    o = {'seed': 0, 'epochs': 30, 'lr': 1e-4, 'hidden': [64], 'act': ['sigmoid'], 'classes': 2,
         'batch': 0, 'optimizer': 'gd', 'momentum': 0.9, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-8,
         'init': '0.1', 'reduction': 'sum', 'limit': None, 'weight-decay': 0.0, 'dropout': 0.0,
         'lr-decay': 1.0, 'denormals': 'keep'}
    data_dir = None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('-h', '--help'):
            print(USAGE)
            sys.exit(0)
        if not a.startswith('--'):
            if data_dir is not None:
                fail(f'unexpected argument {a!r}')
            data_dir = a
            i += 1
            continue
        name, eq, value = a[2:].partition('=')
        if not eq:
            if i + 1 >= len(argv):
                fail(f'--{name} needs a value')
            value = argv[i + 1]
            i += 2
        else:
            i += 1
        try:
            if name in ('data', 'out'):
                pass                                  # accepted for deep_mlp's command lines; ignored
            elif name in ('seed', 'epochs', 'batch', 'limit'):
                o[name] = int(value)
            elif name in ('lr', 'momentum', 'beta1', 'beta2', 'eps', 'weight-decay', 'dropout', 'lr-decay'):
                o[name] = float(value)
            elif name == 'hidden':
                o['hidden'] = [int(h) for h in value.split(',')]
            elif name == 'act':
                o['act'] = value.split(',')
            elif name == 'classes':
                o['classes'] = int(value)
            elif name in ('optimizer', 'init', 'reduction', 'denormals'):
                o[name] = value
            else:
                fail(f'unknown flag --{name}')
        except ValueError:
            fail(f'--{name}: bad value {value!r}')
    if not 0 <= o['seed'] < 2 ** 32:
        fail('--seed must be in 0..4294967295')
    if o['epochs'] < 0 or o['batch'] < 0 or (o['limit'] is not None and o['limit'] < 1):
        fail('--epochs and --batch must be >= 0, --limit >= 1')
    if not o['hidden'] or min(o['hidden']) < 1:
        fail('--hidden needs sizes >= 1')
    if any(a not in ('sigmoid', 'tanh', 'relu') for a in o['act']):
        fail('--act takes sigmoid, tanh, relu')
    if len(o['act']) == 1:
        o['act'] = o['act'] * len(o['hidden'])
    if len(o['act']) != len(o['hidden']):
        fail('--act needs one name, or one per hidden layer')
    if o['classes'] not in (2, 10):
        fail('--classes is 2 or 10')
    if o['optimizer'] not in ('gd', 'momentum', 'nesterov', 'adam'):
        fail('--optimizer takes gd, momentum, nesterov, adam')
    if not (0 <= o['weight-decay'] and 0 <= o['dropout'] < 1 and 0 < o['lr-decay'] <= 1):
        fail('--weight-decay must be >= 0, --dropout in [0, 1), --lr-decay in (0, 1]')
    if o['reduction'] not in ('sum', 'mean'):
        fail('--reduction takes sum or mean')
    if o['denormals'] not in ('keep', 'flush'):
        fail('--denormals takes keep or flush')
    if o['init'] not in ('he', 'xavier'):
        try:
            float(o['init'])
        except ValueError:
            fail('--init takes a number, he or xavier')
    return data_dir or 'data', o


def load_split(data_dir, classes, limit):
    """The spec's data: 70,000 images (training file, then t10k), labels < classes, the lesson's split,
    /255, then the first `limit` training samples. The IDX files are read by bench/notes_numpy.py."""
    import os
    import sys
    from sklearn.model_selection import train_test_split
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
    from notes_numpy import load

    X, y = load(data_dir)
    keep = y < classes
    X, y = X[keep], y[keep]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    X_train = X_train / 255.0
    X_test = X_test / 255.0
    if limit is not None:
        X_train, y_train = X_train[:limit], y_train[:limit]
    return X_train, X_test, y_train, y_test


def init_scale(rule, n_in, n_out):
    if rule == 'he':
        return math.sqrt(2.0 / n_in)
    if rule == 'xavier':
        return math.sqrt(2.0 / (n_in + n_out))
    return float(rule)


def main(argv):
    try:
        import importlib
        import numpy as np
        importlib.import_module('sklearn')   # load_split needs it
        import torch
        import torch.nn.functional as F
    except ImportError as e:
        print(f'torch_reference: skipped ({e.name} is not installed for {sys.executable})')
        return 0
    data_dir, o = parse_args(argv)
    if not os.path.isfile(f'{data_dir}/train-images-idx3-ubyte'):
        fail(f'{data_dir}/ has no MNIST IDX files (run make data)')
    torch.set_default_dtype(torch.float64)
    if not torch.set_flush_denormal(o['denormals'] == 'flush') and o['denormals'] == 'flush':
        print('torch_reference: --denormals flush: this torch cannot flush denormals on this CPU; '
              'they are kept (the numbers agree to 1e-9 either way)', file=sys.stderr)

    X_train, X_test, y_train, y_test = load_split(data_dir, o['classes'], o['limit'])
    print(X_train.shape, y_train.shape)
    print(X_test.shape, y_test.shape)
    N = X_train.shape[0]

    # Weights: one RandomState, randn per layer in order; biases zero.
    rng = np.random.RandomState(o['seed'])
    sizes = [784] + o['hidden'] + [1 if o['classes'] == 2 else 10]
    params = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = init_scale(o['init'], n_in, n_out) * rng.randn(n_in, n_out)
        params.append(torch.tensor(W, dtype=torch.float64, requires_grad=True))
        params.append(torch.zeros((1, n_out), dtype=torch.float64, requires_grad=True))
    acts = {'sigmoid': torch.sigmoid, 'tanh': torch.tanh, 'relu': torch.relu}
    hidden_acts = [acts[a] for a in o['act']]

    P = o['dropout']

    def logits(x, keep=None):
        for l, act in enumerate(hidden_acts):
            x = act(x @ params[2 * l] + params[2 * l + 1])
            if keep is not None:   # inverted dropout: the mask as a product, then / (1 - P)
                x = x * keep[l] / (1 - P)
        return x @ params[-2] + params[-1]

    def per_sample_loss(z, t):
        if o['classes'] == 2:   # -[t log sigmoid(z) + (1 - t) log(1 - sigmoid(z))], its gradient y - t
            return F.binary_cross_entropy_with_logits(z[:, 0], t, reduction='none')
        return F.cross_entropy(z, t, reduction='none')   # logsumexp(z) - z[t], gradient softmax(z) - onehot

    wd = o['weight-decay']
    if o['optimizer'] == 'gd':
        opt = torch.optim.SGD(params, lr=o['lr'], weight_decay=wd)
    elif o['optimizer'] in ('momentum', 'nesterov'):
        opt = torch.optim.SGD(params, lr=o['lr'], momentum=o['momentum'], nesterov=o['optimizer'] == 'nesterov',
                              weight_decay=wd)
    else:
        opt = torch.optim.Adam(params, lr=o['lr'], betas=(o['beta1'], o['beta2']), eps=o['eps'], weight_decay=wd)
    schedule = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=o['lr-decay'])

    X = torch.from_numpy(X_train)
    if o['classes'] == 2:
        T = torch.from_numpy(y_train.astype(np.float64))
    else:
        T = torch.from_numpy(y_train.astype(np.int64))
    B = o['batch']
    mini = 0 < B < N
    for epoch in range(o['epochs']):
        if mini:
            p = torch.from_numpy(rng.permutation(N))
            batches = [p[i:i + B] for i in range(0, N, B)]
        else:
            batches = [None]
        losses = []
        for idx in batches:
            xb, tb = (X, T) if idx is None else (X[idx], T[idx])
            keep = None
            if P > 0:
                keep = [torch.from_numpy((rng.random_sample((xb.shape[0], h)) >= P).astype(np.float64))
                        for h in o['hidden']]
            sample_losses = per_sample_loss(logits(xb, keep), tb)
            losses.append(sample_losses.detach().numpy().copy())
            loss = sample_losses.sum()
            if o['reduction'] == 'mean':
                loss = loss / xb.shape[0]
            opt.zero_grad()
            loss.backward()
            opt.step()
        schedule.step()
        # The epoch's loss: every sample's loss from its batch's forward pass, summed, / N
        # (np.mean's pairwise sum, as the notes' np.mean over the full batch).
        print(f'Epoch {epoch}, Loss: {np.mean(np.concatenate(losses))}')

    with torch.no_grad():
        z = logits(torch.from_numpy(X_test))
        if o['classes'] == 2:
            predicted = (torch.sigmoid(z[:, 0]) >= 0.5).numpy().astype(int)
        else:
            predicted = np.argmax(z.numpy(), axis=1)   # the first index of the largest output
    accuracy = np.mean(predicted == np.array(y_test))
    print(f'Exactitud de Prueba (Test accuracy): {accuracy * 100}%')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
