/*
mlp.cpp: backpropagation for a one-hidden-layer perceptron, the C++ companion to the lecture notes
"Implementación en NUMPY de Retropropagación (Backpropagation) para un MLP simple" (M. Rivera, 2023).

The story, in the order the file tells it:
  1. Data.  Read MNIST's four IDX files, keep the digits 0 and 1, split them 80/20 exactly as
     scikit-learn's train_test_split(test_size=0.2, random_state=42) does, divide pixels by 255.
  2. Model. 784 inputs -> H hidden sigmoid units -> 1 sigmoid output, initialised as the notes do
     with np.random.seed(SEED): W = 0.1 * randn(...), biases zero.
  3. The equations, each as a forward rule with its derivative right beside it:
       (1) forward pass    z_1 = y_0 W_1 + b_1,  y_1 = phi(z_1),  z_2 = y_1 W_2 + b_2,  y_2 = phi(z_2)
       (2) loss            L = -sum_i [y_i log y2_i + (1 - y_i) log(1 - y2_i)]
       (3) output layer    delta_2 = y_2 - y,  grad_W2 = y_1^T delta_2,  grad_b2 = sum of delta_2's rows
       (4) hidden layer    delta_1 = (delta_2 W_2^T) * phi'(z_1),  grad_W1 = y_0^T delta_1,
                           grad_b1 = sum of delta_1's rows
       (5) descent         theta <- theta - alpha * dL/dtheta
       (6) sigmoid         phi(z) = 1 / (1 + exp(-z)),  phi'(z) = phi(z) (1 - phi(z))
  4. Training. Full-batch gradient descent, printing "Epoch k, Loss: L" as the notes do.
  5. Test.  Predict 1 where y_2 >= 0.5 and print the accuracy.
  6. Report. The loss history as CSV and as the notes' plot (an SVG line chart).

The notes work in "row form": one sample per row, so y_0 is (N, 784) and every product is
(samples x features) @ (features x units). Seeded, every printed number is the notes' numpy code's,
to the last digit or within a few units in the last place (numpy's BLAS adds in another order).

test_gradients.cpp includes this file (with MLP_NO_MAIN defined) to check forward() and backward()
below against finite differences: if you change the model, run `make test`.
*/
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "idx_reader.hpp"
#include "matrix.hpp"
#include "numpy_random.hpp"

// =============================================================================================
// 1. Data
// =============================================================================================

// Thrown for anything wrong with the input (files, flags): main prints it as one line.
struct UserError : std::runtime_error {
    int exit_code;
    UserError(const std::string& message, int code) : std::runtime_error(message), exit_code(code) {}
};

// MNIST's 70,000 images in fetch_openml's order (the 60k training set, then the 10k test set),
// reduced to the two digits the notes classify.
struct Digits {
    size_t pixels_per_image = 0;
    std::vector<uint8_t> pixels;  // image i starts at pixels[i * pixels_per_image]
    std::vector<int> labels;
};

// Appends the images of one IDX pair whose label is 0 or 1.
void append_zeros_and_ones(Digits& digits, const std::string& images_path,
                           const std::string& labels_path) {
    const IdxImages images = read_idx_images(images_path);
    const std::vector<uint8_t> labels = read_idx_labels(labels_path);
    if (images.count != labels.size())
        throw IdxError(images_path + " holds " + std::to_string(images.count) + " images but " +
                       labels_path + " holds " + std::to_string(labels.size()) +
                       " labels; the two files must come from the same set (run 'make data')");
    const size_t pixels = size_t(images.rows) * images.cols;
    if (digits.pixels_per_image != 0 && digits.pixels_per_image != pixels)
        throw IdxError(images_path + ": images of " + std::to_string(images.rows) + "x" +
                       std::to_string(images.cols) + " pixels differ from the training set's");
    digits.pixels_per_image = pixels;
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] > 9)
            throw IdxError(labels_path + ": label " + std::to_string(labels[i]) + " at index " +
                           std::to_string(i) + " is not a digit 0-9; is this MNIST? (run 'make data')");
        if (labels[i] > 1) continue;
        digits.labels.push_back(labels[i]);
        const uint8_t* image = images.pixels.data() + i * pixels;
        digits.pixels.insert(digits.pixels.end(), image, image + pixels);
    }
}

