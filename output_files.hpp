// output_files.hpp: what ./mlp and ./deep_mlp write besides their numbers, and how.
//
//  - python_float(): a double as Python prints it, so that the printed losses read like the notes'.
//  - losses_csv(), loss_plot_svg(): the loss history as a table and as the notes' plot.
//  - write_files_atomically(): a set of output files written whole or not at all.
// It knows nothing of training: it formats numbers and writes files.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

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
    const int digits = std::clamp(static_cast<int>(std::ceil(std::log10(magnitude / step))) + 2, 6, 17);
    std::ostringstream s;
    s << std::defaultfloat << std::setprecision(digits) << (std::fabs(v) < step * 1e-6 ? 0.0 : v);
    return s.str();
}

// An axis from lo to hi, both multiples of step, with ticks lo, lo + step, ..., hi: at most
// kMaxTicks of them, counted, never accumulated (adding a step far below an ulp of lo would
// never reach hi). Equal or nearly equal values get a span of their own size.
struct Axis {
    double lo = 0, hi = 1, step = 1;
    int ticks = 2;
};
constexpr int kMaxTicks = 12;

inline Axis nice_axis(double lo, double hi, int target) {
    if (!std::isfinite(lo) || !std::isfinite(hi)) lo = 0, hi = 1;
    double span = hi - lo;
    const double least_span = std::max(std::fabs(hi), std::fabs(lo)) * 1e-9;
    if (!(span > least_span)) {  // flat: widen around the value
        const double half = std::max(least_span, 1e-12) * 0.5;
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
inline std::string loss_plot_svg(const std::vector<double>& losses) {
    using namespace plot_detail;
    const double width = 1000, height = 300, left = 70, right = 20, top = 40, bottom = 50;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    double lo = 0.0, hi = 1.0;
    for (size_t e = 0; e < losses.size(); ++e)
        if (std::isfinite(losses[e])) {
            lo = e ? std::min(lo, losses[e]) : losses[e];
            hi = e ? std::max(hi, losses[e]) : losses[e];
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
        s << (first ? "" : " ") << px(static_cast<double>(e)) << "," << py(losses[e]);
        first = false;
    }
    s << "\"/>\n</svg>\n";
    return s.str();
}

// An output file's name (inside the output folder) and its whole contents.
struct OutputFile {
    std::string name, text;
};

// Thrown when an output cannot be written; the message names the file and the cause (exit 1).
struct OutputError : UserError {
    explicit OutputError(const std::string& message) : UserError(message, 1) {}
};

// Creates the output folder (and its parents) if needed.
inline void prepare_output_folder(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir, ec))
        throw UserError("--out " + dir + ": cannot create or write that folder (" +
                            (ec ? ec.message() : std::string("a file is in the way")) + ")", 2);
}

// Writes every file into `dir` whole or not at all: each to a temporary file beside it, and only
// when all are complete are they renamed into place, so the folder never holds a half-written file.
inline void write_files_atomically(const std::string& dir, const std::vector<OutputFile>& files) {
    std::vector<std::pair<std::string, std::string>> written;  // (temporary, final)
    auto discard = [&] {
        std::error_code ignored;
        for (const auto& w : written) std::filesystem::remove(w.first, ignored);
    };
    for (const OutputFile& f : files) {
        const std::string path = dir + "/" + f.name, tmp = path + ".tmp";
        written.emplace_back(tmp, path);
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << f.text;
        out.flush();
        if (!out) {
            discard();
            throw OutputError(path + ": cannot write; check that --out names a writable folder");
        }
    }
    for (const auto& w : written) {
        std::error_code ec;
        std::filesystem::rename(w.first, w.second, ec);
        if (ec) {
            const std::string why = ec.message();
            discard();
            throw OutputError(w.second + ": cannot write (" + why + ")");
        }
    }
}
