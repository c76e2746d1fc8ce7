// program/explain.hpp: --explain N, and the report page's "Backprop on one image": the notes'
// equations (1)-(6) evaluated on one test image, with its numbers.
//
// A program hands over its own functions (WalkFunctions: the forward pass and the loss, (1) and (2);
// the backward pass, (3) and (4); a step of (5)), the very ones training calls, and walk() runs them on
// one image. It computes nothing of the network itself but two things it shows: delta_l, which it
// reads off the bias gradient (for one image, grad_b_l, the column sums of delta_l's one row, is
// delta_l itself), and delta_{l+1} W_{l+1}^T, the factor of (4) that the backward pass multiplies by
// phi_l'(z_l), with the same product. Then it checks a few weights by central finite differences
// through the forward pass alone, as test_gradients.cpp checks them all.
//   walk_text()  the walk for the terminal: each equation, its shape and its first values;
//   walk_json()  the same walk for the page, whose own JavaScript walks the image again on load and
//                compares (program/report/script.js; its "walk check" line).
// It knows matrices, not training. lesson_walk() at the end adapts mlp.cpp's functions;
// exercises/network_walk.hpp adapts ./deep_mlp's Network.
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../matrix.hpp"
#include "command_line.hpp"
#include "output_files.hpp"

// --explain N: which test image to walk through. The flag takes any whole number; whether there is
// such an image is known once the data are read (check_explain_request()).
struct ExplainRequest {
    bool given = false;
    long long image = 0;  // the first test image unless --explain names another
};

inline void add_explain_flag(FlagParser& flags, ExplainRequest* request) {
    flags.add("--explain", [&flags, request](const std::string& v) {
        request->image = flags.parse_integer("--explain", v, LLONG_MIN, LLONG_MAX);
        request->given = true;
    });
}

// A bad N is one line naming the flag and the range, exit code 2, as a bad flag is; checked before
// training, so that nobody waits for a run that cannot end well.
inline void check_explain_request(const ExplainRequest& request, size_t test_images, const std::string& program) {
    if (request.image >= 0 && static_cast<unsigned long long>(request.image) < test_images) return;
    throw UserError("--explain must be between 0 and " + std::to_string(test_images - 1) + " (the test set has " +
                        std::to_string(test_images) + " images), got " + std::to_string(request.image) + " (see " +
                        program + " --help)",
                    2);
}

// ---------------------------------------------------------------------------------------------
// What a program hands over

// The parameters theta, layer by layer: W[l - 1] and b[l - 1] are W_l and b_l, l = 1 .. K.
struct WalkParameters {
    std::vector<Matrix> W, b;
};

// The forward pass (1) of the one image, and its loss (2): z[l - 1] and y[l - 1] are z_l and y_l.
struct WalkForward {
    std::vector<Matrix> z, y;
    double loss = 0;
};

// The backward pass (3), (4): every parameter's gradient, and phi_l'(z_l) of each hidden layer l
// (phi_prime[l - 1]), as the program computes it for its backward pass.
struct WalkBackward {
    std::vector<Matrix> grad_W, grad_b, phi_prime;
};

// The program's own functions, for one image (which they hold): training's forward(), loss and
// backward(), and one step of plain gradient descent, eq. (5), at a given rate.
struct WalkFunctions {
    std::function<WalkForward(const WalkParameters&)> forward;
    std::function<WalkBackward(const WalkParameters&, const WalkForward&)> backward;
    std::function<WalkParameters(const WalkParameters&, const WalkBackward&, double)> step;
};

// ---------------------------------------------------------------------------------------------
// The walk

struct WalkLayer {
    std::string activation;   // phi_l's name ("sigmoid", "tanh", ...); the output layer's: "sigmoid" or "softmax"
    Matrix z, y;              // (1, n_l)
    Matrix delta;             // (1, n_l): dL/dz_l
    Matrix grad_W, grad_b;    // (n_{l-1}, n_l) and (1, n_l)
    Matrix dL_dy, phi_prime;  // hidden layers only, (1, n_l): delta_{l+1} W_{l+1}^T and phi_l'(z_l)
};

// One parameter's gradient by backpropagation and by the central difference of the loss.
struct WeightCheck {
    size_t layer = 1;  // l
    bool bias = false;
    size_t row = 0, col = 0;  // W_l[row, col], or b_l[col]
    double backprop = 0, numeric = 0;
};

