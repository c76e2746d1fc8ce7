// program/output_files.hpp: what ./mlp and ./deep_mlp write besides their numbers, and how.
//
//  - python_float(): a double as Python prints it, so that the printed losses read like the notes'.
//  - losses_csv(), loss_plot_svg(): the loss history as a table and as the notes' plot.
//  - prepare_output_folder(), write_files_atomically(): a set of output files written whole or not
//    at all, never through a symbolic link, safe with several runs writing into one folder and
//    with Ctrl-C; write_new_file(): a file under a name no other file has (--save's fallback).
// It knows nothing of training: it formats numbers and writes files.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iomanip>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../idx_reader.hpp"
#include "command_line.hpp"
#include "interruptions.hpp"

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

namespace output_detail {

// The longest file name the folder of `path` takes (255 almost everywhere).
inline size_t name_max(const std::string& folder) {
    const long n = ::pathconf(folder.c_str(), _PC_NAME_MAX);
    return n > 0 ? static_cast<size_t>(n) : 255;
}

// ".PID.RANDOM.tmp": at most 29 bytes.
constexpr size_t kTemporarySuffix = 1 + 10 + 1 + 16 + 4;

}  // namespace output_detail

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
    else if (dir.size() + 1 + std::strlen("report.html") + output_detail::kTemporarySuffix >= PATH_MAX)
        why = "its path is " + std::to_string(dir.size()) + " bytes long, too long for the files in it";
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
// A long file name is shortened first, so that the temporary's name is never longer than the
// longest the folder takes: a name that fits is written whatever its length.
inline std::string unique_name(const std::string& path) {
    static std::atomic<uint64_t> counter{0};
    uint64_t x = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
                 (counter.fetch_add(1) << 40) ^ reinterpret_cast<uintptr_t>(&counter);
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;  // splitmix64's mixer: nearby inputs, unrelated outputs
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    x ^= x >> 31;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(x));
    const std::string suffix = "." + std::to_string(::getpid()) + "." + hex + ".tmp";
    const size_t slash = path.rfind('/');
    const std::string folder = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    const size_t name_at = slash == std::string::npos ? 0 : slash + 1;
    const size_t longest = name_max(folder) > suffix.size() ? name_max(folder) - suffix.size() : 1;
    return path.substr(0, name_at + std::min(path.size() - name_at, longest)) + suffix;
}

// A new file beside `path`, open for writing. O_CREAT | O_EXCL never opens an existing file, nor
// follows a symbolic link planted under the name (O_NOFOLLOW says so twice): nothing but our own
// new file can be written. Its name is registered, before the file exists, for the handler of
// Ctrl-C to remove (program/interruptions.hpp). Returns the descriptor, or -1 with errno set.
inline int create_temporary(const std::string& path, std::string& temporary, std::unique_ptr<TemporaryName>& registered) {
    for (int attempt = 0; attempt < 100; ++attempt) {
        temporary = unique_name(path);
        registered = std::make_unique<TemporaryName>(temporary);
        const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd >= 0) return fd;
        const int error = errno;
        registered.reset();
        errno = error;
        if (error != EEXIST) return -1;
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
    std::unique_ptr<TemporaryName> registered;
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
    void remove_backups() {
        for (Staged& s : files)
            if (!s.backup.empty()) ::unlink(s.backup.c_str()), s.backup.clear();
    }
    ~StagedSet() {
        for (const Staged& s : files)
            if (!s.renamed) ::unlink(s.temporary.c_str());
        remove_backups();
    }
};

// Writes one staged file: its temporary, created and filled; false with errno set on failure.
inline bool stage(StagedSet& set, const std::string& path, const std::string& text) {
    Staged s;
    s.path = path;
    const int fd = create_temporary(s.path, s.temporary, s.registered);
    if (fd < 0) return false;
    set.files.push_back(std::move(s));
    const bool written = write_all(fd, text);
    const int error = errno;
    if (::close(fd) != 0 && written) return false;
    errno = error;
    return written;
}

// How long a run waits for another one to finish putting its files into the same folder (which
// takes milliseconds) before it gives up: only a run stopped in that instant holds it longer.
constexpr int kLockSeconds = 60;

