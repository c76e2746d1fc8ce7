// exercises/grading.hpp: what the grader's two programs share. `make check` grades with two
// processes, so that no line a student's code prints, and no code it runs, can speak for it:
//
//   exercises/runner   links the student's code. Asked for one check and a seed, it draws that
//                      check's inputs, calls the student's functions on them and writes their
//                      outputs, numbers only, to a file. It decides nothing.
//   exercises/judge    links none of the student's files (mlp.cpp, exercises/layers.hpp,
//                      network.hpp, optimizers.hpp, deep_mlp.cpp). It draws a fresh seed (SEED=
//                      repeats one), runs the runner once per check in a process of its own with a
//                      time limit, draws the same inputs, and computes what the outputs must be on
//                      its own: finite differences for every gradient, closed forms and properties
//                      for the update rules and schedules, the definitions for the rest, and the
//                      stored PyTorch and numpy runs as an extra check.
//
// Here: the exercises' functions (who owns each), the checks (what each grades and which other
// exercises' functions it calls), the inputs each check draws from its seed, the reference
// arithmetic both sides use to make inputs (a forward pass, to hand a backward pass its z and y),
// and the format of the runner's report. It includes only files a student does not edit.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "../idx_reader.hpp"
#include "../matrix.hpp"
#include "../numpy_random.hpp"

