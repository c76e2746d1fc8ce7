// exercises/judge.cpp: the half of `make check` that makes the verdicts (exercises/grading.hpp
// tells the whole story). It links none of the student's files: it runs exercises/runner, which
// does, once per check, in a process of its own with a time limit, and reads back only numbers.
// What they must be it works out on its own, from inputs drawn fresh every run:
//   - every gradient against finite differences of the loss (test_gradients.cpp's core) computed
//     here from the definitions (grading::ref);
//   - the update rules against closed forms that hold for any input (the same gradient at every
//     step: gd moves by lr g, momentum by lr g (1 - m^t) / (1 - m), Adam by lr g / (|g| + eps));
//   - forward values against the definitions; the schedule against lr gamma^k;
//   - and, as an extra check on fixed inputs, the stored PyTorch and numpy numbers.
// A wrong answer is named with its function and tensor, and, where its numbers are those of a
// known mistake or of another published form of the rule, with which one.
//
//   ./exercises/judge [EXERCISE]     every exercise, or one (lesson, a, ..., f); exercises/check.sh runs it
// Environment: SEED=N repeats a run's inputs; IDIOMA=es (or a Spanish LANG) speaks Spanish;
// NOT_COMPILING=FILE lists the exercises whose code does not compile (check.sh writes it).
#define TEST_GRADIENTS_CORE_ONLY
#define TEST_GRADIENTS_NO_MAIN
#include "../test_gradients.cpp"  // the finite-difference core alone: it compiles no student code
#include "grading.hpp"
#include "reference_values.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <set>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using gradient_check::TensorCheck;
using grading::Outputs;
namespace in = grading::inputs;
namespace ref = grading::ref;

// ---------------------------------------------------------------------------------------------
// Language

bool spanish = false;
std::string L(const std::string& en, const std::string& es) { return spanish ? es : en; }

bool wants_spanish() {
    if (const char* idioma = std::getenv("IDIOMA")) return std::string(idioma).rfind("es", 0) == 0;
    for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
        const char* v = std::getenv(var);
        if (v && *v) return std::string(v).rfind("es", 0) == 0;
    }
    return false;
}

// Python's repr of a double: the shortest digits that read back the same.
std::string number(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[40];
    for (int digits = 1; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, x);
        if (std::strtod(buf, nullptr) == x) break;
    }
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Comparisons

// The largest relative difference, elementwise, over max(|a|, |b|, floor); infinite when the shapes
// differ or a value is not a number.
double worst(const std::vector<double>& got, const std::vector<double>& want, double floor = 1e-300) {
    if (got.size() != want.size() || got.empty()) return INFINITY;
    double w = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        if (!std::isfinite(got[i]) && got[i] != want[i]) return INFINITY;
        w = std::max(w, std::fabs(got[i] - want[i]) / std::max({std::fabs(got[i]), std::fabs(want[i]), floor}));
    }
    return w;
}
double worst(const Matrix& got, const Matrix& want, double floor = 1e-300) {
    return worst(std::vector<double>(got.data.begin(), got.data.end()), std::vector<double>(want.data.begin(), want.data.end()), floor);
}
std::vector<double> values(const Matrix& m) { return {m.data.begin(), m.data.end()}; }

// "got 0.1, 0.2, ... where 0.3, 0.4, ... is right": the student's values beside the expected ones,
// the first few and the one furthest off.
std::string beside(const std::vector<double>& got, const std::vector<double>& want) {
    auto first = [](const std::vector<double>& v) {
        std::string s;
        for (size_t i = 0; i < std::min<size_t>(3, v.size()); ++i) s += (i ? ", " : "") + number(v[i]);
        return s + (v.size() > 3 ? ", ..." : "");
    };
    if (got.empty()) return L("it returned nothing (an empty matrix?)", "no devolvió nada (¿una matriz vacía?)");
    if (got.size() != want.size())
        return L("it returned " + std::to_string(got.size()) + " numbers where " + std::to_string(want.size()) + " belong",
                 "devolvió " + std::to_string(got.size()) + " números donde van " + std::to_string(want.size()));
    size_t at = 0;
    double far = -1;
    for (size_t i = 0; i < got.size(); ++i) {
        const double d = std::isnan(got[i]) ? INFINITY : std::fabs(got[i] - want[i]) / std::max({std::fabs(got[i]), std::fabs(want[i]), 1e-300});
        if (d > far) far = d, at = i;
    }
    std::string s = L("got " + first(got) + " where " + first(want) + " is right", "dio " + first(got) + " donde lo correcto es " + first(want));
    if (at >= 3) s += L("; element " + std::to_string(at) + " is " + number(got[at]) + " where " + number(want[at]) + " is right",
                        "; el elemento " + std::to_string(at) + " es " + number(got[at]) + " donde lo correcto es " + number(want[at]));
    return s;
}

// ---------------------------------------------------------------------------------------------
// Finite differences: a reported gradient against the loss's own

// The gradient finite differences give for every element of theta (or `sample` of them).
struct Checked {
    TensorCheck check;
    std::string name;
};
Checked fd_check(const std::string& name, Matrix& theta, const Matrix& grad, const std::function<double()>& loss, size_t sample = 0) {
    const double floor = gradient_check::resolution_floor(loss());
    return {gradient_check::check_tensor(name, theta, grad, loss, floor, sample, 7), name};
}
std::string fd_failure(const std::string& function, const Checked& c) {
    if (c.check.pass()) return "";
    if (std::isinf(c.check.max_relative_error))
        return function + ": " + c.name + L(" is missing or of the wrong shape", " falta o tiene otra forma");
    if (c.check.all_near_zero) return function + ": " + c.name + L(" is all zero where the loss depends on it", " es todo ceros donde la pérdida depende de él");
    return function + ": " + c.name + L(" differs from finite differences (relative error ", " difiere de las diferencias finitas (error relativo ") +
           number(c.check.max_relative_error) + ")";
}

// A network's gradients, as the runner reported them under `key`, against finite differences of
// the summed (or mean) loss at the network's own parameters. When they are wrong, two known
// mistakes are recognised: the gradient of the mean where the sum's belongs, and gradients that
// move with the biases, which backpropagation never reads (the runner moved every bias by +1):
// the backward pass ran the forward pass itself, as finite differences do.
std::string network_gradients(const std::string& function, const std::string& key, const in::NetProblem& p, const Outputs& o,
                              size_t sample = 0) {
    ref::Net net = p.net;
    const std::vector<Matrix>* keep = p.P > 0 ? &p.keep : nullptr;
    auto loss = [&] { return ref::loss(net, p.x, p.y, p.mean, keep, p.P); };
    for (size_t l = 1; l <= net.K(); ++l)
        for (const bool weights : {true, false}) {
            Matrix& theta = weights ? net.W[l - 1] : net.b[l - 1];
            const std::string tensor = std::string(weights ? "grad_W_" : "grad_b_") + std::to_string(l);
            const Matrix grad = o.as(key + "." + tensor, theta.rows, theta.cols);
            const Checked c = fd_check(std::string(weights ? "W_" : "b_") + std::to_string(l), theta, grad, loss, sample);
            std::string problem = fd_failure(function, c);
            if (problem.empty()) continue;
            // Recognised mistakes, tried on this tensor.
            if (grad.size() == theta.size()) {
                ref::Net moved = p.net;
                for (Matrix& b : moved.b)
                    for (double& v : b.data) v += 1.0;
                Matrix& moved_theta = weights ? moved.W[l - 1] : moved.b[l - 1];
                auto moved_loss = [&] { return ref::loss(moved, p.x, p.y, p.mean, keep, p.P); };
                // (A backward pass by finite differences has their error too: 1e-3, not 1e-6.)
                if (fd_check("", moved_theta, grad, moved_loss, sample).check.max_relative_error < 1e-3)
                    return function + L(": its gradients change with the biases b_l, which backpropagation does not read (delta_l "
                                        "flows through W_l and the forward pass's z and y): it runs the forward pass itself, as finite "
                                        "differences do. Derive the gradients instead: (3) and (4), layer after layer",
                                        ": sus gradientes cambian con los sesgos b_l, que la retropropagación no lee (delta_l pasa por "
                                        "W_l y por z y y del paso hacia adelante): corre el paso hacia adelante por su cuenta, como las "
                                        "diferencias finitas. Derive los gradientes: (3) y (4), capa tras capa");
                const double n = static_cast<double>(p.y.rows);
                Matrix scaled = grad;
                for (double& v : scaled.data) v *= p.mean ? 1.0 / n : n;
                if (n > 1 && fd_check("", theta, scaled, loss, sample).check.pass())
                    problem += p.mean ? L(" (it is the summed loss's gradient: under Reduction::mean, divide delta_K by the batch's n)",
                                          " (es el gradiente de la pérdida sumada: con Reduction::mean, divida delta_K entre la n del lote)")
                                      : L(" (it is the gradient of the mean loss: (3) and (4) are those of the summed loss (2))",
                                          " (es el gradiente de la pérdida promedio: (3) y (4) son los de la pérdida sumada (2))");
            }
            return problem;
        }
    return "";
}

