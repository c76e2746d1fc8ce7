// test_gradients.cpp: proves mlp.cpp's backpropagation with finite differences.
//
// For every parameter theta of the model, the derivative of the summed loss (2) is approximated by
// a central difference and compared with what mlp.cpp's backward() (eqs. 3 and 4) returns. It
// checks mlp.cpp's own code: this file includes mlp.cpp (whose main() hides behind MLP_NO_MAIN) and
// calls its forward(), bce_loss_sum() and backward(). After you change the model (an exercise: more
// layers, another activation), run `make test`; a wrong derivative shows up here as FAIL.
//
// The checker also proves itself: it is fed gradients with the mistakes students make, and each
// must come out as FAIL. A checker that cannot fail proves nothing.
//
// Read it in this order: 1. the finite-difference core (the numerical derivative, the relative
// error, when a tensor passes); 2. the lesson's problems to check on; 3. the planted mistakes and the
// checks themselves, main(). The exercises' networks (exercises/gradient_check.hpp) extend 1 and 2,
// and the grader (`make check`) uses them too: it includes this file with TEST_GRADIENTS_NO_MAIN (and
// its judge, which must not compile the lesson, with TEST_GRADIENTS_CORE_ONLY: part 1 alone).
#ifndef TEST_GRADIENTS_CORE
#define TEST_GRADIENTS_CORE
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "matrix.hpp"

// =============================================================================================
// 1. The finite-difference core
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
//  - Relative error |a - n| / max(|a|, |n|, s). floor = 1000 eps |L| / h (eps = 2.2e-16) is the
//    size below which the difference cannot resolve a derivative at all (an input pixel that is 0
//    in every sample has a gradient of exactly 0: comparing such elements proves nothing). The
//    difference's own error is the loss's rounding divided by h, a few eps |L| / h whatever the
//    element's size, so a small element is measured at the size s that this error is a millionth
//    of: an error below a tenth of the floor (100 eps |L| / h) always passes (kRoundingShare; the
//    grader, whose networks are drawn afresh every run, met a correct 8.7107362e-8 that differences
//    gave as 8.7107136e-8, off by 0.3 eps |L| / h), and so does one below a ten-thousandth of the
//    tensor's largest gradient (kTensorScale: a correct 5.3e-8 that differences gave to 5e-6).
//  - Pass when the largest relative error is below 1e-6: ten times the worst correct case, while
//    every mistake test_gradients.cpp plants is off by 10% or more.
//  - A tensor whose gradients are all below 100 x floor fails: two zeros agreeing prove nothing.

namespace gradient_check {

constexpr double kStep = 1e-3;
constexpr double kMaxRelativeError = 1e-6;
constexpr double kTensorScale = 1e-4;
constexpr double kRoundingShare = 0.1;

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
    std::vector<std::pair<double, double>> pairs;  // (backprop's, the difference's), element by element
    for (size_t i : pick_elements(theta.size(), sample, seed)) {
        double& element = theta.data[i];
        const double saved = element;
        auto loss_at = [&](double offset) {
            element = saved + offset;
            return loss();
        };
        pairs.push_back({grad.data[i], numerical_derivative(loss_at)});
        element = saved;
        c.max_gradient = std::max(c.max_gradient, std::fabs(pairs.back().second));
        ++c.checked;
    }
    for (const auto& [a, numeric] : pairs) {
        const double scale = std::max({std::fabs(a), std::fabs(numeric), kRoundingShare * floor / kMaxRelativeError,
                                       kTensorScale * c.max_gradient});
        c.max_relative_error = std::max(c.max_relative_error, std::fabs(a - numeric) / scale);
    }
    c.all_near_zero = c.max_gradient < 100 * floor;
    return c;
}

inline double resolution_floor(double loss) { return 1000 * 2.22e-16 * std::max(1.0, std::fabs(loss)) / kStep; }
}  // namespace gradient_check