struct Walk {
    size_t image = 0;              // its index in the test set
    int label = 0;
    std::vector<double> y_0;       // the image, pixels / 255
    Matrix target;                 // y (1, n_K): the label (two classes) or its one-hot row (ten)
    std::vector<WalkLayer> layers; // layer l is layers[l - 1]; the last is the output layer
    double loss = 0;               // (2) for this image
    double learning_rate = 0;      // (5)'s alpha
    Matrix y_K_after;              // after one step of (5) on this image alone
    double loss_after = 0;
    double h = 1e-5;               // the finite differences' step
    std::vector<WeightCheck> checks;
    // Where the program computes each quantity, for the page: ("z", one line per layer), ...
    std::vector<std::pair<std::string, std::vector<std::string>>> code;
};

namespace walk_detail {

// The first ink pixel (not 0) whose value is closest to 0.5: a grey one, so that its row of grad_W1,
// y_0[k] delta_1, is not delta_1 itself, as a pixel of full ink's would be.
inline size_t grey_pixel(const std::vector<double>& y_0) {
    size_t best = 0;
    for (size_t k = 0; k < y_0.size(); ++k)
        if (y_0[k] != 0 && (y_0[best] == 0 || std::fabs(y_0[k] - 0.5) < std::fabs(y_0[best] - 0.5))) best = k;
    return best;
}

inline size_t first_largest(const Matrix& m, bool absolute) {
    size_t best = 0;
    for (size_t i = 1; i < m.size(); ++i)
        if ((absolute ? std::fabs(m.data[i]) : m.data[i]) > (absolute ? std::fabs(m.data[best]) : m.data[best])) best = i;
    return best;
}

// (L(w + h) - L(w - h)) / 2h for one parameter, through the program's forward pass and loss alone.
inline double central_difference(const WalkFunctions& fn, const WalkParameters& theta, const WeightCheck& c, double h) {
    auto loss_at = [&](double shift) {
        WalkParameters moved = theta;
        Matrix& m = c.bias ? moved.b[c.layer - 1] : moved.W[c.layer - 1];
        m(c.bias ? 0 : c.row, c.col) += shift;
        return fn.forward(moved).loss;
    };
    return (loss_at(h) - loss_at(-h)) / (2 * h);
}

}  // namespace walk_detail

// Walks the image through the program's functions: `w` comes with the image, its label, the
// target, the rate and the activations' names; the numbers are filled in.
inline Walk walk(const WalkFunctions& fn, const WalkParameters& theta, Walk w) {
    using namespace walk_detail;
    const WalkForward pass = fn.forward(theta);               // (1), (2)
    const WalkBackward grads = fn.backward(theta, pass);      // (3), (4)
    const size_t K = theta.W.size();
    for (size_t l = 1; l <= K; ++l) {
        WalkLayer& L = w.layers[l - 1];
        L.z = pass.z[l - 1], L.y = pass.y[l - 1];
        L.grad_W = grads.grad_W[l - 1], L.grad_b = grads.grad_b[l - 1];
        L.delta = L.grad_b;  // one image: the column sums of delta_l's one row are that row
        if (l < K) {
            L.dL_dy = matmul_ABt(grads.grad_b[l], theta.W[l]);  // delta_{l+1} W_{l+1}^T
            L.phi_prime = grads.phi_prime[l - 1];
        }
    }
    w.loss = pass.loss;
    const WalkForward after = fn.forward(fn.step(theta, grads, w.learning_rate));  // (5), then (1), (2)
    w.y_K_after = after.y.back(), w.loss_after = after.loss;
    // In each layer, to the unit with the largest |delta_l|: the weight from a grey pixel (layer 1) or
    // from the largest input, and the unit's bias: parameters that this image moves.
    for (size_t l = 1; l <= K; ++l) {
        const size_t row = l == 1 ? grey_pixel(w.y_0) : first_largest(w.layers[l - 2].y, true);
        const size_t col = first_largest(w.layers[l - 1].delta, true);
        for (bool bias : {false, true}) {
            WeightCheck c;
            c.layer = l, c.bias = bias, c.row = row, c.col = col;
            c.backprop = bias ? w.layers[l - 1].grad_b(0, col) : w.layers[l - 1].grad_W(row, col);
            c.numeric = central_difference(fn, theta, c, w.h);
            w.checks.push_back(c);
        }
    }
    return w;
}

