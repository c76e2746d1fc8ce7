// program/output_files.hpp: what ./mlp and ./deep_mlp write besides their numbers, and how.
//
//  - python_float(): a double as Python prints it, so that the printed losses read like the notes'.
//  - losses_csv(), loss_plot_svg(): the loss history as a table and as the notes' plot.
//  - prepare_output_folder(), write_files_atomically(): a set of output files written whole or not
//    at all, never through a symbolic link, safe with several runs writing into one folder.
// It knows nothing of training: it formats numbers and writes files.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "command_line.hpp"

// Python prints a float with the fewest digits that read back to the same double (repr), in
// fixed notation when the decimal exponent is in [-5, 16), else as 1.5e-05. std::to_chars gives
// the same shortest digits; this lays them out Python's way.
inline std::string python_float(double x) {
    if (std::isnan(x)) return "nan";
    if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
    const std::string sci(buf, res.ptr);  // e.g. "-7.924556535767249e-01"
    const size_t e_pos = sci.find('e');
    const bool negative = sci[0] == '-';
    std::string digits;
    for (size_t i = negative ? 1 : 0; i < e_pos; ++i)
        if (sci[i] != '.') digits += sci[i];
    const int exponent = std::stoi(sci.substr(e_pos + 1));
    const int point = exponent + 1;  // digits before the decimal point
    std::string out = negative ? "-" : "";
    if (point > -4 && point <= 16) {
        if (point <= 0) {
            out += "0." + std::string(size_t(-point), '0') + digits;
        } else if (size_t(point) >= digits.size()) {
            out += digits + std::string(size_t(point) - digits.size(), '0') + ".0";
        } else {
            out += digits.substr(0, size_t(point)) + "." + digits.substr(size_t(point));
        }
    } else {
        out += digits.substr(0, 1);
        if (digits.size() > 1) out += "." + digits.substr(1);
        const int e = std::abs(exponent);
        out += std::string(exponent < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + std::to_string(e);
    }
    return out;
}

inline std::string losses_csv(const std::vector<double>& losses) {
    std::string csv = "epoch,loss\n";
    for (size_t e = 0; e < losses.size(); ++e) csv += std::to_string(e) + "," + python_float(losses[e]) + "\n";
    return csv;
}

namespace plot_detail {

// A "nice" tick spacing (1, 2 or 5 times a power of ten) giving about `target` ticks over `span`.
inline double nice_tick_step(double span, int target) {
    if (!(span > 0) || !std::isfinite(span)) return 1.0;
    const double raw = span / target;
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double fraction = raw / power;
    return power * (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10);
}

// A tick's value with enough digits to tell it from its neighbours `step` away (6 at least).
inline std::string tick_label(double v, double step) {
    const double magnitude = std::max(std::fabs(v), step);
    const double wanted = std::ceil(std::log10(magnitude / step)) + 2;  // clamped before the cast
    const int digits = std::isfinite(wanted) ? static_cast<int>(std::clamp(wanted, 6.0, 17.0)) : 17;
    std::ostringstream s;
    s << std::defaultfloat << std::setprecision(digits) << (std::fabs(v) < step * 1e-6 ? 0.0 : v);
    return s.str();
}

// An axis from lo to hi, both multiples of step, with ticks lo, lo + step, ..., hi: at most
// kMaxTicks of them, counted, never accumulated (adding a step far below an ulp of lo would
// never reach hi). Equal or nearly equal values get an axis 10% of their size wide, and a span below
// 1e-300 counts as none, so that span / target never underflows to a zero step.
struct Axis {
    double lo = 0, hi = 1, step = 1;
    int ticks = 2;
};
constexpr int kMaxTicks = 12;

inline Axis nice_axis(double lo, double hi, int target) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
    double span = hi - lo;
    const double least_span = std::max(std::max(std::fabs(hi), std::fabs(lo)) * 1e-9, 1e-300);
    if (!(span > least_span)) {  // flat: widen around the value
        const double size = std::max(std::fabs(hi), std::fabs(lo));  // +-5%: short, readable labels
        const double half = size > 1e-300 ? 0.05 * size : 0.5;
        lo -= half, hi += half, span = hi - lo;
    }
    Axis a;
    a.step = nice_tick_step(span, target);
    a.lo = std::floor(lo / a.step) * a.step;
    a.hi = std::ceil(hi / a.step) * a.step;
    if (!(a.hi > a.lo)) a.hi = a.lo + a.step;
    a.ticks = static_cast<int>(std::min<double>(kMaxTicks, std::round((a.hi - a.lo) / a.step) + 1));
    return a;
}

}  // namespace plot_detail

