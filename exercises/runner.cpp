// exercises/runner.cpp: the half of `make check` that runs the student's code (exercises/grading.hpp
// tells the whole story). Asked for one check, it draws that check's inputs from the seed, calls the
// student's functions on them, and writes what they return, numbers only, to the report file:
//
//   ./exercises/runner CHECK SEED REPORT       one check (exercises/judge runs it, one process each)
//   ./exercises/runner --activations REPORT    the registered activations' names
//
// Before each call into the student's code it writes `calling FUNCTION`, so that an endless loop or
// a crash is reported in the function it happened in. A stub says `not_implemented`, any other
// exception `threw`. It decides nothing: exercises/judge, which does not link this code, does.
#define DEEP_MLP_NO_MAIN
#include "deep_mlp.cpp"
#include "gradient_check.hpp"
#include "grading.hpp"
#include "reference_values.hpp"

#include <cstdio>
#include <functional>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace {

using grading::Report;
namespace in = grading::inputs;

void calling(Report& r, const std::string& function) { r.line("calling " + function); }

// ---------------------------------------------------------------------------------------------
// From the grader's plain numbers to the exercises' types

Network network_of(const grading::ref::Net& n) {
    Network net;
    net.classes = n.classes;
    net.output = &output_layer_for(n.classes);
    for (size_t l = 0; l < n.W.size(); ++l) {
        Layer layer;
        layer.W = n.W[l], layer.b = n.b[l];
        layer.phi = l + 1 < n.W.size() ? find_activation(n.act[l]) : nullptr;
        if (l + 1 < n.W.size() && !layer.phi) throw std::runtime_error("no activation " + n.act[l]);
        net.layers.push_back(std::move(layer));
    }
    return net;
}

// The forward pass the grader computed, as Network::backward takes it.
ForwardPass pass_of(const in::NetProblem& p, DropoutMasks& masks) {
    ForwardPass f(p.net.K());
    for (size_t l = 1; l <= p.net.K(); ++l) f.z[l] = p.pass.z[l], f.y[l] = p.pass.y[l];
    if (p.P > 0) {
        masks.P = p.P, masks.keep = p.keep;
        f.phi_z.resize(p.net.K() + 1);
        for (size_t l = 1; l < p.net.K(); ++l) f.phi_z[l] = p.pass.phi_z[l];
        f.dropout = &masks;
    }
    return f;
}

// Network::backward on a problem, handed the grader's forward pass, and with every bias moved by
// +1: backpropagation never reads the biases (delta_l flows through W_l and the stored z and y),
// so its gradients cannot change; a backward pass that runs the forward pass itself (finite
// differences do) gets other numbers, which the judge recognises.
void report_network_backward(Report& r, const std::string& key, const in::NetProblem& p) {
    Network net = network_of(p.net);
    for (Layer& layer : net.layers)
        for (double& b : layer.b.data) b += 1.0;
    DropoutMasks masks;
    const ForwardPass f = pass_of(p, masks);
    calling(r, "Network::backward");
    net.backward(SparseMatrix(p.x), f, p.y, p.mean ? Reduction::mean : Reduction::sum);
    for (size_t l = 1; l <= net.K(); ++l) {
        r.matrix(key + ".grad_W_" + std::to_string(l), net.layer(l).grad_W);
        r.matrix(key + ".grad_b_" + std::to_string(l), net.layer(l).grad_b);
    }
}

// The lesson's backward() on a problem of one hidden layer, its biases moved as above.
void report_lesson_backward(Report& r, const std::string& key, const in::NetProblem& p) {
    const Params real{p.net.W[0], p.net.b[0], p.net.W[1], p.net.b[1]};
    const SparseMatrix y_0(p.x);
    const Activations a = forward(real, y_0);
    Params moved = real;
    for (Matrix* b : {&moved.b_1, &moved.b_2})
        for (double& v : b->data) v += 1.0;
    calling(r, "backward");
    const Gradients g = backward(moved, y_0, a, p.y);
    r.matrix(key + ".grad_W_1", g.grad_W1), r.matrix(key + ".grad_b_1", g.grad_b1);
    r.matrix(key + ".grad_W_2", g.grad_W2), r.matrix(key + ".grad_b_2", g.grad_b2);
}