namespace grading {

// ---------------------------------------------------------------------------------------------
// The functions a student writes: their exercise, as exercises/exercises.def names it.

struct Function {
    const char* name;
    const char* exercise;
};

inline const std::vector<Function>& functions() {
    static const std::vector<Function> all = {
        {"phi_prime_from_output", "lesson"}, {"bce_sigmoid_backward", "lesson"}, {"linear_backward", "lesson"},
        {"backward", "lesson"},              {"gradient_descent_step", "lesson"},
        {"Network::forward", "a"},           {"Network::backward", "a"},
        {"phi'", "b"},
        {"Network::backward's mean reduction", "c"}, {"train_epoch", "c"},
        {"momentum_update", "d"},            {"nesterov_update", "d"},     {"adam_update", "d"},
        {"SoftmaxCrossEntropy::forward", "e"}, {"SoftmaxCrossEntropy::loss_sum", "e"},
        {"SoftmaxCrossEntropy::backward", "e"}, {"SoftmaxCrossEntropy::predicted_class", "e"},
        {"dropout_forward", "f"},            {"dropout_backward", "f"},    {"with_weight_decay", "f"},
        {"decayed_lr", "f"},
    };
    return all;
}

inline std::string exercise_of(const std::string& function) {
    for (const Function& f : functions())
        if (function == f.name) return f.exercise;
    return "";
}

// ---------------------------------------------------------------------------------------------
// The checks, in the order they are graded. `targets`: the functions the check grades (of its own
// exercise); `uses`: the functions of other exercises it calls, whose failure is reported as
// "needs (x) function" rather than blamed on this one. `seconds`: the time limit of its process.

struct Check {
    std::string id, exercise;
    std::string title_en, title_es;
    std::vector<std::string> targets, uses;
    double seconds = 10;
    bool stored = false;  // against stored PyTorch or numpy values (fixed inputs): an extra check
};

inline std::vector<Check> checks(const std::vector<std::string>& activation_names) {
    std::vector<Check> c = {
        {"lesson.phi_prime", "lesson", "phi_prime_from_output: eq. (6), phi'(z) from y = phi(z)",
         "phi_prime_from_output: ec. (6), phi'(z) a partir de y = phi(z)", {"phi_prime_from_output"}, {}},
        {"lesson.delta_2", "lesson", "bce_sigmoid_backward: eq. (3), delta_2 = dL/dz_2",
         "bce_sigmoid_backward: ec. (3), delta_2 = dL/dz_2", {"bce_sigmoid_backward"}, {}},
        {"lesson.linear_backward", "lesson", "linear_backward: eqs. (3), (4), grad_W = x^T delta, grad_b",
         "linear_backward: ecs. (3), (4), grad_W = x^T delta, grad_b", {"linear_backward"}, {}},
        {"lesson.backward", "lesson", "backward(): eqs. (3), (4) on small networks",
         "backward(): ecs. (3), (4) en redes pequeñas", {"backward"}, {}},
        {"lesson.backward_mnist", "lesson", "backward(): on 784 x 64 x 1, 256 real MNIST images",
         "backward(): en 784 x 64 x 1, 256 imágenes reales de MNIST", {"backward"}, {}, 30},
        {"lesson.step", "lesson", "gradient_descent_step: eq. (5) on every parameter",
         "gradient_descent_step: ec. (5) en cada parámetro", {"gradient_descent_step"}, {}},
        {"lesson.run", "lesson", "the lesson's run: 30 epochs on MNIST, seed 0, as the notes' numpy",
         "la corrida de la lección: 30 épocas en MNIST, semilla 0, como el numpy de las notas",
         {"backward", "gradient_descent_step"}, {}, 60, true},
        {"a.forward", "a", "Network::forward: z_l and y_l, k = 1, 2, 3", "Network::forward: z_l y y_l, k = 1, 2, 3",
         {"Network::forward"}, {}},
        {"a.forward_stored", "a", "Network::forward: against PyTorch, k = 1, 2, 3",
         "Network::forward: contra PyTorch, k = 1, 2, 3", {"Network::forward"}, {}, 10, true},
        {"a.backward", "a", "Network::backward: every W_l, b_l against finite differences, k = 1, 2, 3",
         "Network::backward: cada W_l, b_l contra diferencias finitas, k = 1, 2, 3", {"Network::backward"},
         {"phi_prime_from_output", "bce_sigmoid_backward", "linear_backward"}},
    };
    for (const std::string& act : activation_names) {
        if (act == "sigmoid") continue;  // its phi' is the lesson's
        c.push_back({"b.phi_prime:" + act, "b", act + "'s phi': the slope of phi", "phi' de " + act + ": la pendiente de phi",
                     {"phi'"}, {}});
        if (act == "relu")
            c.push_back({"b.relu_at_zero", "b", "relu's phi' at z = 0: 0, as PyTorch's", "phi' de relu en z = 0: 0, como en PyTorch",
                         {"phi'"}, {}});
        c.push_back({"b.activation_backward:" + act, "b", "activation_backward with " + act + ": dL/dz from a random dL/dy",
                     "activation_backward con " + act + ": dL/dz a partir de un dL/dy aleatorio", {"phi'"}, {}});
        c.push_back({"b.backward:" + act, "b", "Network::backward with " + act + " layers, k = 1, 2",
                     "Network::backward con capas " + act + ", k = 1, 2", {"phi'"},
                     {"Network::backward", "phi_prime_from_output", "bce_sigmoid_backward", "linear_backward"}});
    }
    const std::vector<Check> rest = {
        {"c.mean", "c", "the mean reduction: Network::backward under Reduction::mean",
         "el promedio: Network::backward con Reduction::mean", {"Network::backward's mean reduction"},
         {"Network::backward", "phi_prime_from_output", "bce_sigmoid_backward", "linear_backward"}},
        {"c.epoch", "c", "train_epoch: the batches of one epoch (a fresh permutation, every sample once)",
         "train_epoch: los minilotes de una época (una permutación nueva, cada muestra una vez)", {"train_epoch"},
         {"Network::forward", "Network::backward", "phi_prime_from_output", "bce_sigmoid_backward", "linear_backward"}},
        {"c.epoch_stored", "c", "train_epoch: batches of 3 over 7 samples against PyTorch",
         "train_epoch: minilotes de 3 sobre 7 muestras contra PyTorch", {"train_epoch", "Network::backward's mean reduction"},
         {"Network::forward", "Network::backward", "phi_prime_from_output", "bce_sigmoid_backward", "linear_backward"}, 10, true},
        {"d.momentum", "d", "momentum_update: SGD(momentum=m) on three tensors at once, closed form",
         "momentum_update: SGD(momentum=m) en tres tensores a la vez, forma cerrada", {"momentum_update"}, {}},
        {"d.nesterov", "d", "nesterov_update: SGD(momentum=m, nesterov=True) on three tensors, closed form",
         "nesterov_update: SGD(momentum=m, nesterov=True) en tres tensores, forma cerrada", {"nesterov_update"}, {}},
        {"d.adam", "d", "adam_update: Adam(lr, betas, eps) on three tensors, closed form",
         "adam_update: Adam(lr, betas, eps) en tres tensores, forma cerrada", {"adam_update"}, {}},
        {"d.stored:momentum", "d", "momentum_update: three steps against torch.optim", "momentum_update: tres pasos contra torch.optim",
         {"momentum_update"}, {}, 10, true},
        {"d.stored:nesterov", "d", "nesterov_update: three steps against torch.optim", "nesterov_update: tres pasos contra torch.optim",
         {"nesterov_update"}, {}, 10, true},
        {"d.stored:adam", "d", "adam_update: three steps against torch.optim, two settings",
         "adam_update: tres pasos contra torch.optim, dos configuraciones", {"adam_update"}, {}, 10, true},
        {"d.run:momentum", "d", "a run with momentum against PyTorch (momentum in exercises/reference/runs)",
         "una corrida con momento contra PyTorch (momentum en exercises/reference/runs)", {"momentum_update"},
         {"Network::forward", "Network::backward", "phi_prime_from_output", "bce_sigmoid_backward", "linear_backward", "train_epoch"},
         60, true},
        {"d.run:nesterov", "d", "a run with Nesterov against PyTorch (nesterov in exercises/reference/runs)",
         "una corrida con Nesterov contra PyTorch (nesterov en exercises/reference/runs)", {"nesterov_update"},
         {"Network::forward", "Network::backward", "phi_prime_from_output", "bce_sigmoid_backward", "linear_backward", "train_epoch"},
         60, true},
        {"e.softmax", "e", "SoftmaxCrossEntropy::forward: softmax, logits up to +-1000",
         "SoftmaxCrossEntropy::forward: softmax, logits hasta +-1000", {"SoftmaxCrossEntropy::forward"}, {}},
        {"e.loss", "e", "SoftmaxCrossEntropy::loss_sum: the summed cross-entropy",
         "SoftmaxCrossEntropy::loss_sum: la entropía cruzada sumada", {"SoftmaxCrossEntropy::loss_sum"}, {}},
        {"e.delta", "e", "SoftmaxCrossEntropy::backward: delta_K = dL/dz_K", "SoftmaxCrossEntropy::backward: delta_K = dL/dz_K",
         {"SoftmaxCrossEntropy::backward"}, {}},
        {"e.predicted_class", "e", "SoftmaxCrossEntropy::predicted_class: the first largest output",
         "SoftmaxCrossEntropy::predicted_class: la primera salida más grande", {"SoftmaxCrossEntropy::predicted_class"}, {}},
        {"e.backward", "e", "Network::backward with ten softmax outputs, k = 1, 2",
         "Network::backward con diez salidas softmax, k = 1, 2", {"SoftmaxCrossEntropy::backward"},
         {"Network::backward", "phi_prime_from_output", "linear_backward"}},
        {"e.run", "e", "a ten-class run against PyTorch (ten_class in exercises/reference/runs)",
         "una corrida de diez clases contra PyTorch (ten_class en exercises/reference/runs)",
         {"SoftmaxCrossEntropy::forward", "SoftmaxCrossEntropy::loss_sum", "SoftmaxCrossEntropy::backward",
          "SoftmaxCrossEntropy::predicted_class"},
         {"Network::forward", "Network::backward", "phi'", "linear_backward", "train_epoch", "Network::backward's mean reduction",
          "adam_update"}, 60, true},
        {"f.dropout_forward", "f", "dropout_forward: y = phi(z) keep / (1 - P)", "dropout_forward: y = phi(z) keep / (1 - P)",
         {"dropout_forward"}, {}},
        {"f.dropout_backward", "f", "dropout_backward: the same mask, the same 1 / (1 - P)",
         "dropout_backward: la misma máscara, el mismo 1 / (1 - P)", {"dropout_backward"}, {}},
        {"f.network", "f", "Network::forward and backward with dropout masks (masks held fixed)",
         "Network::forward y backward con máscaras de dropout (fijas)", {"dropout_forward", "dropout_backward"},
         {"Network::forward", "Network::backward", "phi_prime_from_output", "bce_sigmoid_backward", "linear_backward"}},
        {"f.weight_decay", "f", "with_weight_decay: the gradient of L + (lambda / 2) |theta|^2",
         "with_weight_decay: el gradiente de L + (lambda / 2) |theta|^2", {"with_weight_decay"}, {}},
        {"f.decay_gd", "f", "weight decay with gd on three tensors, closed form",
         "decaimiento de pesos con gd en tres tensores, forma cerrada", {"with_weight_decay"}, {}},
        {"f.stored:momentum", "f", "weight decay 0.1 with momentum: torch.optim's weight_decay",
         "decaimiento 0.1 con momento: el weight_decay de torch.optim", {"with_weight_decay"}, {"momentum_update"}, 10, true},
        {"f.stored:adam", "f", "weight decay 0.1 with adam: torch.optim's weight_decay",
         "decaimiento 0.1 con adam: el weight_decay de torch.optim", {"with_weight_decay"}, {"adam_update"}, 10, true},
        {"f.decayed_lr", "f", "decayed_lr: ExponentialLR(gamma), five epochs", "decayed_lr: ExponentialLR(gamma), cinco épocas",
         {"decayed_lr"}, {}},
        {"f.run", "f", "a ten-class run with all three against PyTorch (regularized in exercises/reference/runs)",
         "una corrida de diez clases con los tres contra PyTorch (regularized en exercises/reference/runs)",
         {"dropout_forward", "dropout_backward", "with_weight_decay", "decayed_lr"},
         {"Network::forward", "Network::backward", "phi'", "linear_backward", "train_epoch", "Network::backward's mean reduction",
          "adam_update", "SoftmaxCrossEntropy::forward", "SoftmaxCrossEntropy::loss_sum", "SoftmaxCrossEntropy::backward",
          "SoftmaxCrossEntropy::predicted_class"},
         60, true},
    };
    c.insert(c.end(), rest.begin(), rest.end());
    return c;
}

// ---------------------------------------------------------------------------------------------
// Seeds and draws

// A check's own seed from the run's: the same check gets the same inputs in the runner and the
// judge, and different checks different ones (FNV-1a of the check's id, mixed with the seed).
inline uint32_t check_seed(uint32_t run_seed, const std::string& id) {
    uint32_t h = 2166136261u ^ run_seed;
    for (const char c : id) h = (h ^ static_cast<uint8_t>(c)) * 16777619u;
    return h;
}

struct Draw {
    NumpyRandomState rng;
    explicit Draw(uint32_t seed) : rng(seed) {}
    double uniform(double lo, double hi) { return lo + (hi - lo) * rng.random_sample(); }
    // Each element uniform in [lo, hi), away from 0 by at least `gap` (relu's kink).
    Matrix matrix(size_t rows, size_t cols, double lo = -1, double hi = 1, double gap = 0) {
        Matrix m(rows, cols);
        for (double& v : m.data) {
            v = uniform(lo, hi);
            if (std::fabs(v) < gap) v += v < 0 ? -gap : gap;
        }
        return m;
    }
    // Inputs in [0, 1) with a share of exact zeros, as images have.
    Matrix inputs(size_t rows, size_t cols, double zeros = 0.3) {
        Matrix m(rows, cols);
        for (double& v : m.data) v = rng.random_sample() < zeros ? 0.0 : rng.random_sample();
        return m;
    }
    // Targets: a 0/1 column (two classes) or one-hot rows.
    Matrix targets(size_t rows, int classes) {
        Matrix y(rows, classes == 2 ? 1 : static_cast<size_t>(classes));
        for (size_t i = 0; i < rows; ++i) {
            const double u = rng.random_sample();
            if (classes == 2) y(i, 0) = u < 0.5 ? 0.0 : 1.0;
            else y(i, static_cast<size_t>(u * classes)) = 1.0;
        }
        return y;
    }
    Matrix mask(size_t rows, size_t cols, double P) {
        Matrix keep(rows, cols);
        for (double& v : keep.data) v = rng.random_sample() >= P ? 1.0 : 0.0;
        return keep;
    }
};

// ---------------------------------------------------------------------------------------------
// Reference arithmetic: the definitions, for making inputs (the z and y a backward pass is handed)
// and, in the judge, the losses whose finite differences every gradient is checked against.

namespace ref {

inline double phi(const std::string& act, double z) {
    if (act == "sigmoid") return 1.0 / (1.0 + std::exp(-z));
    if (act == "tanh") return std::tanh(z);
    if (act == "relu") return z > 0.0 ? z : 0.0;
    return NAN;  // an activation the grader does not know
}
inline bool knows(const std::string& act) { return act == "sigmoid" || act == "tanh" || act == "relu"; }

inline Matrix sigmoid(const Matrix& z) {
    Matrix y = z;
    for (double& v : y.data) v = phi("sigmoid", v);
    return y;
}
inline Matrix softmax_rows(const Matrix& z) {
    Matrix y = z;
    for (size_t i = 0; i < z.rows; ++i) {
        double m = -INFINITY, s = 0;
        for (size_t j = 0; j < z.cols; ++j) m = std::max(m, z(i, j));
        for (size_t j = 0; j < z.cols; ++j) s += y(i, j) = std::exp(z(i, j) - m);
        for (size_t j = 0; j < z.cols; ++j) y(i, j) /= s;
    }
    return y;
}
// Binary cross-entropy summed, from z (stable): -[y log phi(z) + (1 - y) log(1 - phi(z))].
inline double bce_sum(const Matrix& z, const Matrix& y) {
    double s = 0;
    for (size_t i = 0; i < z.size(); ++i) {
        const double v = z.data[i];
        const double log_p = -(std::max(-v, 0.0) + std::log1p(std::exp(-std::fabs(v))));
        const double log_q = -(std::max(v, 0.0) + std::log1p(std::exp(-std::fabs(v))));
        s -= y.data[i] * log_p + (1 - y.data[i]) * log_q;
    }
    return s;
}
// Cross-entropy summed: logsumexp(z_i) - z_i[label] for every row.
inline double ce_sum(const Matrix& z, const Matrix& y) {
    double s = 0;
    for (size_t i = 0; i < z.rows; ++i) {
        double m = -INFINITY, e = 0, z_label = 0;
        for (size_t j = 0; j < z.cols; ++j) m = std::max(m, z(i, j));
        for (size_t j = 0; j < z.cols; ++j) e += std::exp(z(i, j) - m), z_label += y(i, j) * z(i, j);
        s += m + std::log(e) - z_label;
    }
    return s;
}

// A network as plain numbers: layer l = 1 .. K has W[l - 1], b[l - 1]; hidden layers their
// activation by name; the output a sigmoid (two classes, one unit) or a softmax.
struct Net {
    std::vector<Matrix> W, b;
    std::vector<std::string> act;  // one per hidden layer
    int classes = 2;
    size_t K() const { return W.size(); }
};

// z[l] and y[l], l = 1 .. K (index 0 empty), with the masks keep[l] of hidden layers when P > 0.
struct Pass {
    std::vector<Matrix> z, y, phi_z;
};
inline Pass forward(const Net& net, const Matrix& x, const std::vector<Matrix>* keep = nullptr, double P = 0) {
    Pass f;
    f.z.resize(net.K() + 1), f.y.resize(net.K() + 1), f.phi_z.resize(net.K() + 1);
    for (size_t l = 1; l <= net.K(); ++l) {
        const Matrix& in = l == 1 ? x : f.y[l - 1];
        Matrix z = matmul_naive(in, net.W[l - 1]);
        for (size_t i = 0; i < z.rows; ++i)
            for (size_t j = 0; j < z.cols; ++j) z(i, j) += net.b[l - 1](0, j);
        f.z[l] = z;
        if (l == net.K()) {
            f.y[l] = net.classes == 2 ? sigmoid(z) : softmax_rows(z);
            continue;
        }
        Matrix y = z;
        for (double& v : y.data) v = phi(net.act[l - 1], v);
        f.phi_z[l] = y;
        if (keep)
            for (size_t i = 0; i < y.size(); ++i) y.data[i] = y.data[i] * (*keep)[l].data[i] / (1 - P);
        f.y[l] = y;
    }
    return f;
}
// The loss summed over the samples (or their mean), from z_K.
inline double loss(const Net& net, const Matrix& x, const Matrix& y, bool mean = false,
                   const std::vector<Matrix>* keep = nullptr, double P = 0) {
    const Pass f = forward(net, x, keep, P);
    const double s = net.classes == 2 ? bce_sum(f.z.back(), y) : ce_sum(f.z.back(), y);
    return mean ? s / static_cast<double>(y.rows) : s;
}

}  // namespace ref

// A random network: W = scale randn layer by layer, biases 0.1 randn; for relu, drawn again until
// no z of the samples x sits within 0.01 of the kink and no unit is dead (finite differences
// straddling a kink mean nothing).
inline ref::Net random_net(Draw& d, size_t inputs, const std::vector<size_t>& hidden, const std::vector<std::string>& act,
                           int classes, const Matrix& x, double scale = 0.5) {
    for (int attempt = 0;; ++attempt) {
        ref::Net net;
        net.act = act, net.classes = classes;
        size_t n_in = inputs;
        for (size_t l = 0; l <= hidden.size(); ++l) {
            const size_t n_out = l < hidden.size() ? hidden[l] : (classes == 2 ? 1 : static_cast<size_t>(classes));
            Matrix W(n_in, n_out), b(1, n_out);
            for (double& w : W.data) w = scale * d.rng.randn();
            for (double& v : b.data) v = 0.1 * d.rng.randn();
            net.W.push_back(W), net.b.push_back(b);
            n_in = n_out;
        }
        const ref::Pass f = ref::forward(net, x);
        bool fit = true;
        for (size_t l = 1; l < net.K() && fit; ++l)
            for (size_t j = 0; j < f.z[l].cols && fit; ++j) {
                bool alive = false;
                for (size_t i = 0; i < f.z[l].rows; ++i) {
                    if (std::fabs(f.z[l](i, j)) < 0.01) fit = false;
                    alive = alive || f.phi_z[l](i, j) != 0.0;
                }
                fit = fit && alive;
            }
        if (fit || attempt == 200) return net;
    }
}

// Labels and pixels of MNIST's training images of the digits 0 and 1, read from data/ (the
// judge and the runner each read them: the same images).
struct Mnist01 {
    std::vector<std::vector<double>> images;  // pixels / 255
    std::vector<int> labels;
};
inline Mnist01 mnist_zeros_and_ones(const std::string& dir = "data") {
    const IdxImages images = read_idx_images(find_idx_file(dir, "train-images-idx3-ubyte"));
    const std::vector<uint8_t> labels = read_idx_labels(find_idx_file(dir, "train-labels-idx1-ubyte"));
    Mnist01 m;
    const size_t pixels = size_t(images.rows) * images.cols;
    for (size_t i = 0; i < labels.size() && i < images.count; ++i) {
        if (labels[i] > 1) continue;
        std::vector<double> x(pixels);
        for (size_t k = 0; k < pixels; ++k) x[k] = images.pixels[i * pixels + k] / 255.0;
        m.images.push_back(std::move(x));
        m.labels.push_back(labels[i]);
    }
    return m;
}

// ---------------------------------------------------------------------------------------------
// The inputs of each check, drawn from its seed: the runner hands them to the student's functions,
// the judge works out what must come back. (The stored checks read theirs from
// exercises/reference/ instead.)

namespace inputs {

inline std::vector<double> values(Draw& d, size_t n, double lo, double hi, double gap = 0) {
    const Matrix m = d.matrix(1, n, lo, hi, gap);
    return {m.data.begin(), m.data.end()};
}

// lesson.delta_2: z_2 (6, 1) and labels with both classes.
struct Delta2 { Matrix z, y; };
inline Delta2 delta_2(uint32_t seed) {
    Draw d(seed);
    Delta2 in{d.matrix(6, 1, -3, 3), Matrix(6, 1)};
    for (size_t i = 0; i < 6; ++i) in.y(i, 0) = (i + (d.rng.random_sample() < 0.5)) % 2;
    return in;
}

// lesson.linear_backward: x (5, 4), W (4, 3), b (1, 3) and an upstream dL/dz (5, 3).
struct Linear { Matrix x, W, b, upstream; };
inline Linear linear(uint32_t seed) {
    Draw d(seed);
    Linear in;
    in.x = d.matrix(5, 4), in.W = d.matrix(4, 3), in.b = d.matrix(1, 3), in.upstream = d.matrix(5, 3);
    return in;
}

// A network problem: the network, its inputs x, targets y, and the forward pass the backward pass
// is handed (computed here, so that a backward pass is checked whatever the forward pass does).
struct NetProblem {
    ref::Net net;
    Matrix x, y;
    bool mean = false;
    std::vector<Matrix> keep;  // dropout masks, keep[l] for hidden l (empty: none)
    double P = 0;
    ref::Pass pass;
};
inline NetProblem net_problem(Draw& d, size_t inputs, const std::vector<size_t>& hidden, const std::vector<std::string>& act,
                              int classes, size_t samples, bool mean = false, double P = 0) {
    NetProblem p;
    p.x = d.inputs(samples, inputs);
    p.net = random_net(d, inputs, hidden, act, classes, p.x);
    p.y = d.targets(samples, classes);
    p.mean = mean, p.P = P;
    if (P > 0) {
        p.keep.resize(hidden.size() + 1);
        for (size_t l = 1; l <= hidden.size(); ++l) p.keep[l] = d.mask(samples, hidden[l - 1], P);
    }
    p.pass = ref::forward(p.net, p.x, P > 0 ? &p.keep : nullptr, P);
    return p;
}

// lesson.backward: the lesson's networks (one sigmoid hidden layer, sigmoid outputs, summed BCE).
inline std::vector<NetProblem> lesson_problems(uint32_t seed) {
    Draw d(seed);
    std::vector<NetProblem> all;
    const struct { size_t in, hid, out, n; } shapes[] = {{5, 3, 1, 7}, {8, 5, 1, 3}, {3, 4, 2, 6}};
    for (const auto& s : shapes) {
        NetProblem p = net_problem(d, s.in, {s.hid}, {"sigmoid"}, 2, s.n);
        if (s.out != 1) {  // two sigmoid outputs, each with its own 0/1 target
            Matrix W(s.hid, s.out), b(1, s.out), y(s.n, s.out);
            for (double& w : W.data) w = 0.5 * d.rng.randn();
            for (double& v : b.data) v = 0.1 * d.rng.randn();
            for (double& v : y.data) v = d.rng.random_sample() < 0.5 ? 0.0 : 1.0;
            p.net.W[1] = W, p.net.b[1] = b, p.y = y;
            p.pass = ref::forward(p.net, p.x);
        }
        all.push_back(p);
    }
    return all;
}

// lesson.backward_mnist: 784 -> 64 -> 1 with the notes' initialisation scale, on 256 training
// images of the digits 0 and 1 picked at random.
inline NetProblem lesson_mnist(uint32_t seed, const Mnist01& mnist) {
    Draw d(seed);
    NetProblem p;
    const size_t n = 256;
    p.x = Matrix(n, 784), p.y = Matrix(n, 1);
    for (size_t i = 0; i < n; ++i) {
        const size_t pick = static_cast<size_t>(d.rng.random_sample() * static_cast<double>(mnist.labels.size()));
        std::copy(mnist.images[pick].begin(), mnist.images[pick].end(), p.x.row(i));
        p.y(i, 0) = mnist.labels[pick];
    }
    p.net.act = {"sigmoid"}, p.net.classes = 2;
    for (const auto& shape : {std::pair<size_t, size_t>{784, 64}, {64, 1}}) {
        Matrix W(shape.first, shape.second), b(1, shape.second);
        for (double& w : W.data) w = 0.1 * d.rng.randn();
        for (double& v : b.data) v = 0.1 * d.rng.randn();
        p.net.W.push_back(W), p.net.b.push_back(b);
    }
    p.pass = ref::forward(p.net, p.x);
    return p;
}

// Parameters and their gradients (the lesson's step, the optimizers): `count` tensors of the
// shapes given, values in [-2, 2]; gradients in [-1, 1], at least 0.05 from 0.
struct Tensors { std::vector<Matrix> theta, grad; };
inline Tensors tensors(Draw& d, const std::vector<std::pair<size_t, size_t>>& shapes) {
    Tensors t;
    for (const auto& s : shapes) t.theta.push_back(d.matrix(s.first, s.second, -2, 2)), t.grad.push_back(d.matrix(s.first, s.second, -1, 1, 0.05));
    return t;
}

// An optimizer's settings, drawn: lr, m, b1, b2, eps, and the number of steps.
struct Settings { double lr, m, b1, b2, eps, lambda; int steps; };
inline Settings settings(Draw& d) {
    Settings s;
    s.lr = d.uniform(0.01, 0.2), s.m = d.uniform(0.3, 0.95), s.b1 = d.uniform(0.5, 0.95), s.b2 = d.uniform(0.9, 0.999);
    s.eps = d.uniform(1e-8, 1e-6), s.lambda = d.uniform(0.01, 0.3), s.steps = 4;
    return s;
}
inline const std::vector<std::pair<size_t, size_t>>& optimizer_shapes() {
    static const std::vector<std::pair<size_t, size_t>> shapes = {{2, 3}, {1, 4}, {3, 1}};
    return shapes;
}

// c.epoch: a tiny network 5 -> 4 -> 3 -> 1 (sigmoid), N samples in batches of B (B does not
// divide N: the last batch is shorter), gd with the rate lr, and the seed of the run's random
// stream, from which train_epoch draws its permutation.
struct Epoch {
    NetProblem problem;
    size_t batch;
    double lr;
    uint32_t stream_seed;
};
inline Epoch epoch(uint32_t seed) {
    Draw d(seed);
    const size_t N = 7 + static_cast<size_t>(d.rng.random_sample() * 5);  // 7 .. 11
    size_t B = 2 + static_cast<size_t>(d.rng.random_sample() * 3);        // 2 .. 4
    if (N % B == 0) ++B;
    Epoch e{net_problem(d, 5, {4, 3}, {"sigmoid", "sigmoid"}, 2, N, true), B, d.uniform(0.05, 0.5), 0};
    e.stream_seed = static_cast<uint32_t>(d.rng.random_sample() * 4294967295.0);
    return e;
}

// e.softmax, e.loss, e.delta: logits (4, C) and one-hot targets; the last row of the first two
// holds logits as large as +-1000.
struct Logits { Matrix z, y; };
inline Logits logits(uint32_t seed, size_t classes, bool huge) {
    Draw d(seed);
    Logits in{d.matrix(4, classes, -5, 5), d.targets(4, static_cast<int>(classes))};
    if (huge) in.z(3, 0) = -1000, in.z(3, 1) = 0, in.z(3, 2) = 1000;
    return in;
}

// e.predicted_class: rows of 4 outputs, one with a tie for the largest, one all equal.
inline Matrix output_rows(uint32_t seed) {
    Draw d(seed);
    Matrix rows = d.matrix(5, 4, 0, 1);
    const size_t first = static_cast<size_t>(d.rng.random_sample() * 3);
    rows(1, first) = rows(1, first + 1) = 2.0;  // a tie: the first of the two
    for (size_t j = 0; j < 4; ++j) rows(2, j) = 0.25;
    return rows;
}

// f.dropout_forward, f.dropout_backward: phi(z) or an upstream dL/dy (3, 4), a mask with both
// values, and P.
struct Dropout { Matrix a, upstream, keep; double P; };
inline Dropout dropout(uint32_t seed) {
    Draw d(seed);
    Dropout in{d.matrix(3, 4), d.matrix(3, 4), Matrix(), d.uniform(0.2, 0.6)};
    in.keep = d.mask(3, 4, in.P);
    in.keep(0, 0) = 1, in.keep(0, 1) = 0;
    return in;
}

}  // namespace inputs

// ---------------------------------------------------------------------------------------------
// The runner's report: one line each, `key count v1 ... vcount` (numbers as %.17g), or
// `calling FUNCTION` (the student's function the runner is about to call: an endless loop or a
// crash is reported in it), `not_implemented EXERCISE WHAT` (a stub), `threw MESSAGE`, `done`.

class Report {
public:
    explicit Report(const std::string& path) : out_(std::fopen(path.c_str(), "w")) {}
    ~Report() {
        if (out_) std::fclose(out_);
    }
    Report(const Report&) = delete;
    Report& operator=(const Report&) = delete;
    bool ok() const { return out_ != nullptr; }
    void numbers(const std::string& key, const std::vector<double>& values) {
        std::fprintf(out_, "%s %zu", key.c_str(), values.size());
        for (double v : values) std::fprintf(out_, " %.17g", v);
        std::fprintf(out_, "\n");
        std::fflush(out_);
    }
    void matrix(const std::string& key, const Matrix& m) { numbers(key, {m.data.begin(), m.data.end()}); }
    void number(const std::string& key, double v) { numbers(key, {v}); }
    void line(const std::string& text) {
        std::fprintf(out_, "%s\n", text.c_str());
        std::fflush(out_);
    }

private:
    std::FILE* out_;
};

// What the judge reads back.
struct Outputs {
    std::map<std::string, std::vector<double>> values;
    std::vector<std::string> calling;  // in order
    std::string not_implemented_exercise, not_implemented_what, threw;
    bool done = false;

