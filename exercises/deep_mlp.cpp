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
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

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

// Stops the run, as the lesson does, when a batch's loss is infinite or NaN or a sample is
// predicted with certainty and wrong (where log(0) makes the loss infinite). Before the first step
// the learning rate cannot be the cause: the initial (or loaded) weights are.
inline void check_divergence(const Training& tr, const ForwardPass& f, const Matrix& y, double loss_sum) {
    const size_t wrong = tr.net.certain_and_wrong(f, y);
    if (std::isfinite(loss_sum) && wrong == 0) return;
    const int epoch = static_cast<int>(tr.losses.size());
    if (tr.optimizer.steps() > 0) throw Diverged(divergence_message(epoch, wrong, loss_sum, tr.o.optimizer.lr), tr.losses);
    const std::string what = wrong ? std::to_string(wrong) + " samples predicted with certainty and wrong, an infinite loss"
                                   : "the loss " + python_float(loss_sum);
    throw Diverged(tr.o.load.empty() ? "the initial weights already give " + what + ", before any training; try a smaller --init"
                                     : "the network in " + tr.o.load + " already gives " + what +
                                           " on these data, before any training; train a new one (leave out --load)",
                   tr.losses);
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
    tr.optimizer.step(thetas, grads);                                       // (5)
    if (tr.progress) tr.progress->step(loss_sum, y.rows);
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
            throw Diverged(divergence_message(static_cast<int>(tr.losses.size()), 0, NAN, tr.o.optimizer.lr), tr.losses);
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
    Stage reading("reading the data, MNIST's images from " + o.data_dir + " (about " + (o.classes == 10 ? "340" : "90") +
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
    std::cout << s.X_train.shape() << " (" << s.y_train.rows << ",)\n"
              << s.X_test.shape() << " (" << s.y_test.rows << ",)\n";
    const Matrix y_train = output_layer_for(o.classes).targets(s.y_train, o.classes);  // y: a label or a one-hot row

    // The model: from the seed's one random stream (the weights first, then each epoch's
    // permutation and masks), or from --load.
    std::string hidden;
    for (size_t h : o.hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(h);
    Stage making("making the network (--hidden " + hidden + ")", "try a smaller --hidden");
    NumpyRandomState rng(o.seed);
    Network net = o.load.empty() ? make_network(s.X_train.cols, o.hidden, o.phi, o.classes, o.init, rng)
                                 : network_of(loaded, o.load);
    Optimizer optimizer(o.optimizer);
    const double load_s = seconds_since(t0);

    // Training.
    const auto t1 = std::chrono::steady_clock::now();
    const size_t N = s.X_train.rows;
    const bool full_batch = o.batch == 0 || o.batch >= N;
    Stage training(full_batch ? "training on all " + std::to_string(N) + " samples at once (full batch) through --hidden " + hidden
                              : "training on mini-batches of " + std::to_string(o.batch) + " through --hidden " + hidden,
                   full_batch ? "try mini-batches (--batch 128) or a smaller --hidden" : "try a smaller --batch or --hidden");
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

    // Test, and what the run leaves behind.
    Stage testing("the forward pass over the " + std::to_string(s.X_test.rows) + " test images through --hidden " + hidden,
                  "try a smaller --hidden");
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
    if (!o.save.empty()) save_network(o, model_of(net, rows, cols));
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
