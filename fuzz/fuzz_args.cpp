// fuzz/fuzz_args.cpp: libFuzzer target for command_line.hpp's FlagParser with ./mlp's own flag
// table (mlp.cpp's parse_args()), `make fuzz`.
//
// The input, split at each zero byte, is the argument list after ./mlp (at most 32 arguments).
// Whatever they are, parse_args() must return options inside the ranges its flags declare, or
// throw HelpRequested, or a UserError with exit code 2 whose message is one line of bounded length
// (no control characters) about a flag. A crash, a sanitizer report, a hang, an exit or any other
// exception is a bug.
#define MLP_NO_MAIN
#include "../mlp.cpp"

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

bool about_a_flag(const std::string& message) {
    return message.rfind("--", 0) == 0 || message.rfind("unknown option '", 0) == 0;
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
        require(o.epochs >= 1 && o.epochs <= 1000000, "--epochs out of range", std::to_string(o.epochs));
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
    return 0;
}
