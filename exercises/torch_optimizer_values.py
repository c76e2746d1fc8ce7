"""torch.optim's own numbers for deep_mlp's update rules, to paste into C++ unit tests.

    /usr/bin/python3 exercises/torch_optimizer_values.py

From theta0 = [[0.5, -1.5, 2.0], [0.0, 3.0, -0.25]] (float64), lr 0.1, three steps with fixed
gradients g1, g2, g3 (p.grad set to each, then opt.step()), for: gd = SGD; momentum m = 0.9 and
m = 0.5 = SGD(momentum=m); nesterov m = 0.9 = SGD(momentum=0.9, nesterov=True); adam default =
Adam(betas=(0.9, 0.999), eps=1e-8); adam betas (0.8, 0.99), eps 1e-6. Prints theta after each step,
every element as repr() (17 significant digits at most, reads back to the same double), as C++
initializer lists. Exits 0 with a message when torch is absent.

These are torch's bits, and torch fuses some of the multiply-adds (its AVX2 kernels use FMA):
measured on 3,000 random elements, torch 1.13 here computes exactly
  SGD:       buf = m*buf + g (two roundings); d = fma(m, buf, g) for nesterov; theta = fma(-lr, d, theta)
  Adam:      mom = fma(1-b1, g, b1*mom); vel = fma((1-b2)*g, g, b2*vel);
             theta = theta - ((lr/(1-b1^t)) * mom) / (sqrt(vel)/sqrt(1-b2^t) + eps)
so a program that evaluates the spec's formulas without FMA (-ffp-contract=off) can differ from
these by an ulp or two; after each table, a comment lists the elements where the spec's formulas in
plain double (Python floats) give another value. Compare with a few ulps of tolerance, or use
std::fma at those places to get torch's bits.

Its output (torch 1.13, Debian 12) is below, between the lines; regenerate with the command above.
------------------------------------------------------------------------------------------------
// torch 1.13.0a0: theta after each of 3 steps from theta0, lr 0.1, gradients g1, g2, g3
// theta0 = [[0.5, -1.5, 2.0], [0.0, 3.0, -0.25]]
// g1 = [[1.0, -2.0, 0.5], [0.0, 4.0, -1.0]]
// g2 = [[-0.5, 1.0, 0.25], [2.0, -3.0, 0.0]]
// g3 = [[0.1, 0.1, -0.1], [0.001, -0.001, 5.0]]
// SGD(lr=0.1)
const double gd[3][2][3] = {
    {{0.4, -1.3, 1.95}, {0.0, 2.6, -0.15}},  // after step 1
    {{0.45, -1.4000000000000001, 1.925}, {-0.2, 2.9, -0.15}},  // after step 2
    {{0.44, -1.4100000000000001, 1.935}, {-0.2001, 2.9001, -0.65}},  // after step 3
};
//   differs from the spec in plain double (no FMA): after step 2, [1][1] = 2.9000000000000004
//   differs from the spec in plain double (no FMA): after step 3, [1][1] = 2.9001000000000006
// SGD(lr=0.1, momentum=0.9)
const double momentum_0_9[3][2][3] = {
    {{0.4, -1.3, 1.95}, {0.0, 2.6, -0.15}},  // after step 1
    {{0.36000000000000004, -1.22, 1.88}, {-0.2, 2.54, -0.059999999999999984}},  // after step 2
    {{0.31400000000000006, -1.158, 1.827}, {-0.3801, 2.4861, -0.479}},  // after step 3
};
//   differs from the spec in plain double (no FMA): after step 2, [0][0] = 0.36
//   differs from the spec in plain double (no FMA): after step 3, [0][0] = 0.31399999999999995
// SGD(lr=0.1, momentum=0.5)
const double momentum_0_5[3][2][3] = {
    {{0.4, -1.3, 1.95}, {0.0, 2.6, -0.15}},  // after step 1
    {{0.4, -1.3, 1.9}, {-0.2, 2.7, -0.09999999999999999}},  // after step 2
    {{0.39, -1.31, 1.885}, {-0.30010000000000003, 2.7501, -0.5750000000000001}},  // after step 3
};
// SGD(lr=0.1, momentum=0.9, nesterov=True)
const double nesterov_0_9[3][2][3] = {
    {{0.31, -1.12, 1.905}, {0.0, 2.24, -0.06}},  // after step 1
    {{0.324, -1.1480000000000001, 1.817}, {-0.38, 2.486, 0.02100000000000001}},  // after step 2
    {{0.2726, -1.1022, 1.7792999999999999}, {-0.54219, 2.43759, -0.8561}},  // after step 3
};
//   differs from the spec in plain double (no FMA): after step 2, [1][2] = 0.02100000000000002
// Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-8)
const double adam_default[3][2][3] = {
    {{0.400000001, -1.4000000005, 1.900000002}, {0.0, 2.90000000025, -0.150000001}},  // after step 1
    {{0.37336629737090316, -1.3733662967024316, 1.8067820404774624}, {-0.07441368183064559, 2.8910674995347354, -0.0829941765341887}},  // after step 2
    {{0.34716428529962406, -1.355655535059005, 1.7471109386505732}, {-0.13196762292884845, 2.884175437492419, -0.13548920752955212}},  // after step 3
};
// Adam(lr=0.1, betas=(0.8, 0.99), eps=1e-6)
const double adam_0_8_0_99_eps_1e_6[3][2][3] = {
    {{0.4000000999999, -1.400000049999975, 1.9000001999996}, {0.0, 2.9000000249999935, -0.1500000999999}},  // after step 1
    {{0.3788864219451791, -1.3788863585716236, 1.8085077110003867}, {-0.0783707001648495, 2.8968551158064906, -0.08698773107340965}},  // after step 2
    {{0.3572998438480686, -1.3667865426352153, 1.7558111164018568}, {-0.13519564431524256, 2.8945904752478295, -0.1474050769376462}},  // after step 3
};
------------------------------------------------------------------------------------------------
"""
import sys

