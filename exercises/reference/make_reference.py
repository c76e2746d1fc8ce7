"""The numbers the tests and the grader compare the C++ code with, computed by PyTorch and numpy.

    /usr/bin/python3 exercises/reference/make_reference.py [DATA_DIR]

Writes, beside this script:
  - torch_values.txt: one value list a line, `key v1 v2 ...`, every double as Python's repr():
      * opt.NAME.step1..3: torch.optim's parameter after each of three steps from THETA0 with the
        fixed gradients GRADS, lr 0.1 (SGD, momentum, Nesterov, Adam, some with weight_decay);
      * exponential_lr: the rate ExponentialLR(gamma=0.9) gives after each of 5 epochs from 0.1;
      * softmax, cross_entropy, bce: torch.softmax, cross_entropy(reduction='sum') and
        binary_cross_entropy_with_logits(reduction='sum') on fixed logits;
      * tiny.*: a tiny network (tiny_problem() below, also written out in C++ in
        tests/test_exercises.cpp and the grader) after one gradient-descent step, full
        batch, for 2 and 3 classes and both reductions, and after one epoch of mini-batches;
      * keep.*: dropout masks from RandomState(3), random_sample((n, n_l)) >= 0.4, layer by layer;
      * forward.K.*: z_l and y_l of a sigmoid network with K hidden layers (forward_problem());
      * dropout.*: torch's phi(z) * keep / (1 - P) on fixed numbers;
      * hint.*: the numbers of known mistakes (Adam without bias correction, momentum with
        dampening, the batches of an epoch in the data's order, ...), which the grader names
        when a student's numbers equal them;
  - runs/NAME.txt: what exercises/torch_reference.py prints for the ./deep_mlp flags that
    runs/runs.txt lists (needs MNIST in DATA_DIR, default data).

Comparison tools, never dependencies of the C++ programs; the files are committed, so that the
tests need no Python.
"""
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
THETA0 = [[0.5, -1.5, 2.0], [0.0, 3.0, -0.25]]
GRADS = [[[1.0, -2.0, 0.5], [0.0, 4.0, -1.0]],
         [[-0.5, 1.0, 0.25], [2.0, -3.0, 0.0]],
         [[0.1, 0.1, -0.1], [1e-3, -1e-3, 5.0]]]
LR = 0.1


def line(key, values):
    return key + ' ' + ' '.join(repr(float(v)) for v in values)


def optimizer_lines(torch):
    SGD, Adam = torch.optim.SGD, torch.optim.Adam
    configs = [
        ('gd', lambda p: SGD([p], lr=LR)),
        ('momentum_0.9', lambda p: SGD([p], lr=LR, momentum=0.9)),
        ('momentum_0.5', lambda p: SGD([p], lr=LR, momentum=0.5)),
        ('nesterov_0.9', lambda p: SGD([p], lr=LR, momentum=0.9, nesterov=True)),
        ('adam', lambda p: Adam([p], lr=LR, betas=(0.9, 0.999), eps=1e-8)),
        ('adam_0.8_0.99_1e-6', lambda p: Adam([p], lr=LR, betas=(0.8, 0.99), eps=1e-6)),
        ('gd_wd_0.1', lambda p: SGD([p], lr=LR, weight_decay=0.1)),
        ('momentum_0.9_wd_0.1', lambda p: SGD([p], lr=LR, momentum=0.9, weight_decay=0.1)),
        ('nesterov_0.9_wd_0.1', lambda p: SGD([p], lr=LR, momentum=0.9, nesterov=True, weight_decay=0.1)),
        ('adam_wd_0.1', lambda p: Adam([p], lr=LR, weight_decay=0.1)),
    ]
    out = [line('opt.theta0', [x for row in THETA0 for x in row])]
    for k, g in enumerate(GRADS, 1):
        out.append(line(f'opt.grad{k}', [x for row in g for x in row]))
    for name, make in configs:
        p = torch.tensor(THETA0, dtype=torch.float64, requires_grad=True)
        opt = make(p)
        for k, g in enumerate(GRADS, 1):
            p.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            out.append(line(f'opt.{name}.step{k}', p.detach().flatten().tolist()))
    p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = SGD([p], lr=LR)
    schedule = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    rates = []
    for _ in range(5):
        opt.step()
        schedule.step()
        rates.append(opt.param_groups[0]['lr'])
    out.append(line('exponential_lr', rates))
    return out