    bool has(const std::string& key) const { return values.count(key) != 0; }
    const std::vector<double>& operator[](const std::string& key) const {
        static const std::vector<double> none;
        const auto it = values.find(key);
        return it == values.end() ? none : it->second;
    }
    // The matrix under `key` in the shape of `like` (an empty one when absent or of another size).
    Matrix as(const std::string& key, size_t rows, size_t cols) const {
        const std::vector<double>& v = (*this)[key];
        Matrix m;
        if (v.size() != rows * cols) return m;
        m = Matrix(rows, cols);
        m.data.assign(v.begin(), v.end());
        return m;
    }
};

inline Outputs read_outputs(const std::string& path) {
    Outputs o;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key;
        words >> key;
        if (key == "calling") {
            std::string rest;
            std::getline(words, rest);
            o.calling.push_back(rest.empty() ? rest : rest.substr(1));
        } else if (key == "not_implemented") {
            words >> o.not_implemented_exercise;
            std::getline(words, o.not_implemented_what);
            if (!o.not_implemented_what.empty()) o.not_implemented_what.erase(0, 1);
        } else if (key == "threw") {
            std::getline(words, o.threw);
            if (!o.threw.empty()) o.threw.erase(0, 1);
        } else if (key == "done") {
            o.done = true;
        } else {
            size_t n = 0;
            if (!(words >> n) || n > (1u << 26)) continue;
            std::vector<double>& v = o.values[key];
            std::string number;
            for (size_t i = 0; i < n && words >> number; ++i) v.push_back(std::strtod(number.c_str(), nullptr));
            if (v.size() != n) o.values.erase(key);  // a line cut short is no report
        }
    }
    return o;
}

}  // namespace grading
