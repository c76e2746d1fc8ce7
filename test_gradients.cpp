// test_gradients.cpp: proves mlp.cpp's backpropagation with finite differences.
//
// For every parameter theta of the model, the derivative of the summed loss (2) is approximated by
// a central difference of fourth order,
//       dL/dtheta  ~  [8 (L(theta + h) - L(theta - h)) - (L(theta + 2h) - L(theta - 2h))] / (12 h)
// and compared with what mlp.cpp's backward() (eqs. 3 and 4) returns. It checks mlp.cpp's own
// code: this file includes mlp.cpp (whose main() hides behind MLP_NO_MAIN) and calls its forward(),
// bce_loss_sum() and backward(). After you change the model (an exercise: more layers, another
// activation), run `make test`; a wrong derivative shows up here as FAIL.
//
// The checker also proves itself: it is fed gradients with the mistakes students make, and each
// must come out as FAIL. A checker that cannot fail proves nothing.
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
//    every planted mistake below is off by 10% or more.
//  - A tensor whose gradients are all below 100 x floor fails: two zeros agreeing prove nothing.
#define MLP_NO_MAIN
#include "mlp.cpp"

#include <cstdio>
#include <functional>

namespace {

constexpr double kStep = 1e-3;
constexpr double kMaxRelativeError = 1e-6;

double loss_sum(const Params& p, const SparseMatrix& y_0, const Matrix& y) {
    const Activations a = forward(p, y_0);
    return bce_loss_sum(a.y_2, a.z_2, y);
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
std::vector<size_t> pick_elements(size_t size, size_t sample, uint32_t seed) {
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

// Compares `analytic` with central differences of the summed loss, for each parameter tensor.
std::vector<TensorCheck> check_gradients(const Params& params, const SparseMatrix& y_0, const Matrix& y,
                                         const Gradients& analytic, size_t sample, uint32_t seed) {
    Params p = params;
    const double loss = loss_sum(p, y_0, y);
    const double floor = 1000 * 2.22e-16 * std::max(1.0, std::fabs(loss)) / kStep;
    struct Pair { const char* name; Matrix* theta; const Matrix* grad; };
    const Pair pairs[] = {{"W_1", &p.W_1, &analytic.grad_W1}, {"b_1", &p.b_1, &analytic.grad_b1},
                          {"W_2", &p.W_2, &analytic.grad_W2}, {"b_2", &p.b_2, &analytic.grad_b2}};
    std::vector<TensorCheck> checks;
    for (const Pair& pair : pairs) {
        TensorCheck c;
        c.tensor = pair.name;
        if (pair.grad->rows != pair.theta->rows || pair.grad->cols != pair.theta->cols) {
            c.max_relative_error = INFINITY;  // a gradient of the wrong shape is wrong
            checks.push_back(c);
            continue;
        }
        for (size_t i : pick_elements(pair.theta->size(), sample, seed)) {
            double& theta = pair.theta->data[i];
            const double saved = theta;
            auto loss_at = [&](double offset) {
                theta = saved + offset;
                return loss_sum(p, y_0, y);
            };
            const double numeric = (8 * (loss_at(kStep) - loss_at(-kStep)) -
                                    (loss_at(2 * kStep) - loss_at(-2 * kStep))) / (12 * kStep);
            theta = saved;
            const double a = pair.grad->data[i];
            const double scale = std::max({std::fabs(a), std::fabs(numeric), floor});
            c.max_relative_error = std::max(c.max_relative_error, std::fabs(a - numeric) / scale);
            c.max_gradient = std::max(c.max_gradient, std::fabs(numeric));
            ++c.checked;
        }
        c.all_near_zero = c.max_gradient < 100 * floor;
        checks.push_back(c);
    }
    return checks;
}

// ---------------------------------------------------------------------------------------------
// The problems to check on.

struct Problem {
    std::string name;
    Params params;
    SparseMatrix y_0;  // the inputs, as mlp.cpp keeps its images
    Matrix y;
};

// Random inputs in [0, 1) with a share of exact zeros (MNIST's background), random 0/1 targets,
// and the notes' initialisation. Column 0 is zero in every sample, like MNIST's corner pixels.
Problem synthetic_problem(size_t inputs, size_t hidden, size_t outputs, size_t samples,
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
Problem notes_shape_problem(size_t samples) {
    const std::string dir = "data";
    if (!std::filesystem::exists(find_idx_file(dir, "train-images-idx3-ubyte"))) {
        std::printf("(data/ has no MNIST: the 784x64x1 check runs on synthetic images)\n");
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

    std::printf("\n%s: %d failure%s\n", failures ? "FAILED" : "all gradient checks passed", failures,
                failures == 1 ? "" : "s");
    return failures ? 1 : 0;
}