// Steps of an optimizer over the tensors, the same gradients every step; the tensors after each.
void report_optimizer(Report& r, const OptimizerSettings& settings, in::Tensors t, int steps, const std::string& function) {
    Optimizer optimizer(settings);
    std::vector<Matrix*> thetas;
    std::vector<const Matrix*> grads;
    for (size_t i = 0; i < t.theta.size(); ++i) thetas.push_back(&t.theta[i]), grads.push_back(&t.grad[i]);
    const Matrix first = t.theta[0];
    for (int k = 1; k <= steps; ++k) {
        calling(r, function);
        optimizer.step(thetas, grads);
        for (size_t i = 0; i < t.theta.size(); ++i) r.matrix("theta" + std::to_string(i) + ".step" + std::to_string(k), t.theta[i]);
    }
    // The first tensor again, alone, with an optimizer of its own: what it does with company and
    // without tells a state shared between tensors.
    Optimizer alone(settings);
    Matrix theta = first;
    for (int k = 1; k <= steps; ++k) {
        calling(r, function);
        alone.step({&theta}, {&t.grad[0]});
        r.matrix("alone.step" + std::to_string(k), theta);
    }
}

OptimizerSettings settings_of(const std::string& name, const in::Settings& s, bool decay = false) {
    OptimizerSettings o;
    o.name = name, o.lr = s.lr, o.momentum = s.m, o.beta1 = s.b1, o.beta2 = s.b2, o.eps = s.eps;
    o.weight_decay = decay ? s.lambda : 0;
    return o;
}

const ReferenceValues& torch_values() {
    static const ReferenceValues values;
    return values;
}

// Three steps from torch_values' opt.theta0 with opt.grad1 .. 3, as the stored torch.optim runs.
void report_stored_steps(Report& r, const std::string& key, const OptimizerSettings& settings, const std::string& function) {
    const ReferenceValues& v = torch_values();
    Matrix theta(2, 3);
    theta.data.assign(v["opt.theta0"].begin(), v["opt.theta0"].end());
    Optimizer optimizer(settings);
    for (int k = 1; k <= 3; ++k) {
        Matrix grad(2, 3);
        grad.data.assign(v["opt.grad" + std::to_string(k)].begin(), v["opt.grad" + std::to_string(k)].end());
        calling(r, function);
        optimizer.step({&theta}, {&grad});
        r.matrix(key + ".step" + std::to_string(k), theta);
    }
}

OptimizerSettings stored_settings(const std::string& name, double m = 0.9, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8,
                                  double wd = 0) {
    OptimizerSettings s;
    s.name = name, s.lr = 0.1, s.momentum = m, s.beta1 = b1, s.beta2 = b2, s.eps = eps, s.weight_decay = wd;
    return s;
}

// A run of ./deep_mlp's flags from exercises/reference/runs/runs.txt, its printed lines captured:
// the losses and the accuracy, and for every step its rate (the observer).
void report_run(Report& r, const std::string& name) {
    std::ifstream list("exercises/reference/runs/runs.txt");
    std::string entry, flags;
    while (std::getline(list, entry))
        if (entry.rfind(name + ": ", 0) == 0) flags = entry.substr(name.size() + 2);
    if (flags.empty()) throw std::runtime_error("exercises/reference/runs/runs.txt has no run " + name);
    std::vector<std::string> args = {"deep_mlp", "--out", "build/check/run_out"};
    std::istringstream words(flags);
    for (std::string w; words >> w;) args.push_back(w);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    std::vector<double> rates;
    deep_mlp::step_observer() = [&](const SparseMatrix&, double, double lr) { rates.push_back(lr); };
    cli_detail::checked_stdout();  // installed before the capture, so that it never holds the capture's buffer
    std::ostringstream printed;
    std::streambuf* previous = std::cout.rdbuf(printed.rdbuf());
    calling(r, "./deep_mlp " + flags);
    try {
        deep_mlp::run(static_cast<int>(argv.size()), argv.data());
    } catch (...) {
        std::cout.rdbuf(previous);
        throw;
    }
    std::cout.rdbuf(previous);
    std::vector<double> losses, accuracy;
    std::istringstream lines(printed.str());
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("Epoch ", 0) == 0) losses.push_back(std::stod(line.substr(line.find("Loss: ") + 6)));
        if (line.rfind("Exactitud", 0) == 0) accuracy.push_back(std::stod(line.substr(line.find(": ") + 2)));
    }
    r.numbers("losses", losses), r.numbers("accuracy", accuracy), r.numbers("rates", rates);
}

