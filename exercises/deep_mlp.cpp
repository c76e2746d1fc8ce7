/*
exercises/deep_mlp.cpp: the notes' five exercises, and a sixth beyond them, worked, in one program.

  (a) k > 1 hidden layers          --hidden 256,128           network.hpp: forward() and backward()
  (b) other activations per layer  --act relu,tanh            layers.hpp: activations()
  (c) stochastic (mini-batch) GD   --batch 128                train_epoch() below
  (d) Nesterov and Adam            --optimizer nesterov|adam  optimizers.hpp
  (e) the ten MNIST classes        --classes 10               layers.hpp: SoftmaxCrossEntropy
  (f) regularization               --weight-decay, --dropout, --lr-decay
                                                              layers.hpp, optimizers.hpp, below

With no flags it is the lesson: the same data, weights, equations and printed lines as ./mlp, byte
for byte. What a run computes (data, the one random stream, batches, update rules, printed lines)
is fixed so that PyTorch reproduces it: exercises/compare_torch.sh checks. exercises/README.md
derives every rule and gives the commands and what they reach.

This file is the training: one step, one epoch, the loop over epochs, the test. The flags live in
deep_mlp_options.hpp; --save, --load and --predict in saved_networks.hpp.
*/
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <type_traits>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "../program/memory.hpp"
#include "../program/progress.hpp"
#include "deep_mlp_options.hpp"
#include "network.hpp"
#include "network_walk.hpp"
#include "optimizers.hpp"
#include "saved_networks.hpp"

