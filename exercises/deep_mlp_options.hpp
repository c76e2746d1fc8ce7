// exercises/deep_mlp_options.hpp: ./deep_mlp's flags (exercises/README.md explains each): what each one takes,
// the combinations that make no sense, and the run's settings as the report page lists them. It knows
// the exercises' vocabulary (activations, optimizers, init rules), not how they train.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "../program/command_line.hpp"
#include "../program/output_files.hpp"
#include "../program/report_html.hpp"
#include "network.hpp"
#include "optimizers.hpp"

namespace deep_mlp {

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
    size_t limit = 0;      // 0: every training sample
    double dropout = 0;    // P (exercise f)
    double lr_decay = 1;   // gamma (exercise f)
    bool flush_denormals = false;  // --denormals flush
    std::string save, load, predict;  // --save FILE, --load FILE, --predict IMAGE
    ExplainRequest explain;           // --explain N (program/explain.hpp)
    std::vector<std::string> act_names = {"sigmoid"};
    bool hidden_given = false, act_given = false, classes_given = false, init_given = false;
};

inline const char* kUsageTemplate =  // ACTIVATIONS becomes the registered activations' names
    "usage: ./deep_mlp [flags]   (no flags: exactly ./mlp, the lesson)\n"
    "The notes' exercises: k hidden layers, other activations, mini-batches, momentum/Nesterov/Adam,\n"
    "ten classes; and regularization. exercises/README.md (en español: exercises/LEEME.md) explains each flag.\n"
    "  --data DIR, --out DIR, --seed N   as ./mlp (defaults: data, out, 0)\n"
    "  --epochs N        passes over the training set, 0..1000000; 0 only evaluates (default: 30)\n"
    "  --lr RATE         learning rate, a positive number (default: 0.0001)\n"
    "  --hidden LIST     hidden layer sizes, e.g. 256,128 (1..16 layers of 1..4096; default: 64)\n"
    "  --act LIST        ACTIVATIONS: one for all hidden layers, or one per layer, no spaces (default: sigmoid)\n"
    "  --classes N       2: digits 0 and 1, sigmoid output; 10: all digits, softmax (default: 2)\n"
    "  --batch N         mini-batches of N samples, reshuffled every epoch; 0: full batch (default: 0)\n"
    "  --optimizer NAME  gd, momentum, nesterov or adam (default: gd)\n"
    "  --momentum M      for momentum and nesterov, in [0, 1) (default: 0.9)\n"
    "  --beta1 B, --beta2 B, --eps E   for adam: in [0, 1), [0, 1), > 0 (defaults: 0.9, 0.999, 1e-8)\n"
    "  --init RULE       a number s (W = s randn), he or xavier (default: 0.1)\n"
    "  --reduction R     sum: gradients of the summed loss (the notes); mean: of the batch's mean (default: sum)\n"
    "  --weight-decay L  L2: every gradient g becomes g + L theta, as torch.optim's weight_decay (default: 0)\n"
    "  --dropout P       inverted dropout on every hidden layer in training, P in [0, 1) (default: 0)\n"
    "  --lr-decay G      the rate is multiplied by G after every epoch, G in (0, 1] (default: 1)\n"
    "  --limit N         keep only the first N training samples (default: all)\n"
    "  --denormals MODE  keep: compute numbers below 2^-1022 exactly; flush: as zero, which can be much\n"
    "                    faster, as torch.set_flush_denormal(True) (default: keep)\n"
    "  --save FILE       write the trained network to FILE (format: program/model_file.hpp)\n"
    "  --load FILE       start from the network in FILE; its architecture wins (--hidden, --act and\n"
    "                    --classes may only repeat it); with --epochs 0 it only evaluates\n"
    "  --predict IMAGE   with --load: classify a 28x28 PGM image (P2 or P5; white digit on black, as\n"
    "                    MNIST's), print each class's probability and the predicted class; no training\n"
    "  --explain N       then print the equations evaluated on test image N, with its numbers, through\n"
    "                    the trained network without dropout (0: the first)\n"
    "  --help            this text\n"
    "Threads: OMP_NUM_THREADS=N (when built with OpenMP).\n";

