// fuzz/fuzz_args.cpp: libFuzzer target for program/command_line.hpp's FlagParser with the flag tables of
// ./mlp (mlp.cpp's parse_args()) and ./deep_mlp (exercises/deep_mlp.cpp's), `make fuzz`.
//
// The input, split at each zero byte, is the argument list after ./mlp (at most 32 arguments).
// Whatever they are, parse_args() must return options inside the ranges its flags declare, or
// throw HelpRequested, or a UserError with exit code 2 whose message is one line of bounded length
// (no control characters) about a flag. A crash, a sanitizer report, a hang, an exit or any other
// exception is a bug.
#define DEEP_MLP_NO_MAIN
#include "../exercises/deep_mlp.cpp"  // and, through it, mlp.cpp

#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

void require(bool ok, const char* what, const std::string& detail) {
    if (ok) return;
    std::fprintf(stderr, "fuzz_args: %s: %s\n", what, detail.c_str());
    std::abort();
}

bool one_short_line(const std::string& message) {
    if (message.size() > 600) return false;
    for (const char c : message)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

bool about_a_flag(const std::string& message) { return message.find("--") != std::string::npos; }

// The same argument list through deep_mlp's flags: options within their declared ranges, or the
// same kinds of error.
void check_deep_mlp(std::vector<std::string> args) {
    args[0] = "./deep_mlp";
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    try {
        const deep_mlp::Options o = deep_mlp::parse_args(static_cast<int>(args.size()), argv.data());
        require(o.epochs >= 0 && o.epochs <= 1000000, "deep_mlp --epochs out of range", std::to_string(o.epochs));
        require(!o.hidden.empty() && o.hidden.size() <= 16 && (o.phi.size() == o.hidden.size() || !o.load.empty()),
                "deep_mlp: hidden layers and activations disagree", std::to_string(o.hidden.size()));
        for (size_t l = 0; l < o.hidden.size(); ++l)
            require(o.hidden[l] >= 1 && o.hidden[l] <= 4096 && (l >= o.phi.size() || o.phi[l]), "deep_mlp: a bad hidden layer", "");
        require(o.classes == 2 || o.classes == 10, "deep_mlp --classes", std::to_string(o.classes));
        const OptimizerSettings& s = o.optimizer;
        require(s.lr >= DBL_MIN && s.lr <= DBL_MAX && s.momentum >= 0 && s.momentum < 1 && s.beta1 >= 0 &&
                    s.beta1 < 1 && s.beta2 >= 0 && s.beta2 < 1 && s.eps > 0,
                "deep_mlp: an optimizer setting out of range", s.name);
        require(s.weight_decay >= 0 && std::isfinite(s.weight_decay) && o.dropout >= 0 && o.dropout < 1 && o.lr_decay > 0 &&
                    o.lr_decay <= 1,
                "deep_mlp: a regularization setting out of range", "");
    } catch (const HelpRequested& h) {
        require(h.usage == deep_mlp::usage(), "deep_mlp --help gave something else than the usage", h.usage);
    } catch (const UserError& e) {
        require(e.exit_code == 2, "deep_mlp: a command-line error with an exit code other than 2", e.what());
        require(one_short_line(e.what()), "deep_mlp: a message that is not one short line", e.what());
        require(about_a_flag(e.what()), "deep_mlp: a message that names no flag", e.what());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> args = {"./mlp"};
    if (size > 0) args.emplace_back();
    for (size_t i = 0; i < size && args.size() <= 33; ++i) {
        if (data[i] == 0)
            args.emplace_back();
        else
            args.back() += static_cast<char>(data[i]);
    }
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    try {
        const Options o = parse_args(static_cast<int>(args.size()), argv.data());
        require(o.epochs >= 0 && o.epochs <= 1000000, "--epochs out of range", std::to_string(o.epochs));
        require(o.hidden >= 1 && o.hidden <= 4096, "--hidden out of range", std::to_string(o.hidden));
        require(o.learning_rate >= DBL_MIN && o.learning_rate <= DBL_MAX, "--lr not a usable rate",
                python_float(o.learning_rate));
        require(!o.data_dir.empty() && !o.out_dir.empty(), "an empty folder name", "--data or --out");
    } catch (const HelpRequested& h) {
        require(h.usage == kUsage, "--help gave something else than the usage", h.usage);
    } catch (const UserError& e) {
        require(e.exit_code == 2, "a command-line error with an exit code other than 2", e.what());
        require(one_short_line(e.what()), "a message that is not one short line", e.what());
        require(about_a_flag(e.what()), "a message that names no flag", e.what());
    }
    check_deep_mlp(args);
    return 0;
}
