// exercises/network.hpp: a perceptron with k >= 1 hidden layers (exercise a), any activation per
// layer (exercise b), and two or ten classes (exercise e). Its forward and backward passes are the
// lesson's eqs. (1)-(4) in a loop over the layers:
//
//   forward    z_l = y_{l-1} W_l + b_l,  y_l = phi_l(z_l)                 l = 1 .. L
//   backward   delta_L = y_L - t                                          (the output layer's loss)
//              grad_W_l = y_{l-1}^T delta_l,  grad_b_l = column sums of delta_l
//              delta_{l-1} = (delta_l W_l^T) * phi_{l-1}'(z_{l-1})          l = L .. 2
//
// exercises/README.md derives them. Shapes for a batch of n samples: y_0 is (n, 784), W_l is
// (n_{l-1}, n_l), b_l is (1, n_l), z_l, y_l and delta_l are (n, n_l).
#pragma once

#include "layers.hpp"

#include <string>
#include <vector>

enum class Reduction { sum, mean };

struct Layer {
    Matrix W, b;                         // W_l (n_in, n_out), b_l (1, n_out)
    Matrix grad_W, grad_b;               // dL/dW_l, dL/db_l, written by backward()
    const Activation* phi = nullptr;     // phi_l for a hidden layer; nullptr for the output layer
};

// A trainable tensor, its gradient and a name for messages ("W_2"): what the optimizers and the
// gradient checker walk over, so that a layer added here is updated and checked without more code.
struct Parameter {
    std::string name;
    Matrix* theta;
    Matrix* grad;
};

// What the forward pass keeps for the backward pass: z_l and y_l for l = 1 .. L (index l - 1).
struct ForwardPass {
    std::vector<Matrix> z, y;
    const Matrix& y_L() const { return y.back(); }
};

struct Network {
    std::vector<Layer> layers;  // layers[l - 1] is layer l; the last one is the output layer
    int classes = 2;            // 2: one sigmoid output (the lesson); 10: softmax over ten outputs

    size_t outputs() const { return classes == 2 ? 1 : static_cast<size_t>(classes); }

    std::vector<Parameter> parameters() {
        std::vector<Parameter> p;
        for (size_t l = 0; l < layers.size(); ++l) {
            const std::string n = std::to_string(l + 1);
            p.push_back({"W_" + n, &layers[l].W, &layers[l].grad_W});
            p.push_back({"b_" + n, &layers[l].b, &layers[l].grad_b});
        }
        return p;
    }

    // (1) for every layer. y_0 is the images (a SparseMatrix) or any Matrix.
    template <class Input>
    ForwardPass forward(const Input& y_0) const {
        ForwardPass f;
        for (size_t l = 0; l < layers.size(); ++l) {
            const Layer& layer = layers[l];
            f.z.push_back(l == 0 ? linear_forward(y_0, layer.W, layer.b)            // z_1 = y_0 W_1 + b_1
                                 : linear_forward(f.y.back(), layer.W, layer.b));  // z_l = y_{l-1} W_l + b_l
            f.y.push_back(layer.phi ? activation_forward(*layer.phi, f.z.back())   // y_l = phi_l(z_l)
                          : classes == 2 ? SigmoidBce::forward(f.z.back())         // y_L = sigmoid(z_L)
                                         : SoftmaxCrossEntropy::forward(f.z.back()));  // y_L = softmax(z_L)
        }
        return f;
    }

    // (2) The loss summed over the batch's samples (t: the targets, one row per sample).
    double loss_sum(const ForwardPass& f, const Matrix& t) const {
        return classes == 2 ? SigmoidBce::loss_sum(f.y_L(), f.z.back(), t)
                            : SoftmaxCrossEntropy::loss_sum(f.y_L(), f.z.back(), t);
    }

