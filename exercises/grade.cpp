// exercises/grade.cpp: the grader of `make check`. It checks the code a student writes for one
// exercise, function by function, the way CS231n's assignments do:
//
//   ./exercises/grade EXERCISE        EXERCISE: lesson, a, b, c, d, e or f
//
// Each backward function is checked alone against finite differences of sum(upstream * forward)
// with a random upstream gradient, then whole networks; each update rule against torch.optim's own
// numbers (exercises/reference/torch_values.txt) at a tolerance that accepts any correct order of
// the arithmetic; the mini-batch epoch against PyTorch on a tiny problem; and short real runs
// against the notes' numpy code or PyTorch. A check that fails says which function and tensor,
// and, where the numbers are those of a known mistake, which one. A stub (exercise_stub(), in the
// lab) is "not implemented"; an exception is "wrong", naming the check it ended. The last line is
// `result: ok`, `result: not implemented: ...` or `result: wrong: ...`; exercises/check.sh runs
// every exercise in a process of its own and prints the scoreboard.
#define DEEP_MLP_NO_MAIN
#include "deep_mlp.cpp"
#include "gradient_check.hpp"
#include "reference_values.hpp"

#include <cstdio>
#include <functional>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

namespace {

using namespace gradient_check;

// ---------------------------------------------------------------------------------------------
// Verdicts

class Grader {
public:
    explicit Grader(std::string exercise) : exercise_(std::move(exercise)) {}

    // Runs `check`: "" when it holds, else what is wrong (and, if known, why).
    void check(const std::string& name, const std::function<std::string()>& check) {
        std::printf("  %-72s ", (name + " ").c_str());
        std::fflush(stdout);  // a crash inside shows which check it was
        std::string verdict;
        try {
            const std::string problem = check();
            if (problem.empty()) {
                ++ok_;
                verdict = "ok";
            } else {
                wrong_.push_back(name + ": " + problem);
                verdict = "WRONG: " + problem;
            }
        } catch (const NotImplemented& e) {
            std::vector<std::string>& list = e.exercise == exercise_ ? todo_ : needs_;
            const std::string what = e.exercise == exercise_ ? e.what : "(" + e.exercise + ") " + e.what;
            if (std::find(list.begin(), list.end(), what) == list.end()) list.push_back(what);
            verdict = "not implemented: " + (e.exercise == exercise_ ? what : "needs " + what);
        } catch (const std::exception& e) {
            wrong_.push_back(name + " threw: " + e.what());
            verdict = std::string("WRONG: threw: ") + e.what();
        }
        std::printf("%s\n", verdict.c_str());
        std::fflush(stdout);
    }

    int result() const {
        std::string line;
        if (!wrong_.empty()) {
            line = "wrong: " + wrong_.front();
            if (wrong_.size() > 1) line += " (and " + std::to_string(wrong_.size() - 1) + " more above)";
        } else if (!todo_.empty() || !needs_.empty()) {
            line = "not implemented: ";
            for (size_t i = 0; i < todo_.size(); ++i) line += (i ? ", " : "") + todo_[i];
            if (!needs_.empty()) line += std::string(todo_.empty() ? "" : "; ") + "needs ";
            for (size_t i = 0; i < needs_.size(); ++i) line += (i ? ", " : "") + needs_[i];
        } else {
            line = "ok (" + std::to_string(ok_) + " checks)";
        }
        std::printf("result: %s\n", printable(line, 600).c_str());
        return wrong_.empty() && todo_.empty() && needs_.empty() ? 0 : 1;
    }

private:
    std::string exercise_;
    int ok_ = 0;
    std::vector<std::string> wrong_, todo_, needs_;  // needs_: other exercises' stubs a check ran into
};

std::string number(double x) { return python_float(x); }

// The largest relative difference between two lists of numbers.
double worst_difference(const std::vector<double>& got, const std::vector<double>& want) {
    if (got.size() != want.size()) return INFINITY;
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double scale = std::max({std::fabs(got[i]), std::fabs(want[i]), 1e-300});
        if (!(std::fabs(got[i] - want[i]) <= worst * scale)) worst = std::fabs(got[i] - want[i]) / scale;
        if (std::isnan(got[i])) return INFINITY;
    }
    return worst;
}
std::vector<double> values(const Matrix& m) { return {m.data.begin(), m.data.end()}; }

// "" when the tensor checks pass, else the first one that does not, and how far it is off.
std::string failed_tensors(const std::string& function, const std::vector<TensorCheck>& checks) {
    for (const TensorCheck& c : checks)
        if (!c.pass())
            return function + ": " + c.tensor + (std::isinf(c.max_relative_error) ? " is missing or of the wrong shape"
                                                 : c.all_near_zero ? " is all zero where the loss depends on it"
                                                 : " differs from finite differences (relative error " + number(c.max_relative_error) + ")");
    return "";
}

// A random matrix: each element uniform in [lo, hi), from numpy's stream.
Matrix random_matrix(size_t rows, size_t cols, NumpyRandomState& rng, double lo = -1, double hi = 1) {
    Matrix m(rows, cols);
    for (double& v : m.data) v = lo + (hi - lo) * rng.random_sample();
    return m;
}

