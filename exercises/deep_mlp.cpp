/*
exercises/deep_mlp.cpp: the notes' five exercises, worked, in one program.

  (a) k > 1 hidden layers          --hidden 256,128           network.hpp: forward() and backward()
  (b) other activations per layer  --act relu,tanh            layers.hpp: activations()
  (c) stochastic (mini-batch) GD   --batch 128                train_epoch() below
  (d) Nesterov and Adam            --optimizer nesterov|adam  optimizers.hpp
  (e) the ten MNIST classes        --classes 10               layers.hpp: SoftmaxCrossEntropy

With no flags it is the lesson: the same data, weights, equations and printed lines as ./mlp, byte
for byte. What a run computes (data, the one random stream, batches, update rules, printed lines)
is fixed so that PyTorch reproduces it: exercises/compare_torch.sh checks. exercises/README.md
derives every rule and gives the commands and what they reach.
*/
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "network.hpp"
#include "optimizers.hpp"

// In a namespace of its own: mlp.cpp, included for the lesson's pieces, has its own Options and run().
namespace deep_mlp {

// =============================================================================================
// Flags
// =============================================================================================

struct Options {
    std::string data_dir = "data", out_dir = "out";
    uint32_t seed = 0;
    int epochs = 30;
    std::vector<size_t> hidden = {64};
    std::vector<const Activation*> phi;  // one per hidden layer
    int classes = 2;
    size_t batch = 0;  // 0: full batch
    OptimizerSettings optimizer;
    InitRule init;
    Reduction reduction = Reduction::sum;
    size_t limit = 0;  // 0: every training sample
};

const char* kUsageTemplate =  // ACTIVATIONS becomes the registered activations' names
    "usage: ./deep_mlp [flags]   (no flags: exactly ./mlp, the lesson)\n"
    "The notes' exercises: k hidden layers, other activations, mini-batches, momentum/Nesterov/Adam,\n"
    "ten classes. exercises/README.md explains each flag.\n"
    "  --data DIR, --out DIR, --seed N   as ./mlp (defaults: data, out, 0)\n"
    "  --epochs N        passes over the training set, 0..1000000; 0 only evaluates (default: 30)\n"
    "  --lr RATE         learning rate, a positive number (default: 0.0001)\n"
    "  --hidden LIST     hidden layer sizes, e.g. 256,128 (1..16 layers of 1..4096; default: 64)\n"
    "  --act LIST        ACTIVATIONS: one for all hidden layers, or one per layer (default: sigmoid)\n"
    "  --classes N       2: digits 0 and 1, sigmoid output; 10: all digits, softmax (default: 2)\n"
    "  --batch N         mini-batches of N samples, reshuffled every epoch; 0: full batch (default: 0)\n"
    "  --optimizer NAME  gd, momentum, nesterov or adam (default: gd)\n"
    "  --momentum M      for momentum and nesterov, in [0, 1) (default: 0.9)\n"
    "  --beta1 B, --beta2 B, --eps E   for adam: in [0, 1), [0, 1), > 0 (defaults: 0.9, 0.999, 1e-8)\n"
    "  --init RULE       a number s (W = s randn), he or xavier (default: 0.1)\n"
    "  --reduction R     sum: gradients of the summed loss (the notes); mean: of the batch's mean (default: sum)\n"
    "  --limit N         keep only the first N training samples (default: all)\n"
    "  --help            this text\n"
    "Threads: OMP_NUM_THREADS=N (when built with OpenMP).\n";

std::string usage() {
    std::string text = kUsageTemplate;
    const std::string placeholder = "ACTIVATIONS";
    return text.replace(text.find(placeholder), placeholder.size(), activation_names());
}

// "256,128" -> {"256", "128"}; an empty item is kept, so that "64,,32" is an error, not 64,32.
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items(1);
    for (char c : text) {
        if (c == ',') items.emplace_back();
        else items.back() += c;
    }
    return items;
}