def output_lines(torch):
    F = torch.nn.functional
    z = torch.tensor([[1.0, 2.0, 3.0], [-1000.0, 0.0, 1000.0]], dtype=torch.float64)
    labels = torch.tensor([2, 0])
    z2 = torch.tensor([0.5, -2.0, 3.0], dtype=torch.float64)
    t2 = torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64)
    return [line('softmax.z', z.flatten().tolist()),
            line('softmax.labels', labels.tolist()),
            line('softmax', torch.softmax(z, 1).flatten().tolist()),
            line('cross_entropy', [F.cross_entropy(z, labels, reduction='sum').item()]),
            line('bce.z', z2.tolist()), line('bce.y', t2.tolist()),
            line('bce', [F.binary_cross_entropy_with_logits(z2, t2, reduction='sum').item()])]


def tiny_problem(np, samples, classes, seed):
    """5 -> 4 tanh -> 3 relu -> (1 sigmoid | classes softmax), W = 0.5 randn layer by layer, biases
    zero; inputs: each element 0 when a draw is < 0.3, else a second draw; targets: a 0/1 label (two
    classes: draw < 0.5 gives 0) or a one-hot row at int(draw * classes). One RandomState(seed)."""
    rng = np.random.RandomState(seed)
    sizes = [5, 4, 3, 1 if classes == 2 else classes]
    Ws = [0.5 * rng.randn(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    x = np.zeros((samples, 5))
    for i in range(samples):
        for j in range(5):
            x[i, j] = 0.0 if rng.random_sample() < 0.3 else rng.random_sample()
    if classes == 2:
        y = np.array([[0.0 if rng.random_sample() < 0.5 else 1.0] for _ in range(samples)])
    else:
        y = np.zeros((samples, classes))
        for i in range(samples):
            y[i, int(rng.random_sample() * classes)] = 1.0
    return Ws, x, y


def tiny_lines(torch, np):
    F = torch.nn.functional

    def params_of(Ws):
        ps = []
        for W in Ws:
            ps.append(torch.tensor(W, requires_grad=True))
            ps.append(torch.zeros((1, W.shape[1]), dtype=torch.float64, requires_grad=True))
        return ps

    def loss_sum(ps, x, y, classes, acts=(torch.tanh, torch.relu)):
        h = acts[0](x @ ps[0] + ps[1])
        h = acts[1](h @ ps[2] + ps[3])
        z = h @ ps[4] + ps[5]
        if classes == 2:
            return F.binary_cross_entropy_with_logits(z, y, reduction='sum')
        return F.cross_entropy(z, y.argmax(1), reduction='sum')

    def listing(key, ps):
        names = ['W_1', 'b_1', 'W_2', 'b_2', 'W_3', 'b_3']
        return [line(f'{key}.{n}', p.detach().flatten().tolist()) for n, p in zip(names, ps)]

    out = []
    for classes in (2, 3):
        for reduction in ('sum', 'mean'):
            Ws, x, y = tiny_problem(np, 7, classes, 11)
            ps = params_of(Ws)
            opt = torch.optim.SGD(ps, lr=0.05)
            loss = loss_sum(ps, torch.tensor(x), torch.tensor(y), classes)
            (loss / 7 if reduction == 'mean' else loss).backward()
            opt.step()
            key = f'tiny.step.{classes}.{reduction}'
            out.append(line(key + '.loss', [loss.item()]))
            out += listing(key, ps)

    def epoch(key, classes, acts, in_order=False):
        """One epoch of mini-batches of 3 over 7 samples, mean reduction, gd lr 0.05, the permutation
        from its own RandomState(5) (or, in_order, the batches in the data's order: a mistake)."""
        Ws, x, y = tiny_problem(np, 7, classes, 12)
        ps = params_of(Ws)
        opt = torch.optim.SGD(ps, lr=0.05)
        rng = np.random.RandomState(5)
        perm = rng.permutation(7)
        order = list(range(7)) if in_order else perm
        total = 0.0
        for start in range(0, 7, 3):
            idx = order[start:start + 3]
            loss = loss_sum(ps, torch.tensor(x[idx]), torch.tensor(y[idx]), classes, acts)
            total += loss.item()
            opt.zero_grad()
            (loss / len(idx)).backward()
            opt.step()
        if in_order:
            return listing(key, ps)
        return [line(key + '.permutation', perm.tolist()), line(key + '.loss', [total / 7]),
                line(key + '.next_draw', [rng.random_sample()])] + listing(key, ps)

    out += epoch('tiny.epoch', 3, (torch.tanh, torch.relu))
    out += epoch('hint.tiny.epoch_in_order', 3, (torch.tanh, torch.relu), in_order=True)
    # The same, two classes and sigmoid layers: what the grader of (c) uses, so that (c) needs
    # neither (b)'s activations nor (e)'s softmax.
    out += epoch('tiny_sigmoid.epoch', 2, (torch.sigmoid, torch.sigmoid))
    out += epoch('hint.tiny_sigmoid.epoch_in_order', 2, (torch.sigmoid, torch.sigmoid), in_order=True)
    return out


def forward_problem(np, k):
    """6 inputs -> k sigmoid layers of 5, 4, 3 units -> 1 sigmoid output: W_l = 0.5 randn layer by
    layer, then b_l = 0.1 randn layer by layer, then 4 inputs, each element 0 when a draw is < 0.3,
    else a second draw. One RandomState(21 + k)."""
    rng = np.random.RandomState(21 + k)
    sizes = [6] + [5, 4, 3][:k] + [1]
    Ws = [0.5 * rng.randn(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [0.1 * rng.randn(1, b) for b in sizes[1:]]
    x = np.zeros((4, 6))
    for i in range(4):
        for j in range(6):
            x[i, j] = 0.0 if rng.random_sample() < 0.3 else rng.random_sample()
    return Ws, bs, x


def forward_lines(torch, np):
    out = []
    for k in (1, 2, 3):
        Ws, bs, x = forward_problem(np, k)
        y = torch.tensor(x)
        for l, (W, b) in enumerate(zip(Ws, bs), 1):
            z = y @ torch.tensor(W) + torch.tensor(b)
            y = torch.sigmoid(z)
            out += [line(f'forward.{k}.z_{l}', z.flatten().tolist()), line(f'forward.{k}.y_{l}', y.flatten().tolist())]
    rng = np.random.RandomState(51)
    a = rng.random_sample((3, 4)) * 2 - 1
    keep = np.array([0.0 if i % 3 == 1 else 1.0 for i in range(12)]).reshape(3, 4)
    y = torch.tensor(a) * torch.tensor(keep) / (1 - 0.3)
    out += [line('dropout.a', a.flatten()), line('dropout.keep', keep.flatten()), line('dropout.y', y.flatten().tolist())]
    return out


def hint_lines(torch, np):
    """Known mistakes' numbers, in plain float arithmetic: the grader says which mistake a student's
    numbers equal, without holding the right rule itself."""
    theta0 = [x for row in THETA0 for x in row]
    grads = [[x for row in g for x in row] for g in GRADS]
    out = []

    def steps(rule):
        theta, state, result = list(theta0), {}, []
        for t, g in enumerate(grads, 1):
            theta = rule(theta, g, t, state)
            result.append(theta)
        return result

    def heavy_ball(m, dampening, buf_after_step):
        def rule(theta, g, t, s):
            old = s.get('buf', [0.0] * len(g))
            buf = [m * b + (1 - dampening) * gi for b, gi in zip(old, g)]
            s['buf'] = buf
            return [th - LR * (o if buf_after_step else b) for th, o, b in zip(theta, old, buf)]
        return rule

    def adam(b1, b2, eps, bias_correction, eps_inside, correct_vel=None):
        def rule(theta, g, t, s):
            mom = [b1 * mi + (1 - b1) * gi for mi, gi in zip(s.get('mom', [0.0] * len(g)), g)]
            vel = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(s.get('vel', [0.0] * len(g)), g)]
            s['mom'], s['vel'] = mom, vel
            c1, c2 = (1 - b1 ** t, 1 - b2 ** t) if bias_correction else (1.0, 1.0)
            if correct_vel is True:  # only vel's correction: mom's left out
                c2 = 1 - b2 ** t
            if correct_vel is False:  # only mom's correction: vel's left out
                c1 = 1 - b1 ** t
            return [th - LR * (mi / c1) / (math.sqrt(vi / c2 + eps) if eps_inside else math.sqrt(vi / c2) + eps)
                    for th, mi, vi in zip(theta, mom, vel)]
        return rule

    for m in (0.9, 0.5):
        for name, rule in (('dampened', heavy_ball(m, m, False)), ('buf_after_step', heavy_ball(m, 0.0, True))):
            for k, theta in enumerate(steps(rule), 1):
                out.append(line(f'hint.momentum_{m}.{name}.step{k}', theta))
    for key, (b1, b2, eps) in (('adam', (0.9, 0.999, 1e-8)), ('adam_0.8_0.99_1e-6', (0.8, 0.99, 1e-6))):
        for name, rule in (('no_bias_correction', adam(b1, b2, eps, False, False)), ('eps_inside', adam(b1, b2, eps, True, True)),
                           ('no_mom_correction', adam(b1, b2, eps, False, False, correct_vel=True)),
                           ('no_vel_correction', adam(b1, b2, eps, False, False, correct_vel=False))):
            for k, theta in enumerate(steps(rule), 1):
                out.append(line(f'hint.{key}.{name}.step{k}', theta))
    return out


def keep_lines(np):
    rng = np.random.RandomState(3)
    return [line('keep.1', (rng.random_sample((3, 4)) >= 0.4).astype(float).flatten()),
            line('keep.2', (rng.random_sample((3, 2)) >= 0.4).astype(float).flatten())]


def runs(data_dir):
    listing = os.path.join(HERE, 'runs', 'runs.txt')
    for entry in open(listing):
        entry = entry.strip()
        if not entry or entry.startswith('#'):
            continue
        name, _, flags = entry.partition(':')
        out = subprocess.run([sys.executable, os.path.join(HERE, '..', 'torch_reference.py'), data_dir] + flags.split(),
                             check=True, capture_output=True, text=True).stdout
        with open(os.path.join(HERE, 'runs', name.strip() + '.txt'), 'w') as f:
            f.write(out)
        print(f'make_reference: runs/{name.strip()}.txt')


def main(argv):
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print(f'make_reference: skipped ({e.name} is not installed for {sys.executable})')
        return 0
    torch.set_default_dtype(torch.float64)
    lines = [f'# torch {torch.__version__}, numpy {np.__version__}: written by exercises/reference/make_reference.py']
    lines += optimizer_lines(torch) + output_lines(torch) + tiny_lines(torch, np) + keep_lines(np)
    lines += forward_lines(torch, np) + hint_lines(torch, np)
    with open(os.path.join(HERE, 'torch_values.txt'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('make_reference: torch_values.txt')
    if "--no-runs" not in argv:
        runs(argv[0] if argv else "data")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