// d/dx of sum(upstream * f(x)), element by element, against `analytic`: a backward function
// alone, as CS231n checks its layers.
std::vector<TensorCheck> check_backward(const std::string& tensor, Matrix x, const Matrix& upstream,
                                        const std::function<Matrix(const Matrix&)>& f, const Matrix& analytic) {
    auto loss = [&] {
        const Matrix y = f(x);
        double s = 0;
        for (size_t i = 0; i < y.size(); ++i) s += upstream.data[i] * y.data[i];
        return s;
    };
    const double floor = resolution_floor(loss());
    return {check_tensor(tensor, x, analytic, loss, floor, 0, 1)};
}

// The network's gradients against finite differences after its own forward and backward.
std::string check_net(const std::string& function, NetProblem pr) {
    pr.net.backward(pr.y_0, pr.net.forward(pr.y_0, pr.masks()), pr.y, pr.reduction);
    return failed_tensors(function + " on " + pr.name, check_network(pr, 0, 5));
}

const ReferenceValues& torch_values() {
    static const ReferenceValues values;
    return values;
}

bool have_mnist() { return std::filesystem::exists(find_idx_file("data", "train-images-idx3-ubyte")); }
const char* kNoMnist = "data/ has no MNIST: run make data, then make check again";

const Activation& act(const char* name) { return *find_activation(name); }

// ---------------------------------------------------------------------------------------------
// (lesson) mlp.cpp: eqs. (3)-(6)

// The lesson's run, 30 epochs from seed 0, its printed lines captured.
std::string lesson_run(std::vector<double>& losses, double& accuracy_percent) {
    const Split s = train_test_split(load_zeros_and_ones("data"));
    Params p = init_params(s.X_train.cols, 64, 1, 0);
    std::ostringstream printed;
    std::streambuf* previous = std::cout.rdbuf(printed.rdbuf());
    try {
        losses = train(p, s.X_train, s.y_train, 30, 1e-4);
    } catch (...) {
        std::cout.rdbuf(previous);
        throw;
    }
    std::cout.rdbuf(previous);
    accuracy_percent = accuracy(forward(p, s.X_test).y_2, s.y_test) * 100;
    return printed.str();
}

// The notes' numpy code's seed-0 losses (tests/notes_numpy_seed0.txt).
std::vector<double> notes_losses() {
    std::ifstream in("tests/notes_numpy_seed0.txt");
    if (!in) throw std::runtime_error("tests/notes_numpy_seed0.txt: missing (it holds the notes' numpy run)");
    std::vector<double> losses;
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("Epoch ", 0) == 0) losses.push_back(std::stod(line.substr(line.find("Loss: ") + 6)));
    return losses;
}