// In a namespace of its own: mlp.cpp, included for the lesson's pieces, has its own Options and run().
namespace deep_mlp {

// --limit N: only the first N samples of the training set.
inline void keep_first_training_samples(Split& s, size_t limit) {
    if (limit == 0 || limit >= s.y_train.rows) return;
    std::vector<uint32_t> first(limit);
    for (size_t i = 0; i < limit; ++i) first[i] = static_cast<uint32_t>(i);
    s.X_train = s.X_train.select_rows(first.data(), limit);
    s.y_train = select_rows(s.y_train, first.data(), limit);
}

// What every training step works on: the network, its optimizer, the run's one random stream, the
// flags, and the losses of the epochs so far (what a diverged run's plot shows).
struct Training {
    Network& net;
    Optimizer& optimizer;
    NumpyRandomState& rng;
    const Options& o;
    std::vector<double> losses;
    Progress* progress = nullptr;
};

// What to try when training diverges. Weight decay (exercise f) takes lr L theta off every weight
// theta at every step: by itself, under gd, it multiplies theta by 1 - lr L, which grows it, its sign
// flipping at every step, once lr L > 2. With momentum m the bound is 2 (1 + m), with Nesterov
// 2 (1 + m) / (1 + 2 m) (optimizers.hpp's rules on the loss L theta^2 / 2); Adam divides every step
// by the gradient's size, so the decay alone never makes it diverge. Past its bound the decay is the
// cause, whatever the rate; below it, the rate or the decay may be.
inline std::string divergence_advice(const OptimizerSettings& opt) {
    const std::string lr = python_float(opt.lr), decay = python_float(opt.weight_decay);
    if (opt.weight_decay == 0) return "try a smaller --lr than " + lr;
    const double m = opt.momentum;
    const double bound = opt.name == "gd" ? 2 : opt.name == "momentum" ? 2 * (1 + m)
                                            : opt.name == "nesterov"   ? 2 * (1 + m) / (1 + 2 * m) : INFINITY;
    if (opt.lr * opt.weight_decay >= bound) {
        char product[32], below[32], limit[32];
        std::snprintf(product, sizeof product, "%.6g", opt.lr * opt.weight_decay);
        std::snprintf(limit, sizeof limit, "%.6g", bound);
        std::snprintf(below, sizeof below, "%.6g", bound / opt.lr);
        return "--weight-decay " + decay + " diverges by itself at --lr " + lr + " (their product, " + product +
               ", must stay below " + limit + " for --optimizer " + opt.name + "); try a --weight-decay below " + below;
    }
    return "try a smaller --lr than " + lr + ", or a smaller --weight-decay than " + decay;
}

// Stops the run, as the lesson does, when a batch's loss is infinite or NaN or a sample is
// predicted with certainty and wrong (where log(0) makes the loss infinite). Before the first step
// the learning rate cannot be the cause: the initial (or loaded) weights are.
inline void check_divergence(const Training& tr, const ForwardPass& f, const Matrix& y, double loss_sum) {
    const size_t wrong = tr.net.certain_and_wrong(f, y);
    if (std::isfinite(loss_sum) && wrong == 0) return;
    const int epoch = static_cast<int>(tr.losses.size());
    if (tr.optimizer.steps() > 0) throw Diverged(divergence(epoch, wrong, loss_sum) + "; " + divergence_advice(tr.o.optimizer), tr.losses);
    const std::string what = wrong ? std::to_string(wrong) + " samples predicted with certainty and wrong, an infinite loss"
                                   : "the loss " + python_float(loss_sum);
    throw Diverged(tr.o.load.empty() ? "the initial weights already give " + what + ", before any training; try a smaller --init"
                                     : "the network in " + tr.o.load + " already gives " + what +
                                           " on these data, before any training; train a new one (leave out --load)",
                   tr.losses);
}

// The grader's window on training (exercises/runner.cpp): told after every step of the batch's
// images, its summed loss and the rate the step was taken with. Unset in the programs.
inline std::function<void(const SparseMatrix& y_0, double loss_sum, double lr)>& step_observer() {
    static std::function<void(const SparseMatrix&, double, double)> observe;
    return observe;
}

// One step on a batch: forward (1), loss (2), backward (3)-(4), update (5). With --dropout, the
// step's masks are drawn first (exercise f). Returns the batch's summed loss, before the update.
template <class Input>
double train_step(Training& tr, const Input& y_0, const Matrix& y) {
    const bool dropout = tr.o.dropout > 0;
    const DropoutMasks masks = dropout ? draw_dropout_masks(tr.net, y.rows, tr.o.dropout, tr.rng) : DropoutMasks();
    const ForwardPass f = tr.net.forward(y_0, dropout ? &masks : nullptr);  // (1)
    const double loss_sum = tr.net.loss_sum(f, y);                          // (2)
    check_divergence(tr, f, y, loss_sum);
    tr.net.backward(y_0, f, y, tr.o.reduction);                             // (3), (4)
    std::vector<Matrix*> thetas;
    std::vector<const Matrix*> grads;
    for (const Parameter& p : tr.net.parameters()) thetas.push_back(p.theta), grads.push_back(p.grad);
    const double lr = tr.optimizer.lr();
    tr.optimizer.step(thetas, grads);                                       // (5)
    if (tr.progress) tr.progress->step(loss_sum, y.rows);
    if constexpr (std::is_same_v<Input, SparseMatrix>)
        if (step_observer()) step_observer()(y_0, loss_sum, lr);
    return loss_sum;
}

// One pass over the training set: the whole set at once (batch 0, the lesson), or mini-batches
// p[0:B], p[B:2B], ... of a fresh permutation p drawn from the run's one random stream. Returns
// the epoch's loss: every sample's loss, each from its own batch's forward pass, over N.
inline double train_epoch(Training& tr, const SparseMatrix& X, const Matrix& y) {
    const size_t N = X.rows, B = tr.o.batch;
    if (B == 0 || B >= N) return train_step(tr, X, y) / static_cast<double>(N);
    // BEGIN SOLUTION (c) train_epoch, the mini-batches
    const std::vector<uint32_t> p = tr.rng.permutation(static_cast<uint32_t>(N));
    double total = 0.0;
    for (size_t start = 0; start < N; start += B) {
        const size_t n = std::min(B, N - start);  // the last batch may be shorter
        total += train_step(tr, X.select_rows(p.data() + start, n), select_rows(y, p.data() + start, n));
    }
    return total / static_cast<double>(N);
    // END SOLUTION
}

// --lr-decay (exercise f): the rate of the next epoch, as PyTorch's ExponentialLR steps it.
inline double decayed_lr(double lr, double gamma) {
    // BEGIN SOLUTION (f) decayed_lr
    return lr * gamma;
    // END SOLUTION
}

// After the last step no forward pass follows to notice a weight gone infinite or NaN: look.
inline void check_weights_finite(Network& net, const Training& tr) {
    for (const Parameter& p : net.parameters())
        if (!all_finite(*p.theta))
            throw Diverged(divergence(static_cast<int>(tr.losses.size()), 0, NAN) + "; " + divergence_advice(tr.o.optimizer),
                           tr.losses);
}

// The share of test images whose predicted class (Network::predict) is the label.
inline double accuracy_of(const std::vector<int>& predicted, const Matrix& labels) {
    size_t correct = 0;
    for (size_t i = 0; i < labels.rows; ++i) correct += predicted[i] == static_cast<int>(labels(i, 0));
    return static_cast<double>(correct) / static_cast<double>(labels.rows);
}

// The test set's forward pass (no dropout: every unit, unscaled). Outputs that are not finite
// numbers are no result to report.
inline ForwardPass evaluate(const Network& net, const SparseMatrix& X_test, const Options& o) {
    ForwardPass test = net.forward(X_test);
    if (!all_finite(test.y_K()))
        throw UserError(std::string("the network's outputs on the test set are not finite numbers: its weights overflow") +
                            (o.load.empty() ? (o.epochs == 0 ? "; try a smaller --init" : "; try a smaller --lr")
                                            : " (" + o.load + "); train a new one"),
                        1);
    return test;
}

// What the run does at a moment, and what to try when memory runs out then: the words of the
// Stage that runs then (program/command_line.hpp), for the messages.
struct Moment {
    std::string what, advice;
};

// The least memory a run needs, in bytes: the data it holds throughout and, on top, the largest of
// the moments that follow, each counted by the matrices alive at once. At the end of a training
// step: the weights, their gradients, the optimizer's state (one tensor per weight tensor for
// momentum and Nesterov, two for Adam) and the batch's forward pass (z_l and y_l for every layer,
// and with dropout phi_l(z_l) and the masks of the hidden layers too). Saving (with --save): the
// weights, the model's numbers and the file's bytes. In the test: the weights and the test set's
// forward pass. The program, its libraries and its threads need more besides.
struct MemoryNeed {
    uint64_t data = 0;
    std::vector<std::pair<uint64_t, Moment>> moments;
    const std::pair<uint64_t, Moment>& largest() const {
        return *std::max_element(moments.begin(), moments.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    uint64_t total() const { return data + largest().first; }
};

// Its lists by rows, and by columns as a full batch makes them (every entry again, in tiles).
inline uint64_t bytes_of(const SparseMatrix& X) {
    const uint64_t tiles = (X.rows + SparseMatrix::kTileRows - 1) / SparseMatrix::kTileRows;
    return X.row_start.size() * sizeof(size_t) + tiles * (X.cols + 1) * sizeof(size_t) +
           2 * X.nonzeros() * (sizeof(uint32_t) + sizeof(double));
}

inline MemoryNeed memory_needed(const Options& o, const Split& s, const Moment& training, const Moment& saving,
                                const Moment& testing) {
    const uint64_t outputs = output_layer_for(o.classes).units(o.classes);
    std::vector<uint64_t> n = {s.X_train.cols};  // n_0 .. n_K
    n.insert(n.end(), o.hidden.begin(), o.hidden.end());
    n.push_back(outputs);
    uint64_t weights = 0, units = 0;  // every W_l and b_l; n_1 + ... + n_K
    for (size_t l = 1; l < n.size(); ++l) weights += n[l - 1] * n[l] + n[l], units += n[l];
    const uint64_t hidden_units = units - outputs;
    const uint64_t rows = o.batch == 0 || o.batch >= s.X_train.rows ? s.X_train.rows : o.batch;
    const uint64_t state = o.optimizer.name == "adam" ? 2 : o.optimizer.name == "gd" ? 0 : 1;
    const uint64_t d = sizeof(double);
    MemoryNeed need;
    need.data = bytes_of(s.X_train) + bytes_of(s.X_test) + d * (s.y_train.size() + s.y_test.size() + s.y_train.rows * outputs);
    if (o.epochs > 0)
        need.moments.push_back(
            {d * ((2 + state) * weights + 2 * rows * units + (o.dropout > 0 ? 2 * rows * hidden_units : 0)), training});
    if (!o.save.empty()) need.moments.push_back({d * 3 * weights, saving});
    need.moments.push_back({d * (weights + 2 * s.X_test.rows * units), testing});
    return need;
}

// Refuses, before the network is made, a run that cannot have the memory it needs
// (program/memory.hpp), naming the moment that needs the most; and keeps the figure for an
// out-of-memory line, should the run run out all the same.
inline void require_memory_for(const MemoryNeed& need) {
    memory_needed_in_all() = bytes_text(need.total());
    const auto& [bytes, moment] = need.largest();
    require_memory(need.total(), "this run", bytes_text(bytes) + " for " + moment.what + ", " + bytes_text(need.data) + " for the data",
                   moment.advice);
}

// Training is over: its gradients and the optimizer's state are freed. Saving, next, holds two
// more copies of the weights in their place (the model's numbers and the file's bytes).
inline void free_training_state(Network& net, Optimizer& optimizer, const Options& o) {
    for (Layer& layer : net.layers) layer.grad_W = Matrix(), layer.grad_b = Matrix();
    optimizer = Optimizer(o.optimizer);
}

// =============================================================================================

inline int run(int argc, char** argv) {
    const auto t0 = std::chrono::steady_clock::now();
    Options o = parse_args(argc, argv);
    ModelData loaded;
    if (!o.load.empty()) {
        loaded = read_model_file(o.load);
        adopt_architecture(o, loaded);
    }
    if (!o.predict.empty()) return predict(o, loaded);
    if (o.flush_denormals && !can_flush_denormals())
        std::fprintf(stderr, "deep_mlp: --denormals flush: matrix.hpp knows no flush mode for this CPU; they are kept\n");
    set_flush_denormals(o.flush_denormals);  // why: exercises/README.md, "Three speed-ups, the same numbers"

    // Data: the lesson's, with all ten digits when asked.
    Stage reading("reading the data, MNIST's images from " + o.data_dir + " (about " + (o.classes == 10 ? "220" : "90") +
                      " MB in all)",
                  "free some memory: the data must fit, whatever the network (--limit applies once all are read)");
    uint32_t rows = 0, cols = 0;  // an image's size, for the model file
    Split s = [&] {
        const Digits digits = load_digits(o.data_dir, o.classes);  // freed once split
        rows = digits.rows, cols = digits.cols;
        return train_test_split(digits);
    }();
    if (!o.load.empty() && (loaded.rows != rows || loaded.cols != cols))
        throw UserError(o.load + ": the network reads " + image_size(loaded.cols, loaded.rows) + ", but those in " +
                            o.data_dir + " are " + std::to_string(cols) + "x" + std::to_string(rows), 1);
    keep_first_training_samples(s, o.limit);
    check_explain_request(o.explain, s.X_test.rows, "./deep_mlp");
    prepare_output_folder(o.out_dir);
    check_save_path(o);
    std::string hidden;
    for (size_t h : o.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(h);
    const size_t N = s.X_train.rows;
    const bool full_batch = o.batch == 0 || o.batch >= N;
    const Moment training_moment =
        full_batch ? Moment{"training on all " + std::to_string(N) + " samples at once (full batch) through --hidden " + hidden,
                            "try mini-batches (--batch 128) or a smaller --hidden"}
                   : Moment{"training on mini-batches of " + std::to_string(o.batch) + " through --hidden " + hidden,
                            "try a smaller --batch or --hidden"};
    const Moment saving_moment{"saving the trained network to " + o.save, "free some memory"};
    const Moment testing_moment{"the forward pass over the " + std::to_string(s.X_test.rows) + " test images through --hidden " + hidden,
                                "try a smaller --hidden"};
    require_memory_for(memory_needed(o, s, training_moment, saving_moment, testing_moment));
    std::cout << s.X_train.shape() << " (" << s.y_train.rows << ",)\n"
              << s.X_test.shape() << " (" << s.y_test.rows << ",)\n";
    const Matrix y_train = output_layer_for(o.classes).targets(s.y_train, o.classes);  // y: a label or a one-hot row

    // The model: from the seed's one random stream (the weights first, then each epoch's
    // permutation and masks), or from --load.
    Stage making("making the network (--hidden " + hidden + ")", "try a smaller --hidden");
    NumpyRandomState rng(o.seed);
    Network net = o.load.empty() ? make_network(s.X_train.cols, o.hidden, o.phi, o.classes, o.init, rng)
                                 : network_of(loaded, o.load);
    Optimizer optimizer(o.optimizer);
    const double load_s = seconds_since(t0);

    // Training.
    const auto t1 = std::chrono::steady_clock::now();
    Stage training(training_moment.what, training_moment.advice);
    Progress progress("deep_mlp", o.epochs, full_batch ? 1 : (N + o.batch - 1) / o.batch);
    Training tr{net, optimizer, rng, o, {}, &progress};
    try {
        for (int epoch = 0; epoch < o.epochs; ++epoch) {
            const double loss = train_epoch(tr, s.X_train, y_train);
            std::cout << "Epoch " << epoch << ", Loss: " << python_float(loss) << std::endl;
            tr.losses.push_back(loss);
            if (o.lr_decay != 1) optimizer.set_lr(decayed_lr(optimizer.lr(), o.lr_decay));
            progress.epoch_done();
        }
        progress.finish();
        check_weights_finite(net, tr);
    } catch (const Diverged& d) {  // the history up to the divergence
        progress.finish();
        write_loss_history(o.out_dir, d.losses, {{"report.html", diverged_report_html("./deep_mlp", d.what(), d.losses)}});
        throw;
    }
    const double train_s = seconds_since(t1);

    // The trained network is saved first, before anything else can fail (the test, the report, the
    // last of stdout): whatever happens next, it is on disk, and every error line says where.
    free_training_state(net, optimizer, o);
    const bool saved = o.save.empty() || [&] {
        Stage saving(saving_moment.what, saving_moment.advice);
        return save_network(o, model_of(net, rows, cols));
    }();

    // Test, and what the run leaves behind.
    Stage testing(testing_moment.what, testing_moment.advice);
    const ForwardPass test = evaluate(net, s.X_test, o);
    std::cout << "Exactitud de Prueba (Test accuracy): " << python_float(accuracy_of(net.predict(test), s.y_test) * 100)
              << "%" << std::endl;
    // The equations on one test image, for --explain N and the page (exercises/network_walk.hpp).
    const Walk walk = network_walk(net, s.X_test, s.y_test, static_cast<size_t>(o.explain.image), o.optimizer.lr);
    if (o.explain.given) std::cout << walk_text(walk);
    ReportRun run_facts = report_run("./deep_mlp", argc, argv, settings_of(o), s, tr.losses);
    run_facts.seconds = {{"load", load_s}, {"train", train_s}, {"total", seconds_since(t0)}};
    const std::string report = report_html(network_description(net), run_facts, report_test_set(s.X_test, s.y_test, test.y_K()), &walk);
    write_loss_history(o.out_dir, tr.losses, {{"report.html", report}});
    check_standard_output();
    if (!saved) throw UserError(std::exchange(kept_safe(), std::string()), 1);  // --save's failure, and where the network is
    std::fprintf(stderr, "wrote %s/loss.csv, loss.svg and report.html%s%s; load %.3fs train %.3fs total %.3fs\n",
                 printable(o.out_dir).c_str(), o.save.empty() ? "" : ", and the model to ", printable(o.save).c_str(), load_s,
                 train_s, seconds_since(t0));
    return 0;
}

}  // namespace deep_mlp

#ifndef DEEP_MLP_NO_MAIN
int main(int argc, char** argv) {
    return run_program("deep_mlp", [&] { return deep_mlp::run(argc, argv); });
}
#endif