// plt.figure(figsize=(10,3)); plt.plot(epochs, losses); plt.title(...): the same picture as a
// hand-written SVG, 1000 x 300 pixels, that any browser opens.
// Non-finite losses are left out; the rest are drawn clamped to +-1e300, so that no span, tick
// or coordinate computed from them can overflow.
inline std::string loss_plot_svg(const std::vector<double>& losses) {
    using namespace plot_detail;
    const double width = 1000, height = 300, left = 70, right = 20, top = 40, bottom = 50;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    auto drawn = [](double loss) { return std::clamp(loss, -1e300, 1e300); };
    double lo = 0.0, hi = 1.0;
    bool any = false;
    for (const double loss : losses)
        if (std::isfinite(loss)) {
            lo = any ? std::min(lo, drawn(loss)) : drawn(loss);
            hi = any ? std::max(hi, drawn(loss)) : drawn(loss);
            any = true;
        }
    const Axis ya = nice_axis(lo, hi, 5);
    const double x_max = losses.size() > 1 ? static_cast<double>(losses.size() - 1) : 1.0;
    const Axis xa = nice_axis(0.0, x_max, 10);
    const double x_step = std::max(1.0, xa.step);
    const int x_ticks = std::min(kMaxTicks, static_cast<int>(std::floor(x_max / x_step)) + 1);
    auto px = [&](double x) { return left + plot_w * x / x_max; };
    auto py = [&](double y) { return top + plot_h * (1.0 - (y - ya.lo) / (ya.hi - ya.lo)); };

    std::ostringstream s;
    s << std::fixed << std::setprecision(2);
    s << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" viewBox=\"0 0 " << width << " " << height << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">"
      << "Evolución de la pérdida durante entrenamiento</text>\n";
    for (int t = 0; t < ya.ticks; ++t) {
        const double y = ya.lo + t * ya.step;
        s << "<line x1=\"" << left - 5 << "\" y1=\"" << py(y) << "\" x2=\"" << left + plot_w << "\" y2=\""
          << py(y) << "\" stroke=\"#dddddd\"/>\n"
          << "<text x=\"" << left - 8 << "\" y=\"" << py(y) + 4 << "\" text-anchor=\"end\">"
          << tick_label(y, ya.step) << "</text>\n";
    }
    for (int t = 0; t < x_ticks; ++t) {
        const double x = t * x_step;
        s << "<line x1=\"" << px(x) << "\" y1=\"" << top + plot_h << "\" x2=\"" << px(x) << "\" y2=\""
          << top + plot_h + 5 << "\" stroke=\"black\"/>\n"
          << "<text x=\"" << px(x) << "\" y=\"" << top + plot_h + 19 << "\" text-anchor=\"middle\">"
          << tick_label(x, x_step) << "</text>\n";
    }
    s << "<polyline fill=\"none\" stroke=\"black\" points=\"" << left << "," << top << " " << left << ","
      << top + plot_h << " " << left + plot_w << "," << top + plot_h << "\"/>\n"
      << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 8 << "\" text-anchor=\"middle\">Epoch</text>\n"
      << "<text x=\"16\" y=\"" << top + plot_h / 2 << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
      << top + plot_h / 2 << ")\">Loss</text>\n"
      << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"";
    bool first = true;
    for (size_t e = 0; e < losses.size(); ++e) {
        if (!std::isfinite(losses[e])) continue;
        s << (first ? "" : " ") << px(static_cast<double>(e)) << "," << py(drawn(losses[e]));
        first = false;
    }
    s << "\"/>\n</svg>\n";
    return s.str();
}

