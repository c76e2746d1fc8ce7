// exercises/layers.hpp: the pieces of a k-layer perceptron, each a forward rule with its backward
// rule right below it (exercises a, b and e of the notes). The notes' names: z_l = y_{l-1} W_l + b_l,
// y_l = phi_l(z_l), delta_l = dL/dz_l. Row form: one sample per row, y_0 is (n, 784).
//
// The lesson's own pieces are reused, not copied: linear_forward() and linear_backward() (eqs. 1,
// 3, 4), phi() and phi_prime_from_output() (eq. 6), bce_loss_sum() (eq. 2) and
// bce_sigmoid_backward() (the Appendix) all come from mlp.cpp.
#pragma once

#define MLP_NO_MAIN
#include "../mlp.cpp"

#include <cmath>
#include <string>
#include <vector>

// ---------------------------------------------------------------------------------------------
// Activations phi_l. Adding one is one entry in activations(): its name (for --act), phi, and
// phi'. phi' receives both z and y = phi(z), so each derivative can use whichever is cheaper.

struct Activation {
    const char* name;
    double (*phi)(double z);
    double (*phi_prime)(double z, double y);  // dphi/dz at z, where y = phi(z)
};

inline const std::vector<Activation>& activations() {
    static const std::vector<Activation> all = {
        // sigmoid: phi' = y (1 - y), the notes' eq. (6).
        {"sigmoid", [](double z) { return phi(z); },
         [](double, double y) { return phi_prime_from_output(y); }},
        // tanh: d tanh(z)/dz = 1 - tanh(z)^2 = 1 - y^2.
        {"tanh", [](double z) { return std::tanh(z); },
         [](double, double y) { return 1.0 - y * y; }},
        // relu: max(z, 0); its slope is 1 where z > 0 and 0 elsewhere (0 at z = 0, as PyTorch).
        {"relu", [](double z) { return z > 0.0 ? z : 0.0; },
         [](double z, double) { return z > 0.0 ? 1.0 : 0.0; }},
    };
    return all;
}

// "sigmoid, tanh or relu": the registered names, for messages and --help.
inline std::string activation_names() {
    std::string names;
    const std::vector<Activation>& all = activations();
    for (size_t i = 0; i < all.size(); ++i)
        names += (i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + std::string(all[i].name);
    return names;
}

// The activation called `name`, or nullptr.
inline const Activation* find_activation(const std::string& name) {
    for (const Activation& a : activations())
        if (name == a.name) return &a;
    return nullptr;
}

// y_l = phi_l(z_l), element by element.
inline Matrix activation_forward(const Activation& act, const Matrix& z) { return map(z, act.phi); }

// dL/dz_l = dL/dy_l * phi_l'(z_l), element by element (the chain rule through y = phi(z)).
inline Matrix activation_backward(const Activation& act, const Matrix& dL_dy, const Matrix& z, const Matrix& y) {
    auto chain_rule = [&act](double dL_dy_i, double z_i, double y_i) { return dL_dy_i * act.phi_prime(z_i, y_i); };
    return zip_map(dL_dy, z, y, chain_rule, "activation_backward");
}

// ---------------------------------------------------------------------------------------------
// Output layers: the last activation together with its loss, because together their derivative
// is simply "output minus target".

// Two classes (the lesson): y_L = sigmoid(z_L), binary cross-entropy, delta_L = y_L - t.
struct SigmoidBce {
    static Matrix forward(const Matrix& z_L) { return map(z_L, phi); }
    // The summed loss: the lesson's bce_loss_sum(), eq. (2).
    static double loss_sum(const Matrix& y_L, const Matrix& z_L, const Matrix& t) { return bce_loss_sum(y_L, z_L, t); }
    // The Appendix: dL/dz_L = phi(z_L) - t.
    static Matrix backward(const Matrix& y_L, const Matrix& t) { return bce_sigmoid_backward(y_L, t); }
    // Samples predicted with certainty and wrong (y_L rounded to exactly 1 - t): the lesson's sign
    // of a diverged run.
    static size_t certain_and_wrong(const Matrix& y_L, const Matrix& t) { return count_saturated_wrong(y_L, t); }
};

// Ten classes: y_L = softmax(z_L) row by row, cross-entropy -log y_L[label] per sample, and
// delta_L = y_L - t with t the one-hot row of the label (exercises/README.md derives it).
struct SoftmaxCrossEntropy {
    // Rows are independent, and an exp or a log costs some twenty additions: threads share out the
    // rows from about a thousand elements (a batch of 128 x 10), where element-wise work on plain
    // arithmetic waits for eight times as many (kParallelElements).
    static constexpr size_t kParallelExps = kParallelElements / 8;

    // softmax(z)_j = exp(z_j - max z) / sum_k exp(z_k - max z): subtracting the row's maximum
    // changes nothing mathematically and keeps exp from overflowing.
    static Matrix forward(const Matrix& z_L) {
        Matrix y = Matrix::uninitialized(z_L.rows, z_L.cols);
#pragma omp parallel for schedule(static) if (z_L.size() >= kParallelExps)
        for (ptrdiff_t ii = 0; ii < static_cast<ptrdiff_t>(z_L.rows); ++ii) {
            const size_t i = static_cast<size_t>(ii);
            const double* z = z_L.row(i);
            double* out = y.row(i);
            const double z_max = *std::max_element(z, z + z_L.cols);
            double sum = 0.0;
            for (size_t j = 0; j < z_L.cols; ++j) sum += out[j] = std::exp(z[j] - z_max);
            for (size_t j = 0; j < z_L.cols; ++j) out[j] /= sum;
        }
        return y;
    }
    // The summed loss: each sample's -log softmax(z)[label] = logsumexp(z) - z[label], computed
    // from z (stable) rather than as log(y), which underflows to -inf for a confident mistake.
    static double loss_sum(const Matrix&, const Matrix& z_L, const Matrix& t) {
        if (z_L.rows != t.rows || z_L.cols != t.cols) shape_mismatch("softmax_cross_entropy", z_L, t);
        std::vector<double> terms(z_L.rows);
#pragma omp parallel for schedule(static) if (z_L.size() >= kParallelExps)
        for (ptrdiff_t ii = 0; ii < static_cast<ptrdiff_t>(z_L.rows); ++ii) {
            const size_t i = static_cast<size_t>(ii);
            const double* z = z_L.row(i);
            const double z_max = *std::max_element(z, z + z_L.cols);
            double sum = 0.0, z_label = 0.0;
            for (size_t j = 0; j < z_L.cols; ++j) {
                sum += std::exp(z[j] - z_max);
                z_label += t(i, j) * z[j];
            }
            terms[i] = z_max + std::log(sum) - z_label;
        }
        return numpy_sum(terms.data(), terms.size());
    }
    // dL/dz_L = softmax(z_L) - t.
    static Matrix backward(const Matrix& y_L, const Matrix& t) { return subtract(y_L, t); }
    // Samples whose true class got a probability of exactly 0: log(0) would be an infinite loss,
    // as for the lesson's sigmoid, and the run has diverged.
    static size_t certain_and_wrong(const Matrix& y_L, const Matrix& t) {
        size_t count = 0;
        for (size_t i = 0; i < y_L.rows; ++i) {
            double p_true = 0.0;
            for (size_t j = 0; j < y_L.cols; ++j) p_true += t(i, j) * y_L(i, j);
            count += p_true == 0.0;
        }
        return count;
    }
};