Digits load_zeros_and_ones(const std::string& data_dir) {
    Digits digits;
    append_zeros_and_ones(digits, find_idx_file(data_dir, "train-images-idx3-ubyte"),
                          find_idx_file(data_dir, "train-labels-idx1-ubyte"));
    append_zeros_and_ones(digits, find_idx_file(data_dir, "t10k-images-idx3-ubyte"),
                          find_idx_file(data_dir, "t10k-labels-idx1-ubyte"));
    return digits;
}

// The images are kept as SparseMatrix: only their nonzero pixels (83% of MNIST's pixels are black,
// 0). Every product with them adds exactly the terms the dense matrix would, in the same order, minus
// the zeros (x + 0 w == x), so the numbers do not change; the work and memory shrink about six-fold.
// matrix.hpp explains.
struct Split {
    SparseMatrix X_train, X_test;  // (11824, 784) and (2956, 784), pixels / 255
    Matrix y_train, y_test;        // (11824, 1) and (2956, 1), labels 0 or 1
};

// X[rows[r]] / 255 for each r: the images scaled to [0, 1] (numpy divides, so do we).
SparseMatrix scaled_images(const Digits& digits, const std::vector<uint32_t>& rows) {
    return SparseMatrix(rows.size(), digits.pixels_per_image, [&](size_t r, double* scaled) {
        const uint8_t* image = digits.pixels.data() + size_t(rows[r]) * digits.pixels_per_image;
        for (size_t c = 0; c < digits.pixels_per_image; ++c) scaled[c] = image[c] / 255.0;
    });
}

Matrix label_column(const Digits& digits, const std::vector<uint32_t>& rows) {
    Matrix y(rows.size(), 1);
    for (size_t r = 0; r < rows.size(); ++r) y(r, 0) = digits.labels[rows[r]];
    return y;
}

// train_test_split(X, y, test_size=0.2, random_state=42): the first ceil(0.2 n) entries of
// RandomState(42).permutation(n) are the test rows, the rest the training rows, in that order.
Split train_test_split(const Digits& digits) {
    const size_t n = digits.labels.size();
    const std::vector<uint32_t> p = NumpyRandomState(42).permutation(static_cast<uint32_t>(n));
    const size_t n_test = static_cast<size_t>(std::ceil(0.2 * static_cast<double>(n)));
    const std::vector<uint32_t> test_rows(p.begin(), p.begin() + n_test);
    const std::vector<uint32_t> train_rows(p.begin() + n_test, p.end());
    return {scaled_images(digits, train_rows), scaled_images(digits, test_rows),
            label_column(digits, train_rows), label_column(digits, test_rows)};
}

// =============================================================================================
// 2. Model
// =============================================================================================

struct Params {
    Matrix W_1;  // (784, H)
    Matrix b_1;  // (1, H)
    Matrix W_2;  // (H, 1)
    Matrix b_2;  // (1, 1)
};

// The notes' initialisation with np.random.seed(seed) uncommented: W_1 first, then W_2, each
// element 0.1 * randn() in row-major order; b_1 = 0.1*np.zeros(...) is simply zero.
// output_size is 1 in the notes; the checker also tries larger outputs.
Params init_params(size_t input_size, size_t hidden_size, size_t output_size, uint32_t seed) {
    NumpyRandomState rng(seed);
    Params p{Matrix(input_size, hidden_size), Matrix(1, hidden_size),
             Matrix(hidden_size, output_size), Matrix(1, output_size)};
    for (double& w : p.W_1.data) w = 0.1 * rng.randn();
    for (double& w : p.W_2.data) w = 0.1 * rng.randn();
    return p;
}

// =============================================================================================
// 3. The equations: each forward rule, and right below it the derivative backprop uses
// =============================================================================================

