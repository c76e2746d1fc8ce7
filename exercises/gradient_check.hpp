// exercises/gradient_check.hpp: the numerical gradient, and how far an analytic gradient is from it.
// (CS231n's assignments call theirs gradient_check.py.) Then the problems to check on: small random
// networks, the lesson's and the exercises', and real MNIST. test_gradients.cpp proves mlp.cpp's and
// the exercises' backward passes with them, and `make check` (exercises/grade.cpp) grades a student's.
//
// The derivative of a loss L with respect to one element theta is approximated by a central
// difference of fourth order,
//       dL/dtheta  ~  [8 (L(theta + h) - L(theta - h)) - (L(theta + 2h) - L(theta - 2h))] / (12 h)
//
// Why these numbers:
//  - The error of a difference quotient has two parts: truncation, which shrinks with h, and
//    rounding, about (noise in L) / h, which grows as h shrinks. The plain two-point difference
//    (L(theta+h) - L(theta-h)) / 2h truncates at h^2 L''' / 6; on the notes' 784x64 shape its best
//    step still left 1e-6 relative error (rounding in the 784-term sums of z_1 is the noise). The
//    four-point rule truncates at h^4, so h = 1e-3 keeps truncation near 1e-12 and divides the
//    rounding by a larger h: correct gradients land below 1e-7 on every problem here.
//  - Relative error |a - n| / max(|a|, |n|, floor), where floor = 1000 eps |L| / h (eps = 2.2e-16)
//    is the size below which the difference cannot resolve a derivative at all (an input pixel that
//    is 0 in every sample has a gradient of exactly 0: comparing such elements proves nothing, and
//    the floor keeps them from failing on rounding noise).
//  - Pass when the largest relative error is below 1e-6: ten times the worst correct case, while
//    every mistake test_gradients.cpp plants is off by 10% or more.
//  - A tensor whose gradients are all below 100 x floor fails: two zeros agreeing prove nothing.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "network.hpp"

namespace gradient_check {

constexpr double kStep = 1e-3;
constexpr double kMaxRelativeError = 1e-6;

// The four-point central difference of f at 0: f(offset) is the loss with theta moved by offset.
template <class F>
double numerical_derivative(F&& f, double h = kStep) {
    return (8 * (f(h) - f(-h)) - (f(2 * h) - f(-2 * h))) / (12 * h);
}

struct TensorCheck {
    std::string tensor;
    size_t checked = 0;
    double max_relative_error = 0.0;
    double max_gradient = 0.0;  // the largest |numerical gradient| seen
    bool all_near_zero = false;
    bool pass() const { return !all_near_zero && max_relative_error < kMaxRelativeError; }
};

// Which elements of a tensor of `size` to check: all of them, or `sample` spread at random.
inline std::vector<size_t> pick_elements(size_t size, size_t sample, uint32_t seed) {
    std::vector<size_t> idx;
    if (sample == 0 || sample >= size) {
        for (size_t i = 0; i < size; ++i) idx.push_back(i);
        return idx;
    }
    std::mt19937 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, size - 1);
    for (size_t i = 0; i < sample; ++i) idx.push_back(pick(rng));
    return idx;
}

// Compares `grad` with central differences of loss() as one element of theta after another moves.
// `floor` is the size below which a difference cannot resolve a derivative (see the top).
inline TensorCheck check_tensor(const std::string& name, Matrix& theta, const Matrix& grad,
                         const std::function<double()>& loss, double floor, size_t sample, uint32_t seed) {
    TensorCheck c;
    c.tensor = name;
    if (grad.rows != theta.rows || grad.cols != theta.cols) {
        c.max_relative_error = INFINITY;  // a missing gradient, or one of the wrong shape, is wrong
        return c;
    }
    for (size_t i : pick_elements(theta.size(), sample, seed)) {
        double& element = theta.data[i];
        const double saved = element;
        auto loss_at = [&](double offset) {
            element = saved + offset;
            return loss();
        };
        const double numeric = numerical_derivative(loss_at);
        element = saved;
        const double a = grad.data[i];
        const double scale = std::max({std::fabs(a), std::fabs(numeric), floor});
        c.max_relative_error = std::max(c.max_relative_error, std::fabs(a - numeric) / scale);
        c.max_gradient = std::max(c.max_gradient, std::fabs(numeric));
        ++c.checked;
    }
    c.all_near_zero = c.max_gradient < 100 * floor;
    return c;
}