Options parse_args(int argc, char** argv) {
    Options o;
    FlagParser flags("./deep_mlp", usage());
    std::vector<std::string> act_names = {"sigmoid"}, given;
    // Each flag is noted when given, so that a flag its optimizer ignores is an error, not a surprise.
    auto note = [&](const std::string& flag, std::function<void(const std::string&)> read) {
        flags.add(flag, [&given, flag, read](const std::string& v) { given.push_back(flag); read(v); });
    };
    flags.add_text("--data", &o.data_dir);
    flags.add_text("--out", &o.out_dir);
    flags.add_integer("--seed", 0, 4294967295LL, &o.seed);
    flags.add_integer("--epochs", 0, 1000000, &o.epochs);
    flags.add_number("--lr", 0, false, INFINITY, false, &o.optimizer.lr);
    flags.add("--hidden", [&](const std::string& v) {
        const std::vector<std::string> items = split_list(v);
        if (items.size() > 16) flags.usage_error("--hidden lists " + std::to_string(items.size()) + " layers; at most 16");
        o.hidden.clear();
        for (const std::string& item : items)
            o.hidden.push_back(static_cast<size_t>(flags.parse_integer("--hidden", item, 1, 4096)));
    });
    flags.add("--act", [&](const std::string& v) { act_names = split_list(v); });
    flags.add("--classes", [&](const std::string& v) {
        if (v != "2" && v != "10") flags.usage_error("--classes must be 2 (the digits 0 and 1) or 10 (all digits), got '" + printable(v) + "'");
        o.classes = v == "2" ? 2 : 10;
    });
    flags.add_integer("--batch", 0, 1000000000, &o.batch);
    flags.add("--optimizer", [&](const std::string& v) {
        const auto& names = optimizer_names();
        if (std::find(names.begin(), names.end(), v) == names.end())
            flags.usage_error("unknown --optimizer '" + printable(v) + "'; choose gd, momentum, nesterov or adam");
        o.optimizer.name = v;
    });
    note("--momentum", [&](const std::string& v) { o.optimizer.momentum = flags.parse_number("--momentum", v, 0, true, 1, false); });
    note("--beta1", [&](const std::string& v) { o.optimizer.beta1 = flags.parse_number("--beta1", v, 0, true, 1, false); });
    note("--beta2", [&](const std::string& v) { o.optimizer.beta2 = flags.parse_number("--beta2", v, 0, true, 1, false); });
    note("--eps", [&](const std::string& v) { o.optimizer.eps = flags.parse_number("--eps", v, 0, false, INFINITY, false); });
    flags.add("--init", [&](const std::string& v) {
        if (v == "he") o.init.kind = InitRule::he;
        else if (v == "xavier") o.init.kind = InitRule::xavier;
        else o.init = {InitRule::fixed, flags.parse_number("--init", v, 0, false, INFINITY, false)};
    });
    flags.add("--reduction", [&](const std::string& v) {
        if (v != "sum" && v != "mean") flags.usage_error("--reduction must be sum or mean, got '" + printable(v) + "'");
        o.reduction = v == "sum" ? Reduction::sum : Reduction::mean;
    });
    flags.add_integer("--limit", 1, 1000000000, &o.limit);
    flags.parse(argc, argv);

    // Combinations.
    if (act_names.size() != 1 && act_names.size() != o.hidden.size())
        flags.usage_error("--act lists " + std::to_string(act_names.size()) + " activations for " +
                          std::to_string(o.hidden.size()) + " hidden layers; give one, or one per layer");
    for (const std::string& name : act_names) {
        const Activation* a = find_activation(name);
        if (!a) flags.usage_error("unknown activation '" + printable(name) + "' in --act; choose " + activation_names());
        o.phi.push_back(a);
    }
    o.phi.resize(o.hidden.size(), o.phi[0]);
    const std::string& opt = o.optimizer.name;
    for (const std::string& flag : given) {
        const bool for_momentum = flag == "--momentum", for_adam = !for_momentum;
        if ((for_momentum && opt != "momentum" && opt != "nesterov") || (for_adam && opt != "adam"))
            flags.usage_error(flag + " applies to --optimizer " + (for_momentum ? "momentum or nesterov" : "adam") +
                              ", not " + opt);
    }
    return o;
}

// =============================================================================================
// Data: the lesson's, with all ten digits when asked
// =============================================================================================

// The targets t, one row per sample: the label itself (two classes, a (N, 1) column, as in the
// lesson), or its one-hot row (ten classes, (N, 10)).
Matrix targets(const Matrix& labels, int classes) {
    if (classes == 2) return labels;
    Matrix t(labels.rows, static_cast<size_t>(classes));
    for (size_t i = 0; i < labels.rows; ++i) t(i, static_cast<size_t>(labels(i, 0))) = 1.0;
    return t;
}

// Rows picked[0 .. count) of a dense matrix.
Matrix select_rows(const Matrix& m, const uint32_t* picked, size_t count) {
    Matrix s(count, m.cols);
    for (size_t r = 0; r < count; ++r) std::copy(m.row(picked[r]), m.row(picked[r]) + m.cols, s.row(r));
    return s;
}

// The first `limit` samples of the training set (--limit).
void keep_first(Split& s, size_t limit) {
    if (limit == 0 || limit >= s.y_train.rows) return;
    std::vector<uint32_t> first(limit);
    for (size_t i = 0; i < limit; ++i) first[i] = static_cast<uint32_t>(i);
    s.X_train = s.X_train.select_rows(first.data(), limit);
    s.y_train = select_rows(s.y_train, first.data(), limit);
}

// =============================================================================================
// Training: one epoch of (mini-)batch steps
// =============================================================================================

// Stops the run, as the lesson does, when a batch's loss is infinite or NaN or a sample is
// predicted with certainty and wrong (where log(0) makes the loss infinite).
void check_divergence(const Network& net, const ForwardPass& f, const Matrix& t, double loss_sum, int epoch,
                      double lr, const std::vector<double>& losses) {
    const size_t wrong = net.certain_and_wrong(f, t);
    if (std::isfinite(loss_sum) && wrong == 0) return;
    throw Diverged(divergence_message(epoch, wrong, loss_sum, lr), losses);
}