// ---------------------------------------------------------------------------------------------
// The stored values: exercises/reference/

const ReferenceValues& torch_values() {
    static const ReferenceValues values;
    return values;
}

// A stored run's printed losses and accuracy (exercises/reference/runs/NAME.txt), against what the
// runner's run printed; with the rates of every step, for a schedule applied at the wrong time.
std::string against_stored_run(const std::string& name, const Outputs& o, size_t steps_per_epoch) {
    std::ifstream stored("exercises/reference/runs/" + name + ".txt");
    if (!stored) return "exercises/reference/runs/" + name + ".txt" + L(": missing", ": no está");
    std::vector<double> losses;
    double accuracy = NAN;
    for (std::string line; std::getline(stored, line);) {
        if (line.rfind("Epoch ", 0) == 0) losses.push_back(std::stod(line.substr(line.find("Loss: ") + 6)));
        if (line.rfind("Exactitud", 0) == 0) accuracy = std::stod(line.substr(line.find(": ") + 2));
    }
    const std::vector<double>& got = o["losses"];
    const std::vector<double>& rates = o["rates"];
    if (steps_per_epoch > 0 && rates.size() > steps_per_epoch)
        for (size_t s = 1; s < steps_per_epoch && s < rates.size(); ++s)
            if (rates[s] != rates[0])
                return L("the rate changed between two steps of the first epoch (" + number(rates[0]) + ", then " + number(rates[s]) +
                             "): ExponentialLR decays it once per epoch, after the epoch; train_epoch must leave it alone",
                         "la tasa cambió entre dos pasos de la primera época (" + number(rates[0]) + ", luego " + number(rates[s]) +
                             "): ExponentialLR la reduce una vez por época, al terminarla; train_epoch no debe tocarla");
    for (size_t e = 0; e < losses.size(); ++e) {
        if (e >= got.size())
            return L("it printed " + std::to_string(got.size()) + " epochs' losses, PyTorch's run " + std::to_string(losses.size()),
                     "imprimió las pérdidas de " + std::to_string(got.size()) + " épocas, la corrida de PyTorch " + std::to_string(losses.size()));
        if (!(std::fabs(got[e] - losses[e]) <= 1e-7 * std::fabs(losses[e])))
            return L("epoch " + std::to_string(e) + "'s loss is " + number(got[e]) + ", PyTorch's " + number(losses[e]),
                     "la pérdida de la época " + std::to_string(e) + " es " + number(got[e]) + ", la de PyTorch " + number(losses[e]));
    }
    if (o["accuracy"].empty() || !(std::fabs(o["accuracy"][0] - accuracy) <= 0.05))
        return L("test accuracy " + (o["accuracy"].empty() ? std::string("missing") : number(o["accuracy"][0]) + "%") + ", PyTorch's " +
                     number(accuracy) + "%",
                 "exactitud de prueba " + (o["accuracy"].empty() ? std::string("ausente") : number(o["accuracy"][0]) + "%") +
                     ", la de PyTorch " + number(accuracy) + "%");
    return "";
}

// Steps reported under `key`.step1 .. 3 against torch.optim's, and the known mistakes' stored steps.
std::string against_torch_steps(const std::string& function, const std::string& key, const Outputs& o,
                                const std::vector<std::pair<std::string, std::string>>& mistakes) {
    const ReferenceValues& v = torch_values();
    for (int k = 1; k <= 3; ++k) {
        const std::string step = ".step" + std::to_string(k);
        const double w = worst(o[key + step], v[key + step]);
        if (w <= 1e-12) continue;
        std::string hint;
        for (const auto& m : mistakes) {
            bool all = true;
            for (int j = 1; j <= 3 && all; ++j) all = worst(o[key + ".step" + std::to_string(j)], v[m.second + ".step" + std::to_string(j)]) <= 1e-12;
            if (all) hint = " (" + m.first + ")";
        }
        return function + L(": after step " + std::to_string(k) + " it differs from torch.optim's by up to " + number(w) + " relative",
                            ": tras el paso " + std::to_string(k) + " difiere del de torch.optim hasta en " + number(w) + " relativo") +
               hint + "; " + beside(o[key + step], v[key + step]);
    }
    return "";
}

// ---------------------------------------------------------------------------------------------
// Closed forms of the update rules, with the same gradient g at every step t = 1, 2, ...: the
// displacement theta_t - theta_0 of every element. (They hold for any g; the rules themselves,
// with gradients that change, are the exercise.)

using Rule = std::function<double(double g, int t)>;  // theta_t - theta_0 for one element

Rule gd_rule(double lr) {
    return [=](double g, int t) { return -lr * g * t; };
}
Rule momentum_rule(double lr, double m, bool dampened = false, bool buf_before = false) {
    return [=](double g, int t) {
        double buf = 0, theta = 0;  // the sums the closed form stands for, written out for clarity
        for (int s = 1; s <= t; ++s) {
            const double previous = buf;
            buf = s == 1 ? g : m * buf + (dampened ? (1 - m) : 1.0) * g;
            theta -= lr * (buf_before && s > 1 ? previous : buf);
        }
        return theta;
    };
}
// The right one, in closed form: buf_t = g (1 - m^t) / (1 - m).
Rule momentum_closed(double lr, double m) {
    return [=](double g, int t) {
        double sum = 0;
        for (int s = 1; s <= t; ++s) sum += (1 - std::pow(m, s)) / (1 - m);
        return -lr * g * sum;
    };
}
// Nesterov: the step is g + m buf_t = g (1 + m (1 - m^t) / (1 - m)).
Rule nesterov_closed(double lr, double m) {
    return [=](double g, int t) {
        double sum = 0;
        for (int s = 1; s <= t; ++s) sum += 1 + m * (1 - std::pow(m, s)) / (1 - m);
        return -lr * g * sum;
    };
}
// Adam with bias correction: mom_t / (1 - b1^t) = g and sqrt(vel_t / (1 - b2^t)) = |g|, so every
// step is lr g / (|g| + eps).
Rule adam_closed(double lr, double eps) {
    return [=](double g, int t) { return -lr * t * g / (std::fabs(g) + eps); };
}
// Adam's variants, known mistakes and another published form, with mom_t = (1 - b1^t) g and
// vel_t = (1 - b2^t) g^2.
enum class AdamVariant { no_correction, no_mom_correction, no_vel_correction, eps_inside, t_plus_one, efficient };
Rule adam_variant(double lr, double b1, double b2, double eps, AdamVariant v) {
    return [=](double g, int t) {
        double theta = 0;
        for (int s = 1; s <= t; ++s) {
            const double mom = (1 - std::pow(b1, s)) * g, vel = (1 - std::pow(b2, s)) * g * g;
            const double c1 = 1 - std::pow(b1, s), c2 = 1 - std::pow(b2, s);
            const double c1n = 1 - std::pow(b1, s + 1), c2n = 1 - std::pow(b2, s + 1);
            switch (v) {
                case AdamVariant::no_correction: theta -= lr * mom / (std::sqrt(vel) + eps); break;
                case AdamVariant::no_mom_correction: theta -= lr * mom / (std::sqrt(vel) / std::sqrt(c2) + eps); break;
                case AdamVariant::no_vel_correction: theta -= lr / c1 * mom / (std::sqrt(vel) + eps); break;
                case AdamVariant::eps_inside: theta -= lr / c1 * mom / std::sqrt(vel / c2 + eps); break;
                case AdamVariant::t_plus_one: theta -= lr / c1n * mom / (std::sqrt(vel) / std::sqrt(c2n) + eps); break;
                case AdamVariant::efficient: theta -= lr * std::sqrt(c2) / c1 * mom / (std::sqrt(vel) + eps); break;
            }
        }
        return theta;
    };
}
// gd with weight decay: theta_t = (theta_0 + g / lambda) (1 - lr lambda)^t - g / lambda.
std::function<double(double theta0, double g, int t)> decay_closed(double lr, double lambda) {
    return [=](double theta0, double g, int t) { return (theta0 + g / lambda) * std::pow(1 - lr * lambda, t) - g / lambda - theta0; };
}