inline double resolution_floor(double loss) { return 1000 * 2.22e-16 * std::max(1.0, std::fabs(loss)) / kStep; }

// =============================================================================================
// The problems to check on

// ---- The lesson's model (mlp.cpp's Params) ----
// The lesson's summed loss (2) at its parameters p.
inline double loss_sum(const Params& p, const SparseMatrix& y_0, const Matrix& y) {
    const Activations a = forward(p, y_0);
    return bce_loss_sum(a.y_2, a.z_2, y);
}

// Compares `analytic` with central differences of the summed loss, for each parameter tensor.
inline std::vector<TensorCheck> check_gradients(const Params& params, const SparseMatrix& y_0, const Matrix& y,
                                         const Gradients& analytic, size_t sample, uint32_t seed) {
    Params p = params;
    auto loss = [&] { return loss_sum(p, y_0, y); };
    const double floor = resolution_floor(loss());
    struct Pair { const char* name; Matrix* theta; const Matrix* grad; };
    const Pair pairs[] = {{"W_1", &p.W_1, &analytic.grad_W1}, {"b_1", &p.b_1, &analytic.grad_b1},
                          {"W_2", &p.W_2, &analytic.grad_W2}, {"b_2", &p.b_2, &analytic.grad_b2}};
    std::vector<TensorCheck> checks;
    for (const Pair& pair : pairs)
        checks.push_back(check_tensor(pair.name, *pair.theta, *pair.grad, loss, floor, sample, seed));
    return checks;
}

struct Problem {
    std::string name;
    Params params;
    SparseMatrix y_0;  // the inputs, as mlp.cpp keeps its images
    Matrix y;
};

// Random inputs in [0, 1) with a share of exact zeros (MNIST's background), random 0/1 targets,
// and the notes' initialisation. Column 0 is zero in every sample, like MNIST's corner pixels.
inline Problem synthetic_problem(size_t inputs, size_t hidden, size_t outputs, size_t samples,
                          double zero_share, uint32_t seed) {
    NumpyRandomState rng(seed);
    Problem pr;
    pr.params = init_params(inputs, hidden, outputs, seed);
    // Non-zero biases, so their gradients flow through a generic point, not only through zero.
    for (double& b : pr.params.b_1.data) b = 0.1 * rng.randn();
    for (double& b : pr.params.b_2.data) b = 0.1 * rng.randn();
    Matrix x(samples, inputs);
    for (size_t i = 0; i < samples; ++i)
        for (size_t j = 0; j < inputs; ++j) {
            const double u = rng.random_sample();
            x(i, j) = (j == 0 && zero_share > 0) || rng.random_sample() < zero_share ? 0.0 : u;
        }
    pr.y_0 = SparseMatrix(x);
    pr.y = Matrix(samples, outputs);
    for (double& t : pr.y.data) t = rng.random_sample() < 0.5 ? 0.0 : 1.0;
    char name[96];
    std::snprintf(name, sizeof name, "%zux%zux%zu, %zu samples, %.0f%% zeros, seed %u", inputs,
                  hidden, outputs, samples, 100 * zero_share, seed);
    pr.name = name;
    return pr;
}

// The notes' shape, 784 x 64 x 1, on the first `samples` training images of real MNIST when
// data/ has them, else on synthetic images with MNIST's share of zeros.
inline Problem notes_shape_problem(size_t samples) {
    const std::string dir = "data";
    if (!std::filesystem::exists(find_idx_file(dir, "train-images-idx3-ubyte"))) {
        std::printf("SKIPPED: data/ has no MNIST: the 784x64x1 check runs on synthetic images (run make data)\n");
        Problem pr = synthetic_problem(784, 64, 1, samples, 0.8, 7);
        pr.name = "784x64x1 synthetic, " + std::to_string(samples) + " samples";
        return pr;
    }
    const Split s = train_test_split(load_zeros_and_ones(dir));
    Problem pr;
    pr.params = init_params(784, 64, 1, 0);
    pr.y_0 = SparseMatrix(samples, 784, [&](size_t i, double* row) { s.X_train.dense_row(i, row); });
    pr.y = Matrix(samples, 1);
    std::copy(s.y_train.data.begin(), s.y_train.data.begin() + samples, pr.y.data.begin());
    pr.name = "784x64x1 real MNIST, " + std::to_string(samples) + " samples";
    return pr;
}