// (6) The sigmoid, written exactly as the notes' phi(x) = 1 / (1 + np.exp(-x)).
double phi(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// (6) Its derivative, phi'(z) = phi(z) (1 - phi(z)), from the output y = phi(z) the forward pass
// already computed: backprop reuses the forward pass instead of evaluating exp again.
double phi_prime_from_output(double y) { return y * (1.0 - y); }

Matrix sigmoid_forward(const Matrix& z) {
    return map(z, [](double v) { return phi(v); });
}

// Chain rule through y = phi(z): dL/dz = dL/dy * phi'(z) = dL/dy * y (1 - y), element by element.
Matrix sigmoid_backward(const Matrix& dL_dy, const Matrix& y) {
    return zip_map(dL_dy, y, [](double g, double yy) { return g * phi_prime_from_output(yy); },
                   "sigmoid_backward");
}

// (1) A layer's affine map z = x W + b: x is (N, in), W is (in, out), b is (1, out).
// x is a Matrix, or for the first layer the images y_0 as a SparseMatrix.
template <class Input>
Matrix linear_forward(const Input& x, const Matrix& W, const Matrix& b) {
    return add_row_vector(matmul(x, W), b);
}

// (3), (4) Its parameter gradients, given delta = dL/dz (N, out):
//   dL/dW = x^T delta               (in, out): each sample's outer product x_i^T delta_i, summed;
//   dL/db = sum of delta's rows     (1, out):  one value per unit, since b is added to every row.
// The notes' code writes grad_b = np.sum(delta)[0]. On plain numpy arrays that line raises an
// IndexError; on the pandas DataFrames fetch_openml returns it sums unit 0's column only and gives
// that one number to every bias. The correct gradient, here, sums each column separately.
template <class Input>
void linear_backward(const Input& x, const Matrix& delta, Matrix& grad_W, Matrix& grad_b) {
    grad_W = matmul_AtB(x, delta);
    grad_b = column_sums(delta);
}

// (3), (4) The gradient that flows back into the layer's input: dL/dx = delta W^T (N, in).
Matrix linear_backward_input(const Matrix& delta, const Matrix& W) { return matmul_ABt(delta, W); }

// log(phi(z)), computed without forming phi(z): -log(1 + exp(-z)), arranged so exp never overflows.
double log_sigmoid(double z) { return -(std::max(-z, 0.0) + std::log1p(std::exp(-std::fabs(z)))); }

// (2) Binary cross-entropy, summed over all samples (and outputs): the loss the gradients of (3)
// and (4) belong to. Each term is computed as numpy does, y log(y_2) + (1 - y) log(1 - y_2), so the
// digits match; when y_2 has rounded to exactly 0 or 1, that form gives log(0) = -inf (numpy then
// prints nan or inf), and the same term is taken from z_2 instead: log(y_2) = log_sigmoid(z_2),
// log(1 - y_2) = log_sigmoid(-z_2). The sum is numpy's (pairwise, in chunks).
double bce_loss_sum(const Matrix& y_2, const Matrix& z_2, const Matrix& y) {
    if (y_2.rows != y.rows || y_2.cols != y.cols) shape_mismatch("bce_loss_sum", y_2, y);
    std::vector<double> terms(y.size());
    for (size_t i = 0; i < y.size(); ++i) {
        const double t = y.data[i], p = y_2.data[i], z = z_2.data[i];
        const double term = t * std::log(p) + (1 - t) * std::log(1 - p);
        terms[i] = std::isfinite(term) ? term : t * log_sigmoid(z) + (1 - t) * log_sigmoid(-z);
    }
    return -numpy_sum(terms.data(), terms.size());
}

// (3) and the Appendix: with a sigmoid output and this loss, dL/dz_2 = phi(z_2) - y = y_2 - y;
// the 1/phi and 1/(1 - phi) of the log cancel against phi'. Summed, not averaged, over samples.
Matrix bce_sigmoid_backward(const Matrix& y_2, const Matrix& y) { return subtract(y_2, y); }

// What the forward pass computes and the backward pass reuses.
struct Activations {
    Matrix z_1, y_1;  // (N, H)
    Matrix z_2, y_2;  // (N, 1); y_2 is the prediction y_hat
};

// (1) The forward pass, from the input y_0 = x (N, 784).
Activations forward(const Params& p, const SparseMatrix& y_0) {
    Activations a;
    a.z_1 = linear_forward(y_0, p.W_1, p.b_1);    // (1) z_1 = y_0 W_1 + b_1    (N, H)
    a.y_1 = sigmoid_forward(a.z_1);               // (1) y_1 = phi(z_1)         (N, H)
    a.z_2 = linear_forward(a.y_1, p.W_2, p.b_2);  // (1) z_2 = y_1 W_2 + b_2    (N, 1)
    a.y_2 = sigmoid_forward(a.z_2);               // (1) y_2 = phi(z_2)         (N, 1)
    return a;
}

struct Gradients {
    Matrix grad_W1, grad_b1;  // (784, H), (1, H)
    Matrix grad_W2, grad_b2;  // (H, 1),   (1, 1)
};

// (3), (4) Backpropagation: the gradients of the summed loss (2) with respect to every parameter,
// in the notes' order, reusing the forward pass's y_1 and y_2.
Gradients backward(const Params& p, const SparseMatrix& y_0, const Activations& a, const Matrix& y) {
    Gradients g;
    const Matrix delta_2 = bce_sigmoid_backward(a.y_2, y);  // (3) delta_2 = y_2 - y     (N, 1)
    const Matrix delta_1 =                                  // (4) delta_1 = (delta_2 W_2^T) * phi'(z_1)
        sigmoid_backward(linear_backward_input(delta_2, p.W_2), a.y_1);  //            (N, H)
    linear_backward(a.y_1, delta_2, g.grad_W2, g.grad_b2);  // (3) grad_W2 = y_1^T delta_2 (H, 1),
                                                            //     grad_b2 = sum of delta_2's rows
    linear_backward(y_0, delta_1, g.grad_W1, g.grad_b1);    // (4) grad_W1 = y_0^T delta_1 (784, H),
                                                            //     grad_b1 = sum of delta_1's rows
    return g;
}

// (5) One step of gradient descent on every parameter: theta <- theta - alpha * dL/dtheta.
void gradient_descent_step(Params& p, const Gradients& g, double learning_rate) {
    subtract_scaled(p.W_2, learning_rate, g.grad_W2);
    subtract_scaled(p.b_2, learning_rate, g.grad_b2);
    subtract_scaled(p.W_1, learning_rate, g.grad_W1);
    subtract_scaled(p.b_1, learning_rate, g.grad_b1);
}

// =============================================================================================
// 4. Training and 5. test
// =============================================================================================

// Python prints a float with the fewest digits that read back to the same double (repr), in
// fixed notation when the decimal exponent is in [-5, 16), else as 1.5e-05. std::to_chars gives
// the same shortest digits; this lays them out Python's way.
std::string python_float(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    const std::string sci(buf, res.ptr);  // e.g. "-7.924556535767249e-01"
    const size_t e_pos = sci.find('e');
    const bool negative = sci[0] == '-';
    std::string digits;
    for (size_t i = negative ? 1 : 0; i < e_pos; ++i)
        if (sci[i] != '.') digits += sci[i];
    const int exponent = std::stoi(sci.substr(e_pos + 1));
    const int point = exponent + 1;  // digits before the decimal point
    std::string out = negative ? "-" : "";
    if (point > -4 && point <= 16) {
        if (point <= 0) {
            out += "0." + std::string(size_t(-point), '0') + digits;
        } else if (size_t(point) >= digits.size()) {
            out += digits + std::string(size_t(point) - digits.size(), '0') + ".0";
        } else {
            out += digits.substr(0, size_t(point)) + "." + digits.substr(size_t(point));
        }
    } else {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        const int e = std::abs(exponent);
        out += std::string(exponent < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + std::to_string(e);
    }
    return out;
}

// Samples whose prediction has rounded to exactly the wrong label (y_2 = 1 for a 0, or 0 for a 1).
// For each, the notes' loss term is log(0) = -inf: numpy would print an infinite loss. A network
// that is infinitely sure and wrong has been thrown off by too large a step: training diverged.
size_t count_saturated_wrong(const Matrix& y_2, const Matrix& y) {
    size_t count = 0;
    for (size_t i = 0; i < y.size(); ++i) count += y_2.data[i] == 1.0 - y.data[i];
    return count;
}

// Full-batch training, the notes' loop: forward (1), loss (2), backward (3)-(4), step (5).
// Returns the loss of every epoch (the mean over samples, as the notes print it).
std::vector<double> train(Params& p, const SparseMatrix& y_0, const Matrix& y, int epochs,
                          double learning_rate) {
    std::vector<double> losses;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        const Activations a = forward(p, y_0);                                               // (1)
        const double loss = bce_loss_sum(a.y_2, a.z_2, y) / static_cast<double>(y.size());  // (2)
        const size_t wrong = count_saturated_wrong(a.y_2, y);
        if (!std::isfinite(loss) || wrong > 0)
            throw UserError("training diverged at epoch " + std::to_string(epoch) + " (" +
                                (wrong ? std::to_string(wrong) + " samples predicted with certainty and wrong, an infinite loss"
                                       : "loss " + python_float(loss)) +
                                "); try a smaller --lr than " + python_float(learning_rate),
                            1);
        const Gradients g = backward(p, y_0, a, y);  // (3), (4)
        gradient_descent_step(p, g, learning_rate);  // (5)
        std::cout << "Epoch " << epoch << ", Loss: " << python_float(loss) << std::endl;
        losses.push_back(loss);
    }
    return losses;
}

// The share of test images whose prediction (y_2 >= 0.5 means "1") equals the label.
double accuracy(const Params& p, const SparseMatrix& X, const Matrix& y) {
    const Activations a = forward(p, X);
    size_t correct = 0;
    for (size_t i = 0; i < y.rows; ++i) correct += (a.y_2(i, 0) >= 0.5 ? 1.0 : 0.0) == y(i, 0);
    return static_cast<double>(correct) / static_cast<double>(y.rows);
}

// =============================================================================================
// 6. Report: the loss history as CSV and as the notes' plot
// =============================================================================================

// Writes `text` to `path` whole or not at all: a temporary file beside it, then a rename.
void write_file_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw UserError(path + ": cannot write; check that --out names a writable folder", 1);
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw UserError(path + ": cannot write (" + ec.message() + ")", 1);
    }
}

