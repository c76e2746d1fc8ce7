// exercises/layers.hpp: the pieces of a k-layer perceptron, each a forward rule with its backward
// rule right below it (exercises b, e and f). The notes' names: z_l = y_{l-1} W_l + b_l,
// y_l = phi_l(z_l), delta_l = dL/dz_l, and y, the target. Row form: one sample per row, y_0 is
// (n, 784). K = k + 1 is the output layer.
//
// The lesson's own pieces are reused, not copied: linear_forward() and linear_backward() (eqs. 1,
// 3, 4), phi() and phi_prime_from_output() (eq. 6), bce_loss_sum() (eq. 2) and
// bce_sigmoid_backward() (the Appendix) all come from mlp.cpp. Each region marked as a SOLUTION is
// an exercise's answer: `make lab` writes a copy of the project with a stub in its place.
#pragma once

#define MLP_NO_MAIN
#include "../mlp.cpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

// ---------------------------------------------------------------------------------------------
// Activations phi_l (exercise b). Each is one entry in activations(), and the entry is all that any
// part of the project knows of it: its name (for --act, the model files and the report page), phi,
// phi', and phi and phi' once more in JavaScript, for the report page's forward pass and its walk
// back through the network. Adding an activation is adding an entry
// (tests/test_add_activation.sh proves it with softplus).

struct Activation {
    const char* name;
    double (*phi)(double z);
    double (*phi_prime)(double z, double y);  // dphi/dz at z, where y = phi(z): whichever is cheaper
    const char* javascript;                   // phi(z) as a JavaScript expression in z
    const char* javascript_prime;             // phi'(z) as a JavaScript expression in z and y = phi(z)
};