// The reported tensors after each step against a rule's displacements; "" when they agree within
// 1e-10 of the displacement's size.
struct Trajectory {
    int worst_step = 0;
    size_t tensor = 0;
    double error = 0;
};
Trajectory trajectory_error(const in::Tensors& t, const Outputs& o, int steps, const std::function<double(double, double, int)>& displacement) {
    Trajectory worst_one;
    for (int k = 1; k <= steps; ++k)
        for (size_t i = 0; i < t.theta.size(); ++i) {
            const std::vector<double>& got = o["theta" + std::to_string(i) + ".step" + std::to_string(k)];
            double e = got.size() == t.theta[i].size() ? 0 : INFINITY;
            for (size_t j = 0; j < got.size() && std::isfinite(e); ++j) {
                const double want = displacement(t.theta[i].data[j], t.grad[i].data[j], k);
                const double moved = got[j] - t.theta[i].data[j];
                e = std::isfinite(moved) ? std::max(e, std::fabs(moved - want) / std::max(std::fabs(want), 1e-12)) : INFINITY;
            }
            if (e > worst_one.error) worst_one = {k, i, e};
        }
    return worst_one;
}
std::function<double(double, double, int)> per_element(const Rule& rule) {
    return [rule](double, double g, int t) { return rule(g, t); };
}

// The verdict on an optimizer: the closed form, else the first known form whose numbers these are.
std::string optimizer_verdict(const std::string& function, const in::Tensors& t, const in::Settings& s, const Outputs& o,
                              const Rule& right, const std::vector<std::pair<std::string, Rule>>& known) {
    const Trajectory e = trajectory_error(t, o, s.steps, per_element(right));
    if (e.error <= 1e-10) return "";
    for (const auto& k : known)
        if (trajectory_error(t, o, s.steps, per_element(k.second)).error <= 1e-10) return function + ": " + k.first;
    // Each tensor right alone (the runner moved the first once more, with an optimizer of its own)
    // and wrong together: their state is shared.
    Outputs alone;
    for (int k = 1; k <= s.steps; ++k) alone.values["theta0.step" + std::to_string(k)] = o["alone.step" + std::to_string(k)];
    const Trajectory first = trajectory_error(in::Tensors{{t.theta[0]}, {t.grad[0]}}, alone, s.steps, per_element(right));
    const std::string tensor = std::to_string(e.tensor + 1) + " (" + std::to_string(t.theta[e.tensor].rows) + "x" +
                               std::to_string(t.theta[e.tensor].cols) + ")";
    std::string problem = function + L(": tensor " + tensor + " after step " + std::to_string(e.worst_step) + " is off by " +
                                           number(e.error) + " of its displacement",
                                       ": el tensor " + tensor + " tras el paso " + std::to_string(e.worst_step) + " se desvía " +
                                           number(e.error) + " de su desplazamiento");
    if (first.error <= 1e-10)
        problem += L(" (alone, a tensor moves right; with others, it does not: is the state shared between tensors, a static "
                     "buffer? each tensor has its own OptimizerState s)",
                     " (sola, un tensor se mueve bien; con otros, no: ¿el estado se comparte entre tensores, un búfer static? cada "
                     "tensor tiene su propio OptimizerState s)");
    return problem;
}

// ---------------------------------------------------------------------------------------------
// The checks' verdicts: "" when right, else what is wrong (and, when known, why).

std::string judge_lesson(const grading::Check& c, uint32_t seed, const Outputs& o) {
    if (c.id == "lesson.phi_prime") {
        grading::Draw d(seed);
        const std::vector<double> z = in::values(d, 8, -4, 4), &got = o["slope"];
        if (got.size() != z.size()) return "phi_prime_from_output: " + beside(got, z);
        for (size_t i = 0; i < z.size(); ++i) {
            const double slope = gradient_check::numerical_derivative([&](double h) { return ref::phi("sigmoid", z[i] + h); });
            if (!(std::fabs(got[i] - slope) <= 1e-7 * std::fabs(slope)))
                return "phi_prime_from_output: " +
                       L("at z = " + number(z[i]) + " it gives " + number(got[i]) + ", the slope of phi there is " + number(slope),
                         "en z = " + number(z[i]) + " da " + number(got[i]) + ", la pendiente de phi ahí es " + number(slope)) +
                       (got[i] == ref::phi("sigmoid", z[i]) ? L(" (that is phi(z) itself: phi' = phi (1 - phi))", " (eso es phi(z) misma: phi' = phi (1 - phi))")
                                                            : "");
        }
        return "";
    }
    if (c.id == "lesson.delta_2") {
        in::Delta2 p = in::delta_2(seed);
        const Matrix got = o.as("delta_2", 6, 1);
        auto loss = [&] { return ref::bce_sum(p.z, p.y); };
        std::string problem = fd_failure("bce_sigmoid_backward", fd_check("delta_2", p.z, got, loss));
        Matrix flipped = got;
        for (double& v : flipped.data) v = -v;
        if (!problem.empty() && got.size() == 6 && fd_check("", p.z, flipped, loss).check.pass())
            problem += L(" (its sign is flipped: output minus target, y_2 - y)", " (tiene el signo al revés: salida menos objetivo, y_2 - y)");
        return problem;
    }
    if (c.id == "lesson.linear_backward") {
        in::Linear p = in::linear(seed);
        const Matrix grad_W = o.as("grad_W", 4, 3), grad_b = o.as("grad_b", 1, 3);
        auto loss = [&] {  // sum(upstream * (x W + b))
            const Matrix z = matmul_naive(p.x, p.W);
            double s = 0;
            for (size_t i = 0; i < z.rows; ++i)
                for (size_t j = 0; j < z.cols; ++j) s += p.upstream(i, j) * (z(i, j) + p.b(0, j));
            return s;
        };
        std::string problem = fd_failure("linear_backward", fd_check("grad_W", p.W, grad_W, loss));
        if (problem.empty()) problem = fd_failure("linear_backward", fd_check("grad_b", p.b, grad_b, loss));
        const bool one_sum = grad_b.size() == 3 && grad_b(0, 0) == grad_b(0, 1) && grad_b(0, 1) == grad_b(0, 2) && grad_b(0, 0) != 0.0;
        if (!problem.empty() && one_sum)
            problem += L(" (one sum for every bias: grad_b is one sum per column of delta)", " (una sola suma para todos los sesgos: grad_b es una suma por columna de delta)");
        return problem;
    }
    if (c.id == "lesson.backward") {
        const std::vector<in::NetProblem> problems = in::lesson_problems(seed);
        for (size_t k = 0; k < problems.size(); ++k) {
            const std::string problem = network_gradients("backward()", "p" + std::to_string(k), problems[k], o);
            if (!problem.empty()) return problem;
        }
        return "";
    }
    if (c.id == "lesson.backward_mnist")
        return network_gradients("backward()", "mnist", in::lesson_mnist(seed, grading::mnist_zeros_and_ones()), o, 60);
    if (c.id == "lesson.step") {
        grading::Draw d(seed);
        const in::Tensors t = in::tensors(d, {{4, 3}, {1, 3}, {3, 1}, {1, 1}});
        const double lr = d.uniform(0.01, 0.5);
        const char* names[] = {"W_1", "b_1", "W_2", "b_2"};
        for (size_t k = 0; k < 4; ++k) {
            std::vector<double> want(t.theta[k].size());
            for (size_t i = 0; i < want.size(); ++i) want[i] = t.theta[k].data[i] - lr * t.grad[k].data[i];
            if (worst(o[names[k]], want) > 1e-15)
                return "gradient_descent_step: " + std::string(names[k]) + ": " + beside(o[names[k]], want) +
                       (o[names[k]] == values(t.theta[k]) ? L(" (it did not move)", " (no se movió)") : "");
        }
        return "";
    }
    if (c.id == "lesson.run") {
        std::ifstream in("tests/notes_numpy_seed0.txt");
        if (!in) return L("tests/notes_numpy_seed0.txt: missing (it holds the notes' numpy run)", "tests/notes_numpy_seed0.txt: no está (tiene la corrida de numpy de las notas)");
        std::vector<double> losses;
        for (std::string line; std::getline(in, line);)
            if (line.rfind("Epoch ", 0) == 0) losses.push_back(std::stod(line.substr(line.find("Loss: ") + 6)));
        const double w = worst(o["losses"], losses);
        if (!(w <= 1e-9)) return L("its losses differ from the notes' numpy code's by up to " + number(w) + " relative",
                                   "sus pérdidas difieren de las del código numpy de las notas hasta en " + number(w) + " relativo");
        if (o["accuracy"].empty() || number(o["accuracy"][0]) != "99.86468200270636")
            return L("test accuracy ", "exactitud de prueba ") + (o["accuracy"].empty() ? "?" : number(o["accuracy"][0])) +
                   L("%, not the notes' 99.86468200270636%", "%, no el 99.86468200270636% de las notas");
        return "";
    }
    return "no check " + c.id;
}