#ifndef TEST_GRADIENTS_CORE_ONLY
#define MLP_NO_MAIN
#include "mlp.cpp"

namespace gradient_check {
// =============================================================================================
// 2. The problems to check on

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


}  // namespace gradient_check
#endif  // TEST_GRADIENTS_CORE_ONLY
#endif  // TEST_GRADIENTS_CORE

#ifndef TEST_GRADIENTS_NO_MAIN
// BEGIN REPOSITORY ONLY
// =============================================================================================
// 3. The planted mistakes, and the checks
#include "exercises/gradient_check.hpp"  // the exercises' networks, checked below the lesson's
#include "exercises/optimizers.hpp"      // weight decay

namespace {

using namespace gradient_check;

// ---------------------------------------------------------------------------------------------
// The mistakes students make, built from mlp.cpp's own pieces with one thing wrong each.

struct Mistake {
    const char* name;
    std::function<Gradients(const Params&, const SparseMatrix&, const Activations&, const Matrix&)> backward;
};

// Backprop as in mlp.cpp but with delta_1 computed by `hidden_delta`.
Gradients backward_with_delta_1(const SparseMatrix& y_0, const Activations& a,
                                const Matrix& y,
                                const std::function<Matrix(const Matrix&)>& hidden_delta) {
    Gradients g;
    const Matrix delta_2 = bce_sigmoid_backward(a.y_2, y);
    linear_backward(a.y_1, delta_2, g.grad_W2, g.grad_b2);
    linear_backward(y_0, hidden_delta(delta_2), g.grad_W1, g.grad_b1);
    return g;
}

Gradients scaled(Gradients g, double factor) {
    for (Matrix* m : {&g.grad_W1, &g.grad_b1, &g.grad_W2, &g.grad_b2})
        for (double& v : m->data) v *= factor;
    return g;
}

const std::vector<Mistake>& student_mistakes() {
    static const std::vector<Mistake> mistakes = {
        {"phi'(z_1) factor dropped",
         [](const Params& p, const SparseMatrix& y_0, const Activations& a, const Matrix& y) {
             return backward_with_delta_1(y_0, a, y, [&](const Matrix& delta_2) {
                 return matmul_ABt(delta_2, p.W_2);  // no * y_1 (1 - y_1)
             });
         }},
        {"W_2 where W_2^T belongs",
         [](const Params& p, const SparseMatrix& y_0, const Activations& a, const Matrix& y) {
             return backward_with_delta_1(y_0, a, y, [&](const Matrix& delta_2) {
                 return hadamard(matmul(delta_2, p.W_2), sigmoid_prime(a.y_1));  // delta_2 W_2, not W_2^T
             });
         }},
        {"one scalar bias gradient (np.sum(delta_1)[0])",
         [](const Params& p, const SparseMatrix& y_0, const Activations& a, const Matrix& y) {
             Gradients g = backward(p, y_0, a, y);
             for (double& b : g.grad_b1.data) b = g.grad_b1(0, 0);  // unit 0's sum for every unit
             return g;
         }},
        {"mean over samples, not the sum",
         [](const Params& p, const SparseMatrix& y_0, const Activations& a, const Matrix& y) {
             return scaled(backward(p, y_0, a, y), 1.0 / static_cast<double>(y.rows));
         }},
        {"sign flipped",
         [](const Params& p, const SparseMatrix& y_0, const Activations& a, const Matrix& y) {
             return scaled(backward(p, y_0, a, y), -1.0);
         }},
    };
    return mistakes;
}

// ---------------------------------------------------------------------------------------------

int failures = 0;

void print_header() {
    std::printf("%-56s %-6s %8s %13s %12s  %s\n", "problem", "tensor", "checked", "max rel err",
                "max |grad|", "verdict");
}

// Checks mlp.cpp's backward() on `pr`; every tensor must pass.
void expect_correct(const Problem& pr, size_t sample, uint32_t seed) {
    const Activations a = forward(pr.params, pr.y_0);
    const Gradients g = backward(pr.params, pr.y_0, a, pr.y);
    for (const TensorCheck& c : check_gradients(pr.params, pr.y_0, pr.y, g, sample, seed)) {
        const bool ok = c.pass();
        failures += !ok;
        std::printf("%-56s %-6s %8zu %13.2e %12.3e  %s\n", pr.name.c_str(), c.tensor.c_str(),
                    c.checked, c.max_relative_error, c.max_gradient,
                    ok ? "ok" : c.all_near_zero ? "FAIL (all near zero: proves nothing)" : "FAIL");
    }
}

// Feeds the checker a wrong backward pass; the checker must call at least one tensor wrong.
void expect_caught(const Problem& pr, const Mistake& m, size_t sample) {
    const Activations a = forward(pr.params, pr.y_0);
    const Gradients g = m.backward(pr.params, pr.y_0, a, pr.y);
    std::string failed;
    double worst = 0.0;
    for (const TensorCheck& c : check_gradients(pr.params, pr.y_0, pr.y, g, sample, 11)) {
        if (!c.pass()) failed += (failed.empty() ? "" : ",") + c.tensor;
        worst = std::max(worst, c.max_relative_error);
    }
    const bool caught = !failed.empty();
    failures += !caught;
    std::printf("  planted: %-44s on %-40s %s\n", m.name, pr.name.c_str(),
                caught ? ("caught (" + failed + " wrong, max rel err " + python_float(worst) + ")").c_str()
                       : "NOT CAUGHT: the checker passed a wrong gradient");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// The exercises: exercises/network.hpp's forward() and backward() for k hidden layers, every
// registered activation, both output layers, both reductions, and dropout; weight decay. The
// checks walk over activations() and Network::parameters(), so a new activation or layer is checked
// as soon as it is registered, and a parameter whose gradient backward() leaves empty fails. Each
// problem draws from a seed of its own (seed_for(its name)), so that registering one more
// activation changes no other problem.

void print_network_checks(const NetProblem& pr, const std::vector<TensorCheck>& checks) {
    for (const TensorCheck& c : checks) {
        const bool ok = c.pass();
        failures += !ok;
        std::printf("%-56s %-6s %8zu %13.2e %12.3e  %s\n", pr.name.c_str(), c.tensor.c_str(), c.checked,
                    c.max_relative_error, c.max_gradient,
                    ok ? "ok" : c.all_near_zero ? "FAIL (all near zero: proves nothing)" : "FAIL");
    }
}

// backward() after forward(), with the problem's dropout masks when it has them.
void backprop(NetProblem& pr) { pr.net.backward(pr.y_0, pr.net.forward(pr.y_0, pr.masks()), pr.y, pr.reduction); }

void expect_network_correct(NetProblem pr, size_t sample) {
    backprop(pr);
    print_network_checks(pr, check_network(pr, sample, 5));
}

// Weight decay: with_weight_decay(g, theta, lambda) must be the gradient of L + (lambda / 2) |theta|^2.
std::vector<TensorCheck> check_weight_decay(NetProblem& pr, double lambda,
                                            const std::function<Matrix(const Matrix&, const Matrix&)>& decayed) {
    backprop(pr);
    auto loss = [&] {
        double penalty = 0;
        for (const Parameter& p : pr.net.parameters())
            for (double w : p.theta->data) penalty += 0.5 * lambda * w * w;
        return net_loss(pr) + penalty;
    };
    const double floor = resolution_floor(loss());
    std::vector<TensorCheck> checks;
    for (const Parameter& p : pr.net.parameters())
        checks.push_back(check_tensor(p.name + "+wd", *p.theta, decayed(*p.grad, *p.theta), loss, floor, 0, 5));
    return checks;
}

// `plant` spoils pr (its backward pass, its activations) the way a student might, and returns the
// checks to run; the checker must then call at least one tensor wrong.
void expect_caught(const char* mistake, const NetProblem& pr, const std::vector<TensorCheck>& checks) {
    std::string failed;
    for (const TensorCheck& c : checks)
        if (!c.pass()) failed += (failed.empty() ? "" : ",") + c.tensor;
    failures += failed.empty();
    std::printf("  planted: %-44s on %-40s %s\n", mistake, pr.name.c_str(),
                failed.empty() ? "NOT CAUGHT: the checker passed a wrong gradient" : ("caught (" + failed + " wrong)").c_str());
}
void expect_network_caught(const char* mistake, NetProblem pr, const std::function<void(NetProblem&)>& plant) {
    plant(pr);
    expect_caught(mistake, pr, check_network(pr, 0, 5));
}

void check_exercises() {
    std::printf("\nThe exercises (exercises/network.hpp): every activation, k = 1, 2, 3, both outputs, dropout\n");
    print_header();
    const Activation* sigmoid = find_activation("sigmoid");
    const Activation* tanh_ = find_activation("tanh");
    for (const Activation& a : activations()) {  // every registered activation, alone and deep
        const std::string n = a.name;
        expect_network_correct(net_problem(6, {4}, {&a}, 2, 7, Reduction::sum, seed_for(n, 1)), 0);
        expect_network_correct(net_problem(5, {4, 3}, {&a, &a}, 4, 6, Reduction::sum, seed_for(n, 2)), 0);
        expect_network_correct(net_problem(4, {3, 5, 3}, {&a, sigmoid, &a}, 2, 5, Reduction::mean, seed_for(n, 3)), 0);
        expect_network_correct(net_problem(5, {6, 4}, {&a, &a}, 3, 8, Reduction::mean, seed_for(n, 4), 0.3), 0);
    }
    std::vector<const Activation*> mixed;  // k = 3 with every activation in turn, softmax, mean
    for (size_t l = 0; l < 3; ++l) mixed.push_back(&activations()[l % activations().size()]);
    expect_network_correct(net_problem(7, {5, 4, 3}, mixed, 3, 8, Reduction::mean, seed_for("mixed", 1)), 0);
    expect_network_correct(net_problem(7, {5, 4, 3}, mixed, 10, 12, Reduction::sum, seed_for("mixed", 2)), 0);
    expect_network_correct(net_problem(7, {5, 4, 3}, mixed, 2, 9, Reduction::sum, seed_for("mixed", 3), 0.5), 0);
    NetProblem decayed = net_problem(5, {4, 3}, {tanh_, sigmoid}, 3, 6, Reduction::mean, seed_for("weight decay"));
    print_network_checks(decayed, check_weight_decay(decayed, 0.05, [](const Matrix& g, const Matrix& theta) {
                             return with_weight_decay(g, theta, 0.05);
                         }));
    NetProblem real;
    if (mnist_ten_class_problem(real, 64)) expect_network_correct(real, 60);
    else if (const char* all = std::getenv("REQUIRE_ALL"); all && std::string(all) == "1")
        ++failures, std::printf("FAIL: data/ has no MNIST, and REQUIRE_ALL=1: the real ten-class check cannot run\n");
    else
        std::printf("SKIPPED: data/ has no MNIST: the real ten-class check (run make data)\n");

    std::printf("\nPlanted mistakes in the exercises: each must be reported as wrong.\n");
    const Activation tanh_wrong{"tanh", [](double z) { return std::tanh(z); }, [](double, double y) { return 1.0 - y; }, "", ""};
    const Activation relu_wrong{"relu", [](double z) { return z > 0.0 ? z : 0.0; }, [](double, double) { return 1.0; }, "", ""};
    auto plain = [](NetProblem& pr) { backprop(pr); };
    expect_network_caught("tanh' as 1 - y", net_problem(6, {4, 3}, {&tanh_wrong, &tanh_wrong}, 2, 7, Reduction::sum, 40), plain);
    expect_network_caught("relu' as 1 everywhere", net_problem(6, {4, 3}, {&relu_wrong, &relu_wrong}, 3, 9, Reduction::sum, 41), plain);
    expect_network_caught("softmax delta without the one-hot y", net_problem(6, {4}, {tanh_}, 3, 7, Reduction::sum, 42),
                          [](NetProblem& pr) {
                              const Matrix no_targets(pr.y.rows, pr.y.cols);  // delta_K = y_K - 0
                              pr.net.backward(pr.y_0, pr.net.forward(pr.y_0), no_targets, pr.reduction);
                          });
    expect_network_caught("mean reduction without 1/n", net_problem(6, {4}, {sigmoid}, 3, 7, Reduction::mean, 43),
                          [](NetProblem& pr) { pr.net.backward(pr.y_0, pr.net.forward(pr.y_0), pr.y, Reduction::sum); });
    expect_network_caught("a layer left without its gradient", net_problem(6, {4, 3}, {sigmoid, tanh_}, 2, 7, Reduction::sum, 44),
                          [](NetProblem& pr) {
                              backprop(pr);
                              pr.net.layers[1].grad_W = Matrix();  // as if backward() skipped layer 2
                          });
    const NetProblem dropped = net_problem(6, {5, 4}, {tanh_, sigmoid}, 3, 8, Reduction::sum, seed_for("dropout planted"), 0.4);
    expect_network_caught("dropout's mask missing from backward", dropped, [](NetProblem& pr) {
        ForwardPass f = pr.net.forward(pr.y_0, pr.masks());
        f.dropout = nullptr;  // backward() no longer sees the masks
        pr.net.backward(pr.y_0, f, pr.y, pr.reduction);
    });
    expect_network_caught("dropout's 1/(1 - P) missing from backward", dropped, [](NetProblem& pr) {
        ForwardPass f = pr.net.forward(pr.y_0, pr.masks());
        DropoutMasks unscaled = pr.dropout;
        unscaled.P = 0;  // the backward pass multiplies by keep alone
        f.dropout = &unscaled;
        pr.net.backward(pr.y_0, f, pr.y, pr.reduction);
    });
    NetProblem minus = decayed;
    expect_caught("weight decay with the wrong sign", minus, check_weight_decay(minus, 0.05, [](const Matrix& g, const Matrix& theta) {
                      return with_weight_decay(g, theta, -0.05);  // g - lambda theta
                  }));
}

int main() {
    std::printf("Finite-difference check of mlp.cpp's backward(), h = %g, pass below %g\n\n", kStep,
                kMaxRelativeError);
    print_header();
    // Every element, on small networks: several sizes, seeds, inputs with and without zeros.
    const struct { size_t in, hid, out, n; double zeros; uint32_t seed; } small[] = {
        {5, 3, 1, 7, 0.0, 1}, {5, 3, 1, 7, 0.5, 2}, {4, 6, 1, 10, 0.0, 3}, {8, 5, 1, 3, 0.7, 4},
        {3, 4, 2, 6, 0.3, 5}, {6, 3, 3, 5, 0.5, 6}, {1, 1, 1, 1, 0.0, 7},
    };
    for (const auto& s : small)
        expect_correct(synthetic_problem(s.in, s.hid, s.out, s.n, s.zeros, s.seed), 0, 0);
    // A sample of elements on the notes' own shape.
    const Problem notes = notes_shape_problem(256);
    expect_correct(notes, 200, 1);

    std::printf("\nPlanted mistakes: each must be reported as wrong.\n");
    const Problem square = synthetic_problem(5, 3, 3, 7, 0.5, 8);  // H = outputs, so W_2 is square
    for (const Mistake& m : student_mistakes()) {
        expect_caught(square, m, 0);
        if (std::string(m.name).rfind("W_2 where", 0) != 0) expect_caught(notes, m, 40);
    }

    check_exercises();

    std::printf("\n%s: %d failure%s\n", failures ? "FAILED" : "all gradient checks passed", failures,
                failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
// END REPOSITORY ONLY
#endif  // TEST_GRADIENTS_NO_MAIN