// ---------------------------------------------------------------------------------------------
// The walk in the terminal

namespace walk_detail {

// The notes write phi for their sigmoid; any other activation goes by its name.
inline std::string phi_symbol(const std::string& activation) { return activation == "sigmoid" ? "phi" : activation; }

inline std::string shape_of(size_t rows, size_t cols) { return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"; }

// "a, b, c, ... (64 values)": the first values of a row, all of them when there are at most four.
inline std::string first_values(const double* v, size_t n) {
    const size_t shown = n <= 4 ? n : 3;
    std::string s;
    for (size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + python_float(v[i]);
    if (shown < n) s += ", ... (" + std::to_string(n) + " values)";
    return s;
}

struct Lines {
    std::string text;
    void line(const std::string& s) { text += s + "\n"; }
    // "(1) z_1 = y_0 W_1 + b_1", its shape, then `tail`, in columns.
    void heading(const std::string& number, const std::string& formula, const std::string& shape, const std::string& tail) {
        std::string s = number + " " + formula;
        s += std::string(s.size() < 46 ? 46 - s.size() : 1, ' ') + shape;
        if (!tail.empty()) s += std::string(s.size() < 58 ? 58 - s.size() : 1, ' ') + tail;
        line(s);
    }
    // An equation, its shape and its values: on its line when there is one value, else below it.
    void equation(const std::string& number, const std::string& formula, const std::string& shape, const double* v,
                  size_t n, const std::string& note = "") {
        if (n == 1) return heading(number, formula, shape, python_float(v[0]) + (note.empty() ? "" : "   " + note));
        heading(number, formula, shape, note);
        line("      " + first_values(v, n));
    }
};

inline std::string relative_difference(double a, double b) {
    const double scale = std::max(std::fabs(a), std::fabs(b));
    if (scale == 0) return "0 (both 0)";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2g", std::fabs(a - b) / scale);
    return buf;
}

inline std::string padded(std::string s, size_t width) { return s + std::string(s.size() < width ? width - s.size() : 1, ' '); }

inline std::string parameter_name(const WeightCheck& c) {
    return c.bias ? "b_" + std::to_string(c.layer) + "[" + std::to_string(c.col) + "]"
                  : "W_" + std::to_string(c.layer) + "[" + std::to_string(c.row) + ", " + std::to_string(c.col) + "]";
}

}  // namespace walk_detail

// The terminal's walk: after a blank line, each equation with its number, shape and first values,
// in the notes' names (grad_W1 as mlp.cpp writes it); then the step and the finite differences.
inline std::string walk_text(const Walk& w) {
    using namespace walk_detail;
    const size_t K = w.layers.size(), n_K = w.target.cols;
    const std::string k = std::to_string(K);
    const WalkLayer& out = w.layers.back();
    Lines t;
    t.line("");
    t.line("Backprop on one image: test image " + std::to_string(w.image) + ", a " + std::to_string(w.label) +
           ". The notes' equations (1)-(6), in row form (the image is one row):");
    size_t ink = 0;
    for (double v : w.y_0) ink += v != 0;
    const size_t grey = grey_pixel(w.y_0);
    t.heading("(1)", "y_0 = x", shape_of(1, w.y_0.size()),
              "the pixels / 255, " + std::to_string(ink) + " of them not 0 (ink)");
    for (size_t l = 1; l <= K; ++l) {
        const WalkLayer& L = w.layers[l - 1];
        const std::string s = std::to_string(l), before = std::to_string(l - 1);
        t.equation("(1)", "z_" + s + " = y_" + before + " W_" + s + " + b_" + s, shape_of(1, L.z.cols), L.z.data.data(), L.z.cols);
        t.equation("(1)", "y_" + s + " = " + phi_symbol(L.activation) + "(z_" + s + ")", shape_of(1, L.y.cols), L.y.data.data(),
                   L.y.cols);
    }
    // The answer, and (2) for this image.
    if (n_K == 1) {
        t.line("    y_hat = y_" + k + ": the network says " + (out.y(0, 0) >= 0.5 ? "1" : "0") + " (1 where y_" + k +
               " >= 0.5); the label y is " + std::to_string(w.label));
        t.equation("(2)", "l = -[y log y_" + k + " + (1 - y) log(1 - y_" + k + ")]", "(1, 1)", &w.loss, 1, "this image's term of L");
    } else {
        const size_t said = first_largest(out.y, false);
        t.line("    y_hat = y_" + k + ": the network says " + std::to_string(said) + " (its largest output, y_" + k + "[" +
               std::to_string(said) + "] = " + python_float(out.y(0, said)) + "); the label is " + std::to_string(w.label));
        t.equation("(2)", "l = -log y_" + k + "[" + std::to_string(w.label) + "]", "(1, 1)", &w.loss, 1,
                   "cross-entropy: y is the label's one-hot row");
    }
    // (3) the output layer, (4) every hidden layer from the top down.
    for (size_t l = K; l >= 1; --l) {
        const WalkLayer& L = w.layers[l - 1];
        const std::string s = std::to_string(l), before = std::to_string(l - 1), eq = l == K ? "(3)" : "(4)";
        if (l == K) {
            t.equation(eq, "delta_" + s + " = y_" + s + " - y", shape_of(1, L.delta.cols), L.delta.data.data(), L.delta.cols);
        } else {
            const std::string above = std::to_string(l + 1), phi = phi_symbol(L.activation);
            t.equation(eq, "dL/dy_" + s + " = delta_" + above + " W_" + above + "^T", shape_of(1, L.dL_dy.cols),
                       L.dL_dy.data.data(), L.dL_dy.cols);
            t.equation(eq, phi + "'(z_" + s + ")" + (L.activation == "sigmoid" ? " = y_" + s + " (1 - y_" + s + ")" : ""),
                       shape_of(1, L.phi_prime.cols), L.phi_prime.data.data(), L.phi_prime.cols);
            t.equation(eq, "delta_" + s + " = dL/dy_" + s + " * " + phi + "'(z_" + s + ")", shape_of(1, L.delta.cols),
                       L.delta.data.data(), L.delta.cols, "(* element by element)");
        }
        // grad_W: one row per input; for the first layer a grey pixel's row, else the first.
        const size_t row = l == 1 ? grey : 0;
        const std::string input = l == 1 ? "y_0" : "y_" + before;
        t.heading(eq, "grad_W" + s + " = " + input + "^T delta_" + s, shape_of(L.grad_W.rows, L.grad_W.cols),
                  "row " + std::to_string(row) + " = " + input + "[" + std::to_string(row) + "] delta_" + s + ":");
        t.line("      " + first_values(L.grad_W.row(row), L.grad_W.cols));
        t.equation(eq, "grad_b" + s + " = sum of delta_" + s + "'s rows", shape_of(1, L.grad_b.cols), L.grad_b.data.data(),
                   L.grad_b.cols, "(one image: delta_" + s + " itself)");
        if (l == 1) break;
    }
    // (5) one step on this image alone.
    const double change = w.loss_after - w.loss;
    t.line("(5) theta <- theta - alpha dL/dtheta, every W_l and b_l, alpha = " + python_float(w.learning_rate) +
           " (--lr), on this image alone:");
    t.line("      y_" + k + " " + first_values(out.y.data.data(), n_K) + " -> " +
           first_values(w.y_K_after.data.data(), n_K));
    t.line("      l " + python_float(w.loss) + " -> " + python_float(w.loss_after) + ": " +
           (change < 0 ? "down by " + python_float(-change)
                       : change > 0 ? "up by " + python_float(change) + ": the rate is too large for this image"
                                    : "unchanged"));
    // (6) the activation at the unit that carries the most, with its slope.
    if (K > 1) {
        const WalkLayer& L = w.layers[0];
        const size_t j = first_largest(L.delta, true);
        const std::string phi = phi_symbol(L.activation), at = "z_1[" + std::to_string(j) + "]";
        t.line("(6) " + phi + " and its slope at unit " + std::to_string(j) + " of layer 1, the largest |delta_1|: " + at +
               " = " + python_float(L.z(0, j)) + ",");
        t.line("      " + phi + "(" + at + ") = " + python_float(L.y(0, j)) + ", " + phi + "'(" + at + ") = " +
               python_float(L.phi_prime(0, j)));
    }
    // The checker, made visible.
    t.line("The checker: (L(w + h) - L(w - h)) / 2h, h = " + python_float(w.h) + ", through the forward pass alone:");
    t.line("    " + padded("parameter", 15) + padded("backprop", 26) + padded("finite difference", 26) + "relative difference");
    for (const WeightCheck& c : w.checks)
        t.line("    " + padded(parameter_name(c), 15) + padded(python_float(c.backprop), 26) + padded(python_float(c.numeric), 26) +
               relative_difference(c.backprop, c.numeric));
    return t.text;
}

// ---------------------------------------------------------------------------------------------
// The walk for the page

namespace walk_detail {

inline std::string json_value(double x) { return std::isfinite(x) ? python_float(x) : "null"; }

inline std::string json_row(const Matrix& m) {
    std::string s = "[";
    for (size_t i = 0; i < m.size(); ++i) s += (i ? "," : "") + json_value(m.data[i]);
    return s + "]";
}

inline std::string json_text(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '<') { out += "\\u003c"; continue; }  // never "</script>" inside the page's JSON
        out += c;
    }
    return out + "\"";
}

}  // namespace walk_detail

