// exercises/gradient_check.hpp: the finite-difference checker of test_gradients.cpp (the card's
// checker, which a student reads first: the numerical derivative, the relative error, when a tensor
// passes, and the lesson's problems), extended to the exercises' networks: random networks of k
// hidden layers with any activations, both output layers, both reductions and dropout masks; real
// MNIST with ten classes; and the tiny problem the PyTorch references train. test_gradients.cpp
// proves the exercises' backward passes with them, and the grader's runner (exercises/runner.cpp) builds its
// problems with them.
#pragma once

#define TEST_GRADIENTS_NO_MAIN
#include "../test_gradients.cpp"  // the core: numerical_derivative(), check_tensor(), the lesson's problems
#include "network.hpp"

namespace gradient_check {

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