std::string losses_csv(const std::vector<double>& losses) {
    std::string csv = "epoch,loss\n";
    for (size_t e = 0; e < losses.size(); ++e) csv += std::to_string(e) + "," + python_float(losses[e]) + "\n";
    return csv;
}

// A "nice" tick spacing (1, 2 or 5 times a power of ten) giving about `target` ticks over `span`.
double nice_tick_step(double span, int target) {
    if (!(span > 0)) return 1.0;
    const double raw = span / target;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / power;
    return power * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
}

std::string tick_label(double v) {
    std::ostringstream s;
    s << std::defaultfloat << std::setprecision(6) << (std::fabs(v) < 1e-12 ? 0.0 : v);
    return s.str();
}

// plt.figure(figsize=(10,3)); plt.plot(epochs, losses); plt.title(...): the same picture as a
// hand-written SVG, 1000 x 300 pixels, that any browser opens.
std::string loss_plot_svg(const std::vector<double>& losses) {
    const double width = 1000, height = 300, left = 70, right = 20, top = 40, bottom = 50;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    const double x_max = losses.size() > 1 ? static_cast<double>(losses.size() - 1) : 1.0;
    double y_min = 0.0, y_max = 1.0;
    if (!losses.empty()) {
        y_min = *std::min_element(losses.begin(), losses.end());
        y_max = *std::max_element(losses.begin(), losses.end());
    }
    const double y_step = nice_tick_step(y_max - y_min > 0 ? y_max - y_min : 1.0, 5);
    y_min = std::floor(y_min / y_step) * y_step;
    y_max = std::ceil(y_max / y_step) * y_step;
    if (y_max <= y_min) y_max = y_min + y_step;
    const double x_step = std::max(1.0, nice_tick_step(x_max, 10));
    auto px = [&](double x) { return left + plot_w * x / x_max; };
    auto py = [&](double y) { return top + plot_h * (1.0 - (y - y_min) / (y_max - y_min)); };

    std::ostringstream s;
    s << std::fixed << std::setprecision(2);
    s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">"
      << "Evolución de la pérdida durante entrenamiento</text>\n";
    for (double y = y_min; y <= y_max + y_step / 2; y += y_step) {
        s << "<line x1=\"" << left - 5 << "\" y1=\"" << py(y) << "\" x2=\"" << left + plot_w << "\" y2=\""
          << py(y) << "\" stroke=\"#dddddd\"/>\n"
          << "<text x=\"" << left - 8 << "\" y=\"" << py(y) + 4 << "\" text-anchor=\"end\">"
          << tick_label(y) << "</text>\n";
    }
    for (double x = 0; x <= x_max + 1e-9; x += x_step) {
        s << "<line x1=\"" << px(x) << "\" y1=\"" << top + plot_h << "\" x2=\"" << px(x) << "\" y2=\""
          << top + plot_h + 5 << "\" stroke=\"black\"/>\n"
          << "<text x=\"" << px(x) << "\" y=\"" << top + plot_h + 19 << "\" text-anchor=\"middle\">"
          << tick_label(x) << "</text>\n";
    }
    s << "<polyline fill=\"none\" stroke=\"black\" points=\"" << left << "," << top << " " << left << ","
      << top + plot_h << " " << left + plot_w << "," << top + plot_h << "\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 8 << "\" text-anchor=\"middle\">Epoch</text>\n"
      << "<text x=\"16\" y=\"" << top + plot_h / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
      << top + plot_h / 2 << ")\">Loss</text>\n"
      << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"";
    for (size_t e = 0; e < losses.size(); ++e)
        s << (e ? " " : "") << px(static_cast<double>(e)) << "," << py(losses[e]);
    s << "\"/>\n</svg>\n";
    return s.str();
}

