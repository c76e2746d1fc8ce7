// command_line.hpp: the flags of ./mlp and ./deep_mlp, and the one-line errors a run ends with.
//
// A program lists its flags once (name, where the value goes, its range), and parse() reads
// `--flag VALUE` and `--flag=VALUE`, answers --help, and turns every bad value into one line that
// names the flag and says what it needs. run_program() wraps main(): whatever goes wrong ends as
// one line on stderr and an exit code (2 for a bad command line, 1 for everything else).
// It knows nothing of training.
#pragma once

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

// Thrown for anything wrong with what the user gave (files, flags, a diverging rate): the message
// is printed as one line, and the program exits with exit_code.
struct UserError : std::runtime_error {
    int exit_code;
    UserError(const std::string& message, int code) : std::runtime_error(message), exit_code(code) {}
};

class FlagParser {
public:
    FlagParser(std::string program, std::string usage) : program_(std::move(program)), usage_(std::move(usage)) {}

    [[noreturn]] void usage_error(const std::string& message) const {
        throw UserError(message + " (see " + program_ + " --help)", 2);
    }

    // --flag TEXT: any non-empty text.
    void add_text(const std::string& flag, std::string* target) {
        add(flag, [this, flag, target](const std::string& v) {
            if (v.empty()) usage_error(flag + " needs a value");
            *target = v;
        });
    }
    // --flag N: a whole number in [lo, hi].
    template <class Int>
    void add_integer(const std::string& flag, long long lo, long long hi, Int* target) {
        add(flag, [this, flag, lo, hi, target](const std::string& v) {
            *target = static_cast<Int>(parse_integer(flag, v, lo, hi));
        });
    }
    // --flag X: a finite number > lo (or >= lo when lo_allowed), and < hi (or <= hi when hi_allowed).
    void add_number(const std::string& flag, double lo, bool lo_allowed, double hi, bool hi_allowed,
                    double* target) {
        add(flag, [=](const std::string& v) { *target = parse_number(flag, v, lo, lo_allowed, hi, hi_allowed); });
    }
    // --flag VALUE: parsed by `read`, which may call usage_error().
    void add(const std::string& flag, std::function<void(const std::string&)> read) {
        flags_.push_back({flag, std::move(read)});
    }

    void parse(int argc, char** argv) const {
        for (int i = 1; i < argc; ++i) {
            std::string flag = argv[i], value;
            if (flag == "--help" || flag == "-h") {
                std::cout << usage_;
                std::cout.flush();
                std::exit(std::cout ? 0 : 1);
            }
            const size_t eq = flag.find('=');
            const bool inline_value = flag.rfind("--", 0) == 0 && eq != std::string::npos;
            if (inline_value) {
                value = flag.substr(eq + 1);
                flag = flag.substr(0, eq);
            }
            const Flag* f = find(flag);
            if (!f) usage_error("unknown option '" + flag + "'");
            if (!inline_value) {
                if (i + 1 >= argc) usage_error(flag + " needs a value");
                value = argv[++i];
            }
            f->read(value);
        }
    }

    long long parse_integer(const std::string& flag, const std::string& text, long long lo, long long hi) const {
        long long value = 0;
        const char* end = text.data() + text.size();
        const auto res = std::from_chars(text.data(), end, value);
        if (text.empty() || res.ec != std::errc() || res.ptr != end)
            usage_error(flag + " needs a whole number, got '" + text + "'");
        if (value < lo || value > hi)
            usage_error(flag + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                        ", got " + text);
        return value;
    }

    double parse_number(const std::string& flag, const std::string& text, double lo, bool lo_allowed,
                        double hi, bool hi_allowed) const {
        char* end = nullptr;
        errno = 0;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE)
            usage_error(flag + " needs a number, got '" + text + "'");
        const bool above = lo_allowed ? value >= lo : value > lo;
        const bool below = hi_allowed ? value <= hi : value < hi;
        if (!std::isfinite(value) || !above || !below)
            usage_error(flag + " must be " + range_text(lo, lo_allowed, hi, hi_allowed) + ", got '" + text + "'");
        return value;
    }

private:
    struct Flag {
        std::string name;
        std::function<void(const std::string&)> read;
    };
    const Flag* find(const std::string& name) const {
        for (const Flag& f : flags_)
            if (f.name == name) return &f;
        return nullptr;
    }
    static std::string number_text(double x) {
        std::ostringstream s;
        s << x;
        return s.str();
    }
    static std::string range_text(double lo, bool lo_allowed, double hi, bool hi_allowed) {
        if (lo == 0 && !lo_allowed && std::isinf(hi)) return "a positive number";
        if (lo == 0 && lo_allowed && std::isinf(hi)) return "a number >= 0";
        return "a number in " + std::string(lo_allowed ? "[" : "(") + number_text(lo) + ", " +
               number_text(hi) + (hi_allowed ? "]" : ")");
    }

    std::string program_, usage_;
    std::vector<Flag> flags_;
};

// main()'s body for both programs: runs `run` and turns every error into one line on stderr.
template <class Run>
int run_program(const char* program, Run run) {
    try {
        return run();
    } catch (const UserError& e) {
        std::cerr << program << ": " << e.what() << "\n";
        return e.exit_code;
    } catch (const std::bad_alloc&) {
        std::cerr << program << ": out of memory; try a smaller network (--hidden)\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << program << ": " << e.what() << "\n";
        return 1;
    }
}