// ---------------------------------------------------------------------------------------------
// The checks

void run_lesson(const std::string& id, uint32_t seed, Report& r) {
    if (id == "lesson.phi_prime") {
        grading::Draw d(seed);
        const std::vector<double> z = in::values(d, 8, -4, 4);
        std::vector<double> slopes;
        for (double v : z) {
            calling(r, "phi_prime_from_output");
            slopes.push_back(phi_prime_from_output(phi(v)));
        }
        r.numbers("slope", slopes);
    } else if (id == "lesson.delta_2") {
        const in::Delta2 p = in::delta_2(seed);
        calling(r, "bce_sigmoid_backward");
        r.matrix("delta_2", bce_sigmoid_backward(sigmoid_forward(p.z), p.y));
    } else if (id == "lesson.linear_backward") {
        const in::Linear p = in::linear(seed);
        Matrix grad_W, grad_b;
        calling(r, "linear_backward");
        linear_backward(p.x, p.upstream, grad_W, grad_b);
        r.matrix("grad_W", grad_W), r.matrix("grad_b", grad_b);
    } else if (id == "lesson.backward") {
        const std::vector<in::NetProblem> problems = in::lesson_problems(seed);
        for (size_t k = 0; k < problems.size(); ++k) report_lesson_backward(r, "p" + std::to_string(k), problems[k]);
    } else if (id == "lesson.backward_mnist") {
        report_lesson_backward(r, "mnist", in::lesson_mnist(seed, grading::mnist_zeros_and_ones()));
    } else if (id == "lesson.step") {
        grading::Draw d(seed);
        in::Tensors t = in::tensors(d, {{4, 3}, {1, 3}, {3, 1}, {1, 1}});
        const double lr = d.uniform(0.01, 0.5);
        Params p{t.theta[0], t.theta[1], t.theta[2], t.theta[3]};
        const Gradients g{t.grad[0], t.grad[1], t.grad[2], t.grad[3]};
        calling(r, "gradient_descent_step");
        gradient_descent_step(p, g, lr);
        r.matrix("W_1", p.W_1), r.matrix("b_1", p.b_1), r.matrix("W_2", p.W_2), r.matrix("b_2", p.b_2);
    } else if (id == "lesson.run") {
        const Split s = train_test_split(load_zeros_and_ones("data"));
        Params p = init_params(s.X_train.cols, 64, 1, 0);
        std::streambuf* previous = std::cout.rdbuf(nullptr);
        std::vector<double> losses;
        calling(r, "the lesson's train()");
        try {
            losses = train(p, s.X_train, s.y_train, 30, 1e-4);
        } catch (...) {
            std::cout.rdbuf(previous);
            throw;
        }
        std::cout.rdbuf(previous);
        r.numbers("losses", losses);
        r.number("accuracy", accuracy(forward(p, s.X_test).y_2, s.y_test) * 100);
    } else {
        throw std::runtime_error("no check " + id);
    }
}