// ---- The exercises' networks (network.hpp) ----

struct NetProblem {
    std::string name;
    Network net;
    SparseMatrix y_0;
    Matrix y;  // the targets: a 0/1 column (two classes) or one-hot rows (softmax)
    Reduction reduction = Reduction::sum;
    DropoutMasks dropout;  // with P > 0, the masks of one training step, held fixed
    const DropoutMasks* masks() const { return dropout.P > 0 ? &dropout : nullptr; }
};

// The network's loss as the optimizer sees it: summed over the samples, or their mean.
inline double net_loss(const NetProblem& pr) {
    const double sum = pr.net.loss_sum(pr.net.forward(pr.y_0, pr.masks()), pr.y);
    return pr.reduction == Reduction::mean ? sum / static_cast<double>(pr.y.rows) : sum;
}

// Whether finite differences can check this problem: no hidden unit is 0 for every sample (a dead
// relu unit: nothing to check in the layers below it), and no z sits within a few steps h of 0,
// where relu's slope jumps and a difference quotient straddling the jump means nothing.
inline bool fit_for_differences(const NetProblem& pr) {
    const ForwardPass f = pr.net.forward(pr.y_0, pr.masks());
    for (size_t l = 1; l < f.K(); ++l) {  // the hidden layers
        for (double z : f.z[l].data)
            if (std::fabs(z) < 8 * kStep) return false;
        const Matrix& y = f.phi_of_z(l);
        for (size_t j = 0; j < y.cols; ++j) {
            bool alive = false;
            for (size_t i = 0; i < y.rows && !alive; ++i) alive = y(i, j) != 0.0;
            if (!alive) return false;
        }
    }
    return true;
}

// A seed of a problem's own, from a name: the same whatever else is checked, and in whatever order.
inline uint32_t seed_for(const std::string& name, uint32_t k = 0) {
    uint32_t h = 2166136261u;  // FNV-1a
    for (const char c : name) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    return h + k;
}

// One draw of net_problem().
inline NetProblem draw_net_problem(size_t inputs, const std::vector<size_t>& hidden, const std::vector<const Activation*>& phi,
                                   int classes, size_t samples, Reduction reduction, uint32_t seed, double dropout) {
    NumpyRandomState rng(seed);
    NetProblem pr;
    pr.net = make_network(inputs, hidden, phi, classes, InitRule{InitRule::fixed, 0.5}, rng);
    for (Layer& layer : pr.net.layers)
        for (double& b : layer.b.data) b = 0.1 * rng.randn();
    Matrix x(samples, inputs);
    for (double& v : x.data) v = rng.random_sample() < 0.3 ? 0.0 : rng.random_sample();
    pr.y_0 = SparseMatrix(x);
    pr.y = Matrix(samples, pr.net.outputs());
    for (size_t i = 0; i < samples; ++i) {
        const double u = rng.random_sample();
        if (classes == 2) pr.y(i, 0) = u < 0.5 ? 0.0 : 1.0;
        else pr.y(i, static_cast<size_t>(u * classes)) = 1.0;  // one-hot
    }
    pr.reduction = reduction;
    if (dropout > 0) pr.dropout = draw_dropout_masks(pr.net, samples, dropout, rng);
    pr.name = std::to_string(inputs);
    for (size_t l = 0; l < hidden.size(); ++l) pr.name += "-" + std::to_string(hidden[l]) + phi[l]->name;
    pr.name += "-" + std::to_string(pr.net.outputs()) + " " + pr.net.output->name +
               (reduction == Reduction::mean ? ", mean" : "") + (dropout > 0 ? ", dropout " + python_float(dropout) : "");
    return pr;
}

