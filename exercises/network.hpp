// exercises/network.hpp: a perceptron with k >= 1 hidden layers (exercise a), any activation per
// layer (exercise b), and two or ten classes (exercise e). Its forward and backward passes are the
// lesson's eqs. (1)-(4) in a loop over the layers l = 1 .. K, where K = k + 1 is the output layer:
//
//   forward    z_l = y_{l-1} W_l + b_l,  y_l = phi_l(z_l)                 l = 1 .. K
//   backward   delta_K = y_K - y                                          (y: the target)
//              grad_W_l = y_{l-1}^T delta_l,  grad_b_l = column sums of delta_l
//              delta_{l-1} = (delta_l W_l^T) * phi_{l-1}'(z_{l-1})          l = K .. 2
//
// exercises/README.md derives them. Shapes for a batch of n samples: y_0 is (n, 784), W_l is
// (n_{l-1}, n_l), b_l is (1, n_l), z_l, y_l and delta_l are (n, n_l). With dropout (exercise f),
// each hidden y_l is phi_l(z_l) * keep_l / (1 - P) in training. In the code as in the notes, l
// counts the layers from 1: layer(l), z[l], y[l].
#pragma once

#include "layers.hpp"

#include <string>
#include <vector>

enum class Reduction { sum, mean };

struct Layer {
    Matrix W, b;                         // W_l (n_{l-1}, n_l), b_l (1, n_l)
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

// The dropout of one training step (exercise f): P, and keep[l] for every hidden layer l = 1 .. k
// (keep[0] is left empty: the input y_0 is never dropped).
struct DropoutMasks {
    double P = 0;
    std::vector<Matrix> keep;
};

// What the forward pass keeps for the backward pass: z[l] and y[l] for l = 1 .. K (z[0] and y[0]
// are left empty: y_0 is the input, which the caller holds), and, with dropout, phi_z[l] =
// phi_l(z_l) before the mask (without dropout, phi_z is empty: phi_l(z_l) is y_l itself).
struct ForwardPass {
    std::vector<Matrix> z, y, phi_z;
    const DropoutMasks* dropout = nullptr;
    explicit ForwardPass(size_t K = 0) : z(K + 1), y(K + 1) {}
    size_t K() const { return z.size() - 1; }
    const Matrix& y_K() const { return y.back(); }
    const Matrix& z_K() const { return z.back(); }
    const Matrix& phi_of_z(size_t l) const { return phi_z.empty() ? y[l] : phi_z[l]; }
};

struct Network {
    std::vector<Layer> layers;            // layer l = 1 .. K is layer(l); layer K is the output layer
    const OutputLayer* output = nullptr;  // its activation and loss: sigmoid + BCE, or softmax + CE
    int classes = 2;

    size_t K() const { return layers.size(); }
    Layer& layer(size_t l) { return layers[l - 1]; }
    const Layer& layer(size_t l) const { return layers[l - 1]; }
    size_t outputs() const { return output->units(classes); }

    std::vector<Parameter> parameters() {
        std::vector<Parameter> p;
        for (size_t l = 1; l <= K(); ++l) {
            p.push_back({"W_" + std::to_string(l), &layer(l).W, &layer(l).grad_W});
            p.push_back({"b_" + std::to_string(l), &layer(l).b, &layer(l).grad_b});
        }
        return p;
    }

    // (1) for every layer. y_0 is the images (a SparseMatrix) or any Matrix. With `dropout`, the
    // training step's masks are applied to every hidden layer's output.
    template <class Input>
    ForwardPass forward(const Input& y_0, const DropoutMasks* dropout = nullptr) const {
        ForwardPass f(K());
        f.dropout = dropout;
        if (dropout) f.phi_z.resize(K() + 1);
        // BEGIN SOLUTION (a) Network::forward
        for (size_t l = 1; l <= K(); ++l) {
            const Layer& L = layer(l);
            f.z[l] = l == 1 ? linear_forward(y_0, L.W, L.b)               // z_1 = y_0 W_1 + b_1
                            : linear_forward(f.y[l - 1], L.W, L.b);       // z_l = y_{l-1} W_l + b_l
            if (l == K()) {
                f.y[l] = output->forward(f.z[l]);                         // y_K = sigmoid or softmax(z_K)
            } else if (!dropout) {
                f.y[l] = activation_forward(*L.phi, f.z[l]);              // y_l = phi_l(z_l)
            } else {
                f.phi_z[l] = activation_forward(*L.phi, f.z[l]);          // phi_l(z_l), kept for phi'
                f.y[l] = dropout_forward(f.phi_z[l], dropout->keep[l], dropout->P);
            }
        }
        // END SOLUTION
        return f;
    }