void grade_lesson(Grader& g) {
    g.check("phi_prime_from_output: eq. (6), phi'(z) from y = phi(z)", [] {
        for (double z : {-3.0, -0.5, 0.2, 1.7, 4.0}) {
            const double a = phi_prime_from_output(phi(z));
            const double n = numerical_derivative([z](double h) { return phi(z + h); });
            if (!(std::fabs(a - n) <= 1e-7 * std::fabs(n)))
                return "at z = " + number(z) + " it gives " + number(a) + ", the slope of phi there is " + number(n) +
                       (a == phi(z) ? " (that is phi(z) itself: phi' = phi (1 - phi))" : "");
        }
        return std::string();
    });
    g.check("bce_sigmoid_backward: eq. (3), delta_2 = dL/dz_2", [] {
        NumpyRandomState rng(31);
        const Matrix z = random_matrix(6, 1, rng, -3, 3);
        Matrix y(6, 1);
        for (size_t i = 0; i < 6; ++i) y(i, 0) = i % 2;
        const Matrix delta = bce_sigmoid_backward(sigmoid_forward(z), y);
        const std::vector<TensorCheck> c = check_backward("delta_2", z, Matrix(6, 1, 1.0), [&](const Matrix& zz) {
            return Matrix(1, 1, bce_loss_sum(sigmoid_forward(zz), zz, y));
        }, delta);
        std::string problem = failed_tensors("bce_sigmoid_backward", c);
        Matrix flipped = delta;
        for (double& v : flipped.data) v = -v;
        if (!problem.empty() && failed_tensors("", check_backward("delta_2", z, Matrix(6, 1, 1.0), [&](const Matrix& zz) {
                                                   return Matrix(1, 1, bce_loss_sum(sigmoid_forward(zz), zz, y));
                                               }, flipped)).empty())
            problem += " (its sign is flipped: output minus target)";
        return problem;
    });
    g.check("linear_backward: eqs. (3), (4), grad_W = x^T delta, grad_b", [] {
        NumpyRandomState rng(32);
        const Matrix x = random_matrix(5, 4, rng), W = random_matrix(4, 3, rng), b = random_matrix(1, 3, rng);
        const Matrix upstream = random_matrix(5, 3, rng);
        Matrix grad_W, grad_b;
        linear_backward(x, upstream, grad_W, grad_b);
        std::vector<TensorCheck> c = check_backward("grad_W", W, upstream, [&](const Matrix& WW) { return linear_forward(x, WW, b); }, grad_W);
        const std::vector<TensorCheck> cb = check_backward("grad_b", b, upstream, [&](const Matrix& bb) { return linear_forward(x, W, bb); }, grad_b);
        c.insert(c.end(), cb.begin(), cb.end());
        std::string problem = failed_tensors("linear_backward", c);
        if (!problem.empty() && grad_b.size() == 3 && grad_b(0, 0) == grad_b(0, 1) && grad_b(0, 1) == grad_b(0, 2))
            problem += " (one sum for every bias: grad_b is one sum per column of delta)";
        return problem;
    });
    g.check("backward(): eqs. (3), (4) on small networks", [] {
        const struct { size_t in, hid, out, n; double zeros; uint32_t seed; } small[] = {
            {5, 3, 1, 7, 0.0, 1}, {8, 5, 1, 3, 0.7, 4}, {3, 4, 2, 6, 0.3, 5}};
        for (const auto& s : small) {
            const Problem pr = synthetic_problem(s.in, s.hid, s.out, s.n, s.zeros, s.seed);
            const Activations a = forward(pr.params, pr.y_0);
            const Gradients grads = backward(pr.params, pr.y_0, a, pr.y);
            std::string problem = failed_tensors("backward() on " + pr.name, check_gradients(pr.params, pr.y_0, pr.y, grads, 0, 0));
            if (problem.empty()) continue;
            // The numbers of two known mistakes.
            Gradients reference = grads;
            const double n = static_cast<double>(pr.y.rows);
            const TensorCheck scaled_up = [&] {
                Params p = pr.params;
                Matrix times_n = grads.grad_W2;
                for (double& v : times_n.data) v *= n;
                auto loss = [&] { return loss_sum(p, pr.y_0, pr.y); };
                return check_tensor("W_2", p.W_2, times_n, loss, resolution_floor(loss()), 0, 0);
            }();
            if (scaled_up.pass() && n > 1) problem += " (it is the gradient of the mean loss: (3) and (4) are those of the summed loss (2))";
            return problem;
        }
        return std::string();
    });
    g.check("backward(): on 784 x 64 x 1, real MNIST, 256 images", [] {
        if (!have_mnist()) return std::string(kNoMnist);
        const Problem notes = notes_shape_problem(256);
        const Activations a = forward(notes.params, notes.y_0);
        return failed_tensors("backward() on " + notes.name,
                              check_gradients(notes.params, notes.y_0, notes.y, backward(notes.params, notes.y_0, a, notes.y), 60, 1));
    });
    g.check("gradient_descent_step: eq. (5), one step of lr 0.1", [] {
        // Every tensor of Params holds part of torch's 2 x 3 example, so torch's SGD step is the answer.
        const ReferenceValues& v = torch_values();
        const std::vector<double> &theta0 = v["opt.theta0"], &grad = v["opt.grad1"], &want = v["opt.gd.step1"];
        const size_t at[] = {0, 0, 3, 5}, rows[] = {2, 1, 3, 1}, cols[] = {3, 3, 1, 1};
        auto part = [&](const std::vector<double>& from, int k) {
            Matrix m(rows[k], cols[k]);
            m.data.assign(from.begin() + static_cast<ptrdiff_t>(at[k]), from.begin() + static_cast<ptrdiff_t>(at[k] + m.size()));
            return m;
        };
        Params p{part(theta0, 0), part(theta0, 1), part(theta0, 2), part(theta0, 3)};
        const Gradients grads{part(grad, 0), part(grad, 1), part(grad, 2), part(grad, 3)};
        gradient_descent_step(p, grads, 0.1);
        const Matrix* got[] = {&p.W_1, &p.b_1, &p.W_2, &p.b_2};
        const char* names[] = {"W_1", "b_1", "W_2", "b_2"};
        for (int k = 0; k < 4; ++k) {
            const Matrix expected = part(want, k), start_value = part(theta0, k);
            if (worst_difference(values(*got[k]), values(expected)) > 1e-15)
                return std::string(names[k]) + " became " + number(got[k]->data[0]) + "..., torch's SGD gives " +
                       number(expected.data[0]) + "..." + (got[k]->data == start_value.data ? " (it did not move)" : "");
        }
        return std::string();
    });
    g.check("the lesson's run: 30 epochs on MNIST, seed 0, as the notes' numpy", [] {
        if (!have_mnist()) return std::string(kNoMnist);
        std::vector<double> losses;
        double accuracy_percent = 0;
        try {
            lesson_run(losses, accuracy_percent);
        } catch (const Diverged& d) {
            return "the run diverged, where the notes' settings train (" + std::string(d.what()).substr(0, 60) +
                   "...): a gradient or the step above is wrong";
        }
        const double worst = worst_difference(losses, notes_losses());
        if (!(worst <= 1e-9)) return "its losses differ from the notes' numpy code's by up to " + number(worst) + " relative";
        if (python_float(accuracy_percent) != "99.86468200270636")
            return "test accuracy " + python_float(accuracy_percent) + "%, not the notes' 99.86468200270636%";
        return std::string();
    });
}

// ---------------------------------------------------------------------------------------------
// (a) k hidden layers: Network::forward and Network::backward