THETA0 = [[0.5, -1.5, 2.0], [0.0, 3.0, -0.25]]
GRADS = [[[1.0, -2.0, 0.5], [0.0, 4.0, -1.0]],
         [[-0.5, 1.0, 0.25], [2.0, -3.0, 0.0]],
         [[0.1, 0.1, -0.1], [1e-3, -1e-3, 5.0]]]
LR = 0.1


def optimizers(torch):
    return [
        ('gd', 'SGD(lr=0.1)', lambda p: torch.optim.SGD([p], lr=LR)),
        ('momentum_0_9', 'SGD(lr=0.1, momentum=0.9)', lambda p: torch.optim.SGD([p], lr=LR, momentum=0.9)),
        ('momentum_0_5', 'SGD(lr=0.1, momentum=0.5)', lambda p: torch.optim.SGD([p], lr=LR, momentum=0.5)),
        ('nesterov_0_9', 'SGD(lr=0.1, momentum=0.9, nesterov=True)',
         lambda p: torch.optim.SGD([p], lr=LR, momentum=0.9, nesterov=True)),
        ('adam_default', 'Adam(lr=0.1, betas=(0.9, 0.999), eps=1e-8)',
         lambda p: torch.optim.Adam([p], lr=LR, betas=(0.9, 0.999), eps=1e-8)),
        ('adam_0_8_0_99_eps_1e_6', 'Adam(lr=0.1, betas=(0.8, 0.99), eps=1e-6)',
         lambda p: torch.optim.Adam([p], lr=LR, betas=(0.8, 0.99), eps=1e-6)),
    ]


def spec_plain(name):
    """The spec's formulas in plain double arithmetic (Python floats: every operation rounded on its
    own, no fused multiply-add), evaluated left to right as exercises.md writes them."""
    import math
    m = {'momentum_0_9': 0.9, 'momentum_0_5': 0.5, 'nesterov_0_9': 0.9}.get(name)
    b1, b2, eps = (0.8, 0.99, 1e-6) if name.startswith('adam_0_8') else (0.9, 0.999, 1e-8)
    theta = [x for row in THETA0 for x in row]
    buf, mom, vel, out = None, [0.0] * 6, [0.0] * 6, []
    for t, g in enumerate(GRADS, 1):
        g = [x for row in g for x in row]
        if name == 'gd':
            theta = [th - LR * gi for th, gi in zip(theta, g)]
        elif m is not None:
            buf = list(g) if buf is None else [m * b + gi for b, gi in zip(buf, g)]
            d = buf if name.startswith('momentum') else [gi + m * b for b, gi in zip(buf, g)]
            theta = [th - LR * di for th, di in zip(theta, d)]
        else:
            mom = [b1 * mi + (1 - b1) * gi for mi, gi in zip(mom, g)]
            vel = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(vel, g)]
            theta = [th - (LR / (1 - b1 ** t)) * mi / (math.sqrt(vi) / math.sqrt(1 - b2 ** t) + eps)
                     for th, mi, vi in zip(theta, mom, vel)]
        out.append(theta)
    return out


def main():
    try:
        import torch
    except ImportError:
        print(f'torch_optimizer_values: skipped (torch is not installed for {sys.executable})')
        return 0
    print(f'// torch {torch.__version__}: theta after each of 3 steps from theta0, lr 0.1, gradients g1, g2, g3')
    print(f'// theta0 = {THETA0}')
    for k, g in enumerate(GRADS, 1):
        print(f'// g{k} = {g}')
    for name, what, make in optimizers(torch):
        p = torch.tensor(THETA0, dtype=torch.float64, requires_grad=True)
        opt = make(p)
        steps = []
        for g in GRADS:
            p.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
            steps.append(p.detach().clone())
        print(f'// {what}')
        print(f'const double {name}[3][2][3] = {{')
        for k, s in enumerate(steps, 1):
            rows = ', '.join('{' + ', '.join(repr(float(x)) for x in row) + '}' for row in s.tolist())
            print(f'    {{{rows}}},  // after step {k}')
        print('};')
        plain = spec_plain(name)
        for k, s in enumerate(steps):
            for i, x in enumerate(x for row in s.tolist() for x in row):
                if x != plain[k][i]:
                    print(f'//   differs from the spec in plain double (no FMA): after step {k + 1}, '
                          f'[{i // 3}][{i % 3}] = {plain[k][i]!r}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