void run_a_to_c(const std::string& id, uint32_t seed, Report& r) {
    grading::Draw d(seed);
    if (id == "a.forward") {
        const std::vector<std::vector<size_t>> hidden = {{5}, {5, 4}, {5, 4, 3}};
        for (size_t k = 1; k <= 3; ++k) {
            const in::NetProblem p = in::net_problem(d, 6, hidden[k - 1], std::vector<std::string>(k, "sigmoid"), 2, 4);
            const Network net = network_of(p.net);
            calling(r, "Network::forward");
            const ForwardPass f = net.forward(SparseMatrix(p.x));
            r.number("k" + std::to_string(k) + ".count", static_cast<double>(f.z.size()));
            for (size_t l = 1; l < f.z.size() && l < f.y.size(); ++l) {
                r.matrix("k" + std::to_string(k) + ".z_" + std::to_string(l), f.z[l]);
                r.matrix("k" + std::to_string(k) + ".y_" + std::to_string(l), f.y[l]);
            }
        }
    } else if (id == "a.forward_stored") {
        for (uint32_t k = 1; k <= 3; ++k) {  // exercises/reference/make_reference.py's forward_problem(k), draw for draw
            NumpyRandomState rng(21 + k);
            const std::vector<size_t> sizes = {5, 4, 3}, hidden(sizes.begin(), sizes.begin() + k);
            Network net = make_network(6, hidden, std::vector<const Activation*>(k, find_activation("sigmoid")), 2,
                                       InitRule{InitRule::fixed, 0.5}, rng);
            for (Layer& layer : net.layers)
                for (double& b : layer.b.data) b = 0.1 * rng.randn();
            Matrix x(4, 6);
            for (double& v : x.data) v = rng.random_sample() < 0.3 ? 0.0 : rng.random_sample();
            calling(r, "Network::forward");
            const ForwardPass f = net.forward(SparseMatrix(x));
            for (size_t l = 1; l < f.z.size() && l < f.y.size(); ++l) {
                r.matrix("forward." + std::to_string(k) + ".z_" + std::to_string(l), f.z[l]);
                r.matrix("forward." + std::to_string(k) + ".y_" + std::to_string(l), f.y[l]);
            }
        }
    } else if (id == "a.backward") {
        const std::vector<std::vector<size_t>> hidden = {{4}, {4, 3}, {3, 5, 3}};
        const size_t inputs[] = {6, 5, 4}, samples[] = {7, 6, 5};
        for (size_t k = 1; k <= 3; ++k)
            report_network_backward(r, "k" + std::to_string(k),
                                    in::net_problem(d, inputs[k - 1], hidden[k - 1], std::vector<std::string>(k, "sigmoid"), 2, samples[k - 1]));
    } else if (id.rfind("b.phi_prime:", 0) == 0 || id.rfind("b.activation_backward:", 0) == 0 || id == "b.relu_at_zero") {
        const std::string name = id == "b.relu_at_zero" ? "relu" : id.substr(id.find(':') + 1);
        const Activation* act = find_activation(name);
        if (!act) throw std::runtime_error("no activation " + name);
        if (id == "b.relu_at_zero") {
            calling(r, "relu's phi'");
            r.number("slope", act->phi_prime(0.0, 0.0));
            return;
        }
        const bool elementwise = id.rfind("b.phi_prime:", 0) == 0;
        const Matrix z = elementwise ? d.matrix(1, 6, -2.5, 2.5, 0.05) : d.matrix(4, 5, -2, 2, 0.1);
        const Matrix upstream = d.matrix(z.rows, z.cols);
        // phi at z and four points around it, from the registry (given code): what the judge's
        // finite differences of this activation are made of.
        for (double h : {-2e-4, -1e-4, 1e-4, 2e-4}) {
            Matrix shifted = z;
            for (double& v : shifted.data) v = act->phi(v + h);
            r.matrix("phi" + std::string(h < 0 ? "-" : "+") + (std::fabs(h) > 1.5e-4 ? "2h" : "h"), shifted);
        }
        const Matrix y = activation_forward(*act, z);
        r.matrix("y", y);
        calling(r, name + "'s phi'");
        if (elementwise) {
            Matrix slope(z.rows, z.cols);
            for (size_t i = 0; i < z.size(); ++i) slope.data[i] = act->phi_prime(z.data[i], y.data[i]);
            r.matrix("slope", slope);
        } else {
            r.matrix("upstream", upstream);
            r.matrix("dL_dz", activation_backward(*act, upstream, z, y));
        }
    } else if (id.rfind("b.backward:", 0) == 0) {
        const std::string name = id.substr(id.find(':') + 1);
        report_network_backward(r, "k1", in::net_problem(d, 6, {4}, {name}, 2, 7));
        report_network_backward(r, "k2", in::net_problem(d, 5, {4, 3}, {name, "sigmoid"}, 2, 6));
    } else if (id == "c.mean") {
        report_network_backward(r, "mean", in::net_problem(d, 6, {4, 3}, {"sigmoid", "sigmoid"}, 2, 8, true));
    } else if (id == "c.epoch") {
        const in::Epoch e = in::epoch(seed);
        Network net = network_of(e.problem.net);
        deep_mlp::Options o;
        o.batch = e.batch, o.optimizer.lr = e.lr, o.reduction = Reduction::mean;
        NumpyRandomState rng(e.stream_seed);
        Optimizer optimizer(o.optimizer);
        deep_mlp::Training tr{net, optimizer, rng, o, {}, nullptr};
        const SparseMatrix X(e.problem.x);
        std::vector<double> sizes, rows, losses;
        deep_mlp::step_observer() = [&](const SparseMatrix& batch, double loss_sum, double) {
            sizes.push_back(static_cast<double>(batch.rows));
            losses.push_back(loss_sum);
            std::vector<double> a(batch.cols), b(batch.cols);
            for (size_t i = 0; i < batch.rows; ++i) {  // which sample this row is (their rows differ)
                batch.dense_row(i, a.data());
                double which = -1;
                for (size_t n = 0; n < X.rows && which < 0; ++n) {
                    X.dense_row(n, b.data());
                    if (a == b) which = static_cast<double>(n);
                }
                rows.push_back(which);
            }
        };
        calling(r, "train_epoch");
        const double loss = deep_mlp::train_epoch(tr, X, e.problem.y);
        r.numbers("sizes", sizes), r.numbers("rows", rows), r.numbers("step_losses", losses);
        r.number("loss", loss);
        r.number("next_draw", rng.random_sample());
    } else if (id == "c.epoch_stored") {
        gradient_check::TinyProblem p = gradient_check::tiny_problem(7, 2, 12, "sigmoid", "sigmoid");
        deep_mlp::Options o;
        o.batch = 3, o.optimizer.lr = 0.05, o.reduction = Reduction::mean;
        NumpyRandomState rng(5);
        Optimizer optimizer(o.optimizer);
        deep_mlp::Training tr{p.net, optimizer, rng, o, {}, nullptr};
        calling(r, "train_epoch");
        const double loss = deep_mlp::train_epoch(tr, p.X, p.y);
        for (const Parameter& q : p.net.parameters()) r.matrix("tiny_sigmoid.epoch." + q.name, *q.theta);
        r.number("loss", loss);
        r.number("next_draw", rng.random_sample());
    } else {
        throw std::runtime_error("no check " + id);
    }
}