    // (3), (4) for every layer: fills each layer's grad_W and grad_b with the gradient of the
    // batch's summed loss, or of its mean loss (every delta divided by n) under Reduction::mean.
    template <class Input>
    void backward(const Input& y_0, const ForwardPass& f, const Matrix& y, Reduction reduction) {
        Matrix delta = output->backward(f.y_K(), y);  // delta_K = y_K - y
        if (reduction == Reduction::mean) {
            // BEGIN SOLUTION (c) Network::backward's mean reduction
            divide(delta, static_cast<double>(y.rows));  // the batch's mean: every gradient is linear in delta_K
            // END SOLUTION
        }
        // BEGIN SOLUTION (a) Network::backward
        for (size_t l = K(); l >= 1; --l) {  // delta holds delta_l
            Layer& L = layer(l);
            if (l == 1)
                linear_backward(y_0, delta, L.grad_W, L.grad_b);         // grad_W_1 = y_0^T delta_1
            else
                linear_backward(f.y[l - 1], delta, L.grad_W, L.grad_b);  // grad_W_l = y_{l-1}^T delta_l
            if (l == 1) break;
            // delta_{l-1} = (delta_l W_l^T) * phi_{l-1}'(z_{l-1})
            Matrix dL_dy = matmul_ABt(delta, L.W);
            if (f.dropout) dL_dy = dropout_backward(dL_dy, f.dropout->keep[l - 1], f.dropout->P);
            delta = activation_backward(*layer(l - 1).phi, dL_dy, f.z[l - 1], f.phi_of_z(l - 1));
        }
        // END SOLUTION
    }

    // (2) The loss summed over the batch's samples.
    double loss_sum(const ForwardPass& f, const Matrix& y) const { return output->loss_sum(f.y_K(), f.z_K(), y); }

    // Samples predicted with certainty and wrong: a sign that training has diverged.
    size_t certain_and_wrong(const ForwardPass& f, const Matrix& y) const { return output->certain_and_wrong(f.y_K(), y); }

    // The predicted class of each sample.
    std::vector<int> predict(const ForwardPass& f) const {
        const Matrix& y_K = f.y_K();
        std::vector<int> predicted(y_K.rows);
        for (size_t i = 0; i < y_K.rows; ++i) predicted[i] = output->predicted_class(y_K.row(i), y_K.cols);
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
    net.output = &output_layer_for(classes);
    const size_t k = hidden.size();
    size_t n_in = inputs;  // n_{l-1}
    for (size_t l = 1; l <= k + 1; ++l) {
        const size_t n_out = l <= k ? hidden[l - 1] : net.outputs();  // n_l
        Layer layer;
        layer.W = Matrix(n_in, n_out);
        layer.b = Matrix(1, n_out);
        const double s = init.s(n_in, n_out);
        for (double& w : layer.W.data) w = s * rng.randn();
        layer.phi = l <= k ? phi[l - 1] : nullptr;
        net.layers.push_back(std::move(layer));
        n_in = n_out;
    }
    return net;
}

// The masks of one training step (exercise f), as the spec draws them from the run's one random
// stream: for every hidden layer l = 1 .. k in order, keep_l = random_sample((n, n_l)) >= P.
inline DropoutMasks draw_dropout_masks(const Network& net, size_t n, double P, NumpyRandomState& rng) {
    DropoutMasks d;
    d.P = P;
    d.keep.resize(net.K());  // keep[1] .. keep[k]; keep[0] empty
    for (size_t l = 1; l < net.K(); ++l) {
        Matrix& keep = d.keep[l] = Matrix(n, net.layer(l).W.cols);
        rng.random_sample_at_least(P, keep.data.data(), keep.size());
    }
    return d;
}