// The page keeps grad_W_l whole up to this many entries (the lesson's 784 x 64); of a larger one,
// the first columns that fit: the page compares what it has.
constexpr size_t kWalkGradientEntries = 1 << 16;

// The walk as the page's JSON. grad_W_l goes as base64 of float64 (`base64_doubles`, from the
// report page's writer), its first `grad_W_cols` columns.
template <class Base64Doubles>
std::string walk_json(const Walk& w, Base64Doubles base64_doubles) {
    using namespace walk_detail;
    std::string j = "{\"image\":" + std::to_string(w.image) + ",\"label\":" + std::to_string(w.label) +
                    ",\"target\":" + json_row(w.target) + ",\"loss\":" + json_value(w.loss) +
                    ",\"learning_rate\":" + json_value(w.learning_rate) + ",\"h\":" + json_value(w.h) +
                    ",\n\"after\":{\"y\":" + json_row(w.y_K_after) + ",\"loss\":" + json_value(w.loss_after) + "},\n\"layers\":[";
    for (size_t l = 0; l < w.layers.size(); ++l) {
        const WalkLayer& L = w.layers[l];
        const size_t cols = std::max<size_t>(1, std::min(L.grad_W.cols, kWalkGradientEntries / std::max<size_t>(1, L.grad_W.rows)));
        std::vector<double> kept;
        kept.reserve(L.grad_W.rows * cols);
        for (size_t r = 0; r < L.grad_W.rows; ++r) kept.insert(kept.end(), L.grad_W.row(r), L.grad_W.row(r) + cols);
        j += std::string(l ? ",\n" : "\n") + "{\"activation\":" + json_text(L.activation) + ",\"z\":" + json_row(L.z) +
             ",\"y\":" + json_row(L.y) + ",\"delta\":" + json_row(L.delta) + ",\"grad_b\":" + json_row(L.grad_b) +
             (L.dL_dy.size() ? ",\"dL_dy\":" + json_row(L.dL_dy) + ",\"phi_prime\":" + json_row(L.phi_prime) : std::string()) +
             ",\"grad_W_cols\":" + std::to_string(cols) + ",\"grad_W\":\"" + base64_doubles(kept) + "\"}";
    }
    j += "],\n\"checks\":[";
    for (size_t i = 0; i < w.checks.size(); ++i) {
        const WeightCheck& c = w.checks[i];
        j += std::string(i ? "," : "") + "{\"layer\":" + std::to_string(c.layer) + ",\"bias\":" + (c.bias ? "true" : "false") +
             ",\"row\":" + std::to_string(c.row) + ",\"col\":" + std::to_string(c.col) + ",\"backprop\":" +
             json_value(c.backprop) + ",\"numeric\":" + json_value(c.numeric) + "}";
    }
    j += "],\n\"code\":{";
    for (size_t i = 0; i < w.code.size(); ++i) {
        j += std::string(i ? ",\n" : "\n") + json_text(w.code[i].first) + ":[";
        for (size_t k = 0; k < w.code[i].second.size(); ++k) j += (k ? "," : "") + json_text(w.code[i].second[k]);
        j += "]";
    }
    return j + "}}";
}

