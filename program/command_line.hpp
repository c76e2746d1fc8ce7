// program/command_line.hpp: the flags of ./mlp and ./deep_mlp, and the one-line errors a run ends with.
//
// A program lists its flags once (name, where the value goes, its range), and parse() reads
// `--flag VALUE` and `--flag=VALUE`, answers --help, and turns every bad value into one line that
// names the flag and says what it needs. run_program() wraps main(): whatever goes wrong ends as
// one line on stderr and an exit code (2 for a bad command line, 1 for everything else), and
// output lost on the way to stdout (a full disk, a closed pipe) counts as going wrong.
// It knows nothing of training.
#pragma once

#include <cctype>
#include <cerrno>
#include <cfloat>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <iostream>
#include <limits>
#include <new>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <unistd.h>

#include "interruptions.hpp"
#include "large_pages.hpp"
#include "progress.hpp"

// Thrown for anything wrong with what the user gave (files, flags, a diverging rate): the message
// is printed as one line, and the program exits with exit_code.
struct UserError : std::runtime_error {
    int exit_code;
    UserError(const std::string& message, int code) : std::runtime_error(message), exit_code(code) {}
};

// The lab (`make lab`) is this project with every exercise's answer replaced by a call to
// exercise_stub(), which throws NotImplemented: the run stops with one line that names the
// exercise, what is to be written and where the guide explains it (`where`, which make_lab.sh takes
// from exercises/exercises.def).
struct NotImplemented : std::logic_error {
    std::string exercise, what;
    NotImplemented(const std::string& exercise_, const std::string& what_, const std::string& where)
        : std::logic_error("exercise (" + exercise_ + "), " + what_ + ": not written yet; " + where +
                           " explains it, and `make check EX=" + exercise_ + "` grades it"),
          exercise(exercise_), what(what_) {}
};
[[noreturn]] inline void exercise_stub(const char* exercise, const char* what, const char* where) {
    throw NotImplemented(exercise, what, where);
}

// Thrown by FlagParser::parse() for --help; run_program() prints the usage to stdout and exits 0.
// (An exception rather than exit(), so that parsing never ends the process behind its caller's
// back: the fuzzer in fuzz/fuzz_args.cpp feeds it --help too.)
struct HelpRequested : UserError {
    std::string usage;
    explicit HelpRequested(std::string text) : UserError("help requested", 0), usage(std::move(text)) {}
};

// `text` fit for a one-line message: control characters (a newline in an argument, say) written
// as \n or \xNN, and the middle of anything longer than `max_chars` replaced by "...", so that an
// error is one readable line that still shows how it ends (where the cause is).
inline std::string printable(const std::string& text, size_t max_chars = 200) {
    std::string out;
    for (const char ch : text) {
        const unsigned char c = static_cast<unsigned char>(ch);
        if (c == '\n') {
            out += "\\n";
        } else if (c < 0x20 || c == 0x7f) {
            const char* hex = "0123456789abcdef";
            out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
        } else {
            out += ch;
        }
    }
    if (out.size() > max_chars) out = out.substr(0, max_chars / 2) + "..." + out.substr(out.size() - max_chars / 2);
    return out;
}

class FlagParser {
public:
    FlagParser(std::string program, std::string usage) : program_(std::move(program)), usage_(std::move(usage)) {}