// =============================================================================================
// Command line
// =============================================================================================

struct Options {
    std::string data_dir = "data";
    std::string out_dir = "out";
    uint32_t seed = 0;
    int epochs = 30;
    double learning_rate = 1e-4;
    int hidden = 64;
};

const char* kUsage =
    "usage: ./mlp [--data DIR] [--out DIR] [--seed N] [--epochs N] [--lr RATE] [--hidden N]\n"
    "Trains the lecture notes' perceptron (784 -> hidden -> 1, sigmoid) on MNIST digits 0 and 1.\n"
    "  --data DIR    folder with the four MNIST IDX files (default: data; 'make data' fetches them)\n"
    "  --out DIR     where loss.csv and loss.svg go (default: out)\n"
    "  --seed N      np.random.seed for the initial weights, 0..4294967295 (default: 0)\n"
    "  --epochs N    full-batch gradient descent steps, 1..1000000 (default: 30)\n"
    "  --lr RATE     learning rate alpha, a positive number (default: 0.0001)\n"
    "  --hidden N    hidden units, 1..4096 (default: 64)\n"
    "  --help        this text\n"
    "Threads: OMP_NUM_THREADS=N (when built with OpenMP).\n";

[[noreturn]] void usage_error(const std::string& message) {
    throw UserError(message + " (see ./mlp --help)", 2);
}

