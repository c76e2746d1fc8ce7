/*
mlp.cpp: backpropagation for a one-hidden-layer perceptron, the C++ companion to the lecture notes
"Implementación en NUMPY de Retropropagación (Backpropagation) para un MLP simple" (M. Rivera, 2023).

The story, in the order the file tells it:
  1. Data.  Read MNIST's four IDX files, keep the digits 0 and 1, split them 80/20 exactly as
     scikit-learn's train_test_split(test_size=0.2, random_state=42) does, divide pixels by 255.
  2. Model. 784 inputs -> H hidden sigmoid units -> 1 sigmoid output, initialised as the notes do
     with np.random.seed(SEED): W = 0.1 * randn(...), biases zero.
  3. The equations, each forward rule with its derivative right beside it:
       (1) forward pass    z_1 = y_0 W_1 + b_1,  y_1 = phi(z_1),  z_2 = y_1 W_2 + b_2,  y_2 = phi(z_2)
       (2) loss            L = -sum_i [y_i log y2_i + (1 - y_i) log(1 - y2_i)]
       (3) output layer    delta_2 = dL/dz_2 = y_2 - y,  grad_W2 = y_1^T delta_2,
                           grad_b2 = sum of delta_2's rows
       (4) hidden layer    delta_1 = (delta_2 W_2^T) * phi'(z_1),  grad_W1 = y_0^T delta_1,
                           grad_b1 = sum of delta_1's rows           (* is element by element)
       (5) descent         theta <- theta - alpha * dL/dtheta
       (6) sigmoid         phi(z) = 1 / (1 + exp(-z)),  phi'(z) = phi(z) (1 - phi(z))
  4. Training. Full-batch gradient descent, printing "Epoch k, Loss: L" as the notes do.
  5. Test.  Predict 1 where y_2 >= 0.5 and print the accuracy.
Then run() writes the loss history (out/loss.csv, and the notes' plot as out/loss.svg) and a page
about the run, out/report.html (program/report_html.hpp), which also walks one test image through
(1)-(6) with its numbers; --explain N prints that walk (program/explain.hpp).

How (3) and (4) relate to the notes as printed. The notes' text of (3) reads
dL/dW_2 = [y_2 - phi_2(z_2)]^T W_2 dL/dz_2: there y_2 names the *target* (in (1) it is the output),
the W_2 is a slip, and y_1 is missing. Their Appendix derives dL/dz_2 = phi(z_2) - y = y_2 - y
(output minus target), and the chain rule through z_2 = y_1 W_2 + b_2 gives dL/dW_2 = y_1^T delta_2;
that is what the notes' code computes, and what this file does. In (4) the product with phi'(z_1)
is element by element. The notes' phi_1 and phi_2 are both the sigmoid, one phi() here.

The notes work in "row form": one sample per row, so y_0 is (N, 784) and every product is
(samples x features) @ (features x units). Seeded, every printed number is the notes' numpy code's
(tests/notes_numpy_seed0.txt holds its seed-0 output; `make test` compares).

test_gradients.cpp includes this file (with MLP_NO_MAIN defined) to check forward() and backward()
below against finite differences: if you change the model, run `make test`. The regions marked as a
SOLUTION are the lesson's own exercise: `make lab` writes a copy of the project with a stub in
their place, for a student to write them, and `make check` grades them (README.md, "The exercises").
*/
#ifndef MLP_CPP_INCLUDED  // included (with MLP_NO_MAIN) by the checker, the tests and the exercises
#define MLP_CPP_INCLUDED
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "program/command_line.hpp"
#include "program/explain.hpp"
#include "idx_reader.hpp"
#include "matrix.hpp"
#include "numpy_random.hpp"
#include "program/output_files.hpp"
#include "program/report_html.hpp"

// =============================================================================================
// 1. Data
// =============================================================================================