std::string judge_a_to_c(const grading::Check& c, uint32_t seed, const Outputs& o) {
    grading::Draw d(seed);
    if (c.id == "a.forward") {
        const std::vector<std::vector<size_t>> hidden = {{5}, {5, 4}, {5, 4, 3}};
        for (size_t k = 1; k <= 3; ++k) {
            const in::NetProblem p = in::net_problem(d, 6, hidden[k - 1], std::vector<std::string>(k, "sigmoid"), 2, 4);
            const std::string key = "k" + std::to_string(k) + ".";
            const double count = o[key + "count"].empty() ? 0 : o[key + "count"][0];
            if (count != static_cast<double>(k + 2))
                return "Network::forward: " + L("with " + std::to_string(k) + " hidden layers it kept z[0] .. z[" + number(count - 1) +
                                                     "], where z[0] .. z[K] belong, K = " + std::to_string(k + 1),
                                                 "con " + std::to_string(k) + " capas ocultas guardó z[0] .. z[" + number(count - 1) +
                                                     "], donde van z[0] .. z[K], K = " + std::to_string(k + 1));
            for (size_t l = 1; l <= k + 1; ++l)
                for (const char* name : {"z_", "y_"}) {
                    const Matrix& want = name[0] == 'z' ? p.pass.z[l] : p.pass.y[l];
                    const std::vector<double>& got = o[key + name + std::to_string(l)];
                    if (worst(got, values(want)) > 1e-12)
                        return "Network::forward: " + L("with k = " + std::to_string(k) + ", ", "con k = " + std::to_string(k) + ", ") +
                               name + std::to_string(l) + ": " + beside(got, values(want));
                }
        }
        return "";
    }
    if (c.id == "a.forward_stored") {
        for (int k = 1; k <= 3; ++k)
            for (int l = 1; l <= k + 1; ++l)
                for (const char* name : {"z_", "y_"}) {
                    const std::string key = "forward." + std::to_string(k) + "." + name + std::to_string(l);
                    if (worst(o[key], torch_values()[key]) > 1e-12)
                        return "Network::forward: " + L("with k = " + std::to_string(k) + ", ", "con k = " + std::to_string(k) + ", ") +
                               name + std::to_string(l) + L(" differs from PyTorch's: ", " difiere del de PyTorch: ") + beside(o[key], torch_values()[key]);
                }
        return "";
    }
    if (c.id == "a.backward") {
        const std::vector<std::vector<size_t>> hidden = {{4}, {4, 3}, {3, 5, 3}};
        const size_t inputs[] = {6, 5, 4}, samples[] = {7, 6, 5};
        for (size_t k = 1; k <= 3; ++k) {
            const std::string problem = network_gradients(
                "Network::backward", "k" + std::to_string(k),
                in::net_problem(d, inputs[k - 1], hidden[k - 1], std::vector<std::string>(k, "sigmoid"), 2, samples[k - 1]), o);
            if (!problem.empty()) return problem;
        }
        return "";
    }
    if (c.id == "b.relu_at_zero") {
        const double slope = o["slope"].empty() ? NAN : o["slope"][0];
        return slope == 0.0 ? "" : L("relu's phi' at z = 0 gives " + number(slope) + " (relu is flat up to z = 0 included, as in PyTorch)",
                                     "phi' de relu en z = 0 da " + number(slope) + " (relu es plana hasta z = 0 incluido, como en PyTorch)");
    }
    if (c.id.rfind("b.phi_prime:", 0) == 0 || c.id.rfind("b.activation_backward:", 0) == 0) {
        const std::string name = c.id.substr(c.id.find(':') + 1);
        const bool elementwise = c.id.rfind("b.phi_prime:", 0) == 0;
        const Matrix z = elementwise ? d.matrix(1, 6, -2.5, 2.5, 0.05) : d.matrix(4, 5, -2, 2, 0.1);
        const Matrix upstream = d.matrix(z.rows, z.cols);
        // The slope from phi at z -+ h, -+ 2h (h = 1e-4), as the registry computes phi.
        const std::vector<double> &m2 = o["phi-2h"], &m1 = o["phi-h"], &p1 = o["phi+h"], &p2 = o["phi+2h"], &y = o["y"];
        if (m2.size() != z.size() || m1.size() != z.size() || p1.size() != z.size() || p2.size() != z.size() || y.size() != z.size())
            return L("the runner did not report phi's values", "el runner no informó los valores de phi");
        std::vector<double> slope(z.size());
        for (size_t i = 0; i < z.size(); ++i) slope[i] = (8 * (p1[i] - m1[i]) - (p2[i] - m2[i])) / (12 * 1e-4);
        if (elementwise) {
            const std::vector<double>& got = o["slope"];
            for (size_t i = 0; i < z.size() && i < got.size(); ++i)
                if (!(std::fabs(got[i] - slope[i]) <= 1e-6 * std::max(1.0, std::fabs(slope[i]))))
                    return name + "'s phi': " +
                           L("at z = " + number(z.data[i]) + " (y = " + number(y[i]) + ") it gives " + number(got[i]) + ", the slope of " + name +
                                 " there is " + number(slope[i]),
                             "en z = " + number(z.data[i]) + " (y = " + number(y[i]) + ") da " + number(got[i]) + ", la pendiente de " + name +
                                 " ahí es " + number(slope[i])) +
                           (name == "tanh" && got[i] == 1 - y[i] ? L(" (1 - y: the square is missing)", " (1 - y: falta el cuadrado)") : "") +
                           (name == "relu" && got[i] == y[i] && z.data[i] > 0 ? L(" (that is y: the slope is 1 where z > 0)", " (eso es y: la pendiente es 1 donde z > 0)") : "") +
                           (name == "relu" && z.data[i] < 0 && got[i] == 1 ? L(" (relu is flat where z <= 0)", " (relu es plana donde z <= 0)") : "");
            return got.size() == z.size() ? "" : name + "'s phi': " + beside(got, slope);
        }
        std::vector<double> want(z.size());
        for (size_t i = 0; i < z.size(); ++i) want[i] = upstream.data[i] * slope[i];
        if (worst(o["dL_dz"], want, 1e-8) > 1e-6) return "activation_backward(" + name + "): dL/dz: " + beside(o["dL_dz"], want);
        return "";
    }
    if (c.id.rfind("b.backward:", 0) == 0) {
        const std::string name = c.id.substr(c.id.find(':') + 1);
        if (!ref::knows(name)) return "";  // the judge knows sigmoid, tanh and relu; the others are checked by their slope
        std::string problem = network_gradients("Network::backward", "k1", in::net_problem(d, 6, {4}, {name}, 2, 7), o);
        if (problem.empty()) problem = network_gradients("Network::backward", "k2", in::net_problem(d, 5, {4, 3}, {name, "sigmoid"}, 2, 6), o);
        return problem;
    }
    if (c.id == "c.mean") return network_gradients("Network::backward (mean)", "mean", in::net_problem(d, 6, {4, 3}, {"sigmoid", "sigmoid"}, 2, 8, true), o);
    if (c.id == "c.epoch") {
        const in::Epoch e = in::epoch(seed);
        const size_t N = e.problem.x.rows, B = e.batch;
        const std::vector<uint32_t> p = NumpyRandomState(e.stream_seed).permutation(static_cast<uint32_t>(N));
        const std::vector<double> &sizes = o["sizes"], &rows = o["rows"];
        const size_t batches = (N + B - 1) / B;
        std::string expected_sizes;
        for (size_t b = 0; b < batches; ++b) expected_sizes += (b ? ", " : "") + std::to_string(std::min(B, N - b * B));
        std::string got_sizes;
        for (size_t b = 0; b < sizes.size(); ++b) got_sizes += (b ? ", " : "") + number(sizes[b]);
        const std::string shape = L(std::to_string(N) + " samples in batches of " + std::to_string(B) + " are " + std::to_string(batches) +
                                        " batches (" + expected_sizes + "); it took " + std::to_string(sizes.size()) +
                                        (sizes.empty() ? "" : " (" + got_sizes + ")"),
                                    std::to_string(N) + " muestras en lotes de " + std::to_string(B) + " son " + std::to_string(batches) +
                                        " lotes (" + expected_sizes + "); tomó " + std::to_string(sizes.size()) +
                                        (sizes.empty() ? "" : " (" + got_sizes + ")"));
        if (sizes.empty())
            return "train_epoch: " + L("no step went through train_step(): call train_step(tr, batch, targets) for each batch",
                                       "ningún paso pasó por train_step(): llame a train_step(tr, lote, objetivos) en cada lote");
        double seen = 0;
        for (double s : sizes) seen += s;
        if (sizes.size() != batches || seen != static_cast<double>(N)) {
            std::string hint;
            if (seen + static_cast<double>(N % B) == static_cast<double>(N) && sizes.size() + 1 == batches)
                hint = L(" (the last, shorter batch is missing)", " (falta el último lote, el más corto)");
            else if (seen < static_cast<double>(N)) hint = L(" (some samples were left out)", " (quedaron muestras fuera)");
            return "train_epoch: " + shape + hint;
        }
        for (size_t i = 0; i < N; ++i)
            if (rows.size() != N || rows[i] != static_cast<double>(p[i])) {
                bool in_order = rows.size() == N;
                for (size_t k = 0; k < rows.size() && in_order; ++k) in_order = rows[k] == static_cast<double>(k);
                return "train_epoch: " + L("the batches are not p[0:B], p[B:2B], ... of permutation(N)", "los lotes no son p[0:B], p[B:2B], ... de permutation(N)") +
                       (in_order ? L(" (they are the data's order: take the rows the permutation p names)", " (van en el orden de los datos: tome los renglones que nombra la permutación p)") : "");
            }
        NumpyRandomState after(e.stream_seed);
        after.permutation(static_cast<uint32_t>(N));
        const double next = after.random_sample();
        if (o["next_draw"].empty() || o["next_draw"][0] != next)
            return "train_epoch: " + L("the random stream moved on by more or less than one permutation(N): draw exactly one per epoch",
                                       "el flujo aleatorio avanzó más o menos que una permutation(N): saque exactamente una por época");
        double sum = 0;
        for (double l : o["step_losses"]) sum += l;
        const double want = sum / static_cast<double>(N), got = o["loss"].empty() ? NAN : o["loss"][0];
        if (!(std::fabs(got - want) <= 1e-12 * std::fabs(want)))
            return "train_epoch: " + L("it returned " + number(got) + ", where every sample's loss over N is " + number(want),
                                       "devolvió " + number(got) + ", donde la pérdida de todas las muestras entre N es " + number(want)) +
                   (std::fabs(got * static_cast<double>(batches) / static_cast<double>(N) - want) <= 1e-12 * std::fabs(want)
                        ? L(" (divided by the number of batches: divide the sum by N)", " (dividida entre el número de lotes: divida la suma entre N)")
                        : "");
        return "";
    }
    if (c.id == "c.epoch_stored") {
        const ReferenceValues& v = torch_values();
        for (const char* name : {"W_1", "b_1", "W_2", "b_2", "W_3", "b_3"}) {
            const std::string key = std::string("tiny_sigmoid.epoch.") + name;
            const double w = worst(o[key], v[key]);
            if (w > 1e-12) {
                bool in_order = true;
                for (const char* n : {"W_1", "b_1", "W_2", "b_2", "W_3", "b_3"})
                    in_order = in_order && worst(o[std::string("tiny_sigmoid.epoch.") + n], v[std::string("hint.tiny_sigmoid.epoch_in_order.") + n]) <= 1e-12;
                return "train_epoch: " + L("the parameters after the epoch differ from PyTorch's by up to ", "los parámetros tras la época difieren de los de PyTorch hasta en ") +
                       number(w) + L(" relative", " relativo") +
                       (in_order ? L(" (those are the batches in the data's order: take them from the permutation p)", " (esos son los lotes en el orden de los datos: tómelos de la permutación p)") : "");
            }
        }
        const double want = v.one("tiny_sigmoid.epoch.loss"), got = o["loss"].empty() ? NAN : o["loss"][0];
        if (!(std::fabs(got - want) <= 1e-12 * want))
            return "train_epoch: " + L("it returned " + number(got) + ", PyTorch's is " + number(want), "devolvió " + number(got) + ", el de PyTorch es " + number(want)) +
                   (std::fabs(got * 3 / 7 - want) < 1e-12 * want ? L(" (divided by the number of batches: divide the sum by N)", " (dividida entre el número de lotes: divida la suma entre N)") : "");
        return "";
    }
    return "no check " + c.id;
}