void grade_a(Grader& g) {
    g.check("Network::forward: z_l and y_l, k = 1, 2, 3, against PyTorch", [] {
        for (uint32_t k = 1; k <= 3; ++k) {
            // exercises/reference/make_reference.py's forward_problem(k), draw for draw.
            NumpyRandomState rng(21 + k);
            const std::vector<size_t> sizes = {5, 4, 3}, hidden(sizes.begin(), sizes.begin() + k);
            Network net = make_network(6, hidden, std::vector<const Activation*>(k, &act("sigmoid")), 2, InitRule{InitRule::fixed, 0.5}, rng);
            for (Layer& layer : net.layers)
                for (double& b : layer.b.data) b = 0.1 * rng.randn();
            Matrix x(4, 6);
            for (double& v : x.data) v = rng.random_sample() < 0.3 ? 0.0 : rng.random_sample();
            const ForwardPass f = net.forward(SparseMatrix(x));
            if (f.z.size() != k + 2 || f.y.size() != k + 2)
                return "with " + std::to_string(k) + " hidden layers it kept " + std::to_string(f.z.size()) + " z and " +
                       std::to_string(f.y.size()) + " y (z[0] .. z[K] and y[0] .. y[K], K = " + std::to_string(k + 1) + ", expected)";
            for (size_t l = 1; l <= k + 1; ++l) {
                const std::string key = "forward." + std::to_string(k) + ".", layer = std::to_string(l);
                if (worst_difference(values(f.z[l]), torch_values()[key + "z_" + layer]) > 1e-12)
                    return "with k = " + std::to_string(k) + ", z_" + layer + " differs from PyTorch's";
                if (worst_difference(values(f.y[l]), torch_values()[key + "y_" + layer]) > 1e-12)
                    return "with k = " + std::to_string(k) + ", y_" + layer + " differs from PyTorch's";
            }
        }
        return std::string();
    });
    g.check("Network::backward: every W_l, b_l against finite differences, k = 1, 2, 3", [] {
        const Activation* s = &act("sigmoid");
        const std::vector<NetProblem> problems = {
            net_problem(6, {4}, {s}, 2, 7, Reduction::sum, seed_for("grade a", 1)),
            net_problem(5, {4, 3}, {s, s}, 2, 6, Reduction::sum, seed_for("grade a", 2)),
            net_problem(4, {3, 5, 3}, {s, s, s}, 2, 5, Reduction::sum, seed_for("grade a", 3))};
        for (const NetProblem& pr : problems) {
            const std::string problem = check_net("Network::backward", pr);
            if (!problem.empty()) return problem;
        }
        return std::string();
    });
}

// ---------------------------------------------------------------------------------------------
// (b) other activations: phi' of every activation but the lesson's sigmoid

void grade_b(Grader& g) {
    for (const Activation& a : activations()) {
        const std::string name = a.name;
        const bool lessons = name == "sigmoid";  // its phi' is the lesson's, checked there
        if (!lessons) g.check(name + "'s phi': the slope of phi", [&a, name] {
            for (double z : {-2.5, -0.7, -0.05, 0.03, 0.4, 1.9}) {
                const double y = a.phi(z), got = a.phi_prime(z, y);
                const double want = numerical_derivative([&](double h) { return a.phi(z + h); }, 1e-4);
                if (!(std::fabs(got - want) <= 1e-6 * std::max(1.0, std::fabs(want))))
                    return "at z = " + number(z) + " (y = " + number(y) + ") it gives " + number(got) + ", the slope of " + name +
                           " there is " + number(want) + (name == "tanh" && got == 1 - y ? " (1 - y: the square is missing)" : "") +
                           (name == "relu" && got == y ? " (that is y: the slope is 1 where z > 0)" : "") +
                           (name == "relu" && z < 0 && got == 1 ? " (relu is flat where z <= 0)" : "");
            }
            return std::string();
        });
        if (name == "relu")
            g.check("relu's phi' at z = 0: 0, as PyTorch's", [&a] {
                const double slope = a.phi_prime(0.0, 0.0);
                return slope == 0.0 ? std::string() : "it gives " + number(slope) + " (relu is flat up to z = 0 included)";
            });
        g.check("activation_backward with " + name + ": dL/dz from a random dL/dy", [&a, name] {
            NumpyRandomState rng(seed_for(name));
            Matrix z = random_matrix(4, 5, rng, -2, 2);
            for (double& v : z.data)
                if (std::fabs(v) < 0.05) v += 0.1;  // away from relu's kink
            const Matrix upstream = random_matrix(4, 5, rng);
            const Matrix dz = activation_backward(a, upstream, z, activation_forward(a, z));
            return failed_tensors("activation_backward(" + name + ")",
                                  check_backward("dL/dz", z, upstream, [&](const Matrix& zz) { return activation_forward(a, zz); }, dz));
        });
        if (!lessons) g.check("Network::backward with " + name + " layers, k = 1, 2", [&a, name] {
            const NetProblem one = net_problem(6, {4}, {&a}, 2, 7, Reduction::sum, seed_for("grade b " + name, 1));
            const NetProblem two = net_problem(5, {4, 3}, {&a, &act("sigmoid")}, 2, 6, Reduction::sum, seed_for("grade b " + name, 2));
            const std::string problem = check_net("Network::backward", one);
            return problem.empty() ? check_net("Network::backward", two) : problem;
        });
    }
}

