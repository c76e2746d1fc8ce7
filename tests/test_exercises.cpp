// tests/test_exercises.cpp: the exercises' pieces on fixed inputs, against values the code under
// test did not compute: PyTorch's and numpy's (exercises/reference/torch_values.txt, written by
// exercises/reference/make_reference.py: torch.softmax, cross_entropy, torch.optim, ExponentialLR,
// a tiny network's step and epoch by autograd, numpy's random_sample masks), and numbers worked out
// by hand in the comments. test_gradients proves the backward passes; this proves the rest: forward
// values, losses, the update rules with their state, the training step and the mini-batch epoch.
#define DEEP_MLP_NO_MAIN
#include "exercises/deep_mlp.cpp"
#include "exercises/gradient_check.hpp"
#include "exercises/reference_values.hpp"

#include <cstdio>

#include "tests/check.hpp"

namespace {

const ReferenceValues& torch_values() {
    static const ReferenceValues values;
    return values;
}

bool close(double a, double b, double rel = 1e-15) {
    return std::fabs(a - b) <= rel * std::max({std::fabs(a), std::fabs(b), 1e-300});
}

// The largest relative difference between m and the expected values, element by element.
double worst_difference(const Matrix& m, const std::vector<double>& expected) {
    if (m.size() != expected.size()) return INFINITY;
    double worst = 0;
    for (size_t i = 0; i < m.size(); ++i)
        worst = std::max(worst, std::fabs(m.data[i] - expected[i]) / std::max(std::fabs(expected[i]), 1e-300));
    return worst;
}

Matrix matrix(size_t rows, size_t cols, const std::vector<double>& values) {
    Matrix m(rows, cols);
    m.data.assign(values.begin(), values.end());
    return m;
}

// ---------------------------------------------------------------------------------------------
void test_output_layers() {
    const ReferenceValues& v = torch_values();
    const Matrix z = matrix(2, 3, v["softmax.z"]);  // [[1, 2, 3], [-1000, 0, 1000]], labels 2 and 0
    const Matrix y_K = SoftmaxCrossEntropy::forward(z);
    check(worst_difference(y_K, v["softmax"]) <= 1e-15, "softmax = torch.softmax (worst relative difference " +
                                                            python_float(worst_difference(y_K, v["softmax"])) + ")");
    const Matrix y = matrix(2, 3, {0, 0, 1, 1, 0, 0});  // labels 2 and 0, one-hot
    const double loss = SoftmaxCrossEntropy::loss_sum(y_K, z, y);
    check(close(loss, v.one("cross_entropy")), "cross-entropy sum = torch's " + python_float(v.one("cross_entropy")) +
                                                   " (got " + python_float(loss) + ")");
    const Matrix delta = SoftmaxCrossEntropy::backward(y_K, y);
    const std::vector<double> expected_delta = {v["softmax"][0], v["softmax"][1], v["softmax"][2] - 1,
                                                v["softmax"][3] - 1, v["softmax"][4], v["softmax"][5]};
    check(worst_difference(delta, expected_delta) <= 1e-15, "softmax + cross-entropy delta = softmax - one-hot");
    // Ties go to the first index, as numpy's argmax; one output: the lesson's y >= 0.5.
    const double row[] = {0.1, 0.4, 0.4, 0.1}, one[] = {0.5}, below[] = {0.49999999999999994};
    check(SoftmaxCrossEntropy::predicted_class(row, 4) == 1, "the predicted class is the first largest output");
    check(SigmoidBce::predicted_class(one, 1) == 1 && SigmoidBce::predicted_class(below, 1) == 0,
          "two classes: 1 where y_K >= 0.5");

    const Matrix z2 = matrix(3, 1, v["bce.z"]);
    const Matrix y2 = matrix(3, 1, v["bce.y"]);
    const double bce = SigmoidBce::loss_sum(SigmoidBce::forward(z2), z2, y2);
    check(close(bce, v.one("bce"), 1e-14), "binary cross-entropy sum = torch's (got " + python_float(bce) + ")");

    // torch.tanh(0.5), torch.tanh(-2.0); relu and its slope (0 at z = 0, as PyTorch's).
    const Activation& tanh_ = *find_activation("tanh");
    check(close(tanh_.phi(0.5), 0.46211715726000974) && close(tanh_.phi(-2.0), -0.9640275800758169), "tanh values");
    const Activation& relu = *find_activation("relu");
    check(relu.phi(-0.5) == 0.0 && relu.phi(2.5) == 2.5 && relu.phi_prime(0.0, 0.0) == 0.0 &&
              relu.phi_prime(1e-300, 1e-300) == 1.0,
          "relu and its slope (0 at z = 0, as PyTorch)");
}

// ---------------------------------------------------------------------------------------------
// torch.optim on one 2 x 3 tensor, lr 0.1, three steps with fixed gradients. PyTorch fuses some of
// its multiply-adds (an FMA, one rounding instead of two); this code never does, so a few elements
// differ in the last bit: 2 units in the last place allowed (4 with weight decay, where torch fuses
// g + lambda theta too), while a wrong rule (Adam without its bias correction, Nesterov without its
// look-ahead, weight decay's sign) is off by percents.
void test_optimizers() {
    const ReferenceValues& v = torch_values();
    struct Config {
        const char* key;
        OptimizerSettings settings;
    };
    auto settings = [](const char* name, double m, double b1, double b2, double eps, double wd) {
        OptimizerSettings s;
        s.name = name, s.lr = 0.1, s.momentum = m, s.beta1 = b1, s.beta2 = b2, s.eps = eps, s.weight_decay = wd;
        return s;
    };
    const Config configs[] = {
        {"gd", settings("gd", 0.9, 0.9, 0.999, 1e-8, 0)},
        {"momentum_0.9", settings("momentum", 0.9, 0.9, 0.999, 1e-8, 0)},
        {"momentum_0.5", settings("momentum", 0.5, 0.9, 0.999, 1e-8, 0)},
        {"nesterov_0.9", settings("nesterov", 0.9, 0.9, 0.999, 1e-8, 0)},
        {"adam", settings("adam", 0.9, 0.9, 0.999, 1e-8, 0)},
        {"adam_0.8_0.99_1e-6", settings("adam", 0.9, 0.8, 0.99, 1e-6, 0)},
        {"gd_wd_0.1", settings("gd", 0.9, 0.9, 0.999, 1e-8, 0.1)},
        {"momentum_0.9_wd_0.1", settings("momentum", 0.9, 0.9, 0.999, 1e-8, 0.1)},
        {"nesterov_0.9_wd_0.1", settings("nesterov", 0.9, 0.9, 0.999, 1e-8, 0.1)},
        {"adam_wd_0.1", settings("adam", 0.9, 0.9, 0.999, 1e-8, 0.1)},
    };
    for (const Config& c : configs) {
        Matrix theta = matrix(2, 3, v["opt.theta0"]);
        Optimizer optimizer(c.settings);
        for (int step = 1; step <= 3; ++step) {
            const Matrix g = matrix(2, 3, v["opt.grad" + std::to_string(step)]);
            optimizer.step({&theta}, {&g});
            const std::string key = std::string("opt.") + c.key + ".step" + std::to_string(step);
            const double worst = worst_difference(theta, v[key]);
            check(worst <= (c.settings.weight_decay > 0 ? 9e-16 : 4.5e-16), key + ": torch.optim's values (worst relative difference " + python_float(worst) + ")");
        }
    }
    // ExponentialLR(gamma=0.9) from 0.1, five epochs: the same doubles, multiplication after multiplication.
    double lr = 0.1;
    const std::vector<double>& rates = v["exponential_lr"];
    bool same = true;
    for (double expected : rates) same = same && (lr = deep_mlp::decayed_lr(lr, 0.9)) == expected;
    check(same && rates.size() == 5, "--lr-decay 0.9: the rates of torch's ExponentialLR, epoch after epoch");
}

// ---------------------------------------------------------------------------------------------
// A tiny network's training step and epoch against PyTorch (autograd and torch.optim.SGD on the same
// network, data and permutation): gradient_check::tiny_problem() is make_reference.py's, draw for draw.
using gradient_check::tiny_problem;
using gradient_check::TinyProblem;

// The network's parameters against torch's, under `key`: the largest relative difference.
double worst_parameter_difference(Network& net, const std::string& key) {
    double worst = 0;
    for (const Parameter& p : net.parameters()) worst = std::max(worst, worst_difference(*p.theta, torch_values()[key + "." + p.name]));
    return worst;
}

void test_training_step() {
    for (int classes : {2, 3})
        for (Reduction reduction : {Reduction::sum, Reduction::mean}) {
            TinyProblem p = tiny_problem(7, classes, 11);
            deep_mlp::Options o;
            o.optimizer.lr = 0.05;
            o.reduction = reduction;
            Optimizer optimizer(o.optimizer);
            NumpyRandomState rng(0);
            deep_mlp::Training tr{p.net, optimizer, rng, o, {}, nullptr};
            const double loss = deep_mlp::train_step(tr, p.X, p.y);
            const std::string key = "tiny.step." + std::to_string(classes) + (reduction == Reduction::sum ? ".sum" : ".mean");
            const double worst = worst_parameter_difference(p.net, key);
            check(worst <= 1e-13, key + ": one gd step = PyTorch's (worst relative difference " + python_float(worst) + ")");
            check(close(loss, torch_values().one(key + ".loss"), 1e-14), key + ": train_step returns the loss before the update");
        }
}

void test_mini_batch_epoch() {
    TinyProblem p = tiny_problem(7, 3, 12);
    deep_mlp::Options o;
    o.batch = 3;
    o.optimizer.lr = 0.05;
    o.reduction = Reduction::mean;
    NumpyRandomState rng(5);
    Optimizer optimizer(o.optimizer);
    deep_mlp::Training tr{p.net, optimizer, rng, o, {}, nullptr};
    const double loss = deep_mlp::train_epoch(tr, p.X, p.y);
    const double worst = worst_parameter_difference(p.net, "tiny.epoch");
    check(worst <= 1e-13, "an epoch of batches of 3 over 7 samples = PyTorch's three steps on p[0:3], p[3:6], p[6:7] "
                          "(worst relative difference " + python_float(worst) + ")");
    check(close(loss, torch_values().one("tiny.epoch.loss"), 1e-14), "the epoch's loss = the sum of each batch's loss / N");
    check(rng.random_sample() == torch_values().one("tiny.epoch.next_draw"), "the epoch drew exactly one permutation from the stream");
    check(optimizer.steps() == 3, "three steps for three batches");
}

// ---------------------------------------------------------------------------------------------
void test_batches() {
    // A 6 x 5 matrix written out by hand: row r, column c holds 10 r + c, zero where c == r % 5.
    Matrix x(6, 5);
    for (size_t r = 0; r < 6; ++r)
        for (size_t c = 0; c < 5; ++c) x(r, c) = c == r % 5 ? 0.0 : static_cast<double>(10 * r + c);
    const SparseMatrix s(x);
    const uint32_t picked[] = {4, 0, 4, 2};
    const Matrix dense = s.select_rows(picked, 4).to_dense();
    const std::vector<double> expected = {40, 41, 42, 43, 0, 0, 1, 2, 3, 4, 40, 41, 42, 43, 0, 20, 21, 0, 23, 24};
    check(std::vector<double>(dense.data.begin(), dense.data.end()) == expected,
          "SparseMatrix::select_rows picks rows 4, 0, 4, 2 in that order, repeats included");
    const Matrix rows = select_rows(x, picked, 4);
    check(std::vector<double>(rows.data.begin(), rows.data.end()) == expected, "select_rows of a dense matrix: the same rows");
}

void test_dropout() {
    // The masks: numpy's RandomState(3).random_sample((3, 4)) >= 0.4, then (3, 2), for a 5-4-2-3 network.
    NumpyRandomState rng(3), init(0);
    const Network net = make_network(5, {4, 2}, {find_activation("relu"), find_activation("tanh")}, 10, InitRule{}, init);
    const DropoutMasks d = draw_dropout_masks(net, 3, 0.4, rng);
    check(d.keep.size() == 3 && d.keep[0].size() == 0 && worst_difference(d.keep[1], torch_values()["keep.1"]) == 0 &&
              worst_difference(d.keep[2], torch_values()["keep.2"]) == 0,
          "the dropout masks: numpy's random_sample >= P, layer after layer");
    // By hand: P = 0.25, so a kept value is divided by 0.75; 0.5 / 0.75 = 0.6666666666666666.
    const Matrix a = matrix(1, 3, {0.5, -2.0, 3.0}), keep = matrix(1, 3, {1, 0, 1});
    const Matrix y = dropout_forward(a, keep, 0.25);
    check(y(0, 0) == 0.6666666666666666 && y(0, 1) == 0.0 && y(0, 2) == 4.0, "dropout_forward: a * keep / (1 - P)");
    const Matrix g = dropout_backward(matrix(1, 3, {1.5, 7.0, -0.75}), keep, 0.25);
    check(g(0, 0) == 2.0 && g(0, 1) == 0.0 && g(0, 2) == -1.0, "dropout_backward: the same mask and the same 1 / (1 - P)");
}

// The targets and the initial weights, by hand: one-hot rows, and He's scale on numpy's first draws.
void test_targets_and_init() {
    Matrix labels(3, 1);
    labels.data.assign({7, 0, 9});
    const Matrix y = output_layer_for(10).targets(labels, 10);
    bool one_hot = y.rows == 3 && y.cols == 10;
    for (size_t i = 0; one_hot && i < 3; ++i)
        for (size_t c = 0; c < 10; ++c) one_hot = one_hot && y(i, c) == (c == static_cast<size_t>(labels(i, 0)) ? 1.0 : 0.0);
    check(one_hot, "ten classes: the targets are one-hot rows (7, 0, 9)");
    check(output_layer_for(2).targets(labels, 2).data == labels.data, "two classes: the target is the label itself");
    // numpy: RandomState(0).randn(3) = 1.764052345967664, 0.40015720836722329, 0.9787379841057392.
    NumpyRandomState rng(0);
    const Network he = make_network(784, {64}, {find_activation("relu")}, 10, InitRule{InitRule::he, 0}, rng);
    const double s = std::sqrt(2.0 / 784);
    check(he.layers[0].W(0, 0) == s * 1.764052345967664 && he.layers[0].W(0, 1) == s * 0.40015720836722329 &&
              he.layers[0].W(0, 2) == s * 0.9787379841057392,
          "--init he: W_1 = sqrt(2 / 784) randn, numpy's draws");
    NumpyRandomState rng2(0);
    const Network xavier = make_network(784, {64}, {find_activation("relu")}, 10, InitRule{InitRule::xavier, 0}, rng2);
    check(xavier.layers[0].W(0, 0) == std::sqrt(2.0 / (784 + 64)) * 1.764052345967664, "--init xavier: W_1 = sqrt(2 / (784 + 64)) randn");
}

}  // namespace

int main() {
    try {
        test_output_layers();
        test_training_step();
        test_mini_batch_epoch();
        test_batches();
        test_dropout();
        test_targets_and_init();
        test_optimizers();
    } catch (const std::exception& e) {
        check(false, std::string("an exception: ") + e.what());
    }
    return report("test_exercises");
}