std::string judge_d_to_f(const grading::Check& c, uint32_t seed, const Outputs& o) {
    grading::Draw d(seed);
    if (c.id == "d.momentum" || c.id == "d.nesterov" || c.id == "d.adam" || c.id == "f.decay_gd") {
        const in::Settings s = in::settings(d);
        const in::Tensors t = in::tensors(d, in::optimizer_shapes());
        if (c.id == "d.momentum")
            return optimizer_verdict("momentum_update", t, s, o, momentum_closed(s.lr, s.m),
                                     {{L("dampened: buf = m buf + (1 - m) g, where PyTorch's buf = m buf + g", "amortiguado: buf = m buf + (1 - m) g, donde el buf de PyTorch es m buf + g"),
                                       momentum_rule(s.lr, s.m, true)},
                                      {L("the step used buf before this step's gradient was added to it", "el paso usó buf antes de sumarle el gradiente de este paso"),
                                       momentum_rule(s.lr, s.m, false, true)},
                                      {L("these are plain gradient descent's steps: the step follows buf", "son los pasos del descenso de gradiente simple: el paso sigue a buf"), gd_rule(s.lr)}});
        if (c.id == "d.nesterov")
            return optimizer_verdict("nesterov_update", t, s, o, nesterov_closed(s.lr, s.m),
                                     {{L("these are plain momentum's steps. If this is Sutskever's form (v = m v - lr g, theta += v): his "
                                         "Nesterov takes the gradient at the look-ahead point theta + m v, which the step is not given; with "
                                         "the gradient at theta it is plain momentum. The lab asks for PyTorch's SGD(nesterov=True), which "
                                         "gets the look-ahead from the gradient at theta: buf = m buf + g, theta -= lr (g + m buf)",
                                         "son los pasos del momento simple. Si es la forma de Sutskever (v = m v - lr g, theta += v): su "
                                         "Nesterov toma el gradiente en el punto adelantado theta + m v, que el paso no recibe; con el "
                                         "gradiente en theta es el momento simple. El laboratorio pide SGD(nesterov=True) de PyTorch, que "
                                         "logra la mirada adelante con el gradiente en theta: buf = m buf + g, theta -= lr (g + m buf)"),
                                       momentum_closed(s.lr, s.m)}});
        if (c.id == "d.adam") {
            auto variant = [&](AdamVariant v) { return adam_variant(s.lr, s.b1, s.b2, s.eps, v); };
            return optimizer_verdict(
                "adam_update", t, s, o, adam_closed(s.lr, s.eps),
                {{L("no bias correction: divide by 1 - b1^t and 1 - b2^t", "sin corrección del sesgo: divida entre 1 - b1^t y 1 - b2^t"), variant(AdamVariant::no_correction)},
                 {L("mom's bias correction is missing: the step is lr / (1 - b1^t)", "falta la corrección de mom: el paso es lr / (1 - b1^t)"), variant(AdamVariant::no_mom_correction)},
                 {L("vel's bias correction is missing: sqrt(vel) / sqrt(1 - b2^t)", "falta la corrección de vel: sqrt(vel) / sqrt(1 - b2^t)"), variant(AdamVariant::no_vel_correction)},
                 {L("eps inside the square root", "eps dentro de la raíz cuadrada"), variant(AdamVariant::eps_inside)},
                 {L("the bias corrections use t + 1: at the first step, t = 1", "las correcciones del sesgo usan t + 1: en el primer paso, t = 1"), variant(AdamVariant::t_plus_one)},
                 {L("this is the paper's 'efficient' form (Kingma and Ba, end of section 2: the step size lr sqrt(1 - b2^t) / (1 - b1^t), "
                    "eps added to sqrt(vel)); the lab asks for PyTorch's form, the spec's formula, eps added to sqrt(v-hat): "
                    "the two differ where eps matters",
                    "esta es la forma 'eficiente' del artículo (Kingma y Ba, final de la sección 2: el paso lr sqrt(1 - b2^t) / (1 - b1^t), "
                    "eps sumado a sqrt(vel)); el laboratorio pide la forma de PyTorch, la fórmula de la especificación, eps sumado a "
                    "sqrt(v-gorro): difieren donde eps importa"),
                  variant(AdamVariant::efficient)}});
        }
        const auto decay = decay_closed(s.lr, s.lambda);
        const Trajectory e = trajectory_error(t, o, s.steps, decay);
        if (e.error <= 1e-10) return "";
        const Trajectory minus = trajectory_error(t, o, s.steps, decay_closed(s.lr, -s.lambda));
        return "with_weight_decay: " + L("with gd, tensor " + std::to_string(e.tensor + 1) + " after step " + std::to_string(e.worst_step) +
                                             " is off by " + number(e.error) + " of its displacement",
                                         "con gd, el tensor " + std::to_string(e.tensor + 1) + " tras el paso " + std::to_string(e.worst_step) +
                                             " se desvía " + number(e.error) + " de su desplazamiento") +
               (minus.error <= 1e-10 ? L(" (the decay has the wrong sign: g + lambda theta)", " (el decaimiento tiene el signo al revés: g + lambda theta)") : "");
    }
    if (c.id == "d.stored:momentum") {
        std::string p = against_torch_steps("momentum_update", "opt.momentum_0.9", o,
                                            {{L("dampened", "amortiguado"), "hint.momentum_0.9.dampened"}, {L("buf before this step's gradient", "buf antes del gradiente de este paso"), "hint.momentum_0.9.buf_after_step"}});
        return p.empty() ? against_torch_steps("momentum_update", "opt.momentum_0.5", o, {}) : p;
    }
    if (c.id == "d.stored:nesterov") return against_torch_steps("nesterov_update", "opt.nesterov_0.9", o, {{L("plain momentum's steps", "los pasos del momento simple"), "opt.momentum_0.9"}});
    if (c.id == "d.stored:adam") {
        std::string p = against_torch_steps("adam_update", "opt.adam", o, {{L("no bias correction", "sin corrección del sesgo"), "hint.adam.no_bias_correction"}});
        return p.empty() ? against_torch_steps("adam_update", "opt.adam_0.8_0.99_1e-6", o, {{L("the default betas and eps: take them from the settings", "las betas y eps por omisión: tómelas de la configuración"), "opt.adam"}}) : p;
    }
    if (c.id.rfind("d.run:", 0) == 0) return against_stored_run(c.id.substr(6), o, 0);
    if (c.id == "e.softmax") {
        const in::Logits p = in::logits(seed, 5, true);
        const Matrix want = ref::softmax_rows(p.z), got = o.as("y", p.z.rows, p.z.cols);
        if (got.size() == want.size() && worst(got, want, 1e-300) <= 1e-13) return "";
        std::string hint;
        if (got.size() == want.size()) {
            bool finite = true, columns = true;
            for (double v : got.data) finite = finite && std::isfinite(v);
            for (size_t j = 0; j < got.cols && finite; ++j) {
                double s = 0;
                for (size_t i = 0; i < got.rows; ++i) s += got(i, j);
                columns = columns && std::fabs(s - 1) < 1e-12;
            }
            if (!finite) hint = L(" (NaN or inf for the logits -1000, 0, 1000: subtract the row's maximum before exp)", " (NaN o inf con los logits -1000, 0, 1000: reste el máximo del renglón antes de exp)");
            else if (columns) hint = L(" (each column sums to 1: the softmax is taken over each row, one sample's outputs)", " (cada columna suma 1: la softmax se toma sobre cada renglón, las salidas de una muestra)");
        }
        return "SoftmaxCrossEntropy::forward: " + beside(values(got), values(want)) + hint;
    }
    if (c.id == "e.loss") {
        const in::Logits p = in::logits(seed, 5, true);
        const double want = ref::ce_sum(p.z, p.y), got = o["loss"].empty() ? NAN : o["loss"][0];
        if (std::fabs(got - want) <= 1e-12 * want) return "";
        return "SoftmaxCrossEntropy::loss_sum: " + L("it gives " + number(got) + ", the summed cross-entropy is " + number(want),
                                                     "da " + number(got) + ", la entropía cruzada sumada es " + number(want)) +
               (std::isfinite(got) ? "" : L(" (compute it from z, logsumexp(z) - z[label]: log(softmax) underflows)", " (calcúlela desde z, logsumexp(z) - z[etiqueta]: log(softmax) se desborda)"));
    }
    if (c.id == "e.delta") {
        in::Logits p = in::logits(seed, 10, false);
        const Matrix got = o.as("delta", p.z.rows, p.z.cols);
        return fd_failure("SoftmaxCrossEntropy::backward", fd_check("delta_K", p.z, got, [&] { return ref::ce_sum(p.z, p.y); }));
    }
    if (c.id == "e.predicted_class") {
        const Matrix rows = in::output_rows(seed);
        const std::vector<double>& got = o["class"];
        for (size_t i = 0; i < rows.rows; ++i) {
            const int want = static_cast<int>(std::max_element(rows.row(i), rows.row(i) + rows.cols) - rows.row(i));
            if (i >= got.size() || got[i] != want) {
                std::string row;
                for (size_t j = 0; j < rows.cols; ++j) row += (j ? " " : "") + number(rows(i, j));
                return "SoftmaxCrossEntropy::predicted_class: " +
                       L("for the row " + row + " it says " + (i < got.size() ? number(got[i]) : "nothing") + ", not " + std::to_string(want),
                         "para el renglón " + row + " dice " + (i < got.size() ? number(got[i]) : "nada") + ", no " + std::to_string(want)) +
                       (i == 1 || i == 2 ? L(" (on a tie, the first index)", " (en un empate, el primer índice)") : "");
            }
        }
        return "";
    }
    if (c.id == "e.backward") {
        std::string problem = network_gradients("Network::backward", "k1", in::net_problem(d, 6, {5}, {"sigmoid"}, 10, 9), o);
        if (problem.empty()) problem = network_gradients("Network::backward", "k2", in::net_problem(d, 5, {4, 3}, {"sigmoid", "sigmoid"}, 10, 8), o);
        return problem;
    }
    if (c.id == "e.run") return against_stored_run("ten_class", o, 0);
    if (c.id == "f.dropout_forward") {
        const in::Dropout p = in::dropout(seed);
        auto with = [&](const std::function<double(double a, double k)>& rule) {
            std::vector<double> y(p.a.size());
            for (size_t i = 0; i < y.size(); ++i) y[i] = rule(p.a.data[i], p.keep.data[i]);
            return y;
        };
        const std::vector<double> want = with([&](double a, double k) { return a * k / (1 - p.P); });
        const std::vector<double>& got = o["y"];
        if (worst(got, want) <= 1e-15) return "";
        std::string hint;
        if (worst(got, with([&](double a, double k) { return a * (1 - k) / (1 - p.P); })) <= 1e-15)
            hint = L(" (the mask is inverted: keep is 1 where a unit is kept)", " (la máscara está invertida: keep es 1 donde la unidad se queda)");
        else if (worst(got, with([&](double a, double k) { return a * k / p.P; })) <= 1e-15)
            hint = L(" (scaled by 1 / P: a unit is kept with probability 1 - P, so the kept ones are divided by 1 - P)", " (escalada por 1 / P: una unidad se queda con probabilidad 1 - P, así que las que quedan se dividen entre 1 - P)");
        else if (worst(got, with([&](double a, double k) { return a * k; })) <= 1e-15)
            hint = L(" (the kept units are not divided by 1 - P)", " (las unidades que quedan no se dividen entre 1 - P)");
        return "dropout_forward: P = " + number(p.P) + ": " + beside(got, want) + hint;
    }
    if (c.id == "f.dropout_backward") {
        const in::Dropout p = in::dropout(seed);
        Matrix a = p.a;
        auto loss = [&] {  // sum(upstream * dropout_forward(a))
            double s = 0;
            for (size_t i = 0; i < a.size(); ++i) s += p.upstream.data[i] * a.data[i] * p.keep.data[i] / (1 - p.P);
            return s;
        };
        const Matrix got = o.as("dL_dphi", 3, 4);
        std::string problem = fd_failure("dropout_backward", fd_check("dL/dphi(z)", a, got, loss));
        Matrix scaled = got;
        for (double& v : scaled.data) v /= 1 - p.P;
        if (!problem.empty() && got.size() == a.size() && fd_check("", a, scaled, loss).check.pass())
            problem += L(" (the 1 / (1 - P) is missing: the backward pass scales as the forward pass does)", " (falta el 1 / (1 - P): el paso hacia atrás escala como el de ida)");
        return problem;
    }
    if (c.id == "f.network") {
        const in::NetProblem p = in::net_problem(d, 6, {5, 4}, {"sigmoid", "sigmoid"}, 2, 8, false, d.uniform(0.2, 0.5));
        for (size_t l = 1; l < p.net.K(); ++l)
            if (worst(o["y_" + std::to_string(l)], values(p.pass.y[l])) > 1e-12) {
                const ref::Pass plain = ref::forward(p.net, p.x);
                return "Network::forward: y_" + std::to_string(l) + L(" with dropout masks: ", " con máscaras de dropout: ") +
                       beside(o["y_" + std::to_string(l)], values(p.pass.y[l])) +
                       (worst(o["y_" + std::to_string(l)], values(plain.y[l])) <= 1e-12 ? L(" (the masks were left out: y_l = phi_l(z_l) keep_l / (1 - P))", " (se omitieron las máscaras: y_l = phi_l(z_l) keep_l / (1 - P))") : "");
            }
        return network_gradients("Network::backward (dropout)", "dropout", p, o);
    }
    if (c.id == "f.weight_decay") {
        Matrix theta = d.matrix(3, 2);
        const Matrix g = d.matrix(3, 2);
        const double lambda = d.uniform(0.001, 0.1);
        auto loss = [&] {  // sum(g theta) + (lambda / 2) |theta|^2
            double s = 0;
            for (size_t i = 0; i < theta.size(); ++i) s += g.data[i] * theta.data[i] + 0.5 * lambda * theta.data[i] * theta.data[i];
            return s;
        };
        return fd_failure("with_weight_decay", fd_check("g + lambda theta", theta, o.as("g", 3, 2), loss));
    }
    if (c.id == "f.stored:momentum") return against_torch_steps("momentum_update + with_weight_decay", "opt.momentum_0.9_wd_0.1", o, {});
    if (c.id == "f.stored:adam") return against_torch_steps("adam_update + with_weight_decay", "opt.adam_wd_0.1", o, {});
    if (c.id == "f.decayed_lr") {
        double lr = d.uniform(0.01, 1);
        const double gamma = d.uniform(0.5, 0.99);
        const std::vector<double>& got = o["rates"];
        for (size_t k = 0; k < 5; ++k) {
            const double want = lr * std::pow(gamma, static_cast<double>(k + 1));
            if (k >= got.size() || !(std::fabs(got[k] - want) <= 1e-14 * want))
                return "decayed_lr: " + L("after " + std::to_string(k + 1) + " epochs the rate is " + (k < got.size() ? number(got[k]) : "?") +
                                              ", lr gamma^" + std::to_string(k + 1) + " = " + number(want),
                                          "tras " + std::to_string(k + 1) + " épocas la tasa es " + (k < got.size() ? number(got[k]) : "?") +
                                              ", lr gamma^" + std::to_string(k + 1) + " = " + number(want));
        }
        return "";
    }
    if (c.id == "f.run") return against_stored_run("regularized", o, (3000 + 127) / 128);
    return "no check " + c.id;
}