// ---------------------------------------------------------------------------------------------
// (c) mini-batches: the mean reduction and the epoch

double worst_parameter_difference(Network& net, const std::string& key) {
    double worst = 0;
    for (const Parameter& p : net.parameters()) worst = std::max(worst, worst_difference(values(*p.theta), torch_values()[key + "." + p.name]));
    return worst;
}

// One epoch of train_epoch() on the tiny problem with sigmoid layers and two classes (so that it needs
// neither (b) nor (e)): batches of 3 over 7 samples, gd, lr 0.05, mean.
struct EpochResult {
    Network net;
    double loss;
    double next_draw;
};
EpochResult tiny_epoch(const std::function<double(deep_mlp::Training&, const SparseMatrix&, const Matrix&)>& epoch) {
    TinyProblem p = tiny_problem(7, 2, 12, "sigmoid", "sigmoid");
    deep_mlp::Options o;
    o.batch = 3, o.optimizer.lr = 0.05, o.reduction = Reduction::mean;
    NumpyRandomState rng(5);
    Optimizer optimizer(o.optimizer);
    deep_mlp::Training tr{p.net, optimizer, rng, o, {}, nullptr};
    const double loss = epoch(tr, p.X, p.y);
    return {p.net, loss, rng.random_sample()};
}

void grade_c(Grader& g) {
    g.check("the mean reduction: Network::backward under Reduction::mean", [] {
        const Activation* s = &act("sigmoid");
        NetProblem pr = net_problem(6, {4, 3}, {s, s}, 2, 8, Reduction::mean, seed_for("grade c mean"));
        std::string problem = check_net("Network::backward (mean)", pr);
        if (!problem.empty() && check_net("", [&] { NetProblem sum = pr; sum.reduction = Reduction::sum; return sum; }()).empty()) {
            pr.net.backward(pr.y_0, pr.net.forward(pr.y_0), pr.y, Reduction::mean);
            const Matrix mean_grad = pr.net.layers[0].grad_b;
            pr.net.backward(pr.y_0, pr.net.forward(pr.y_0), pr.y, Reduction::sum);
            if (worst_difference(values(mean_grad), values(pr.net.layers[0].grad_b)) < 1e-12)
                problem += " (it is the summed loss's gradient: under mean, divide delta_K by the batch's n)";
        }
        return problem;
    });
    g.check("train_epoch: batches of 3 over 7 samples against PyTorch", [] {
        EpochResult r = tiny_epoch(deep_mlp::train_epoch);
        const double worst = worst_parameter_difference(r.net, "tiny_sigmoid.epoch");
        if (worst <= 1e-12) return std::string();
        std::string hint;
        if (r.next_draw != torch_values().one("tiny_sigmoid.epoch.next_draw"))
            hint = " (the random stream moved on by more or less than one permutation(N): draw exactly one per epoch)";
        if (worst_parameter_difference(r.net, "hint.tiny_sigmoid.epoch_in_order") <= 1e-12)
            hint = " (those are the batches in the data's order: take them from the permutation p)";
        return "the parameters after the epoch differ from PyTorch's by up to " + number(worst) + " relative" + hint;
    });
    g.check("train_epoch: the epoch's loss, every sample's loss over N", [] {
        const EpochResult r = tiny_epoch(deep_mlp::train_epoch);
        const double want = torch_values().one("tiny_sigmoid.epoch.loss");
        if (std::fabs(r.loss - want) <= 1e-12 * want) return std::string();
        return "it returned " + number(r.loss) + ", PyTorch's is " + number(want) +
               (std::fabs(r.loss * 3 / 7 - want) < 1e-12 * want ? " (divided by the number of batches: divide the sum by N)" : "");
    });
}

// ---------------------------------------------------------------------------------------------
// (d) momentum, Nesterov, Adam against torch.optim

// Three steps of `settings` from THETA0 with the reference gradients.
std::vector<std::vector<double>> three_steps(const OptimizerSettings& settings) {
    const ReferenceValues& v = torch_values();
    Matrix theta(2, 3);
    theta.data.assign(v["opt.theta0"].begin(), v["opt.theta0"].end());
    Optimizer optimizer(settings);
    std::vector<std::vector<double>> steps;
    for (int k = 1; k <= 3; ++k) {
        Matrix grad(2, 3);
        grad.data.assign(v["opt.grad" + std::to_string(k)].begin(), v["opt.grad" + std::to_string(k)].end());
        optimizer.step({&theta}, {&grad});
        steps.push_back(values(theta));
    }
    return steps;
}

OptimizerSettings settings(const std::string& name, double m = 0.9, double b1 = 0.9, double b2 = 0.999, double eps = 1e-8, double wd = 0) {
    OptimizerSettings s;
    s.name = name, s.lr = 0.1, s.momentum = m, s.beta1 = b1, s.beta2 = b2, s.eps = eps, s.weight_decay = wd;
    return s;
}