    // The message is made printable whatever the user typed into it: one line, of bounded length.
    [[noreturn]] void usage_error(const std::string& message) const {
        throw UserError(printable(message, 400) + " (see " + program_ + " --help)", 2);
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

    // Reads every flag; throws HelpRequested for --help, UserError (exit code 2) for a bad one.
    void parse(int argc, char** argv) const {
        for (int i = 1; i < argc; ++i) {
            std::string flag = argv[i], value;
            if (flag == "--help" || flag == "-h") throw HelpRequested(usage_);
            const size_t eq = flag.find('=');
            const bool inline_value = flag.rfind("--", 0) == 0 && eq != std::string::npos;
            if (inline_value) {
                value = flag.substr(eq + 1);
                flag = flag.substr(0, eq);
            }
            if (inline_value && flag == "--help") usage_error("--help takes no value, got '" + printable(argv[i]) + "'");
            const Flag* f = find(flag);
            if (!f) usage_error("unknown option '" + printable(flag) + "'");
            if (!inline_value) {
                if (i + 1 >= argc) usage_error(flag + " needs a value");
                value = argv[++i];
            }
            f->read(value);
        }
    }

    // Numbers are taken exactly as written, without spaces around them (strtod would skip leading
    // ones where from_chars refuses them; both kinds of flag refuse them alike).
    long long parse_integer(const std::string& flag, const std::string& text, long long lo, long long hi) const {
        long long value = 0;
        const char* end = text.data() + text.size();
        const auto res = std::from_chars(text.data(), end, value);
        const bool out_of_range = res.ec == std::errc::result_out_of_range && res.ptr == end;
        if (!out_of_range && (text.empty() || res.ec != std::errc() || res.ptr != end))
            usage_error(flag + " needs a whole number, got '" + printable(text) + "'" + space_note(text));
        if (out_of_range || value < lo || value > hi)
            usage_error(flag + " must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                        ", got " + printable(text));
        return value;
    }

    double parse_number(const std::string& flag, const std::string& text, double lo, bool lo_allowed,
                        double hi, bool hi_allowed) const {
        char* end = nullptr;
        errno = 0;
        const double value = std::strtod(text.c_str(), &end);
        const bool overflow = errno == ERANGE && std::fabs(value) > 1;
        // Below DBL_MIN a double loses precision (subnormal) or becomes 0: not a usable value.
        const bool underflow = (errno == ERANGE && !overflow) || (value != 0 && std::fabs(value) < DBL_MIN);
        if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) || end != text.c_str() + text.size())
            usage_error(flag + " needs a number, got '" + printable(text) + "'" + space_note(text));
        if (overflow)
            usage_error(flag + " is out of range: '" + printable(text) +
                        "' is too large for a double (the largest is 1.8e+308)");
        if (underflow)
            usage_error(flag + " is out of range: '" + printable(text) +
                        "' is too small to be usable (the smallest normal double is 2.2e-308)");
        const bool above = lo_allowed ? value >= lo : value > lo;
        const bool below = hi_allowed ? value <= hi : value < hi;
        if (!std::isfinite(value) || !above || !below)
            usage_error(flag + " must be " + range_text(lo, lo_allowed, hi, hi_allowed) + ", got '" +
                        printable(text) + "'");
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
    static std::string space_note(const std::string& text) {
        for (char c : text)
            if (std::isspace(static_cast<unsigned char>(c))) return " (no spaces allowed)";
        return "";
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

namespace cli_detail {

// std::cout's buffer under run_program(). It writes through C's stdout exactly as the standard
// one does (so printf and std::cout still interleave), but keeps errno of the first failed write:
// when stdout is a full disk or a closed pipe, the run can say why its output was lost.
class CheckedStdout : public std::streambuf {
public:
    CheckedStdout() : previous_(std::cout.rdbuf(this)) {}
    ~CheckedStdout() override { std::cout.rdbuf(previous_); }
    int error() const { return error_; }

protected:
    int_type overflow(int_type c) override {
        if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
        clear_progress_line_on_terminal();
        if (std::fputc(c, stdout) == EOF) return failed();
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        clear_progress_line_on_terminal();
        const size_t written = std::fwrite(s, 1, static_cast<size_t>(n), stdout);
        if (written < static_cast<size_t>(n)) failed();
        return static_cast<std::streamsize>(written);
    }
    int sync() override { return std::fflush(stdout) == 0 ? 0 : (failed(), -1); }

private:
    // A progress line on the terminal (program/progress.hpp) is erased before any output that goes
    // to a terminal too, or the output would be glued to its end.
    static void clear_progress_line_on_terminal() {
        if (progress_line_shown && ::isatty(STDOUT_FILENO) == 1) clear_progress_line();
    }
    int_type failed() {
        if (error_ == 0) error_ = errno != 0 ? errno : EIO;
        return traits_type::eof();
    }
    std::streambuf* previous_;
    int error_ = 0;
};

// Installed once, on first use, for the rest of the process (it unhooks itself at exit).
inline CheckedStdout& checked_stdout() {
    static CheckedStdout buffer;
    return buffer;
}

}  // namespace cli_detail

// What the run has already put safely on disk, once it has ("the trained network was saved to
// net.model"): whatever error ends the run after that, its line ends with this, so that the user
// knows what survived. Empty until then.
inline std::string& kept_safe() {
    static std::string what;
    return what;
}

// Throws a UserError (exit code 1) if anything written to stdout was lost. run_program() checks
// at the end anyway; a program calls this before its last words on stderr so that a lost stdout
// is the one line the run ends with.
inline void check_standard_output() {
    std::cout.flush();
    int error = cli_detail::checked_stdout().error();
    if (error == 0 && std::ferror(stdout)) error = EIO;  // lost by a direct printf
    if (error != 0)
        throw UserError(std::string("cannot write to standard output: ") + std::strerror(error) +
                            (error == EPIPE ? " (its reader closed it)" : ""),
                        1);
}

// What the program is doing, and what to try if memory runs out while it does it: the one line an
// out-of-memory error ends with names it ("out of memory while reading the data: ..."). A Stage
// holds for its scope; when an exception leaves the scope, it stays, for the message to name.
struct MemoryStage {
    std::string what = "starting", advice = "free some memory";
};
inline MemoryStage& memory_stage() {
    static MemoryStage stage;
    return stage;
}
// The least memory the whole run needs, in words ("1.2 GB"), once the program has worked it out
// (program/memory.hpp): an out-of-memory line says it.
inline std::string& memory_needed_in_all() {
    static std::string text;
    return text;
}
class Stage {
public:
    Stage(std::string what, std::string advice) : saved_(memory_stage()), in_flight_(std::uncaught_exceptions()) {
        memory_stage() = {std::move(what), std::move(advice)};
    }
    ~Stage() {
        if (std::uncaught_exceptions() == in_flight_) memory_stage() = saved_;
    }
    Stage(const Stage&) = delete;
    Stage& operator=(const Stage&) = delete;

private:
    MemoryStage saved_;
    int in_flight_;
};

// "1 byte", "2 bytes": a count and its noun, singular or plural.
inline std::string count_of(uint64_t n, const std::string& noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

// Training makes matrices of the same sizes every epoch (or batch). glibc hands large blocks back
// to the system when they are freed and asks for fresh ones the next time, and the system zeroes
// every page of them again: for the lesson, 6 MB matrices every epoch. Keeping freed memory in the
// process for reuse removes that work; it changes no number.
inline void keep_freed_memory() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
#endif
}

// Seconds since t0, for the timings a run reports on stderr.
inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// main()'s body for both programs: runs `run` and turns every error into one line on stderr, which
// starts a clean line (a progress line is erased first) and ends with what the run kept safe.
// SIGPIPE and SIGXFSZ are ignored, so that a closed pipe or a file-size limit (ulimit -f) turns into
// a failed write with an errno (EPIPE, EFBIG) to report, instead of a silent death that leaves
// temporary files behind; the output files are still written. Ctrl-C, kill and a closed terminal
// while the run writes its files wait for them to be whole (program/interruptions.hpp).
template <class Run>
int run_program(const char* program, Run run) {
    keep_freed_memory();
    std::signal(SIGPIPE, SIG_IGN);
    std::signal(SIGXFSZ, SIG_IGN);
    handle_interruptions(program);
    cli_detail::checked_stdout();
    auto report = [&](const std::string& message, int code) {
        clear_progress_line();
        const std::string& kept = kept_safe();
        std::cerr << program << ": " << printable(message, 500) << (kept.empty() ? "" : "; " + printable(kept, 500)) << "\n";
        return code;
    };
    try {
        const int code = run();
        check_standard_output();
        return code;
    } catch (const HelpRequested& h) {
        std::cout << h.usage;
        try {
            check_standard_output();
        } catch (const UserError& e) {
            return report(e.what(), e.exit_code);
        }
        return 0;
    } catch (const UserError& e) {
        return report(e.what(), e.exit_code);
    } catch (const std::bad_alloc&) {
        const MemoryStage& stage = memory_stage();
        const std::string& needed = memory_needed_in_all();
        return report("out of memory while " + stage.what + (needed.empty() ? "" : " (this run needs at least " + needed + ")") +
                          "; " + stage.advice + " (the limit: ulimit -v)", 1);
    } catch (const std::exception& e) {
        return report(e.what(), 1);
    }
}