    // Samples predicted with certainty and wrong: a sign that training has diverged.
    size_t certain_and_wrong(const ForwardPass& f, const Matrix& t) const {
        return classes == 2 ? SigmoidBce::certain_and_wrong(f.y_L(), t)
                            : SoftmaxCrossEntropy::certain_and_wrong(f.y_L(), t);
    }

    // (3), (4) for every layer: fills each layer's grad_W and grad_b with the gradient of the
    // batch's summed loss, or of its mean loss (every delta divided by n) under Reduction::mean.
    template <class Input>
    void backward(const Input& y_0, const ForwardPass& f, const Matrix& t, Reduction reduction) {
        Matrix delta = classes == 2 ? SigmoidBce::backward(f.y_L(), t)            // delta_L = y_L - t
                                    : SoftmaxCrossEntropy::backward(f.y_L(), t);
        if (reduction == Reduction::mean) divide(delta, static_cast<double>(t.rows));  // the batch's mean
        for (size_t l = layers.size(); l-- > 0;) {
            Layer& layer = layers[l];
            if (l == 0)
                linear_backward(y_0, delta, layer.grad_W, layer.grad_b);     // grad_W_1 = y_0^T delta_1
            else
                linear_backward(f.y[l - 1], delta, layer.grad_W, layer.grad_b);  // grad_W_l = y_{l-1}^T delta_l
            if (l == 0) break;
            const Layer& below = layers[l - 1];  // delta_{l-1} = (delta_l W_l^T) * phi_{l-1}'(z_{l-1})
            delta = activation_backward(*below.phi, matmul_ABt(delta, layer.W), f.z[l - 1], f.y[l - 1]);
        }
    }

    // The predicted class of each sample: 1 where y_L >= 0.5 (two classes), else the first index
    // of the largest output.
    std::vector<int> predict(const ForwardPass& f) const {
        const Matrix& y_L = f.y_L();
        std::vector<int> predicted(y_L.rows);
        for (size_t i = 0; i < y_L.rows; ++i) {
            const double* row = y_L.row(i);
            predicted[i] = classes == 2 ? (row[0] >= 0.5 ? 1 : 0)
                                        : static_cast<int>(std::max_element(row, row + y_L.cols) - row);
        }
        return predicted;
    }

private:
    static void divide(Matrix& m, double n) {
        for (double& v : m.data) v /= n;
    }
};

// How the initial weights are drawn: W_l = s_l * randn(n_in, n_out), with s_l a fixed number
// (the notes' 0.1), He's sqrt(2 / n_in) or Xavier's sqrt(2 / (n_in + n_out)).
struct InitRule {
    enum Kind { fixed, he, xavier } kind = fixed;
    double scale = 0.1;
    double s(size_t n_in, size_t n_out) const {
        if (kind == he) return std::sqrt(2.0 / static_cast<double>(n_in));
        if (kind == xavier) return std::sqrt(2.0 / static_cast<double>(n_in + n_out));
        return scale;
    }
};

// The layers n_0 = inputs -> hidden[0] -> ... -> outputs, with hidden layer l using phi[l], drawn
// from `rng` layer after layer (W_1 first), biases zero: with one hidden layer, 0.1 and the
// seed's RandomState this is the lesson's init_params().
inline Network make_network(size_t inputs, const std::vector<size_t>& hidden,
                            const std::vector<const Activation*>& phi, int classes, const InitRule& init,
                            NumpyRandomState& rng) {
    Network net;
    net.classes = classes;
    size_t n_in = inputs;
    for (size_t l = 0; l <= hidden.size(); ++l) {
        const size_t n_out = l < hidden.size() ? hidden[l] : net.outputs();
        Layer layer;
        layer.W = Matrix(n_in, n_out);
        layer.b = Matrix(1, n_out);
        const double s = init.s(n_in, n_out);
        for (double& w : layer.W.data) w = s * rng.randn();
        layer.phi = l < hidden.size() ? phi[l] : nullptr;
        net.layers.push_back(std::move(layer));
        n_in = n_out;
    }
    return net;
}