// Whether the three steps equal the stored ones under `key` (key.step1 .. key.step3).
bool same_steps(const std::vector<std::vector<double>>& got, const std::string& key) {
    for (int k = 1; k <= 3; ++k)
        if (worst_difference(got[static_cast<size_t>(k - 1)], torch_values()[key + ".step" + std::to_string(k)]) > 1e-12) return false;
    return true;
}

// "" when the three steps match torch's (opt.KEY) at 1e-12 relative; else where, with the hint of
// the known mistake (its stored numbers under the key given) whose numbers they equal.
std::string against_torch(const std::string& key, const std::vector<std::vector<double>>& got,
                          const std::vector<std::pair<std::string, std::string>>& mistakes) {
    for (int k = 1; k <= 3; ++k) {
        const double worst = worst_difference(got[static_cast<size_t>(k - 1)], torch_values()["opt." + key + ".step" + std::to_string(k)]);
        if (worst <= 1e-12) continue;
        std::string hint;
        for (const auto& m : mistakes)
            if (same_steps(got, m.second)) hint = " (" + m.first + ")";
        return "after step " + std::to_string(k) + " it differs from torch.optim's by up to " + number(worst) + " relative" + hint;
    }
    return "";
}

void grade_d(Grader& g) {
    for (const char* m : {"0.9", "0.5"}) {
        const std::string key = std::string("momentum_") + m;
        g.check(std::string("momentum_update, m = ") + m + ": SGD(momentum=" + m + ")", [=] {
            return against_torch(key, three_steps(settings("momentum", std::stod(m))),
                                 {{"dampened: buf = m buf + (1 - m) g, where PyTorch's buf = m buf + g", "hint." + key + ".dampened"},
                                  {"the step used buf before this step's gradient was added to it", "hint." + key + ".buf_after_step"}});
        });
    }
    g.check("nesterov_update, m = 0.9: SGD(momentum=0.9, nesterov=True)", [] {
        return against_torch("nesterov_0.9", three_steps(settings("nesterov")),
                             {{"these are plain momentum's steps: Nesterov's step is g + m buf with this step's buf", "opt.momentum_0.9"}});
    });
    g.check("adam_update: Adam(lr=0.1)", [] {
        return against_torch("adam", three_steps(settings("adam")),
                             {{"no bias correction: divide by 1 - b1^t and 1 - b2^t", "hint.adam.no_bias_correction"},
                              {"mom's bias correction is missing: the step is lr / (1 - b1^t)", "hint.adam.no_mom_correction"},
                              {"vel's bias correction is missing: sqrt(vel) / sqrt(1 - b2^t)", "hint.adam.no_vel_correction"},
                              {"eps inside the square root", "hint.adam.eps_inside"}});
    });
    g.check("adam_update: Adam(lr=0.1, betas=(0.8, 0.99), eps=1e-6)", [] {
        return against_torch("adam_0.8_0.99_1e-6", three_steps(settings("adam", 0.9, 0.8, 0.99, 1e-6)),
                             {{"no bias correction: divide by 1 - b1^t and 1 - b2^t", "hint.adam_0.8_0.99_1e-6.no_bias_correction"},
                              {"mom's bias correction is missing: the step is lr / (1 - b1^t)", "hint.adam_0.8_0.99_1e-6.no_mom_correction"},
                              {"vel's bias correction is missing: sqrt(vel) / sqrt(1 - b2^t)", "hint.adam_0.8_0.99_1e-6.no_vel_correction"},
                              {"eps inside the square root", "hint.adam_0.8_0.99_1e-6.eps_inside"},
                              {"the default betas and eps: take them from the settings", "opt.adam"}});
    });
}

// ---------------------------------------------------------------------------------------------
// (e) ten classes: softmax, cross-entropy, its delta, the predicted class

// A ten-class run of ./deep_mlp's flags against PyTorch's stored output.
std::string against_stored_run(const std::string& name) {
    if (!have_mnist()) return kNoMnist;
    std::ifstream list("exercises/reference/runs/runs.txt");
    std::string entry, flags;
    while (std::getline(list, entry))
        if (entry.rfind(name + ": ", 0) == 0) flags = entry.substr(name.size() + 2);
    std::vector<std::string> args = {"deep_mlp", "--out", "build/grade_out"};
    std::istringstream words(flags);
    for (std::string w; words >> w;) args.push_back(w);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    cli_detail::checked_stdout();  // installed before the capture, so that it never holds the capture's buffer
    std::ostringstream printed;
    std::streambuf* previous = std::cout.rdbuf(printed.rdbuf());
    std::fflush(stderr);
    const int saved_stderr = ::dup(2), null = ::open("/dev/null", O_WRONLY);  // the run's last words on stderr
    ::dup2(null, 2);
    auto restore = [&] {
        std::fflush(stderr);
        ::dup2(saved_stderr, 2);
        ::close(saved_stderr), ::close(null);
        std::cout.rdbuf(previous);
    };
    try {
        deep_mlp::run(static_cast<int>(argv.size()), argv.data());
    } catch (...) {
        restore();
        throw;
    }
    restore();
    std::ifstream stored("exercises/reference/runs/" + name + ".txt");
    std::istringstream got(printed.str());
    std::string want_line, got_line;
    while (std::getline(stored, want_line)) {
        if (!std::getline(got, got_line)) return "it printed fewer lines than PyTorch's run";
        if (want_line.rfind("Epoch ", 0) == 0 && got_line.rfind("Epoch ", 0) == 0) {
            const double w = std::stod(want_line.substr(want_line.find("Loss: ") + 6));
            const double a = std::stod(got_line.substr(got_line.find("Loss: ") + 6));
            if (!(std::fabs(a - w) <= 1e-7 * std::fabs(w))) return "'" + got_line + "', PyTorch printed '" + want_line + "'";
        } else if (want_line.rfind("Exactitud", 0) == 0 && got_line.rfind("Exactitud", 0) == 0) {
            const double w = std::stod(want_line.substr(want_line.find(": ") + 2));
            const double a = std::stod(got_line.substr(got_line.find(": ") + 2));
            if (!(std::fabs(a - w) <= 0.05)) return "test accuracy " + number(a) + "%, PyTorch's " + number(w) + "%";
        } else if (got_line != want_line) {
            return "'" + got_line + "', PyTorch printed '" + want_line + "'";
        }
    }
    return "";
}