// MNIST's 70,000 images in fetch_openml's order (the 60k training set, then the 10k test set),
// reduced to the digits below `classes`: 0 and 1 for the notes (the exercises also use all ten).
struct Digits {
    uint32_t rows = 0, cols = 0;  // pixels per image: rows x cols (28 x 28)
    size_t pixels_per_image = 0;
    std::vector<uint8_t> pixels;  // image i starts at pixels[i * pixels_per_image]
    std::vector<int> labels;
};

// Appends the images of one IDX pair whose label is below `classes`.
inline void append_digits(Digits& digits, const std::string& images_path, const std::string& labels_path,
                   int classes) {
    const IdxImages images = read_idx_images(images_path);
    const std::vector<uint8_t> labels = read_idx_labels(labels_path);
    if (images.count != labels.size())
        throw IdxError(images_path + " holds " + std::to_string(images.count) + " images but " +
                       labels_path + " holds " + std::to_string(labels.size()) +
                       " labels; the two files must come from the same set (run 'make data')");
    if (digits.pixels_per_image != 0 && (digits.rows != images.rows || digits.cols != images.cols))
        throw IdxError(images_path + ": images of " + std::to_string(images.rows) + "x" +
                       std::to_string(images.cols) + " pixels differ from the training set's " +
                       std::to_string(digits.rows) + "x" + std::to_string(digits.cols) + " (run 'make data')");
    digits.rows = images.rows, digits.cols = images.cols;
    const size_t pixels = digits.pixels_per_image = size_t(images.rows) * images.cols;
    digits.pixels.reserve(digits.pixels.size() + images.pixels.size());  // room for all of them, at most
    for (size_t i = 0; i < labels.size(); ++i) {
        if (labels[i] > 9)
            throw IdxError(labels_path + ": label " + std::to_string(labels[i]) + " at index " +
                           std::to_string(i) + " is not a digit 0-9; is this MNIST? (run 'make data')");
        if (labels[i] >= classes) continue;
        digits.labels.push_back(labels[i]);
        const uint8_t* image = images.pixels.data() + i * pixels;
        digits.pixels.insert(digits.pixels.end(), image, image + pixels);
    }
}

inline Digits load_digits(const std::string& data_dir, int classes) {
    Digits digits;
    append_digits(digits, find_idx_file(data_dir, "train-images-idx3-ubyte"),
                  find_idx_file(data_dir, "train-labels-idx1-ubyte"), classes);
    append_digits(digits, find_idx_file(data_dir, "t10k-images-idx3-ubyte"),
                  find_idx_file(data_dir, "t10k-labels-idx1-ubyte"), classes);
    // The split needs at least one training and one test image.
    if (digits.labels.size() < 2)
        throw IdxError(data_dir + ": " + std::to_string(digits.labels.size()) + " images of the digits 0" +
                       (classes == 2 ? " and 1" : " to " + std::to_string(classes - 1)) +
                       ", too few to split into training and test sets; is this MNIST? (run 'make data')");
    return digits;
}

inline Digits load_zeros_and_ones(const std::string& data_dir) { return load_digits(data_dir, 2); }

// The images are kept as SparseMatrix: only their nonzero pixels (83% of MNIST's pixels are black,
// 0). Every product with them adds exactly the terms the dense matrix would, in the same order, minus
// the zeros (x + 0 w == x), so the numbers do not change; the work and memory shrink about six-fold.
// matrix.hpp explains.
struct Split {
    SparseMatrix X_train, X_test;  // (11824, 784) and (2956, 784), pixels / 255
    Matrix y_train, y_test;        // (11824, 1) and (2956, 1), labels 0 or 1
};

// X[rows[r]] / 255 for each r: the images scaled to [0, 1] (numpy divides, so do we).
inline SparseMatrix scaled_images(const Digits& digits, const std::vector<uint32_t>& rows) {
    return SparseMatrix(rows.size(), digits.pixels_per_image, [&](size_t r, double* scaled) {
        const uint8_t* image = digits.pixels.data() + size_t(rows[r]) * digits.pixels_per_image;
        for (size_t c = 0; c < digits.pixels_per_image; ++c) scaled[c] = image[c] / 255.0;
    });
}