// ---------------------------------------------------------------------------------------------
// Running the runner

struct Run {
    Outputs outputs;
    bool timed_out = false;
    int signal = 0, exit_code = 0;
};

std::string scratch_dir() {
    static std::string dir = [] {
        char path[] = "/tmp/judge.XXXXXX";
        const char* made = mkdtemp(path);
        return std::string(made ? made : "/tmp");
    }();
    return dir;
}

// ./exercises/runner ARGS..., in a process group of its own, killed after `seconds`.
Run run_runner(const std::vector<std::string>& args, double seconds) {
    Run r;
    const std::string report = scratch_dir() + "/report", log = scratch_dir() + "/log";
    std::remove(report.c_str());
    std::vector<std::string> full = {"./exercises/runner"};
    full.insert(full.end(), args.begin(), args.end());
    full.push_back(report);
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (out >= 0) dup2(out, 1), dup2(out, 2);
        std::vector<char*> argv;
        for (std::string& a : full) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        const pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) break;
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > seconds) {
            kill(-pid, SIGKILL), kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            r.timed_out = true;
            break;
        }
        usleep(5000);
    }
    kill(-pid, SIGKILL);  // anything the student's code left behind in its group
    if (!r.timed_out && WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    if (!r.timed_out && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.outputs = grading::read_outputs(report);
    return r;
}

std::vector<std::string> registered_activations() {
    const Run r = run_runner({"--activations"}, 10);
    std::ifstream in(scratch_dir() + "/report");
    std::string word;
    std::vector<std::string> names;
    if (in >> word && word == "activations")
        while (in >> word && word != "done") names.push_back(word);
    return names.empty() ? std::vector<std::string>{"sigmoid", "tanh", "relu"} : names;
}

// ---------------------------------------------------------------------------------------------
// Verdicts

enum class Status { ok, wrong, not_implemented, needs };

struct Verdict {
    Status status = Status::ok;
    std::string text;            // what is wrong, or what is not written, or what it needs
    std::string needs_exercise;  // for Status::needs
};

// What is known of each of the student's functions, from the checks that grade it.
struct Known {
    Status status = Status::ok;
    std::string why;  // "wrong", "not implemented", "did not end", "does not compile"
};

class Judge {
public:
    Judge(std::vector<grading::Check> all, uint32_t seed, std::map<std::string, std::string> not_compiling)
        : checks_(std::move(all)), seed_(seed), not_compiling_(std::move(not_compiling)) {}

    // Grades one exercise, printing each check's line; returns its scoreboard status.
    std::string grade(const std::string& exercise, int& ok_count) {
        if (not_compiling_.count(exercise)) {
            const std::string line = L("does not compile: ", "no compila: ") + not_compiling_.at(exercise);
            std::printf("  %s\n", line.c_str());
            return L("wrong: ", "incorrecto: ") + line;
        }
        std::vector<std::string> wrong, todo, needs;
        for (const grading::Check& c : checks_) {
            if (c.exercise != exercise) continue;
            std::printf("  %-76s ", ((spanish ? c.title_es : c.title_en) + " ").c_str());
            std::fflush(stdout);
            const Verdict v = verdict(c);
            auto add = [](std::vector<std::string>& list, const std::string& s) {
                if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
            };
            switch (v.status) {
                case Status::ok: ++ok_count; std::printf("%s\n", L("ok", "correcto").c_str()); break;
                case Status::wrong: add(wrong, v.text); std::printf("%s%s\n", L("WRONG: ", "INCORRECTO: ").c_str(), v.text.c_str()); break;
                case Status::not_implemented: add(todo, v.text); std::printf("%s%s\n", L("not implemented: ", "no implementado: ").c_str(), v.text.c_str()); break;
                case Status::needs: add(needs, v.text); std::printf("%s%s\n", L("needs ", "necesita ").c_str(), v.text.c_str()); break;
            }
        }
        if (!wrong.empty())
            return L("wrong: ", "incorrecto: ") + wrong.front() +
                   (wrong.size() > 1 ? L(" (and " + std::to_string(wrong.size() - 1) + " more above)", " (y " + std::to_string(wrong.size() - 1) + " más arriba)") : "");
        if (!todo.empty() || !needs.empty()) {
            std::string line = todo.empty() ? "" : L("not implemented: ", "no implementado: ");
            for (size_t i = 0; i < todo.size(); ++i) line += (i ? ", " : "") + todo[i];
            if (!needs.empty()) line += std::string(todo.empty() ? "" : "; ") + L("needs ", "necesita ");
            for (size_t i = 0; i < needs.size(); ++i) line += (i ? ", " : "") + needs[i];
            return line;
        }
        return L("ok", "correcto");
    }

private:
    // The verdict of one check. A function of another exercise that does not compile, or that
    // did not end, is not called again (the check "needs" it); otherwise the check runs, and when
    // it fails in any other way than its own exercise's stub, the functions of other exercises it
    // uses are asked first (their own checks, once): a failing one is named, "needs (x) f: wrong",
    // rather than this check's functions blamed.
    Verdict verdict(const grading::Check& c) {
        for (const std::string& f : c.targets) {
            const auto it = known_.find(f);
            if (it != known_.end() && it->second.why == L("did not end", "no terminó"))
                return {Status::wrong, L("not run: ", "no se corrió: ") + f + L(" did not end in an earlier check", " no terminó en una prueba anterior"), ""};
        }
        for (const std::string& f : c.uses) {
            const std::string ex = grading::exercise_of(f);
            if (not_compiling_.count(ex)) return {Status::needs, "(" + ex + ") " + f + L(": does not compile", ": no compila"), ex};
            const auto it = known_.find(f);
            if (it != known_.end() && it->second.why == L("did not end", "no terminó")) return {Status::needs, "(" + ex + ") " + f + ": " + it->second.why, ex};
        }
        Verdict v = run_check(c);
        if (v.status == Status::wrong || v.status == Status::needs) {
            for (const std::string& f : c.uses) {
                const Known k = learn(f);
                if (k.status != Status::ok) {
                    const std::string ex = grading::exercise_of(f);
                    v = {Status::needs, "(" + ex + ") " + f + ": " + k.why, ex};
                    break;
                }
            }
        }
        for (const std::string& f : c.targets) record(f, v);
        return v;
    }

    // What a check's verdict says of a function it grades (the first bad news stays).
    void record(const std::string& function, const Verdict& v) {
        Known& k = known_[function];
        if (k.status != Status::ok) return;
        if (v.status == Status::wrong)
            k = {Status::wrong, v.text.find(L("did not end", "no terminó")) == 0 ? L("did not end", "no terminó") : L("wrong", "incorrecto")};
        if (v.status == Status::not_implemented) k = {Status::not_implemented, L("not implemented", "no implementado")};
    }

    // What the checks of `function`'s own exercise say of it (run once, without printing).
    Known learn(const std::string& function) {
        const auto it = known_.find(function);
        if (it != known_.end() || learning_.count(function)) return it == known_.end() ? Known() : it->second;
        learning_.insert(function);
        for (const grading::Check& c : checks_) {
            if (std::find(c.targets.begin(), c.targets.end(), function) == c.targets.end() || c.stored) continue;
            if (verdict(c).status != Status::ok) break;
        }
        learning_.erase(function);
        return known_[function];
    }

    Verdict run_check(const grading::Check& c) {
        const uint32_t seed = grading::check_seed(seed_, c.id);
        const Run r = run_runner({c.id, std::to_string(seed)}, c.seconds);
        const Outputs& o = r.outputs;
        const std::string in = o.calling.empty() ? "" : L(" in ", " en ") + o.calling.back();
        if (r.timed_out)
            return {Status::wrong, L("did not end within ", "no terminó en ") + std::to_string(static_cast<int>(c.seconds)) + " s" + in + L(" (an endless loop?)", " (¿un ciclo sin fin?)"), ""};
        if (r.signal) {
            const char* name = strsignal(r.signal);
            return {Status::wrong, L("crashed (", "se cayó (") + std::string(name ? name : "signal") + ")" + in, ""};
        }
        if (!o.not_implemented_exercise.empty()) {
            if (o.not_implemented_exercise == c.exercise) return {Status::not_implemented, o.not_implemented_what, ""};
            return {Status::needs, "(" + o.not_implemented_exercise + ") " + o.not_implemented_what, o.not_implemented_exercise};
        }
        if (!o.threw.empty()) return {Status::wrong, L("threw: ", "lanzó: ") + o.threw + in, ""};
        if (!o.done)
            return {Status::wrong, L("the runner ended without its report (exit code ", "el runner terminó sin su informe (código de salida ") +
                                       std::to_string(r.exit_code) + ")" + in + L(": something in the code ended the process", ": algo en el código terminó el proceso"), ""};
        std::string problem;
        try {
            const std::string ex = c.exercise;
            problem = ex == "lesson" ? judge_lesson(c, seed, o) : (ex == "a" || ex == "b" || ex == "c") ? judge_a_to_c(c, seed, o) : judge_d_to_f(c, seed, o);
        } catch (const std::exception& e) {
            problem = L("the grader could not check it: ", "el calificador no pudo revisarlo: ") + e.what();
        }
        return problem.empty() ? Verdict{} : Verdict{Status::wrong, problem, ""};
    }

    std::vector<grading::Check> checks_;
    uint32_t seed_;
    std::map<std::string, std::string> not_compiling_;
    std::map<std::string, Known> known_;
    std::set<std::string> learning_;
};

uint32_t fresh_seed() {
    if (const char* s = std::getenv("SEED")) return static_cast<uint32_t>(std::strtoul(s, nullptr, 10));
    uint32_t seed = static_cast<uint32_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    if (std::FILE* f = std::fopen("/dev/urandom", "rb")) {
        if (std::fread(&seed, sizeof seed, 1, f) != 1) seed ^= 0x9e3779b9u;
        std::fclose(f);
    }
    return seed;
}

// exercises/exercises.def's ids and titles.
struct Exercise {
    std::string id, title_en, title_es;
};
std::vector<Exercise> exercise_table() {
    std::vector<Exercise> all;
#define EXERCISE(id, title, titulo, guide, section, guia, seccion) all.push_back({#id, title, titulo});
#include "exercises.def"
#undef EXERCISE
    return all;
}

std::map<std::string, std::string> read_not_compiling() {
    std::map<std::string, std::string> m;
    if (const char* path = std::getenv("NOT_COMPILING")) {
        std::ifstream in(path);
        for (std::string line; std::getline(in, line);) {
            const size_t bar = line.find('|');
            if (bar != std::string::npos) m[line.substr(0, bar)] = line.substr(bar + 1);
        }
    }
    return m;
}

}  // namespace