// A random network inputs -> hidden... -> (1 sigmoid output, or `classes` softmax outputs), with
// non-zero biases, inputs in [0, 1) with a share of zeros, and proper targets for the output; with
// dropout P > 0, one step's masks too. Drawn again (from the next seeds) until finite differences
// can check it.
inline NetProblem net_problem(size_t inputs, const std::vector<size_t>& hidden, const std::vector<const Activation*>& phi,
                              int classes, size_t samples, Reduction reduction, uint32_t seed, double dropout = 0) {
    for (uint32_t attempt = 0;; ++attempt) {
        NetProblem pr = draw_net_problem(inputs, hidden, phi, classes, samples, reduction, seed + 7919 * attempt, dropout);
        if (fit_for_differences(pr) || attempt == 200) return pr;
    }
}

// 784 -> 32 -> 16 -> 10 softmax on the first `samples` training images of all ten digits, when
// data/ has MNIST. Smooth activations only: relu's slope jumps at z = 0, and among 64 real images
// some unit always sits within a step h of its kink, where a difference quotient straddles the
// jump and means nothing (relu is checked on the small problems, whose points avoid the kink).
inline bool mnist_ten_class_problem(NetProblem& pr, size_t samples) {
    if (!std::filesystem::exists(find_idx_file("data", "train-images-idx3-ubyte"))) return false;
    const Split s = train_test_split(load_digits("data", 10));
    NumpyRandomState rng(3);
    const std::vector<const Activation*> phi = {find_activation("tanh"), find_activation("sigmoid")};
    pr.net = make_network(784, {32, 16}, phi, 10, InitRule{InitRule::he, 0}, rng);
    std::vector<uint32_t> first(samples);
    for (size_t i = 0; i < samples; ++i) first[i] = static_cast<uint32_t>(i);
    pr.y_0 = s.X_train.select_rows(first.data(), samples);
    pr.y = Matrix(samples, 10);
    for (size_t i = 0; i < samples; ++i) pr.y(i, static_cast<size_t>(s.y_train(i, 0))) = 1.0;
    pr.reduction = Reduction::mean;
    pr.name = "784-32tanh-16sigmoid-10 softmax, real MNIST, " + std::to_string(samples);
    return true;
}

// Checks every parameter of pr.net against the gradients `backward` left in it.
inline std::vector<TensorCheck> check_network(NetProblem& pr, size_t sample, uint32_t seed) {
    auto loss = [&] { return net_loss(pr); };
    const double floor = resolution_floor(loss());
    std::vector<TensorCheck> checks;
    for (const Parameter& p : pr.net.parameters())
        checks.push_back(check_tensor(p.name, *p.theta, *p.grad, loss, floor, sample, seed));
    return checks;
}

// ---- A tiny network, for the tests that compare a training step or epoch with PyTorch's ----

// exercises/reference/make_reference.py's tiny_problem(), draw for draw: 5 -> 4 -> 3 (tanh and relu,
// or the activations given) -> (1 sigmoid | `classes` softmax), W = 0.5 randn layer by layer, biases
// zero; inputs 0 where a draw is < 0.3, else a second draw; targets a 0/1 label (a draw < 0.5 gives
// 0) or a one-hot row at int(draw * classes). One RandomState(seed).
struct TinyProblem {
    SparseMatrix X;
    Matrix y;
    Network net;
};
inline TinyProblem tiny_problem(size_t samples, int classes, uint32_t seed, const char* phi_1 = "tanh",
                                const char* phi_2 = "relu") {
    NumpyRandomState rng(seed);
    TinyProblem p;
    p.net = make_network(5, {4, 3}, {find_activation(phi_1), find_activation(phi_2)}, classes,
                         InitRule{InitRule::fixed, 0.5}, rng);
    Matrix x(samples, 5);
    for (double& value : x.data) value = rng.random_sample() < 0.3 ? 0.0 : rng.random_sample();
    p.X = SparseMatrix(x);
    p.y = Matrix(samples, p.net.outputs());
    for (size_t i = 0; i < samples; ++i) {
        if (classes == 2) p.y(i, 0) = rng.random_sample() < 0.5 ? 0.0 : 1.0;
        else p.y(i, static_cast<size_t>(rng.random_sample() * classes)) = 1.0;
    }
    return p;
}

}  // namespace gradient_check