void run_d_to_f(const std::string& id, uint32_t seed, Report& r) {
    grading::Draw d(seed);
    if (id == "d.momentum" || id == "d.nesterov" || id == "d.adam" || id == "f.decay_gd") {
        const in::Settings s = in::settings(d);
        const in::Tensors t = in::tensors(d, in::optimizer_shapes());
        const std::string name = id == "f.decay_gd" ? "gd" : id.substr(2);
        report_optimizer(r, settings_of(name, s, id == "f.decay_gd"), t, s.steps, id == "f.decay_gd" ? "with_weight_decay" : name + "_update");
    } else if (id == "d.stored:momentum") {
        report_stored_steps(r, "opt.momentum_0.9", stored_settings("momentum"), "momentum_update");
        report_stored_steps(r, "opt.momentum_0.5", stored_settings("momentum", 0.5), "momentum_update");
    } else if (id == "d.stored:nesterov") {
        report_stored_steps(r, "opt.nesterov_0.9", stored_settings("nesterov"), "nesterov_update");
    } else if (id == "d.stored:adam") {
        report_stored_steps(r, "opt.adam", stored_settings("adam"), "adam_update");
        report_stored_steps(r, "opt.adam_0.8_0.99_1e-6", stored_settings("adam", 0.9, 0.8, 0.99, 1e-6), "adam_update");
    } else if (id.rfind("d.run:", 0) == 0) {
        report_run(r, id.substr(6));
    } else if (id == "e.softmax" || id == "e.loss" || id == "e.delta") {
        const in::Logits p = in::logits(seed, id == "e.delta" ? 10 : 5, id != "e.delta");
        if (id == "e.softmax") {
            calling(r, "SoftmaxCrossEntropy::forward");
            r.matrix("y", SoftmaxCrossEntropy::forward(p.z));
        } else if (id == "e.loss") {
            const Matrix y_K = SoftmaxCrossEntropy::forward(p.z);
            calling(r, "SoftmaxCrossEntropy::loss_sum");
            r.number("loss", SoftmaxCrossEntropy::loss_sum(y_K, p.z, p.y));
        } else {
            const Matrix y_K = grading::ref::softmax_rows(p.z);  // the definition: delta is checked alone
            calling(r, "SoftmaxCrossEntropy::backward");
            r.matrix("delta", SoftmaxCrossEntropy::backward(y_K, p.y));
        }
    } else if (id == "e.predicted_class") {
        const Matrix rows = in::output_rows(seed);
        std::vector<double> classes;
        for (size_t i = 0; i < rows.rows; ++i) {
            calling(r, "SoftmaxCrossEntropy::predicted_class");
            classes.push_back(SoftmaxCrossEntropy::predicted_class(rows.row(i), rows.cols));
        }
        r.numbers("class", classes);
    } else if (id == "e.backward") {
        report_network_backward(r, "k1", in::net_problem(d, 6, {5}, {"sigmoid"}, 10, 9));
        report_network_backward(r, "k2", in::net_problem(d, 5, {4, 3}, {"sigmoid", "sigmoid"}, 10, 8));
    } else if (id == "e.run") {
        report_run(r, "ten_class");
    } else if (id == "f.dropout_forward" || id == "f.dropout_backward") {
        const in::Dropout p = in::dropout(seed);
        if (id == "f.dropout_forward") {
            calling(r, "dropout_forward");
            r.matrix("y", dropout_forward(p.a, p.keep, p.P));
        } else {
            calling(r, "dropout_backward");
            r.matrix("dL_dphi", dropout_backward(p.upstream, p.keep, p.P));
        }
    } else if (id == "f.network") {
        const in::NetProblem p = in::net_problem(d, 6, {5, 4}, {"sigmoid", "sigmoid"}, 2, 8, false, d.uniform(0.2, 0.5));
        const Network net = network_of(p.net);
        DropoutMasks masks;
        masks.P = p.P, masks.keep = p.keep;
        calling(r, "Network::forward");
        const ForwardPass f = net.forward(SparseMatrix(p.x), &masks);
        for (size_t l = 1; l < f.y.size(); ++l) r.matrix("y_" + std::to_string(l), f.y[l]);
        report_network_backward(r, "dropout", p);
    } else if (id == "f.weight_decay") {
        const Matrix theta = d.matrix(3, 2), g = d.matrix(3, 2);
        const double lambda = d.uniform(0.001, 0.1);
        calling(r, "with_weight_decay");
        r.matrix("g", with_weight_decay(g, theta, lambda));
    } else if (id == "f.stored:momentum") {
        report_stored_steps(r, "opt.momentum_0.9_wd_0.1", stored_settings("momentum", 0.9, 0.9, 0.999, 1e-8, 0.1), "momentum_update");
    } else if (id == "f.stored:adam") {
        report_stored_steps(r, "opt.adam_wd_0.1", stored_settings("adam", 0.9, 0.9, 0.999, 1e-8, 0.1), "adam_update");
    } else if (id == "f.decayed_lr") {
        double lr = d.uniform(0.01, 1);
        const double gamma = d.uniform(0.5, 0.99);
        std::vector<double> rates;
        for (int k = 0; k < 5; ++k) {
            calling(r, "decayed_lr");
            rates.push_back(lr = deep_mlp::decayed_lr(lr, gamma));
        }
        r.numbers("rates", rates);
    } else if (id == "f.run") {
        report_run(r, "regularized");
    } else {
        throw std::runtime_error("no check " + id);
    }
}