long long parse_integer(const std::string& flag, const std::string& text, long long lo, long long hi) {
    long long value = 0;
    const char* end = text.data() + text.size();
    const auto res = std::from_chars(text.data(), end, value);
    if (text.empty() || res.ec != std::errc() || res.ptr != end)
        usage_error(flag + " needs a whole number, got '" + text + "'");
    if (value < lo || value > hi)
        usage_error(flag + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                    ", got " + text);
    return value;
}

double parse_positive_number(const std::string& flag, const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
        usage_error(flag + " needs a number, got '" + text + "'");
    if (!(value > 0) || !std::isfinite(value))
        usage_error(flag + " must be a positive number, got '" + text + "'");
    return value;
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i], value;
        if (flag == "--help" || flag == "-h") {
            std::cout << kUsage;
            std::exit(0);
        }
        const size_t eq = flag.find('=');
        const bool inline_value = flag.rfind("--", 0) == 0 && eq != std::string::npos;
        if (inline_value) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        }
        const bool known = flag == "--data" || flag == "--out" || flag == "--seed" ||
                           flag == "--epochs" || flag == "--lr" || flag == "--hidden";
        if (!known) usage_error("unknown option '" + flag + "'");
        if (!inline_value) {
            if (i + 1 >= argc) usage_error(flag + " needs a value");
            value = argv[++i];
        }
        if (flag == "--data") o.data_dir = value;
        if (flag == "--out") o.out_dir = value;
        if (flag == "--seed") o.seed = static_cast<uint32_t>(parse_integer(flag, value, 0, 4294967295LL));
        if (flag == "--epochs") o.epochs = static_cast<int>(parse_integer(flag, value, 1, 1000000));
        if (flag == "--hidden") o.hidden = static_cast<int>(parse_integer(flag, value, 1, 4096));
        if (flag == "--lr") o.learning_rate = parse_positive_number(flag, value);
    }
    if (o.data_dir.empty()) usage_error("--data needs a folder");
    if (o.out_dir.empty()) usage_error("--out needs a folder");
    return o;
}

