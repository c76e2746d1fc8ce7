// exercises/optimizers.hpp: the notes' eq. (5) and the training algorithms of exercise (d), each a
// rule with its state, and L2 weight decay (exercise f). For every parameter theta with gradient g,
// at step t = 1, 2, ...:
//
//   weight decay  g <- g + lambda theta                                  (before the rule; f)
//   gd            theta <- theta - lr g                                  (eq. 5; no state)
//   momentum      buf <- g (t = 1), else m buf + g;   theta <- theta - lr buf
//   nesterov      buf as for momentum;                 theta <- theta - lr (g + m buf)
//   adam          mom <- b1 mom + (1 - b1) g;  vel <- b2 vel + (1 - b2) g g
//                 theta <- theta - (lr / (1 - b1^t)) mom / (sqrt(vel) / sqrt(1 - b2^t) + eps)
//
// These are PyTorch's SGD, SGD(momentum=m), SGD(momentum=m, nesterov=True) and Adam, with their
// weight_decay, operation for operation, so that the numbers agree with torch.optim's
// (tests/test_exercises.cpp checks).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "../matrix.hpp"

struct OptimizerSettings {
    std::string name = "gd";  // gd, momentum, nesterov, adam
    double lr = 1e-4;
    double momentum = 0.9;  // m, for momentum and nesterov
    double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // for adam
    double weight_decay = 0;  // lambda (exercise f)
};

inline const std::vector<std::string>& optimizer_names() {
    static const std::vector<std::string> names = {"gd", "momentum", "nesterov", "adam"};
    return names;
}

// The state one parameter tensor carries between steps (empty until the first step).
struct OptimizerState {
    Matrix buf;       // momentum, nesterov: the running sum of gradients
    Matrix mom, vel;  // adam: running means of g and of g^2
};

// (5) Gradient descent.
inline void gd_update(Matrix& theta, const Matrix& g, double lr) { subtract_scaled(theta, lr, g); }

// The heavy ball: the step follows buf, a decaying sum of all past gradients.
inline void momentum_update(Matrix& theta, const Matrix& g, OptimizerState& s, long t, double lr, double m) {
    // BEGIN SOLUTION (d) momentum_update
    if (t == 1) s.buf = g;
    else
        for (size_t i = 0; i < g.size(); ++i) s.buf.data[i] = m * s.buf.data[i] + g.data[i];
    for (size_t i = 0; i < theta.size(); ++i) theta.data[i] -= lr * s.buf.data[i];
    // END SOLUTION
}

// Nesterov: the same buf, but the step looks ahead: g + m buf, the gradient plus where buf is
// about to carry the parameters.
inline void nesterov_update(Matrix& theta, const Matrix& g, OptimizerState& s, long t, double lr, double m) {
    // BEGIN SOLUTION (d) nesterov_update
    if (t == 1) s.buf = g;
    else
        for (size_t i = 0; i < g.size(); ++i) s.buf.data[i] = m * s.buf.data[i] + g.data[i];
    for (size_t i = 0; i < theta.size(); ++i) theta.data[i] -= lr * (g.data[i] + m * s.buf.data[i]);
    // END SOLUTION
}

// Adam: each element's step is its mean gradient over its root-mean-square gradient, both running
// averages; dividing by 1 - b^t undoes their bias toward the zeros they start from (vel / (1 - b2^t)
// is Adam's v-hat). The rule is written for one element; for_each_element() (matrix.hpp) applies it
// to the whole tensor and its state.
inline void adam_update(Matrix& theta, const Matrix& g, OptimizerState& s, long t, double lr, double b1,
                        double b2, double eps) {
    if (t == 1) s.mom = Matrix(g.rows, g.cols), s.vel = Matrix(g.rows, g.cols);
    // BEGIN SOLUTION (d) adam_update
    const double step_size = lr / (1.0 - std::pow(b1, static_cast<double>(t)));
    const double bias_correction2_sqrt = std::sqrt(1.0 - std::pow(b2, static_cast<double>(t)));
    for_each_element([=](double& theta_i, double g_i, double& mom, double& vel) {
        mom = mom * b1 + (1.0 - b1) * g_i;
        vel = vel * b2 + (1.0 - b2) * g_i * g_i;
        const double denom = std::sqrt(vel) / bias_correction2_sqrt + eps;  // sqrt(v-hat) + eps
        theta_i += -step_size * (mom / denom);
    }, theta, g, s.mom, s.vel);
    // END SOLUTION
}

// L2 weight decay (exercise f): the gradient of the loss plus (lambda / 2) |theta|^2.
inline Matrix with_weight_decay(const Matrix& g, const Matrix& theta, double lambda) {
    // BEGIN SOLUTION (f) with_weight_decay
    return zip_map(g, theta, [lambda](double g_i, double theta_i) { return g_i + lambda * theta_i; }, "weight decay");
    // END SOLUTION
}

// One optimizer for a list of parameter tensors: step() applies the rule to each, keeping each
// tensor's state.
class Optimizer {
public:
    explicit Optimizer(OptimizerSettings settings) : settings_(std::move(settings)) {}

    // thetas[i] moves along grads[i].
    void step(const std::vector<Matrix*>& thetas, const std::vector<const Matrix*>& grads) {
        ++t_;
        state_.resize(thetas.size());
        const OptimizerSettings& o = settings_;
        for (size_t i = 0; i < thetas.size(); ++i) {
            Matrix& theta = *thetas[i];
            if (theta.rows != grads[i]->rows || theta.cols != grads[i]->cols) shape_mismatch("optimizer step", theta, *grads[i]);
            const Matrix decayed = o.weight_decay != 0 ? with_weight_decay(*grads[i], theta, o.weight_decay) : Matrix();
            const Matrix& g = o.weight_decay != 0 ? decayed : *grads[i];
            if (o.name == "momentum") momentum_update(theta, g, state_[i], t_, o.lr, o.momentum);
            else if (o.name == "nesterov") nesterov_update(theta, g, state_[i], t_, o.lr, o.momentum);
            else if (o.name == "adam") adam_update(theta, g, state_[i], t_, o.lr, o.beta1, o.beta2, o.eps);
            else gd_update(theta, g, o.lr);
        }
    }
    long steps() const { return t_; }
    double lr() const { return settings_.lr; }
    // The learning rate from the next step on (the schedule of exercise f).
    void set_lr(double lr) { settings_.lr = lr; }

private:
    OptimizerSettings settings_;
    long t_ = 0;
    std::vector<OptimizerState> state_;
};
