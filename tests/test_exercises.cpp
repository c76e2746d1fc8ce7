// tests/test_exercises.cpp: the exercises' pieces on fixed inputs, against values from an
// independent source (PyTorch 1.13, float64: torch.softmax, cross_entropy, torch.optim), and the
// training step and epoch of exercises/deep_mlp.cpp against their formulas.
// (test_gradients proves the backward passes; this proves the rest: forward values, losses, the
// update rules with their state, and that train_step/train_epoch do what the spec says.)
#define DEEP_MLP_NO_MAIN
#include "exercises/deep_mlp.cpp"

#include <cstdio>

#include "tests/check.hpp"

namespace {


bool close(double a, double b, double rel = 1e-15) {
    return std::fabs(a - b) <= rel * std::max({std::fabs(a), std::fabs(b), 1e-300});
}

Matrix matrix(size_t rows, size_t cols, std::vector<double> values) {
    Matrix m(rows, cols);
    m.data.assign(values.begin(), values.end());
    return m;
}

// ---------------------------------------------------------------------------------------------
void test_output_layers() {
    // torch.softmax(z, 1) and cross_entropy(z, [2, 0], reduction='none') in float64.
    const Matrix z = matrix(2, 3, {1.0, 2.0, 3.0, -1000.0, 0.0, 1000.0});
    const Matrix y = SoftmaxCrossEntropy::forward(z);
    const double softmax[] = {0.09003057317038045, 0.2447284710547976, 0.6652409557748218, 0.0, 0.0, 1.0};
    for (size_t i = 0; i < 6; ++i)
        check(close(y.data[i], softmax[i]), "softmax element " + std::to_string(i) + " = " + python_float(softmax[i]) +
                                                " (got " + python_float(y.data[i]) + ")");
    const Matrix t = matrix(2, 3, {0, 0, 1, 1, 0, 0});  // labels 2 and 0, one-hot
    const double loss = SoftmaxCrossEntropy::loss_sum(y, z, t);
    check(close(loss, 0.4076059644443804 + 2000.0), "cross-entropy sum 2000.4076059644444 (got " + python_float(loss) + ")");
    const Matrix delta = SoftmaxCrossEntropy::backward(y, t);
    check(delta(0, 2) == y(0, 2) - 1.0 && delta(1, 0) == -1.0 && delta(0, 0) == y(0, 0),
          "softmax + cross-entropy delta = y - t");

    // binary_cross_entropy_with_logits(z, t, reduction='sum') on moderate logits.
    const Matrix z2 = matrix(3, 1, {0.5, -2.0, 3.0});
    const Matrix t2 = matrix(3, 1, {1.0, 0.0, 0.0});
    const double bce = SigmoidBce::loss_sum(SigmoidBce::forward(z2), z2, t2);
    check(close(bce, 3.649592346796821, 1e-14), "binary cross-entropy sum (got " + python_float(bce) + ")");

    // torch.tanh, torch.relu and the sigmoid on a few points.
    const Activation& tanh_ = *find_activation("tanh");
    check(close(tanh_.phi(0.5), 0.46211715726000974) && close(tanh_.phi(-2.0), -0.9640275800758169), "tanh values");
    const Activation& relu = *find_activation("relu");
    check(relu.phi(-0.5) == 0.0 && relu.phi(2.5) == 2.5 && relu.phi_prime(0.0, 0.0) == 0.0 &&
              relu.phi_prime(1e-300, 1e-300) == 1.0,
          "relu and its slope (0 at z = 0, as PyTorch)");
}

// ---------------------------------------------------------------------------------------------
// torch.optim on one 2 x 3 tensor, lr 0.1, three steps with fixed gradients: the values below are
// what exercises/torch_optimizer_values.py printed (PyTorch 1.13, float64). PyTorch fuses some of
// its multiply-adds (an FMA, one rounding instead of two); this code never does, so a few elements
// differ in the last bit: the check allows 2 units in the last place, while a wrong rule (Adam
// without its bias correction, Nesterov without its look-ahead) is off by percents.
const Matrix kStart = matrix(2, 3, {0.5, -1.5, 2.0, 0.0, 3.0, -0.25});
const std::vector<Matrix> kGradients = {matrix(2, 3, {1.0, -2.0, 0.5, 0.0, 4.0, -1.0}),
                                        matrix(2, 3, {-0.5, 1.0, 0.25, 2.0, -3.0, 0.0}),
                                        matrix(2, 3, {0.1, 0.1, -0.1, 1e-3, -1e-3, 5.0})};

struct TorchSteps {
    const char* name;
    OptimizerSettings settings;
    std::vector<std::vector<double>> after;  // the tensor after steps 1, 2, 3
};

const std::vector<TorchSteps>& torch_optimizer_steps() {
    static const std::vector<TorchSteps> steps = {
        {"SGD(lr=0.1)", {"gd", 0.1, 0.9, 0.9, 0.999, 1e-8},
         {{0.4, -1.3, 1.95, 0.0, 2.6, -0.15},
          {0.45, -1.4000000000000001, 1.925, -0.2, 2.9, -0.15},
          {0.44, -1.4100000000000001, 1.935, -0.2001, 2.9001, -0.65}}},
        {"SGD(lr=0.1, momentum=0.9)", {"momentum", 0.1, 0.9, 0.9, 0.999, 1e-8},
         {{0.4, -1.3, 1.95, 0.0, 2.6, -0.15},
          {0.36000000000000004, -1.22, 1.88, -0.2, 2.54, -0.059999999999999984},
          {0.31400000000000006, -1.158, 1.827, -0.3801, 2.4861, -0.479}}},
        {"SGD(lr=0.1, momentum=0.5)", {"momentum", 0.1, 0.5, 0.9, 0.999, 1e-8},
         {{0.4, -1.3, 1.95, 0.0, 2.6, -0.15},
          {0.4, -1.3, 1.9, -0.2, 2.7, -0.09999999999999999},
          {0.39, -1.31, 1.885, -0.30010000000000003, 2.7501, -0.5750000000000001}}},
        {"SGD(lr=0.1, momentum=0.9, nesterov=True)", {"nesterov", 0.1, 0.9, 0.9, 0.999, 1e-8},
         {{0.31, -1.12, 1.905, 0.0, 2.24, -0.06},
          {0.324, -1.1480000000000001, 1.817, -0.38, 2.486, 0.02100000000000001},
          {0.2726, -1.1022, 1.7792999999999999, -0.54219, 2.43759, -0.8561}}},
        {"Adam(lr=0.1)", {"adam", 0.1, 0.9, 0.9, 0.999, 1e-8},
         {{0.400000001, -1.4000000005, 1.900000002, 0.0, 2.90000000025, -0.150000001},
          {0.37336629737090316, -1.3733662967024316, 1.8067820404774624, -0.07441368183064559, 2.8910674995347354, -0.0829941765341887},
          {0.34716428529962406, -1.355655535059005, 1.7471109386505732, -0.13196762292884845, 2.884175437492419, -0.13548920752955212}}},
        {"Adam(lr=0.1, betas=(0.8, 0.99), eps=1e-6)", {"adam", 0.1, 0.9, 0.8, 0.99, 1e-6},
         {{0.4000000999999, -1.400000049999975, 1.9000001999996, 0.0, 2.9000000249999935, -0.1500000999999},
          {0.3788864219451791, -1.3788863585716236, 1.8085077110003867, -0.0783707001648495, 2.8968551158064906, -0.08698773107340965},
          {0.3572998438480686, -1.3667865426352153, 1.7558111164018568, -0.13519564431524256, 2.8945904752478295, -0.1474050769376462}}},
    };
    return steps;
}

void test_optimizers() {
    for (const TorchSteps& expected : torch_optimizer_steps()) {
        Matrix theta = kStart;
        Optimizer optimizer(expected.settings);
        for (size_t step = 0; step < kGradients.size(); ++step) {
            optimizer.step({&theta}, {&kGradients[step]});
            double worst = 0.0;
            for (size_t i = 0; i < theta.size(); ++i) {
                const double e = expected.after[step][i];
                worst = std::max(worst, std::fabs(theta.data[i] - e) / std::max(std::fabs(e), 1e-300));
            }
            check(worst <= 4.5e-16, std::string(expected.name) + ", step " + std::to_string(step + 1) +
                                        ": torch.optim's values (worst relative difference " + python_float(worst) + ")");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One step of deep_mlp's training equals the formula: theta - lr * gradient for every parameter,
// the gradient being backward()'s on the same batch; and an epoch of mini-batches is the spec's:
// a permutation from the run's random stream, batches p[0:B], p[B:2B], ..., the last one shorter.

struct TinyProblem {
    SparseMatrix X;
    Matrix t;
    Network net;
};

TinyProblem tiny_problem(size_t samples, int classes, uint32_t seed) {
    NumpyRandomState rng(seed);
    TinyProblem p;
    p.net = make_network(5, {4, 3}, {find_activation("tanh"), find_activation("relu")}, classes,
                         InitRule{InitRule::fixed, 0.5}, rng);
    Matrix x(samples, 5);
    for (double& v : x.data) v = rng.random_sample() < 0.3 ? 0.0 : rng.random_sample();
    p.X = SparseMatrix(x);
    p.t = Matrix(samples, p.net.outputs());
    for (size_t i = 0; i < samples; ++i)
        p.t(i, classes == 2 ? 0 : static_cast<size_t>(rng.random_sample() * classes)) =
            classes == 2 ? (rng.random_sample() < 0.5 ? 0.0 : 1.0) : 1.0;
    return p;
}

// theta <- theta - lr * grad for every parameter, after backward() on (X, t): eq. (5) by hand.
double step_by_hand(Network& net, const SparseMatrix& X, const Matrix& t, Reduction reduction, double lr) {
    const ForwardPass f = net.forward(X);
    net.backward(X, f, t, reduction);
    for (const Parameter& p : net.parameters())
        for (size_t i = 0; i < p.theta->size(); ++i) p.theta->data[i] = p.theta->data[i] - lr * p.grad->data[i];
    return net.loss_sum(f, t);
}

bool same_parameters(Network& a, Network& b) {
    const std::vector<Parameter> pa = a.parameters(), pb = b.parameters();
    for (size_t k = 0; k < pa.size(); ++k)
        if (pa[k].theta->data != pb[k].theta->data) return false;
    return pa.size() == pb.size();
}

void test_training_step() {
    for (int classes : {2, 3})
        for (Reduction reduction : {Reduction::sum, Reduction::mean}) {
            TinyProblem p = tiny_problem(7, classes, 11);
            Network by_hand = p.net;
            const double expected_loss = step_by_hand(by_hand, p.X, p.t, reduction, 0.05);
            OptimizerSettings gd;
            gd.lr = 0.05;
            Optimizer optimizer(gd);
            const double loss = deep_mlp::train_step(p.net, optimizer, p.X, p.t, reduction, 0, gd.lr, {});
            const std::string what = std::to_string(classes) + " classes, " +
                                     (reduction == Reduction::sum ? "sum" : "mean");
            check(same_parameters(p.net, by_hand), "one gd step = theta - lr * grad (" + what + ")");
            check(loss == expected_loss, "train_step returns the loss before the update (" + what + ")");
        }
}

void test_mini_batch_epoch() {
    TinyProblem p = tiny_problem(7, 3, 12);
    Network by_hand = p.net;
    deep_mlp::Options o;
    o.batch = 3;
    o.optimizer.lr = 0.05;
    o.reduction = Reduction::mean;
    NumpyRandomState rng(5), rng_by_hand(5);
    Optimizer optimizer(o.optimizer);
    const double loss = deep_mlp::train_epoch(p.net, optimizer, p.X, p.t, o, rng, 0, {});

    const std::vector<uint32_t> perm = rng_by_hand.permutation(7);  // batches p[0:3], p[3:6], p[6:7]
    double total = 0.0;
    for (size_t start = 0; start < 7; start += 3) {
        const size_t n = std::min<size_t>(3, 7 - start);
        const SparseMatrix X = p.X.select_rows(perm.data() + start, n);
        total += step_by_hand(by_hand, X, deep_mlp::select_rows(p.t, perm.data() + start, n), o.reduction, 0.05);
    }
    check(same_parameters(p.net, by_hand), "an epoch of batches of 3 over 7 samples = three steps on p[0:3], p[3:6], p[6:7]");
    check(loss == total / 7.0, "the epoch's loss = the sum of each batch's loss / N");
    check(rng.random_sample() == rng_by_hand.random_sample(), "the epoch drew exactly one permutation from the stream");
}

void test_select_rows() {
    Matrix x(6, 5);
    for (size_t i = 0; i < x.size(); ++i) x.data[i] = i % 3 == 0 ? 0.0 : 0.25 * static_cast<double>(i);
    const SparseMatrix s(x);
    const uint32_t picked[] = {4, 0, 4, 2};
    const Matrix dense = s.select_rows(picked, 4).to_dense();
    bool same = dense.rows == 4 && dense.cols == 5;
    for (size_t r = 0; r < 4 && same; ++r)
        for (size_t c = 0; c < 5; ++c) same = same && dense(r, c) == x(picked[r], c);
    check(same, "SparseMatrix::select_rows picks the rows it is given, in order, repeats included");
    Matrix b(6, 3, 0.5);
    b(1, 2) = -2.0;
    const Matrix sel = s.select_rows(picked, 4).to_dense();
    Matrix b4(4, 3, 0.5);
    check(matmul_AtB(s.select_rows(picked, 4), b4).data == matmul_AtB_naive(sel, b4).data,
          "A^T B on selected rows equals the naive product");
}

}  // namespace

int main() {
    test_output_layers();
    test_training_step();
    test_mini_batch_epoch();
    test_select_rows();
    test_optimizers();
    return report("test_exercises");
}