// One run at a time puts its files into a folder: an exclusive flock() on the folder itself (no
// lock file to leave behind), held while the finished files are renamed into place, so that two
// runs writing into one --out each put their whole set in place, one after the other. Where the
// file system has no such locks (some network ones), none is held.
class FolderLock {
public:
    FolderLock(const std::string& dir, const std::string& flag) {
        fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd_ < 0) return;
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(kLockSeconds);
        while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK && errno != EINTR) {  // no locks on this file system
                ::close(fd_), fd_ = -1;
                return;
            }
            if (std::chrono::steady_clock::now() > give_up)
                throw OutputError(dir + ": another run has been putting its files there for " + std::to_string(kLockSeconds) +
                                  " s (is it stopped?); the files in " + dir + " are unchanged; try again, or choose another " + flag);
            ::usleep(10000);
        }
    }
    ~FolderLock() {
        if (fd_ >= 0) ::close(fd_);  // which releases the lock
    }
    FolderLock(const FolderLock&) = delete;
    FolderLock& operator=(const FolderLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace output_detail

// Writes every file into `dir`, all or nothing: each is written whole under a temporary name of
// its own (two runs into one folder never share one), and only when all are complete are they
// renamed into place, by one run at a time (FolderLock) and with Ctrl-C held off for that instant
// (program/interruptions.hpp). If a rename fails, the ones before it are undone. So the folder
// holds the whole old set or the whole new set, never a half-written file, a temporary or a mix,
// whatever fails, whichever signal comes and however many runs write there at once. (Only SIGKILL
// or a crash in the instant of the renames could leave a mix.) `flag` (--out, --save) is the one a
// message advises changing.
inline void write_files_atomically(const std::string& dir, const std::vector<OutputFile>& files,
                                   const std::string& flag = "--out") {
    using namespace output_detail;
    FinishFiles writing;  // a first Ctrl-C waits for the files; its destructor stops the run then
    StagedSet set;        // destroyed before `writing`: no temporary outlives the write
    auto fail = [&](const std::string& path, int error, bool unchanged = true) {
        throw OutputError(path + ": cannot write: " + write_error_text(error, flag) +
                          (unchanged ? "; the files in " + dir + " are unchanged" : ""));
    };
    for (const OutputFile& f : files)
        if (!stage(set, dir + "/" + f.name, f.text)) fail(dir + "/" + f.name, errno);
    FolderLock one_run_at_a_time(dir, flag);
    Renaming renaming;
    for (Staged& s : set.files) keep_old(s);
    for (size_t i = 0; i < set.files.size(); ++i) {
        if (::rename(set.files[i].temporary.c_str(), set.files[i].path.c_str()) != 0) {
            const int error = errno;
            fail(set.files[i].path, error, put_back(set.files, i));
        }
        set.files[i].renamed = true;
    }
    set.remove_backups();
}

// Writes `text` into a new file in `folder`, named stem + extension, or stem-2 + extension,
// stem-3 + extension ... when that name is taken: never over another file, not even one an
// earlier run left there. The file appears whole (written under a temporary name, then linked
// under the new one, which fails rather than replace). Returns its path.
inline std::string write_new_file(const std::string& folder, const std::string& stem, const std::string& extension,
                                  const std::string& text, const std::string& flag) {
    using namespace output_detail;
    FinishFiles writing;
    StagedSet set;  // removes the temporary, once linked or not
    const std::string first = folder + "/" + stem + extension;
    if (!stage(set, first, text)) throw OutputError(first + ": cannot write: " + write_error_text(errno, flag));
    for (int n = 1; n <= 1000; ++n) {
        const std::string path = n == 1 ? first : folder + "/" + stem + "-" + std::to_string(n) + extension;
        if (::link(set.files[0].temporary.c_str(), path.c_str()) == 0) return path;
        if (errno != EEXIST) throw OutputError(path + ": cannot write: " + write_error_text(errno, flag));
    }
    throw OutputError(first + ": cannot write: 1000 files of that name are there already");
}

// Why a file could not be written at `path`, or "" when nothing stands in the way: checked before
// a long run, not after it. Only a regular file (`what`: "a model file") is ever replaced: a folder,
// a FIFO, a device or a symbolic link under the name is refused, as the readers refuse them. The
// name must fit the file system (NAME_MAX, PATH_MAX), with the temporary beside it.
inline std::string output_file_problem(const std::string& path, const std::string& what) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty() || path.back() == '/' || fs::is_directory(path, ec)) return "is a folder; give a file name";
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            const fs::path target = fs::read_symlink(path, ec);
            return "is a symbolic link" + (ec ? std::string() : " (to " + target.string() + ")") +
                   ", which would be replaced by a file; give the name of the file itself";
        }
        if (!S_ISREG(st.st_mode)) return idx_detail::kind_of(st.st_mode) + ", not " + what + "; choose another file name";
    }
    const fs::path folder = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    if (!fs::exists(folder, ec)) return "the folder " + folder.string() + " does not exist";
    if (!fs::is_directory(folder, ec)) return folder.string() + " is not a folder";
    if (::access(folder.c_str(), W_OK | X_OK) != 0) return "cannot write in " + folder.string() + " (" + std::strerror(errno) + ")";
    const size_t name = fs::path(path).filename().string().size(), longest = output_detail::name_max(folder.string());
    if (name > longest)
        return "its name is " + std::to_string(name) + " bytes long; the file system takes at most " + std::to_string(longest);
    const size_t temporary = std::min(name + output_detail::kTemporarySuffix, longest);
    if (folder.string().size() + 1 + temporary >= PATH_MAX)
        return "its path is " + std::to_string(path.size()) + " bytes long, too long for the system (PATH_MAX " +
               std::to_string(PATH_MAX) + ") with the temporary file beside it";
    return "";
}

// The loss history as out/loss.csv and out/loss.svg, with `also` (report.html) in the same
// all-or-nothing set.
inline void write_loss_history(const std::string& out_dir, const std::vector<double>& losses,
                               std::vector<OutputFile> also = {}) {
    also.insert(also.begin(), {{"loss.csv", losses_csv(losses)}, {"loss.svg", loss_plot_svg(losses)}});
    write_files_atomically(out_dir, also);
}