// CRC-32, the checksum of zlib, PNG and this project's model files, of `size` bytes (continuing
// from `crc` when given).
inline uint32_t crc32(const uint8_t* data, size_t size, uint32_t crc = 0) {
    static const std::vector<uint32_t> table = [] {
        std::vector<uint32_t> t(256);
        for (uint32_t n = 0; n < 256; ++n) {
            uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    crc = ~crc;
    for (size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    return ~crc;
}

// An output file's name (inside the output folder) and its whole contents.
struct OutputFile {
    std::string name, text;
};

// Thrown when an output cannot be written; the message names the file and the cause (exit 1).
struct OutputError : UserError {
    explicit OutputError(const std::string& message) : UserError(message, 1) {}
};

// Creates the output folder (and its parents) if needed, and checks that files can be made in it,
// so that a long training does not end in a folder it cannot write. (access() asks the system;
// no probe file is created, so nothing of the user's can be overwritten.)
inline void prepare_output_folder(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::string why;
    if (ec)
        why = ec.message();
    else if (!std::filesystem::is_directory(dir, ec))
        why = "a file is in the way";
    else if (::access(dir.c_str(), W_OK | X_OK) != 0)
        why = std::strerror(errno);
    if (!why.empty()) throw UserError("--out " + dir + ": cannot create or write that folder (" + why + ")", 2);
}

namespace output_detail {

// errno's text and, for the usual causes, what to do; `flag` is the one that chose the place.
inline std::string write_error_text(int error, const std::string& flag) {
    std::string text = std::strerror(error);
    if (error == ENOSPC || error == EDQUOT) return text + " (free some space, or choose another " + flag + ")";
    if (error == EFBIG) return text + " (over the file-size limit, ulimit -f)";
    if (error == EACCES || error == EPERM || error == EROFS) return text + " (choose a writable " + flag + ")";
    return text;
}

// A name beside `path` that no other run uses: path.PID.RANDOM.tmp. The random part makes a clash
// unlikely (two machines writing into one network folder share PIDs); O_EXCL makes one harmless.
inline std::string unique_name(const std::string& path) {
    static std::atomic<uint64_t> counter{0};
    uint64_t x = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                 (counter.fetch_add(1) << 40) ^ reinterpret_cast<uintptr_t>(&counter);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;  // splitmix64's mixer: nearby inputs, unrelated outputs
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(x));
    return path + "." + std::to_string(::getpid()) + "." + hex + ".tmp";
}

// A new file beside `path`, open for writing. O_CREAT | O_EXCL never opens an existing file, nor
// follows a symbolic link planted under the name (O_NOFOLLOW says so twice): nothing but our own
// new file can be written. Returns the descriptor, or -1 with errno set.
inline int create_temporary(const std::string& path, std::string& temporary) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        temporary = unique_name(path);
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;  // errno is EEXIST
}

// Writes all of `text` and flushes it to the disk (so that after a crash the renamed file is
// whole); false with errno set when anything fails.
inline bool write_all(int fd, const std::string& text) {
    for (size_t done = 0; done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return ::fsync(fd) == 0;
}

// One output on its way: written under `temporary`, then renamed to `path`. `backup` is a second
// name (a hard link) for the file `path` held before, kept until every rename has succeeded.
struct Staged {
    std::string path, temporary, backup;
    bool existed = false, renamed = false;
};

// Gives the file at s.path a second name, so that it can be put back; none when there is no file
// (s.existed stays false) or the file system has no hard links (then it cannot be).
inline void keep_old(Staged& s) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        const std::string backup = unique_name(s.path);
        // linkat without AT_SYMLINK_FOLLOW: a symbolic link at s.path is kept as the link itself.
        if (::linkat(AT_FDCWD, s.path.c_str(), AT_FDCWD, backup.c_str(), 0) == 0) {
            s.existed = true, s.backup = backup;
            return;
        }
        if (errno != EEXIST) break;
    }
    s.existed = errno != ENOENT;
}

// Undoes the renames of files[0 .. done): each old file back under its name, each new one removed
// where there was none. False if an old file could not be put back.
inline bool put_back(std::vector<Staged>& files, size_t done) {
    bool all = true;
    for (size_t i = 0; i < done; ++i) {
        Staged& s = files[i];
        if (!s.backup.empty() && ::rename(s.backup.c_str(), s.path.c_str()) == 0)
            s.backup.clear();
        else if (!s.existed)
            ::unlink(s.path.c_str());
        else
            all = false;
    }
    return all;
}

// The files of one write; whatever happens, no temporary or backup outlives it.
struct StagedSet {
    std::vector<Staged> files;
    ~StagedSet() {
        for (const Staged& s : files) {
            if (!s.renamed) ::unlink(s.temporary.c_str());
            if (!s.backup.empty()) ::unlink(s.backup.c_str());
        }
    }
};

}  // namespace output_detail