void run_check(const std::string& id, uint32_t seed, Report& r) {
    const std::string exercise = id.substr(0, id.find('.'));
    if (exercise == "lesson") run_lesson(id, seed, r);
    else if (exercise == "a" || exercise == "b" || exercise == "c") run_a_to_c(id, seed, r);
    else run_d_to_f(id, seed, r);
}

std::string one_line(std::string text) {
    for (char& c : text)
        if (c == '\n' || c == '\r') c = ' ';
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--activations") {
        Report r(argv[2]);
        std::string names;
        for (const Activation& a : activations()) names += (names.empty() ? "" : " ") + std::string(a.name);
        r.line("activations " + names);
        r.line("done");
        return r.ok() ? 0 : 1;
    }
    if (argc != 4) {
        std::fprintf(stderr, "usage: ./exercises/runner CHECK SEED REPORT   (exercises/judge runs it)\n");
        return 2;
    }
    Report r(argv[3]);
    if (!r.ok()) return 1;
    try {
        run_check(argv[1], static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10)), r);
        r.line("done");
    } catch (const NotImplemented& e) {
        r.line("not_implemented " + e.exercise + " " + one_line(e.what));
    } catch (const std::exception& e) {
        r.line("threw " + one_line(e.what()));
    }
    return 0;
}