inline const std::vector<Activation>& activations() {
    static const std::vector<Activation> all = {
        // sigmoid: the lesson's eq. (6), phi' = y (1 - y).
        {"sigmoid", [](double z) { return phi(z); },
         [](double, double y) { return phi_prime_from_output(y); },
         kPhiJavaScript, kPhiPrimeJavaScript},
        // tanh: d tanh(z)/dz = 1 - tanh(z)^2 = 1 - y^2.
        {"tanh", [](double z) { return std::tanh(z); },
         [](double, double y) -> double {
             // BEGIN SOLUTION (b) tanh's phi' in activations()
             return 1.0 - y * y;
             // END SOLUTION
         },
         "Math.tanh(z)", "1 - y * y"},
        // relu: max(z, 0); its slope is 1 where z > 0 and 0 elsewhere (0 at z = 0, as PyTorch).
        {"relu", [](double z) { return z > 0.0 ? z : 0.0; },
         [](double z, double) -> double {
             // BEGIN SOLUTION (b) relu's phi' in activations()
             return z > 0.0 ? 1.0 : 0.0;
             // END SOLUTION
         },
         "(z > 0 ? z : 0)", "(z > 0 ? 1 : 0)"},
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
    Matrix dL_dz = Matrix::uninitialized(dL_dy.rows, dL_dy.cols);
    for_each_element([&act](double& dL_dz_i, double dL_dy_i, double z_i, double y_i) { dL_dz_i = dL_dy_i * act.phi_prime(z_i, y_i); },
                     dL_dz, dL_dy, z, y);
    return dL_dz;
}

// ---------------------------------------------------------------------------------------------
// Output layers: the last activation together with its loss, because together their derivative
// is simply "output minus target". y is the target, one row per sample. Like the activations, each
// is one entry in output_layers() (below the two), and the entry is all the network knows of it.

// Two classes (the lesson): y_K = sigmoid(z_K), binary cross-entropy, delta_K = y_K - y.
struct SigmoidBce {
    static constexpr const char* name = "sigmoid";
    // The target: the label itself, 0 or 1, in one column (N, 1).
    static Matrix targets(const Matrix& labels, int) { return labels; }
    static Matrix forward(const Matrix& z_K) { return sigmoid_forward(z_K); }
    // The summed loss: the lesson's bce_loss_sum(), eq. (2).
    static double loss_sum(const Matrix& y_K, const Matrix& z_K, const Matrix& y) { return bce_loss_sum(y_K, z_K, y); }
    // The Appendix: dL/dz_K = phi(z_K) - y.
    static Matrix backward(const Matrix& y_K, const Matrix& y) { return bce_sigmoid_backward(y_K, y); }
    // Class 1 where y_K >= 0.5, as the lesson's accuracy(); y_K is class 1's probability.
    static int predicted_class(const double* y_K, size_t) { return y_K[0] >= 0.5 ? 1 : 0; }
    static double probability(const double* y_K, size_t, int c) { return c == 1 ? y_K[0] : 1.0 - y_K[0]; }
    // Samples predicted with certainty and wrong (y_K rounded to exactly 1 - y): the lesson's sign
    // of a diverged run.
    static size_t certain_and_wrong(const Matrix& y_K, const Matrix& y) { return count_saturated_wrong(y_K, y); }
    // For the report page: the lesson's sigmoid, element by element.
    static std::string javascript() { return std::string("(z) => z.map((z) => ") + kPhiJavaScript + ")"; }
};

// Ten classes: y_K = softmax(z_K) row by row, cross-entropy -log y_K[label] per sample, and
// delta_K = y_K - y with y the one-hot row of the label (exercises/README.md derives it).
struct SoftmaxCrossEntropy {
    static constexpr const char* name = "softmax";
    // The target: the label's one-hot row, (N, classes).
    static Matrix targets(const Matrix& labels, int classes) {
        Matrix y(labels.rows, static_cast<size_t>(classes));
        for (size_t i = 0; i < labels.rows; ++i) y(i, static_cast<size_t>(labels(i, 0))) = 1.0;
        return y;
    }

    // softmax(z)_j = exp(z_j - max z) / sum_k exp(z_k - max z): subtracting the row's maximum
    // changes nothing mathematically and keeps exp from overflowing.
    static Matrix forward(const Matrix& z_K) {
        return map_rows(z_K, [](const double* z, double* y, size_t n) {
            // BEGIN SOLUTION (e) SoftmaxCrossEntropy::forward, the softmax
            const double z_max = *std::max_element(z, z + n);
            double sum = 0.0;
            for (size_t j = 0; j < n; ++j) sum += y[j] = std::exp(z[j] - z_max);
            for (size_t j = 0; j < n; ++j) y[j] /= sum;
            // END SOLUTION
        });
    }
    // The summed loss: each sample's -log softmax(z)[label] = logsumexp(z) - z[label], computed
    // from z (stable) rather than as log(y), which underflows to -inf for a confident mistake.
    static double loss_sum(const Matrix&, const Matrix& z_K, const Matrix& y) {
        const std::vector<double> terms = row_values(z_K, y, [](const double* z, const double* y, size_t n) -> double {
            // BEGIN SOLUTION (e) SoftmaxCrossEntropy::loss_sum, the cross-entropy
            const double z_max = *std::max_element(z, z + n);
            double sum = 0.0, z_label = 0.0;
            for (size_t j = 0; j < n; ++j) {
                sum += std::exp(z[j] - z_max);
                z_label += y[j] * z[j];
            }
            return z_max + std::log(sum) - z_label;
            // END SOLUTION
        }, "softmax_cross_entropy");
        return numpy_sum(terms.data(), terms.size());
    }
    // dL/dz_K = softmax(z_K) - y.
    static Matrix backward(const Matrix& y_K, const Matrix& y) {
        // BEGIN SOLUTION (e) SoftmaxCrossEntropy::backward, delta_K
        return subtract(y_K, y);
        // END SOLUTION
    }
    // The first index of the largest output.
    static int predicted_class(const double* y_K, size_t n) {
        // BEGIN SOLUTION (e) SoftmaxCrossEntropy::predicted_class
        return static_cast<int>(std::max_element(y_K, y_K + n) - y_K);
        // END SOLUTION
    }
    static double probability(const double* y_K, size_t, int c) { return y_K[c]; }
    // Samples whose true class got a probability of exactly 0: log(0) would be an infinite loss,
    // as for the lesson's sigmoid, and the run has diverged.
    static size_t certain_and_wrong(const Matrix& y_K, const Matrix& y) {
        size_t count = 0;
        for (size_t i = 0; i < y_K.rows; ++i) {
            double p_true = 0.0;
            for (size_t j = 0; j < y_K.cols; ++j) p_true += y(i, j) * y_K(i, j);
            count += p_true == 0.0;
        }
        return count;
    }
    // For the report page: the same softmax, in JavaScript.
    static std::string javascript() {
        // BEGIN SOLUTION (e) SoftmaxCrossEntropy::javascript, the softmax for the report page
        return "(z) => { const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)); "
               "const s = e.reduce((a, b) => a + b, 0); return e.map((v) => v / s); }";
        // END SOLUTION
    }
};

// The registry. units(classes): how many outputs the layer has for that many classes.
struct OutputLayer {
    const char* name;  // for the model files and the report page
    size_t (*units)(int classes);
    Matrix (*targets)(const Matrix& labels, int classes);                      // y from the labels (N, 1)
    Matrix (*forward)(const Matrix& z_K);                                      // y_K
    double (*loss_sum)(const Matrix& y_K, const Matrix& z_K, const Matrix& y);  // (2), summed
    Matrix (*backward)(const Matrix& y_K, const Matrix& y);                    // delta_K = dL/dz_K
    int (*predicted_class)(const double* y_K, size_t units);
    double (*probability)(const double* y_K, size_t units, int c);             // of class c
    size_t (*certain_and_wrong)(const Matrix& y_K, const Matrix& y);           // a diverged run's sign
    std::string (*javascript)();                                               // y_K from z_K, for the page
};

template <class Output>
OutputLayer output_layer(size_t (*units)(int classes)) {
    return {Output::name, units, Output::targets, Output::forward, Output::loss_sum, Output::backward,
            Output::predicted_class, Output::probability, Output::certain_and_wrong, Output::javascript};
}

inline const std::vector<OutputLayer>& output_layers() {
    static const std::vector<OutputLayer> all = {
        output_layer<SigmoidBce>([](int) -> size_t { return 1; }),  // the lesson's: one output, P(class 1)
        output_layer<SoftmaxCrossEntropy>([](int classes) { return static_cast<size_t>(classes); }),
    };
    return all;
}

// Two classes take the lesson's sigmoid output, more take the softmax.
inline const OutputLayer& output_layer_for(int classes) { return output_layers()[classes == 2 ? 0 : 1]; }

// ---------------------------------------------------------------------------------------------
// Dropout (exercise f): in training, each hidden unit's output is kept with probability 1 - P and
// then divided by 1 - P, or set to 0. keep_l holds 1 where unit j of sample i is kept, else 0.

// y_l = phi_l(z_l) * keep_l / (1 - P), element by element.
inline Matrix dropout_forward(const Matrix& phi_z, const Matrix& keep, double P) {
    // BEGIN SOLUTION (f) dropout_forward
    return zip_map(phi_z, keep, [P](double a, double k) { return a * k / (1 - P); }, "dropout_forward");
    // END SOLUTION
}

// dL/d(phi_l(z_l)) = dL/dy_l * keep_l / (1 - P): the same mask and the same scale, since the
// forward rule multiplies by them.
inline Matrix dropout_backward(const Matrix& dL_dy, const Matrix& keep, double P) {
    // BEGIN SOLUTION (f) dropout_backward
    return zip_map(dL_dy, keep, [P](double g, double k) { return g * k / (1 - P); }, "dropout_backward");
    // END SOLUTION
}