// ---------------------------------------------------------------------------------------------
// The lesson's network (mlp.cpp), walked through mlp.cpp's own forward(), bce_loss_sum(),
// backward(), sigmoid_prime() and gradient_descent_step(). They are called by name: mlp.cpp
// instantiates this template below their definitions, where C++ finds them from the arguments'
// types (argument-dependent lookup). Its Params has W_1, b_1, W_2, b_2; its activations z_1, y_1,
// z_2, y_2; its gradients grad_W1, grad_b1, grad_W2, grad_b2.

template <class Params>
WalkParameters lesson_parameters(const Params& p) { return {{p.W_1, p.W_2}, {p.b_1, p.b_2}}; }

template <class Params>
Params lesson_params(const WalkParameters& t) { return {t.W[0], t.b[0], t.W[1], t.b[1]}; }

// The walk of test image i (of `images`, labels a column of 0 and 1) through the lesson's network.
template <class Params>
Walk lesson_walk(const Params& p, const SparseMatrix& images, const Matrix& labels, size_t i, double learning_rate) {
    const uint32_t row = static_cast<uint32_t>(i);
    const SparseMatrix y_0 = images.select_rows(&row, 1);
    const Matrix y = select_rows(labels, &row, 1);
    using Activations = decltype(forward(p, y_0));
    using Gradients = decltype(backward(p, y_0, std::declval<const Activations&>(), y));
    WalkFunctions fn;
    fn.forward = [&](const WalkParameters& t) {
        const Activations a = forward(lesson_params<Params>(t), y_0);                       // (1)
        return WalkForward{{a.z_1, a.z_2}, {a.y_1, a.y_2}, bce_loss_sum(a.y_2, a.z_2, y)};  // (2)
    };
    fn.backward = [&](const WalkParameters& t, const WalkForward& f) {
        const Activations a{f.z[0], f.y[0], f.z[1], f.y[1]};
        const Gradients g = backward(lesson_params<Params>(t), y_0, a, y);                  // (3), (4)
        return WalkBackward{{g.grad_W1, g.grad_W2}, {g.grad_b1, g.grad_b2}, {sigmoid_prime(a.y_1)}};
    };
    fn.step = [](const WalkParameters& t, const WalkBackward& g, double rate) {
        Params q = lesson_params<Params>(t);
        gradient_descent_step(q, Gradients{g.grad_W[0], g.grad_b[0], g.grad_W[1], g.grad_b[1]}, rate);  // (5)
        return lesson_parameters(q);
    };
    Walk w;
    w.image = i, w.label = static_cast<int>(y(0, 0)), w.target = y, w.learning_rate = learning_rate;
    w.y_0.resize(images.cols);
    images.dense_row(i, w.y_0.data());
    w.layers.resize(2);
    w.layers[0].activation = w.layers[1].activation = "sigmoid";
    // Where mlp.cpp computes each quantity, for the page. Names only for the backward pass: its
    // lines are the lab's exercise (make lab), and the lab has this file.
    w.code = {{"where", {"mlp.cpp"}},
              {"z", {"forward(): a.z_1 = linear_forward(y_0, p.W_1, p.b_1)", "forward(): a.z_2 = linear_forward(a.y_1, p.W_2, p.b_2)"}},
              {"y", {"forward(): a.y_1 = sigmoid_forward(a.z_1)", "forward(): a.y_2 = sigmoid_forward(a.z_2)"}},
              {"loss", {"bce_loss_sum(a.y_2, a.z_2, y), as train() calls it"}},
              {"delta", {"backward(): delta_1, the line marked (4)", "backward(): delta_2, bce_sigmoid_backward(), the line marked (3)"}},
              {"dL_dy", {"backward(): the product with p.W_2 in delta_1's line (4)"}},
              {"phi_prime", {"backward(): sigmoid_prime(a.y_1) in delta_1's line (4), phi_prime_from_output()"}},
              {"grad", {"backward(): g.grad_W1, g.grad_b1 through linear_backward(), the line marked (4)",
                        "backward(): g.grad_W2, g.grad_b2 through linear_backward(), the line marked (3)"}},
              {"step", {"gradient_descent_step(), eq. (5)"}},
              {"phi", {"phi(), phi_prime_from_output(), eq. (6)"}}};
    return walk(fn, lesson_parameters(p), std::move(w));
}