void grade_e(Grader& g) {
    const ReferenceValues& v = torch_values();
    g.check("SoftmaxCrossEntropy::forward: softmax, logits up to +-1000", [&v] {
        Matrix z(2, 3);
        z.data.assign(v["softmax.z"].begin(), v["softmax.z"].end());
        const Matrix y = SoftmaxCrossEntropy::forward(z);
        const double worst = worst_difference(values(y), v["softmax"]);
        if (worst <= 1e-12) return std::string();
        return "it differs from torch.softmax by up to " + number(worst) + " relative" +
               (all_finite(y) ? "" : " (NaN or inf for the logits -1000, 0, 1000: subtract the row's maximum before exp)");
    });
    g.check("SoftmaxCrossEntropy::loss_sum: the summed cross-entropy", [&v] {
        Matrix z(2, 3), y(2, 3);
        z.data.assign(v["softmax.z"].begin(), v["softmax.z"].end());
        y(0, 2) = y(1, 0) = 1;  // labels 2 and 0
        const double loss = SoftmaxCrossEntropy::loss_sum(SoftmaxCrossEntropy::forward(z), z, y);
        const double want = v.one("cross_entropy");
        if (std::fabs(loss - want) <= 1e-12 * want) return std::string();
        return "it gives " + number(loss) + ", torch's cross_entropy " + number(want) +
               (std::isfinite(loss) ? "" : " (compute it from z, logsumexp(z) - z[label]: log(softmax) underflows)");
    });
    g.check("SoftmaxCrossEntropy::backward: delta_K = dL/dz_K", [] {
        NumpyRandomState rng(41);
        const Matrix z = random_matrix(4, 10, rng, -3, 3);
        Matrix y(4, 10);
        for (size_t i = 0; i < 4; ++i) y(i, (3 * i + 1) % 10) = 1;
        const Matrix delta = SoftmaxCrossEntropy::backward(SoftmaxCrossEntropy::forward(z), y);
        return failed_tensors("SoftmaxCrossEntropy::backward",
                              check_backward("delta_K", z, Matrix(1, 1, 1.0), [&](const Matrix& zz) {
                                  return Matrix(1, 1, SoftmaxCrossEntropy::loss_sum(SoftmaxCrossEntropy::forward(zz), zz, y));
                              }, delta));
    });
    g.check("SoftmaxCrossEntropy::predicted_class: the first largest output", [] {
        const double rows[][4] = {{0.1, 0.7, 0.15, 0.05}, {0.25, 0.25, 0.25, 0.25}, {-3, -1, -2, -1}, {0, 0, 0, 1}};
        const int want[] = {1, 0, 1, 3};
        for (int i = 0; i < 4; ++i)
            if (SoftmaxCrossEntropy::predicted_class(rows[i], 4) != want[i])
                return "for the row " + number(rows[i][0]) + " " + number(rows[i][1]) + " " + number(rows[i][2]) + " " +
                       number(rows[i][3]) + " it says " + std::to_string(SoftmaxCrossEntropy::predicted_class(rows[i], 4)) +
                       ", not " + std::to_string(want[i]) + (i == 1 || i == 2 ? " (on a tie, the first index)" : "");
        return std::string();
    });
    g.check("Network::backward with ten softmax outputs, k = 1, 2", [] {
        const NetProblem one = net_problem(6, {5}, {&act("sigmoid")}, 10, 9, Reduction::sum, seed_for("grade e", 1));
        const NetProblem two = net_problem(5, {4, 3}, {&act("sigmoid"), &act("sigmoid")}, 10, 8, Reduction::sum, seed_for("grade e", 2));
        const std::string problem = check_net("Network::backward", one);
        return problem.empty() ? check_net("Network::backward", two) : problem;
    });
    g.check("a ten-class run against PyTorch (ten_class in exercises/reference/runs)", [] { return against_stored_run("ten_class"); });
}

// ---------------------------------------------------------------------------------------------
// (f) regularization