int main(int argc, char** argv) {
    spanish = wants_spanish();
    const std::vector<Exercise> table = exercise_table();
    std::vector<Exercise> chosen;
    for (const Exercise& e : table)
        if (argc < 2 || e.id == argv[1]) chosen.push_back(e);
    if (argc > 2 || chosen.empty()) {
        std::string ids;
        for (const Exercise& e : table) ids += (ids.empty() ? "" : " ") + e.id;
        std::fprintf(stderr, "%s\n", L("usage: ./exercises/judge [EXERCISE]   EXERCISE: one of " + ids,
                                        "uso: ./exercises/judge [EJERCICIO]   EJERCICIO: uno de " + ids).c_str());
        return 2;
    }
    const uint32_t seed = fresh_seed();
    std::printf("%s\n\n", L("seed " + std::to_string(seed) + ": SEED=" + std::to_string(seed) + " make check repeats these inputs",
                            "semilla " + std::to_string(seed) + ": SEED=" + std::to_string(seed) + " make check repite estas entradas").c_str());
    const std::map<std::string, std::string> not_compiling = read_not_compiling();
    Judge judge(grading::checks(registered_activations()), seed, not_compiling);
    std::vector<std::pair<std::string, std::string>> board;
    for (const Exercise& e : chosen) {
        std::printf("(%s) %s\n", e.id.c_str(), (spanish ? e.title_es : e.title_en).c_str());
        int ok = 0;
        const std::string status = judge.grade(e.id, ok);
        board.push_back({"(" + e.id + ") " + (spanish ? e.title_es : e.title_en) + ": ", status == L("ok", "correcto") ? status + L(" (" + std::to_string(ok) + " checks)", " (" + std::to_string(ok) + " pruebas)") : status});
        std::printf("\n");
    }
    size_t good = 0;
    for (const auto& b : board) {
        std::printf("%s%s\n", b.first.c_str(), b.second.c_str());
        good += b.second.rfind(L("ok", "correcto"), 0) == 0;
    }
    std::printf("%s\n", L(std::to_string(good) + " of " + std::to_string(board.size()) + " exercises ok",
                          std::to_string(good) + " de " + std::to_string(board.size()) + " ejercicios correctos").c_str());
    const std::string dir = scratch_dir();
    std::remove((dir + "/report").c_str()), std::remove((dir + "/log").c_str()), rmdir(dir.c_str());
    return good == board.size() ? 0 : 1;
}