// Writes every file into `dir`, all or nothing: each is written whole under a temporary name of
// its own (two runs into one folder never share one), and only when all are complete are they
// renamed into place. If a rename fails, the ones before it are undone, so the folder holds the
// whole old set or the whole new set, never a half-written file or a mix. `flag` (--out, --save)
// is the one a message advises changing.
inline void write_files_atomically(const std::string& dir, const std::vector<OutputFile>& files,
                                   const std::string& flag = "--out") {
    using namespace output_detail;
    StagedSet set;
    auto fail = [&](const std::string& path, int error, bool unchanged = true) {
        throw OutputError(path + ": cannot write: " + write_error_text(error, flag) +
                          (unchanged ? "; the files in " + dir + " are unchanged" : ""));
    };
    for (const OutputFile& f : files) {
        Staged s;
        s.path = dir + "/" + f.name;
        const int fd = create_temporary(s.path, s.temporary);
        if (fd < 0) fail(s.path, errno);
        set.files.push_back(s);
        const bool written = write_all(fd, f.text);
        const int error = errno;
        if (::close(fd) != 0 && written) fail(s.path, errno);
        if (!written) fail(s.path, error);
    }
    for (Staged& s : set.files) keep_old(s);
    for (size_t i = 0; i < set.files.size(); ++i) {
        if (::rename(set.files[i].temporary.c_str(), set.files[i].path.c_str()) != 0) {
            const int error = errno;
            fail(set.files[i].path, error, put_back(set.files, i));
        }
        set.files[i].renamed = true;
    }
}

// Why a file could not be written at `path` (a folder is there, its folder is missing or not
// writable), or "" when nothing stands in the way: checked before a long run, not after it.
inline std::string output_file_problem(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty() || path.back() == '/' || fs::is_directory(path, ec)) return "is a folder; give a file name";
    const fs::path folder = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    if (!fs::exists(folder, ec)) return "the folder " + folder.string() + " does not exist";
    if (!fs::is_directory(folder, ec)) return folder.string() + " is not a folder";
    if (::access(folder.c_str(), W_OK | X_OK) != 0) return "cannot write in " + folder.string() + " (" + std::strerror(errno) + ")";
    return "";
}

// The loss history as out/loss.csv and out/loss.svg, with `also` (report.html) in the same
// all-or-nothing set.
inline void write_loss_history(const std::string& out_dir, const std::vector<double>& losses,
                               std::vector<OutputFile> also = {}) {
    also.insert(also.begin(), {{"loss.csv", losses_csv(losses)}, {"loss.svg", loss_plot_svg(losses)}});
    write_files_atomically(out_dir, also);
}