inline std::string usage() {
    std::string text = kUsageTemplate;
    const std::string placeholder = "ACTIVATIONS";
    return text.replace(text.find(placeholder), placeholder.size(), activation_names());
}

// "256,128" -> {"256", "128"}; an empty item is kept, so that "64,,32" is an error, not 64,32.
inline std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items(1);
    for (char c : text) {
        if (c == ',') items.emplace_back();
        else items.back() += c;
    }
    return items;
}

// The flags given, in order: the names FlagParser::parse() read (it has checked the syntax), so
// that a flag can be refused in a combination it makes no sense in.
inline std::vector<std::string> flags_given(int argc, char** argv) {
    std::vector<std::string> names;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const size_t eq = arg.find('=');
        if (arg.rfind("--", 0) == 0 && eq != std::string::npos) names.push_back(arg.substr(0, eq));
        else names.push_back(arg), ++i;  // --flag VALUE
    }
    return names;
}

// The hidden layers' activations: one name for all, or one per layer.
inline void choose_activations(Options& o, const FlagParser& flags) {
    const std::vector<std::string>& act_names = o.act_names;
    if (act_names.size() != 1 && act_names.size() != o.hidden.size() && (o.load.empty() || o.hidden_given))
        flags.usage_error("--act lists " + std::to_string(act_names.size()) + " activations for " +
                          std::to_string(o.hidden.size()) + " hidden layers; give one, or one per layer");
    for (const std::string& name : act_names) {
        const Activation* a = find_activation(name);
        const bool spaced = name.find_first_of(" \t") != std::string::npos;
        if (!a)
            flags.usage_error("unknown activation '" + printable(name) + "' in --act; choose " + activation_names() +
                              (spaced ? " (a list takes no spaces: --act relu,tanh)" : ""));
        o.phi.push_back(a);
    }
    if (act_names.size() == 1 || act_names.size() == o.hidden.size()) o.phi.resize(o.hidden.size(), o.phi[0]);
}

inline Options parse_args(int argc, char** argv) {
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
    flags.add_number("--weight-decay", 0, true, INFINITY, false, &o.optimizer.weight_decay);
    flags.add_number("--dropout", 0, true, 1, false, &o.dropout);
    flags.add_number("--lr-decay", 0, false, 1, true, &o.lr_decay);
    flags.add_integer("--limit", 1, 1000000000, &o.limit);
    flags.add("--denormals", [&](const std::string& v) {
        if (v != "keep" && v != "flush") flags.usage_error("--denormals must be keep or flush, got '" + printable(v) + "'");
        o.flush_denormals = v == "flush";
    });
    flags.add_text("--save", &o.save);
    flags.add_text("--load", &o.load);
    flags.add_text("--predict", &o.predict);
    add_explain_flag(flags, &o.explain);
    flags.parse(argc, argv);

    // Combinations. With --load and no --hidden, the model's layers are counted when it is read.
    choose_activations(o, flags);
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
    return o;
}

// The run's settings, every one with its value (defaults included), for the report page.
inline std::vector<std::pair<std::string, std::string>> settings_of(const Options& o) {
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
    std::vector<std::pair<std::string, std::string>> s = {
        {"--data", o.data_dir}, {"--out", o.out_dir}, {"--seed", std::to_string(o.seed)},
        {"--epochs", std::to_string(o.epochs)}, {"--lr", python_float(opt.lr)}, {"--hidden", hidden},
        {"--act", act}, {"--classes", std::to_string(o.classes)},
        {"--batch", o.batch ? std::to_string(o.batch) : "0 (full batch)"}, {"--optimizer", optimizer},
        {"--init", init}, {"--reduction", o.reduction == Reduction::sum ? "sum" : "mean"},
        {"--weight-decay", python_float(opt.weight_decay)}, {"--dropout", python_float(o.dropout)},
        {"--lr-decay", python_float(o.lr_decay)}, {"--limit", o.limit ? std::to_string(o.limit) : "all"},
        {"--denormals", o.flush_denormals ? "flush" : "keep"}};
    if (!o.load.empty()) s.push_back({"--load", o.load});
    if (!o.save.empty()) s.push_back({"--save", o.save});
    return s;
}

}  // namespace deep_mlp
