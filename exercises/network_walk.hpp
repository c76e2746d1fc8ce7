// exercises/network_walk.hpp: ./deep_mlp --explain N, and its report page's "Backprop on one image":
// the network's own Network::forward(), loss_sum() and Network::backward(), and eq. (5)'s
// gd_update(), handed to program/explain.hpp, which walks one test image through them. The walk is
// the test-time network's: no dropout (every unit, unscaled), and plain gradient descent at --lr
// for the step of (5), whatever the run's optimizer.
#pragma once

#include "../program/explain.hpp"
#include "network.hpp"
#include "optimizers.hpp"

#include <string>
#include <vector>

namespace network_walk_detail {

inline WalkParameters parameters_of(const Network& net) {
    WalkParameters t;
    for (const Layer& L : net.layers) t.W.push_back(L.W), t.b.push_back(L.b);
    return t;
}

// `net` with the parameters theta (its activations and output layer kept).
inline Network with_parameters(Network net, const WalkParameters& theta) {
    for (size_t l = 1; l <= net.K(); ++l) net.layer(l).W = theta.W[l - 1], net.layer(l).b = theta.b[l - 1];
    return net;
}

}  // namespace network_walk_detail

// The walk of test image i (of `images`; `labels` a column of digits) through `net`.
inline Walk network_walk(const Network& net, const SparseMatrix& images, const Matrix& labels, size_t i, double learning_rate) {
    using namespace network_walk_detail;
    const uint32_t row = static_cast<uint32_t>(i);
    const SparseMatrix y_0 = images.select_rows(&row, 1);
    const Matrix y = net.output->targets(select_rows(labels, &row, 1), net.classes);  // the label, or its one-hot row
    WalkFunctions fn;
    fn.forward = [&](const WalkParameters& t) {
        const ForwardPass f = with_parameters(net, t).forward(y_0);  // (1), no dropout
        WalkForward w{{f.z.begin() + 1, f.z.end()}, {f.y.begin() + 1, f.y.end()}, net.loss_sum(f, y)};  // (2)
        return w;
    };
    fn.backward = [&](const WalkParameters& t, const WalkForward& w) {
        Network moved = with_parameters(net, t);
        ForwardPass f(moved.K());
        for (size_t l = 1; l <= moved.K(); ++l) f.z[l] = w.z[l - 1], f.y[l] = w.y[l - 1];
        moved.backward(y_0, f, y, Reduction::sum);  // (3), (4): the gradients of this image's loss
        WalkBackward g;
        for (size_t l = 1; l <= moved.K(); ++l) {
            g.grad_W.push_back(moved.layer(l).grad_W), g.grad_b.push_back(moved.layer(l).grad_b);
            if (l < moved.K())  // phi_l'(z_l), as backward() applies it: activation_backward() of ones
                g.phi_prime.push_back(activation_backward(*moved.layer(l).phi, Matrix(1, f.z[l].cols, 1.0), f.z[l], f.y[l]));
        }
        return g;
    };
    fn.step = [](const WalkParameters& t, const WalkBackward& g, double rate) {
        WalkParameters next = t;
        for (size_t l = 0; l < t.W.size(); ++l) gd_update(next.W[l], g.grad_W[l], rate), gd_update(next.b[l], g.grad_b[l], rate);
        return next;  // (5)
    };
    Walk w;
    w.image = i, w.label = static_cast<int>(labels(i, 0)), w.target = y, w.learning_rate = learning_rate;
    w.y_0.resize(images.cols);
    images.dense_row(i, w.y_0.data());
    for (const Layer& L : net.layers) {
        WalkLayer layer;
        layer.activation = L.phi ? L.phi->name : net.output->name;
        w.layers.push_back(layer);
    }
    const size_t K = net.K();
    auto each = [K](const std::string& line) { return std::vector<std::string>(K, line); };
    // Where the network computes each quantity, for the page: names, not lines (those of
    // Network::forward() and backward() are exercise (a), and the lab has this file).
    w.code = {{"where", {"exercises/network.hpp"}},
              {"z", each("Network::forward(): f.z[l]")},
              {"y", each("Network::forward(): f.y[l], activation_forward()")},
              {"y_K", {"Network::forward(): f.y[K], output->forward()"}},
              {"loss", {"Network::loss_sum(): output->loss_sum()"}},
              {"delta", each("Network::backward(): delta, through activation_backward()")},
              {"delta_K", {"Network::backward(): delta = output->backward()"}},
              {"dL_dy", each("Network::backward(): dL_dy")},
              {"phi_prime", each("exercises/layers.hpp: activations(), phi'(z, y), as activation_backward() applies it")},
              {"grad", each("Network::backward(): L.grad_W, L.grad_b, through linear_backward()")},
              {"step", {"exercises/optimizers.hpp: gd_update(), eq. (5)"}},
              {"phi", {"exercises/layers.hpp: activations(), phi(z) and phi'(z, y)"}}};
    return walk(fn, parameters_of(net), std::move(w));
}