// Fails early, before minutes of training, when the output folder cannot be created or written.
void check_output_folder(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const std::string probe = dir + "/.mlp_write_test";
    std::ofstream out(probe);
    if (ec || !out) usage_error("--out " + dir + ": cannot create or write that folder");
    out.close();
    std::filesystem::remove(probe, ec);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run(int argc, char** argv) {
    const auto t0 = std::chrono::steady_clock::now();
    const Options o = parse_args(argc, argv);
    check_output_folder(o.out_dir);

    // 1. Data. The raw 70,000 images are freed once the 0s and 1s are copied out.
    const Split s = train_test_split(load_zeros_and_ones(o.data_dir));
    std::cout << s.X_train.shape() << " (" << s.y_train.rows << ",)\n"
              << s.X_test.shape() << " (" << s.y_test.rows << ",)\n";

    // 2. Model: input_size = X_train.shape[1], hidden_size, output_size = 1.
    Params p = init_params(s.X_train.cols, static_cast<size_t>(o.hidden), 1, o.seed);
    const double load_s = seconds_since(t0);

    // 4. Train on y_0 = X_train, y = y_train as a column.
    const auto t1 = std::chrono::steady_clock::now();
    const std::vector<double> losses = train(p, s.X_train, s.y_train, o.epochs, o.learning_rate);
    const double train_s = seconds_since(t1);

    // 5. Test.
    std::cout << "Exactitud de Prueba (Test accuracy): " << python_float(accuracy(p, s.X_test, s.y_test) * 100)
              << "%" << std::endl;

    // 6. Report.
    const std::string csv = o.out_dir + "/loss.csv", svg = o.out_dir + "/loss.svg";
    write_file_atomically(csv, losses_csv(losses));
    write_file_atomically(svg, loss_plot_svg(losses));
    std::fprintf(stderr, "wrote %s and %s; load %.3fs train %.3fs total %.3fs\n", csv.c_str(),
                 svg.c_str(), load_s, train_s, seconds_since(t0));
    return 0;
}

#ifndef MLP_NO_MAIN
int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const UserError& e) {
        std::cerr << "mlp: " << e.what() << "\n";
        return e.exit_code;
    } catch (const IdxError& e) {
        std::cerr << "mlp: " << e.what() << "\n";
        return 1;
    } catch (const std::bad_alloc&) {
        std::cerr << "mlp: out of memory; try a smaller --hidden\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "mlp: " << e.what() << "\n";
        return 1;
    }
}
#endif