inline Matrix label_column(const Digits& digits, const std::vector<uint32_t>& rows) {
    Matrix y(rows.size(), 1);
    for (size_t r = 0; r < rows.size(); ++r) y(r, 0) = digits.labels[rows[r]];
    return y;
}

// train_test_split(X, y, test_size=0.2, random_state=42): the first ceil(0.2 n) entries of
// RandomState(42).permutation(n) are the test rows, the rest the training rows, in that order.
inline Split train_test_split(const Digits& digits) {
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
inline Params init_params(size_t input_size, size_t hidden_size, size_t output_size, uint32_t seed) {
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
inline double phi(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// The same rule in JavaScript, for the report page's forward pass (program/report_html.hpp), and its
// derivative from y = phi(z), for the page's backward pass.
inline const char* const kPhiJavaScript = "1 / (1 + Math.exp(-z))";
inline const char* const kPhiPrimeJavaScript = "y * (1 - y)";

// (6) Its derivative, phi'(z) = phi(z) (1 - phi(z)), from the output y = phi(z) the forward pass
// already computed: backprop reuses the forward pass instead of evaluating exp again.
inline double phi_prime_from_output(double y) {
    // BEGIN SOLUTION (lesson) phi_prime_from_output, eq. (6)
    return y * (1.0 - y);
    // END SOLUTION
}

inline Matrix sigmoid_forward(const Matrix& z) { return map(z, phi); }

// phi'(z) for every element, from y = phi(z).
inline Matrix sigmoid_prime(const Matrix& y) { return map(y, phi_prime_from_output); }

// (1) A layer's affine map z = x W + b: x is (N, in), W is (in, out), b is (1, out).
// x is a Matrix, or for the first layer the images y_0 as a SparseMatrix.
template <class Input>
inline Matrix linear_forward(const Input& x, const Matrix& W, const Matrix& b) {
    return add_row_vector(matmul(x, W), b);
}

// (3), (4) Its parameter gradients, given delta = dL/dz (N, out):
//   dL/dW = x^T delta               (in, out): each sample's outer product x_i^T delta_i, summed;
//   dL/db = sum of delta's rows     (1, out):  one value per unit, since b is added to every row.
// The notes' code writes grad_b = np.sum(delta)[0]. On plain numpy arrays that line raises an
// IndexError; on the pandas DataFrames fetch_openml returns it sums unit 0's column only and gives
// that one number to every bias. The correct gradient, here, sums each column separately.
template <class Input>
inline void linear_backward(const Input& x, const Matrix& delta, Matrix& grad_W, Matrix& grad_b) {
    // BEGIN SOLUTION (lesson) linear_backward, eqs. (3) and (4)
    grad_W = matmul_AtB(x, delta);
    grad_b = column_sums(delta);
    // END SOLUTION
}

// log(phi(z)), computed without forming phi(z): -log(1 + exp(-z)), arranged so exp never overflows.
inline double log_sigmoid(double z) { return -(std::max(-z, 0.0) + std::log1p(std::exp(-std::fabs(z)))); }

// (2) Binary cross-entropy, summed over all samples (and outputs): the loss the gradients of (3)
// and (4) belong to. Each term is computed as numpy does, y log(y_2) + (1 - y) log(1 - y_2), so the
// digits match; when y_2 has rounded to exactly 0 or 1, that form gives log(0) = -inf (numpy then
// prints nan or inf), and the same term is taken from z_2 instead: log(y_2) = log_sigmoid(z_2),
// log(1 - y_2) = log_sigmoid(-z_2). The sum is numpy's (pairwise, in chunks).
inline double bce_loss_sum(const Matrix& y_2, const Matrix& z_2, const Matrix& y) {
    if (y_2.rows != y.rows || y_2.cols != y.cols) shape_mismatch("bce_loss_sum", y_2, y);
    std::vector<double> terms(y.size());
    for (size_t i = 0; i < y.size(); ++i) {
        const double t = y.data[i], p = y_2.data[i], z = z_2.data[i];
        const double term = t * std::log(p) + (1 - t) * std::log(1 - p);
        terms[i] = std::isfinite(term) ? term : t * log_sigmoid(z) + (1 - t) * log_sigmoid(-z);
    }
    return -numpy_sum(terms.data(), terms.size());
}

// (3) and the Appendix: with a sigmoid output and this loss, dL/dz_2 = phi(z_2) - y = y_2 - y
// (output minus target); the 1/phi and 1/(1 - phi) of the log cancel against phi'. Summed, not
// averaged, over samples.
inline Matrix bce_sigmoid_backward(const Matrix& y_2, const Matrix& y) {
    // BEGIN SOLUTION (lesson) bce_sigmoid_backward, eq. (3)'s delta_2
    return subtract(y_2, y);
    // END SOLUTION
}

// What the forward pass computes and the backward pass reuses.
struct Activations {
    Matrix z_1, y_1;  // (N, H)
    Matrix z_2, y_2;  // (N, 1); y_2 is the prediction y_hat
};

// (1) The forward pass, from the input y_0 = x (N, 784).
inline Activations forward(const Params& p, const SparseMatrix& y_0) {
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
inline Gradients backward(const Params& p, const SparseMatrix& y_0, const Activations& a, const Matrix& y) {
    Gradients g;
    // BEGIN SOLUTION (lesson) backward, eqs. (3) and (4)
    // (3) The notes print y_2 - phi_2(z_2) with y_2 as the target and a stray W_2; the Appendix's
    //     dL/dz_2 = phi(z_2) - y is output minus target, and z_2 = y_1 W_2 + b_2 gives y_1^T delta_2.
    const Matrix delta_2 = bce_sigmoid_backward(a.y_2, y);  // (3) delta_2 = y_2 - y        (N, 1)
    // (4) delta_2 W_2^T is a matrix product; its product with phi'(z_1) is element by element.
    const Matrix delta_1 = hadamard(matmul_ABt(delta_2, p.W_2), sigmoid_prime(a.y_1));
                                                            // (4) delta_1 = (delta_2 W_2^T) * phi'(z_1)  (N, H)
    linear_backward(a.y_1, delta_2, g.grad_W2, g.grad_b2);  // (3) grad_W2 = y_1^T delta_2 (H, 1),
                                                            //     grad_b2 = sum of delta_2's rows
    linear_backward(y_0, delta_1, g.grad_W1, g.grad_b1);    // (4) grad_W1 = y_0^T delta_1 (784, H),
                                                            //     grad_b1 = sum of delta_1's rows
    // END SOLUTION
    return g;
}

// (5) One step of gradient descent on every parameter: theta <- theta - alpha * dL/dtheta.
inline void gradient_descent_step(Params& p, const Gradients& g, double learning_rate) {
    // BEGIN SOLUTION (lesson) gradient_descent_step, eq. (5)
    subtract_scaled(p.W_2, learning_rate, g.grad_W2);
    subtract_scaled(p.b_2, learning_rate, g.grad_b2);
    subtract_scaled(p.W_1, learning_rate, g.grad_W1);
    subtract_scaled(p.b_1, learning_rate, g.grad_b1);
    // END SOLUTION
}

// =============================================================================================
// 4. Training and 5. test
// =============================================================================================

// Samples whose prediction has rounded to exactly the wrong label (y_2 = 1 for a 0, or 0 for a 1).
// For each, the notes' loss term is log(0) = -inf: numpy would print an infinite loss. A network
// that is infinitely sure and wrong has been thrown off by too large a step: training diverged.
inline size_t count_saturated_wrong(const Matrix& y_2, const Matrix& y) {
    size_t count = 0;
    for (size_t i = 0; i < y.size(); ++i) count += y_2.data[i] == 1.0 - y.data[i];
    return count;
}

// What the user reads when training diverges: when and why, then what to try.
inline std::string divergence(int epoch, size_t wrong, double loss) {
    const std::string why = wrong ? std::to_string(wrong) + (wrong == 1 ? " sample" : " samples") +
                                        " predicted with certainty and wrong, an infinite loss"
                                  : "loss " + python_float(loss);
    return "training diverged at epoch " + std::to_string(epoch) + " (" + why + ")";
}
inline std::string divergence_message(int epoch, size_t wrong, double loss, double learning_rate) {
    return divergence(epoch, wrong, loss) + "; try a smaller --lr than " + python_float(learning_rate);
}

// Thrown when training diverges; carries the losses of the epochs before, for the plot.
struct Diverged : UserError {
    std::vector<double> losses;
    Diverged(const std::string& message, std::vector<double> losses_)
        : UserError(message, 1), losses(std::move(losses_)) {}
};

// Full-batch training, the notes' loop: forward (1), loss (2), backward (3)-(4), step (5).
// Returns the loss of every epoch (the mean over samples, as the notes print it).
inline std::vector<double> train(Params& p, const SparseMatrix& y_0, const Matrix& y, int epochs,
                          double learning_rate) {
    std::vector<double> losses;
    for (int epoch = 0; epoch < epochs; ++epoch) {
        const Activations a = forward(p, y_0);                                               // (1)
        const double loss = bce_loss_sum(a.y_2, a.z_2, y) / static_cast<double>(y.size());  // (2)
        const size_t wrong = count_saturated_wrong(a.y_2, y);
        if (!std::isfinite(loss) || wrong > 0)
            throw Diverged(divergence_message(epoch, wrong, loss, learning_rate), losses);
        const Gradients g = backward(p, y_0, a, y);  // (3), (4)
        gradient_descent_step(p, g, learning_rate);  // (5)
        std::cout << "Epoch " << epoch << ", Loss: " << python_float(loss) << std::endl;
        losses.push_back(loss);
    }
    // No forward pass follows the last step to notice a weight it made infinite or NaN: look.
    for (const Matrix* theta : {&p.W_1, &p.b_1, &p.W_2, &p.b_2})
        if (!all_finite(*theta)) throw Diverged(divergence_message(epochs, 0, NAN, learning_rate), losses);
    return losses;
}

// The share of test images whose prediction (y_2 >= 0.5 means "1") equals the label, from the
// outputs y_2 of a forward pass (1) over the test set.
inline double accuracy(const Matrix& y_2, const Matrix& y) {
    size_t correct = 0;
    for (size_t i = 0; i < y.rows; ++i) correct += (y_2(i, 0) >= 0.5 ? 1.0 : 0.0) == y(i, 0);
    return static_cast<double>(correct) / static_cast<double>(y.rows);
}

// =============================================================================================
// The program: flags, then 1-5 in order, then the loss history to out/
// =============================================================================================

struct Options {
    std::string data_dir = "data", out_dir = "out";
    uint32_t seed = 0;
    int epochs = 30, hidden = 64;
    double learning_rate = 1e-4;
    ExplainRequest explain;  // --explain N: the equations on test image N (program/explain.hpp)
};

inline const char* kUsage =
    "usage: ./mlp [--data DIR] [--out DIR] [--seed N] [--epochs N] [--lr RATE] [--hidden N] [--explain N]\n"
    "Trains the lecture notes' perceptron (784 -> hidden -> 1, sigmoid) on MNIST digits 0 and 1.\n"
    "  --data DIR    folder with the four MNIST IDX files (default: data; 'make data' fetches them)\n"
    "  --out DIR     where loss.csv, loss.svg and report.html go (default: out)\n"
    "  --seed N      np.random.seed for the initial weights, 0..4294967295 (default: 0)\n"
    "  --epochs N    full-batch gradient descent steps, 0..1000000; 0: the untrained network (default: 30)\n"
    "  --lr RATE     learning rate alpha, a positive number (default: 0.0001)\n"
    "  --hidden N    hidden units, 1..4096 (default: 64)\n"
    "  --explain N   then print eqs. (1)-(6) evaluated on test image N, with its numbers (0: the first)\n"
    "  --help        this text\n"
    "Threads: OMP_NUM_THREADS=N (when built with OpenMP).\n";

inline Options parse_args(int argc, char** argv) {
    Options o;
    FlagParser flags("./mlp", kUsage);
    flags.add_text("--data", &o.data_dir);
    flags.add_text("--out", &o.out_dir);
    flags.add_integer("--seed", 0, 4294967295LL, &o.seed);
    flags.add_integer("--epochs", 0, 1000000, &o.epochs);
    flags.add_integer("--hidden", 1, 4096, &o.hidden);
    flags.add_number("--lr", 0, false, INFINITY, false, &o.learning_rate);
    add_explain_flag(flags, &o.explain);
    flags.parse(argc, argv);
    return o;
}

inline int run(int argc, char** argv) {
    const auto t0 = std::chrono::steady_clock::now();
    const Options o = parse_args(argc, argv);

    // 1. Data. The raw 70,000 images are freed once the 0s and 1s are copied out.
    Stage reading("reading the data, MNIST's images from " + o.data_dir + " (about 90 MB in all)", "free some memory");
    const Split s = train_test_split(load_zeros_and_ones(o.data_dir));
    check_explain_request(o.explain, s.X_test.rows, "./mlp");
    prepare_output_folder(o.out_dir);
    std::cout << s.X_train.shape() << " (" << s.y_train.rows << ",)\n"
              << s.X_test.shape() << " (" << s.y_test.rows << ",)\n";

    // 2. Model: input_size = X_train.shape[1], hidden_size, output_size = 1.
    Params p = init_params(s.X_train.cols, static_cast<size_t>(o.hidden), 1, o.seed);
    const double load_s = seconds_since(t0);

    // 4. Train on y_0 = X_train, y = y_train as a column.
    Stage training("training on all " + std::to_string(s.X_train.rows) + " samples at once with --hidden " +
                       std::to_string(o.hidden), "try a smaller --hidden");
    const auto t1 = std::chrono::steady_clock::now();
    std::vector<double> losses;
    try {
        losses = train(p, s.X_train, s.y_train, o.epochs, o.learning_rate);
    } catch (const Diverged& d) {
        write_loss_history(o.out_dir, d.losses, {{"report.html", diverged_report_html("./mlp", d.what(), d.losses)}});
        throw;
    }
    const double train_s = seconds_since(t1);

    // 5. Test.
    const Activations test = forward(p, s.X_test);  // (1) on X_test
    std::cout << "Exactitud de Prueba (Test accuracy): " << python_float(accuracy(test.y_2, s.y_test) * 100)
              << "%" << std::endl;

    // Equations (1)-(6) on one test image, through forward() and backward(): printed for --explain N,
    // and shown on the page, which walks the image again in JavaScript (program/explain.hpp).
    const Walk walk = lesson_walk(p, s.X_test, s.y_test, static_cast<size_t>(o.explain.image), o.learning_rate);
    if (o.explain.given) std::cout << walk_text(walk);

    // The report page (program/report_html.hpp): the run, the weights, the mistakes, a pad to draw on.
    const std::string report = report_html(lesson_network(p, kPhiJavaScript, kPhiPrimeJavaScript), lesson_run(argc, argv, o, s,
        losses, {{"load", load_s}, {"train", train_s}, {"total", seconds_since(t0)}}), report_test_set(s.X_test, s.y_test, test.y_2),
        &walk);
    write_loss_history(o.out_dir, losses, {{"report.html", report}});
    check_standard_output();  // the printed results reached stdout (not a full disk, a closed pipe)
    std::fprintf(stderr, "wrote %s/loss.csv, loss.svg and report.html; load %.3fs train %.3fs total %.3fs\n",
                 printable(o.out_dir).c_str(), load_s, train_s, seconds_since(t0));
    return 0;
}

#ifndef MLP_NO_MAIN
int main(int argc, char** argv) {
    return run_program("mlp", [&] { return run(argc, argv); });
}
#endif
#endif  // MLP_CPP_INCLUDED