// One step on a batch: forward (1), loss (2), backward (3)-(4), update (5). Returns the batch's
// summed loss, taken before the update.
template <class Input>
double train_step(Network& net, Optimizer& optimizer, const Input& y_0, const Matrix& t, Reduction reduction,
                  int epoch, double lr, const std::vector<double>& losses) {
    const ForwardPass f = net.forward(y_0);
    const double loss_sum = net.loss_sum(f, t);
    check_divergence(net, f, t, loss_sum, epoch, lr, losses);
    net.backward(y_0, f, t, reduction);
    std::vector<Matrix*> thetas;
    std::vector<const Matrix*> grads;
    for (const Parameter& p : net.parameters()) thetas.push_back(p.theta), grads.push_back(p.grad);
    optimizer.step(thetas, grads);
    return loss_sum;
}

// One pass over the training set: the whole set at once (batch 0, the lesson), or mini-batches
// p[0:B], p[B:2B], ... of a fresh permutation p drawn from the run's one random stream. Returns
// the epoch's loss: every sample's loss, each from its own batch's forward pass, over N.
double train_epoch(Network& net, Optimizer& optimizer, const SparseMatrix& X, const Matrix& t, const Options& o,
                   NumpyRandomState& rng, int epoch, const std::vector<double>& losses) {
    const size_t N = X.rows;
    const double lr = o.optimizer.lr;
    if (o.batch == 0 || o.batch >= N)
        return train_step(net, optimizer, X, t, o.reduction, epoch, lr, losses) / static_cast<double>(N);
    const std::vector<uint32_t> p = rng.permutation(static_cast<uint32_t>(N));
    double total = 0.0;
    for (size_t start = 0; start < N; start += o.batch) {
        const size_t n = std::min(o.batch, N - start);
        const SparseMatrix y_0 = X.select_rows(p.data() + start, n);
        total += train_step(net, optimizer, y_0, select_rows(t, p.data() + start, n), o.reduction, epoch, lr, losses);
    }
    return total / static_cast<double>(N);
}

double test_accuracy(const Network& net, const SparseMatrix& X, const Matrix& labels) {
    const std::vector<int> predicted = net.predict(net.forward(X));
    size_t correct = 0;
    for (size_t i = 0; i < labels.rows; ++i) correct += predicted[i] == static_cast<int>(labels(i, 0));
    return static_cast<double>(correct) / static_cast<double>(labels.rows);
}

// =============================================================================================

int run(int argc, char** argv) {
    const auto t0 = std::chrono::steady_clock::now();
    const Options o = parse_args(argc, argv);

    Split s = train_test_split(load_digits(o.data_dir, o.classes));
    keep_first(s, o.limit);
    prepare_output_folder(o.out_dir);
    std::cout << s.X_train.shape() << " (" << s.y_train.rows << ",)\n"
              << s.X_test.shape() << " (" << s.y_test.rows << ",)\n";
    const Matrix t_train = targets(s.y_train, o.classes);

    NumpyRandomState rng(o.seed);  // the weights first, then each epoch's permutation
    Network net = make_network(s.X_train.cols, o.hidden, o.phi, o.classes, o.init, rng);
    Optimizer optimizer(o.optimizer);
    const double load_s = seconds_since(t0);

    const auto t1 = std::chrono::steady_clock::now();
    std::vector<double> losses;
    try {
        for (int epoch = 0; epoch < o.epochs; ++epoch) {
            const auto te = std::chrono::steady_clock::now();
            const double loss = train_epoch(net, optimizer, s.X_train, t_train, o, rng, epoch, losses);
            std::cout << "Epoch " << epoch << ", Loss: " << python_float(loss) << std::endl;
            losses.push_back(loss);
            if (seconds_since(t1) > 2.0)  // a long run says how it goes
                std::fprintf(stderr, "deep_mlp: epoch %d took %.2fs\n", epoch, seconds_since(te));
        }
    } catch (const Diverged& d) {
        write_loss_history(o.out_dir, d.losses);
        throw;
    }
    const double train_s = seconds_since(t1);

    std::cout << "Exactitud de Prueba (Test accuracy): " << python_float(test_accuracy(net, s.X_test, s.y_test) * 100)
              << "%" << std::endl;
    write_loss_history(o.out_dir, losses);
    check_standard_output();
    std::fprintf(stderr, "wrote %s/loss.csv and %s/loss.svg; load %.3fs train %.3fs total %.3fs\n",
                 o.out_dir.c_str(), o.out_dir.c_str(), load_s, train_s, seconds_since(t0));
    return 0;
}

}  // namespace deep_mlp

#ifndef DEEP_MLP_NO_MAIN
int main(int argc, char** argv) {
    return run_program("deep_mlp", [&] { return deep_mlp::run(argc, argv); });
}
#endif
