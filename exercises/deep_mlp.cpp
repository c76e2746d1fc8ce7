/*
exercises/deep_mlp.cpp: the notes' five exercises, worked, in one program.

  (a) k > 1 hidden layers          --hidden 256,128           network.hpp: forward() and backward()
  (b) other activations per layer  --act relu,tanh            layers.hpp: activations()
  (c) stochastic (mini-batch) GD   --batch 128                train_epoch() below
  (d) Nesterov and Adam            --optimizer nesterov|adam  optimizers.hpp
  (e) the ten MNIST classes        --classes 10               layers.hpp: SoftmaxCrossEntropy

and a trained network kept in a file (--save, --load; model_file.hpp gives the format), a digit
classified from a PGM image (--predict), and out/report.html beside the loss (program/report_html.hpp).

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

#include "model_file.hpp"
#include "network.hpp"
#include "optimizers.hpp"
#include "pgm_image.hpp"

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
    std::string save, load, predict;  // --save FILE, --load FILE, --predict IMAGE
    std::vector<std::string> act_names = {"sigmoid"};
    bool hidden_given = false, act_given = false, classes_given = false, init_given = false;
};

const char* kUsageTemplate =  // ACTIVATIONS becomes the registered activations' names
    "usage: ./deep_mlp [flags]   (no flags: exactly ./mlp, the lesson)\n"
    "The notes' exercises: k hidden layers, other activations, mini-batches, momentum/Nesterov/Adam,\n"
    "ten classes. exercises/README.md (en español: exercises/LEEME.md) explains each flag.\n"
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
    "  --save FILE       write the trained network to FILE (format: exercises/model_file.hpp)\n"
    "  --load FILE       start from the network in FILE; its architecture wins (--hidden, --act and\n"
    "                    --classes may only repeat it); with --epochs 0 it only evaluates\n"
    "  --predict IMAGE   with --load: classify a 28x28 PGM image (P2 or P5; white digit on black, as\n"
    "                    MNIST's), print each class's probability and the predicted class; no training\n"
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

// The flags given, in order: the names FlagParser::parse() read (it has checked the syntax), so
// that a flag can be refused in a combination it makes no sense in.
std::vector<std::string> flags_given(int argc, char** argv) {
    std::vector<std::string> names;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const size_t eq = arg.find('=');
        if (arg.rfind("--", 0) == 0 && eq != std::string::npos) names.push_back(arg.substr(0, eq));
        else names.push_back(arg), ++i;  // --flag VALUE
    }
    return names;
}

Options parse_args(int argc, char** argv) {
    Options o;
    FlagParser flags("./deep_mlp", usage());
    std::vector<std::string> given;
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
        o.hidden_given = true;
        for (const std::string& item : items)
            o.hidden.push_back(static_cast<size_t>(flags.parse_integer("--hidden", item, 1, 4096)));
    });
    flags.add("--act", [&](const std::string& v) { o.act_names = split_list(v), o.act_given = true; });
    flags.add("--classes", [&](const std::string& v) {
        if (v != "2" && v != "10") flags.usage_error("--classes must be 2 (the digits 0 and 1) or 10 (all digits), got '" + printable(v) + "'");
        o.classes = v == "2" ? 2 : 10;
        o.classes_given = true;
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
        o.init_given = true;
        if (v == "he") o.init.kind = InitRule::he;
        else if (v == "xavier") o.init.kind = InitRule::xavier;
        else o.init = {InitRule::fixed, flags.parse_number("--init", v, 0, false, INFINITY, false)};
    });
    flags.add("--reduction", [&](const std::string& v) {
        if (v != "sum" && v != "mean") flags.usage_error("--reduction must be sum or mean, got '" + printable(v) + "'");
        o.reduction = v == "sum" ? Reduction::sum : Reduction::mean;
    });
    flags.add_integer("--limit", 1, 1000000000, &o.limit);
    flags.add_text("--save", &o.save);
    flags.add_text("--load", &o.load);
    flags.add_text("--predict", &o.predict);
    flags.parse(argc, argv);

    // Combinations. With --load and no --hidden, the model's layers are counted when it is read.
    const std::vector<std::string>& act_names = o.act_names;
    if (act_names.size() != 1 && act_names.size() != o.hidden.size() && (o.load.empty() || o.hidden_given))
        flags.usage_error("--act lists " + std::to_string(act_names.size()) + " activations for " +
                          std::to_string(o.hidden.size()) + " hidden layers; give one, or one per layer");
    for (const std::string& name : act_names) {
        const Activation* a = find_activation(name);
        if (!a) flags.usage_error("unknown activation '" + printable(name) + "' in --act; choose " + activation_names());
        o.phi.push_back(a);
    }
    if (act_names.size() == 1 || act_names.size() == o.hidden.size()) o.phi.resize(o.hidden.size(), o.phi[0]);
    const std::string& opt = o.optimizer.name;
    for (const std::string& flag : given) {
        const bool for_momentum = flag == "--momentum", for_adam = !for_momentum;
        if ((for_momentum && opt != "momentum" && opt != "nesterov") || (for_adam && opt != "adam"))
            flags.usage_error(flag + " applies to --optimizer " + (for_momentum ? "momentum or nesterov" : "adam") +
                              ", not " + opt);
    }
    const std::vector<std::string> named = flags_given(argc, argv);
    if (!o.predict.empty()) {
        if (o.load.empty()) flags.usage_error("--predict needs --load MODEL, a network written by --save");
        for (const std::string& flag : named)
            if (flag != "--predict" && flag != "--load" && flag != "--hidden" && flag != "--act" && flag != "--classes")
                flags.usage_error(flag + " does not apply to --predict, which classifies one image and trains nothing");
    }
    if (!o.load.empty() && o.init_given) flags.usage_error("--init does not apply with --load: the weights come from " + o.load);
    if (!o.save.empty()) {  // before the training, not after it
        const std::string problem = output_file_problem(o.save);
        if (!problem.empty()) flags.usage_error("--save " + o.save + ": " + problem);
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
// Before the first step, the learning rate cannot be the cause: the initial weights are too large.
void check_divergence(const Network& net, const ForwardPass& f, const Matrix& t, double loss_sum, int epoch,
                      double lr, long steps_taken, const std::vector<double>& losses) {
    const size_t wrong = net.certain_and_wrong(f, t);
    if (std::isfinite(loss_sum) && wrong == 0) return;
    if (steps_taken == 0)
        throw Diverged("the initial weights already give " +
                           (wrong ? std::to_string(wrong) + " samples predicted with certainty and wrong, an infinite loss"
                                  : "the loss " + python_float(loss_sum)) +
                           ", before any training; try a smaller --init",
                       losses);
    throw Diverged(divergence_message(epoch, wrong, loss_sum, lr), losses);
}

// After the last step no forward pass follows to notice a weight gone infinite or NaN: look.
void check_weights_finite(Network& net, int epochs, double lr, const std::vector<double>& losses) {
    for (const Parameter& p : net.parameters())
        if (!all_finite(*p.theta)) throw Diverged(divergence_message(epochs, 0, NAN, lr), losses);
}

// One step on a batch: forward (1), loss (2), backward (3)-(4), update (5). Returns the batch's
// summed loss, taken before the update.
template <class Input>
double train_step(Network& net, Optimizer& optimizer, const Input& y_0, const Matrix& t, Reduction reduction,
                  int epoch, double lr, const std::vector<double>& losses) {
    const ForwardPass f = net.forward(y_0);
    const double loss_sum = net.loss_sum(f, t);
    check_divergence(net, f, t, loss_sum, epoch, lr, optimizer.steps(), losses);
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
    // The batches' images are gathered a few at a time (up to 1024 rows), in parallel, one batch per
    // thread: copying a batch's rows and sorting them by column (SparseMatrix::select_rows) would
    // otherwise keep one thread busy, and the others idle, before every step.
    const size_t batches = (N + o.batch - 1) / o.batch;
    const size_t ahead = std::max<size_t>(1, 1024 / o.batch);
    std::vector<SparseMatrix> y_0(std::min(ahead, batches));
    double total = 0.0;
    for (size_t b0 = 0; b0 < batches; b0 += ahead) {
        const size_t b1 = std::min(batches, b0 + ahead);
#pragma omp parallel for schedule(dynamic) if (b1 - b0 > 1)
        for (ptrdiff_t b = static_cast<ptrdiff_t>(b0); b < static_cast<ptrdiff_t>(b1); ++b) {
            const size_t start = static_cast<size_t>(b) * o.batch;
            y_0[static_cast<size_t>(b) - b0] = X.select_rows(p.data() + start, std::min(o.batch, N - start));
        }
        for (size_t b = b0; b < b1; ++b) {
            const size_t start = b * o.batch, n = std::min(o.batch, N - start);
            total += train_step(net, optimizer, y_0[b - b0], select_rows(t, p.data() + start, n), o.reduction,
                                epoch, lr, losses);
        }
    }
    return total / static_cast<double>(N);
}

// The share of test images whose predicted class (Network::predict) is the label.
double accuracy_of(const std::vector<int>& predicted, const Matrix& labels) {
    size_t correct = 0;
    for (size_t i = 0; i < labels.rows; ++i) correct += predicted[i] == static_cast<int>(labels(i, 0));
    return static_cast<double>(correct) / static_cast<double>(labels.rows);
}

double test_accuracy(const Network& net, const SparseMatrix& X, const Matrix& labels) {
    return accuracy_of(net.predict(net.forward(X)), labels);
}

// =============================================================================================
// Model files (--save, --load) and --predict
// =============================================================================================

ModelData model_of(const Network& net, uint32_t rows, uint32_t cols) {
    ModelData m;
    m.classes = net.classes, m.rows = rows, m.cols = cols;
    for (const Layer& layer : net.layers)
        m.layers.push_back({layer.W.rows, layer.W.cols,
                            layer.phi ? layer.phi->name : net.classes == 2 ? "sigmoid" : "softmax",
                            {layer.W.data.begin(), layer.W.data.end()}, {layer.b.data.begin(), layer.b.data.end()}});
    return m;
}

Network network_of(const ModelData& m) {
    Network net;
    net.classes = m.classes;
    for (size_t l = 0; l < m.layers.size(); ++l) {
        const ModelLayer& ml = m.layers[l];
        Layer layer;
        layer.W = Matrix(ml.inputs, ml.outputs);
        layer.W.data.assign(ml.W.begin(), ml.W.end());
        layer.b = Matrix(1, ml.outputs);
        layer.b.data.assign(ml.b.begin(), ml.b.end());
        layer.phi = l + 1 < m.layers.size() ? find_activation(ml.activation) : nullptr;
        net.layers.push_back(std::move(layer));
    }
    return net;
}

// "784 -> 64 sigmoid -> 1 sigmoid"
std::string architecture(const ModelData& m) {
    std::string a = std::to_string(m.layers.empty() ? 0 : m.layers[0].inputs);
    for (const ModelLayer& l : m.layers) a += " -> " + std::to_string(l.outputs) + " " + l.activation;
    return a;
}

// --load: the model's architecture wins; --hidden, --act and --classes may only repeat it.
void adopt_architecture(Options& o, const ModelData& m) {
    std::vector<size_t> hidden;
    std::vector<std::string> acts;
    for (size_t l = 0; l + 1 < m.layers.size(); ++l) hidden.push_back(m.layers[l].outputs), acts.push_back(m.layers[l].activation);
    auto disagree = [&](const std::string& flag, const std::string& value) {
        throw UserError(flag + " " + value + " disagrees with " + o.load + ", a network " + architecture(m) + " for " +
                            std::to_string(m.classes) + " classes; leave " + flag + " out (the model's wins) or repeat it",
                        2);
    };
    std::string given_hidden;
    for (size_t h : o.hidden) given_hidden += (given_hidden.empty() ? "" : ",") + std::to_string(h);
    if (o.hidden_given && o.hidden != hidden) disagree("--hidden", given_hidden);
    const std::vector<std::string>& given_acts = o.act_names;
    bool same_acts = given_acts.size() == 1 || given_acts.size() == acts.size();
    for (size_t l = 0; same_acts && l < acts.size(); ++l) same_acts = acts[l] == given_acts[given_acts.size() == 1 ? 0 : l];
    std::string act_list;
    for (const std::string& a : given_acts) act_list += (act_list.empty() ? "" : ",") + a;
    if (o.act_given && !same_acts) disagree("--act", act_list);
    if (o.classes_given && o.classes != m.classes) disagree("--classes", std::to_string(o.classes));
    o.hidden = hidden;
    o.classes = m.classes;
    o.phi.clear();
    for (const std::string& a : acts) o.phi.push_back(find_activation(a));
}

// --predict IMAGE: each class's probability and the predicted class, on stdout.
int predict(const Options& o, const ModelData& m) {
    const PgmImage image = read_pgm_file(o.predict);
    if (image.width != m.cols || image.height != m.rows)
        throw UserError(o.predict + ": is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                            " pixels; the network in " + o.load + " reads " + std::to_string(m.cols) + "x" +
                            std::to_string(m.rows) + " images (MNIST's size)", 1);
    const Network net = network_of(m);
    Matrix x(1, image.pixels.size());
    x.data.assign(image.pixels.begin(), image.pixels.end());
    const ForwardPass f = net.forward(x);
    const double* y = f.y_L().row(0);
    for (int c = 0; c < net.classes; ++c) {
        const double p = net.classes == 2 ? (c == 1 ? y[0] : 1.0 - y[0]) : y[c];
        std::cout << "class " << c << ": " << python_float(p) << "\n";
    }
    std::cout << "predicted: " << net.predict(f)[0] << std::endl;
    return std::cout ? 0 : 1;
}

// What out/report.html says about the run.
ReportRun report_run(int argc, char** argv, const Options& o, const Split& s, const std::vector<double>& losses,
                     std::vector<std::pair<std::string, double>> seconds) {
    ReportRun r;
    r.program = "./deep_mlp";
    r.arguments.assign(argv + 1, argv + argc);
    std::string hidden, act;
    for (size_t l = 0; l < o.hidden.size(); ++l)
        hidden += (l ? "," : "") + std::to_string(o.hidden[l]), act += std::string(l ? "," : "") + o.phi[l]->name;
    const OptimizerSettings& opt = o.optimizer;
    std::string optimizer = opt.name;
    if (opt.name == "momentum" || opt.name == "nesterov") optimizer += ", momentum " + python_float(opt.momentum);
    if (opt.name == "adam")
        optimizer += ", beta1 " + python_float(opt.beta1) + ", beta2 " + python_float(opt.beta2) + ", eps " + python_float(opt.eps);
    const std::string init = !o.load.empty() ? "from --load"
                             : o.init.kind == InitRule::he ? "he" : o.init.kind == InitRule::xavier ? "xavier"
                                                                                                     : python_float(o.init.scale);
    r.settings = {{"--data", o.data_dir}, {"--out", o.out_dir}, {"--seed", std::to_string(o.seed)},
                  {"--epochs", std::to_string(o.epochs)}, {"--lr", python_float(opt.lr)}, {"--hidden", hidden},
                  {"--act", act}, {"--classes", std::to_string(o.classes)},
                  {"--batch", o.batch ? std::to_string(o.batch) : "0 (full batch)"}, {"--optimizer", optimizer},
                  {"--init", init}, {"--reduction", o.reduction == Reduction::sum ? "sum" : "mean"},
                  {"--limit", o.limit ? std::to_string(o.limit) : "all"}};
    if (!o.load.empty()) r.settings.push_back({"--load", o.load});
    if (!o.save.empty()) r.settings.push_back({"--save", o.save});
    r.shapes = {s.X_train.shape() + " (" + std::to_string(s.y_train.rows) + ",)",
                s.X_test.shape() + " (" + std::to_string(s.y_test.rows) + ",)"};
    r.losses = losses;
    r.seconds = std::move(seconds);
    return r;
}

// =============================================================================================

int run(int argc, char** argv) {
    const auto t0 = std::chrono::steady_clock::now();
    Options o = parse_args(argc, argv);
    ModelData loaded;
    if (!o.load.empty()) {
        loaded = read_model_file(o.load);
        adopt_architecture(o, loaded);
    }
    if (!o.predict.empty()) return predict(o, loaded);

    uint32_t rows = 0, cols = 0;  // an image's size, for the model file
    Split s = [&] {
        const Digits digits = load_digits(o.data_dir, o.classes);  // freed once split
        rows = digits.rows, cols = digits.cols;
        return train_test_split(digits);
    }();
    if (!o.load.empty() && (loaded.rows != rows || loaded.cols != cols))
        throw UserError(o.load + ": the network reads " + std::to_string(loaded.cols) + "x" + std::to_string(loaded.rows) +
                            " images, but those in " + o.data_dir + " are " + std::to_string(cols) + "x" + std::to_string(rows), 1);
    keep_first(s, o.limit);
    prepare_output_folder(o.out_dir);
    std::cout << s.X_train.shape() << " (" << s.y_train.rows << ",)\n"
              << s.X_test.shape() << " (" << s.y_test.rows << ",)\n";
    const Matrix t_train = targets(s.y_train, o.classes);

    NumpyRandomState rng(o.seed);  // the weights first (unless loaded), then each epoch's permutation
    Network net = o.load.empty() ? make_network(s.X_train.cols, o.hidden, o.phi, o.classes, o.init, rng) : network_of(loaded);
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
        check_weights_finite(net, o.epochs, o.optimizer.lr, losses);
    } catch (const Diverged& d) {  // the history up to the divergence
        write_loss_history(o.out_dir, d.losses, {{"report.html", diverged_report_html("./deep_mlp", d.what(), d.losses)}});
        throw;
    }
    const double train_s = seconds_since(t1);

    const ForwardPass test = net.forward(s.X_test);
    std::cout << "Exactitud de Prueba (Test accuracy): " << python_float(accuracy_of(net.predict(test), s.y_test) * 100)
              << "%" << std::endl;
    const std::string report = report_html(network_description(net),
                                           report_run(argc, argv, o, s, losses, {{"load", load_s}, {"train", train_s},
                                                                                 {"total", seconds_since(t0)}}),
                                           report_test_set(s.X_test, s.y_test, test.y_L()));
    write_loss_history(o.out_dir, losses, {{"report.html", report}});
    check_standard_output();
    if (!o.save.empty()) write_model_file(o.save, model_of(net, rows, cols));
    std::fprintf(stderr, "wrote %s/loss.csv, loss.svg and report.html%s%s; load %.3fs train %.3fs total %.3fs\n",
                 o.out_dir.c_str(), o.save.empty() ? "" : ", and the model to ", o.save.c_str(), load_s, train_s,
                 seconds_since(t0));
    return 0;
}

}  // namespace deep_mlp

#ifndef DEEP_MLP_NO_MAIN
int main(int argc, char** argv) {
    return run_program("deep_mlp", [&] { return deep_mlp::run(argc, argv); });
}
#endif