void grade_f(Grader& g) {
    g.check("dropout_forward: P = 0.3 against PyTorch", [] {
        const ReferenceValues& v = torch_values();
        Matrix a(3, 4), keep(3, 4);
        a.data.assign(v["dropout.a"].begin(), v["dropout.a"].end());
        keep.data.assign(v["dropout.keep"].begin(), v["dropout.keep"].end());
        const Matrix y = dropout_forward(a, keep, 0.3);
        if (worst_difference(values(y), v["dropout.y"]) <= 1e-15) return std::string();
        const bool unscaled = y.data[0] == a.data[0] && keep.data[0] == 1;
        return "it differs from torch's " + number(v["dropout.y"][0]) + ", ..." +
               (unscaled ? std::string(" (the kept units are not divided by 1 - P)") : std::string());
    });
    g.check("dropout_backward: the same mask, the same 1 / (1 - P)", [] {
        NumpyRandomState rng(52);
        const Matrix a = random_matrix(3, 4, rng), upstream = random_matrix(3, 4, rng);
        Matrix keep(3, 4);
        for (size_t i = 0; i < keep.size(); ++i) keep.data[i] = i % 4 != 2;
        const Matrix got = dropout_backward(upstream, keep, 0.3);
        auto forward = [&](const Matrix& aa) { return dropout_forward(aa, keep, 0.3); };
        std::string problem = failed_tensors("dropout_backward", check_backward("dL/dphi(z)", a, upstream, forward, got));
        Matrix scaled = got;
        for (double& v : scaled.data) v /= 0.7;
        if (!problem.empty() && failed_tensors("", check_backward("", a, upstream, forward, scaled)).empty())
            problem += " (the 1 / (1 - P) is missing: the backward pass scales as the forward pass does)";
        return problem;
    });
    g.check("Network::forward and backward with dropout masks (mask held fixed)", [] {
        const NetProblem pr = net_problem(6, {5, 4}, {&act("sigmoid"), &act("sigmoid")}, 2, 8, Reduction::sum, seed_for("grade f"), 0.4);
        const ForwardPass f = pr.net.forward(pr.y_0, pr.masks());
        const ForwardPass plain = pr.net.forward(pr.y_0);
        if (f.y[1].data == plain.y[1].data) return std::string("Network::forward left the masks out: y_l = phi_l(z_l) * keep_l / (1 - P)");
        return check_net("Network::backward with dropout", pr);
    });
    g.check("with_weight_decay: the gradient of L + (lambda / 2) |theta|^2", [] {
        // L(theta) = sum(grad * theta) + (lambda / 2) |theta|^2, whose gradient is what it must return.
        NumpyRandomState rng(53);
        const Matrix theta = random_matrix(3, 2, rng), grad = random_matrix(3, 2, rng);
        Matrix t = theta;
        auto loss = [&] {
            double s = 0;
            for (size_t i = 0; i < t.size(); ++i) s += grad.data[i] * t.data[i] + 0.5 * 0.01 * t.data[i] * t.data[i];
            return s;
        };
        return failed_tensors("with_weight_decay", {check_tensor("g + lambda theta", t, with_weight_decay(grad, theta, 0.01), loss,
                                                                 resolution_floor(loss()), 0, 1)});
    });
    for (const char* name : {"gd", "momentum", "adam"}) {
        const std::string key = std::string(name) + (std::string(name) == "momentum" ? "_0.9" : "") + "_wd_0.1";
        g.check(std::string("weight decay 0.1 with ") + name + ": torch.optim's weight_decay", [=] {
            return against_torch(key, three_steps(settings(name, 0.9, 0.9, 0.999, 1e-8, 0.1)), {});
        });
    }
    g.check("decayed_lr: ExponentialLR(gamma=0.9), five epochs", [] {
        double lr = 0.1;
        for (double want : torch_values()["exponential_lr"]) {
            lr = deep_mlp::decayed_lr(lr, 0.9);
            if (std::fabs(lr - want) > 1e-15 * want) return "the rate became " + number(lr) + " where torch's is " + number(want);
        }
        return std::string();
    });
    g.check("a ten-class run with all three against PyTorch (regularized in exercises/reference/runs)",
            [] { return against_stored_run("regularized"); });
}

}  // namespace

int main(int argc, char** argv) {
    const std::string exercise = argc == 2 ? argv[1] : "";
#define EXERCISE(id, title, titulo, guide, section, guia, seccion, grade) {#id, grade},
    const std::vector<std::pair<std::string, void (*)(Grader&)>> exercises = {
#include "exercises.def"
    };
#undef EXERCISE
    for (const auto& e : exercises)
        if (e.first == exercise) {
            Grader g(exercise);
            try {
                e.second(g);
            } catch (const std::exception& ex) {  // outside any one check: reference data missing, say
                g.check("the grader itself", [&] { return std::string(ex.what()); });
            }
            return g.result();
        }
    std::string ids;
    for (const auto& e : exercises) ids += (ids.empty() ? "" : "|") + e.first;
    std::fprintf(stderr, "usage: ./exercises/grade %s   (make check runs them all)\n", ids.c_str());
    return 2;
}
