// program/report_html.hpp: out/report.html, one self-contained page about a run of ./mlp or ./deep_mlp.
//
// The page holds, with nothing fetched from anywhere (inline SVG and CSS, images as data: URIs,
// and a Content-Security-Policy that forbids every request):
//   - the run: its command line, every setting, the shapes, the final loss, the test accuracy, times;
//   - the loss curve (program/output_files.hpp's loss_plot_svg(), the notes' plot);
//   - the first hidden layer's weights: unit j's 784 incoming weights W_1[:, j] as a 28x28 image,
//     every unit, on one diverging colour scale centred at 0 (blue < 0 < red), with its legend;
//   - the test images the network got wrong (the first 48), each with its label and output;
//   - the confusion matrix (id="confusion") with each class's accuracy;
//   - "draw a digit": a canvas for mouse or finger; the drawing is prepared as MNIST's digits were
//     (its bounding box scaled into 20x20, aspect kept, anti-aliased by area averaging, then moved
//     so that its centre of mass is the centre of the 28x28 field), the 28x28 input is shown, and
//     a JavaScript forward pass over the trained weights (embedded in the page, exactly: base64 of
//     little-endian float64) gives the network's output as you draw;
//   - two self-checks, run on load: id="self-check" reads "ok N/N" when the JavaScript forward pass
//     gives, within 1e-6, the outputs the C++ program computed for N embedded test images (some of
//     them mistakes); id="draw-check" reads "ok N/N" when a stroke dispatched as pointer events (a
//     "1") and test digits painted onto the canvas scaled and shifted, all read back through the
//     same preprocessing, get the class expected. tests/test_report.sh opens the page in Chromium.
//
// It knows HTML, SVG, PNG and JavaScript, not training: report_html() takes a plain description of
// the network (its layers: W, b, activation name; the output kind), the run's facts and the test
// set with the outputs the program computed. At the end, two small adapters: lesson_network() and
// lesson_run() for mlp.cpp's Params and Options, network_description() for deep_mlp's Network.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "../matrix.hpp"
#include "explain.hpp"
#include "output_files.hpp"
#include "report/assets.hpp"

// One layer: z = y_in W + b, then the activation. W is (inputs, outputs), b is (1, outputs).
// activation: its name ("relu"; for the output layer "sigmoid", one output, the probability of
// class 1, or "softmax", one output per class), and `javascript`, the rule itself for the page's
// forward pass: a JavaScript function from the layer's z (a Float64Array) to its y. A hidden layer
// also has `derivative`, its phi' for the page's backward pass: a JavaScript expression in z and
// y = phi(z) (the output layer needs none: with its loss, its delta is y_K - y).
struct ReportLayer {
    Matrix W, b;
    std::string activation, javascript, derivative;
};

struct ReportNetwork {
    std::vector<ReportLayer> layers;  // the last one is the output layer
    int classes = 2;
};

// What the run was and did.
struct ReportRun {
    std::string program;                                        // "./mlp"
    std::vector<std::string> arguments;                         // the flags as given
    std::vector<std::pair<std::string, std::string>> settings;  // every setting, defaults included
    std::vector<std::string> shapes;                            // the shape lines it printed
    std::vector<double> losses;                                 // each epoch's loss
    std::vector<std::pair<std::string, double>> seconds;        // ("load", 0.2), ("train", 0.4), ...
};

// The test set and what the C++ forward pass gave for it.
struct ReportTestSet {
    const SparseMatrix* images = nullptr;  // (n, rows * cols): pixels / 255
    size_t rows = 28, cols = 28;
    std::vector<int> labels;               // n labels
    Matrix outputs;                        // (n, outputs): y_L for each test image
};

namespace report_detail {

constexpr size_t kMistakesShown = 48;   // test images shown in "the network got them wrong"
constexpr size_t kCheckSamples = 32;    // test images the page's self-check recomputes
constexpr size_t kCheckMistakes = 8;    // of them, at most this many mistakes
constexpr double kCheckTolerance = 1e-6;
// The drawing check: the painted digits read back, their mean cosine similarity to the originals.
// A working page gave 0.85 to 0.9 (single digits down to 0.72); a pad that left out the centring,
// scaled to 28 or 14 pixels, or swapped rows and columns, 0.4 to 0.6.
constexpr double kDrawTolerance = 0.75;

// ---------------------------------------------------------------------------------------------
// Text

inline std::string escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// An argument as a shell would need it typed: quoted when it holds anything but safe characters.
inline std::string shell_word(const std::string& arg) {
    const bool safe = !arg.empty() && arg.find_first_not_of(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,/:=+@%") == std::string::npos;
    if (safe) return arg;
    std::string out = "'";
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// English and Spanish side by side: the page shows the reader's language (page.html's CSS and the
// script's language switch), English where JavaScript is off.
inline std::string both(const std::string& en, const std::string& es) {
    return "<span class=\"en\">" + en + "</span><span class=\"es\">" + es + "</span>";
}

inline std::string fixed(double x, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return buf;
}

// ---------------------------------------------------------------------------------------------
// Bytes: base64, float64 little-endian, PNG

inline std::string base64(const uint8_t* data, size_t size) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((size + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= size; i += 3) {
        const uint32_t v = uint32_t(data[i]) << 16 | uint32_t(data[i + 1]) << 8 | data[i + 2];
        out += abc[v >> 18], out += abc[(v >> 12) & 63], out += abc[(v >> 6) & 63], out += abc[v & 63];
    }
    if (size - i == 1) {
        const uint32_t v = uint32_t(data[i]) << 16;
        out += abc[v >> 18], out += abc[(v >> 12) & 63], out += "==";
    } else if (size - i == 2) {
        const uint32_t v = uint32_t(data[i]) << 16 | uint32_t(data[i + 1]) << 8;
        out += abc[v >> 18], out += abc[(v >> 12) & 63], out += abc[(v >> 6) & 63], out += '=';
    }
    return out;
}

// Every double exactly: its 8 bytes, least significant first (what JavaScript's
// DataView.getFloat64(offset, true) reads), whatever this machine's byte order.
template <class Doubles>  // a std::vector of doubles, or a Matrix's data
std::string base64_doubles(const Doubles& values) {
    std::vector<uint8_t> bytes(values.size() * 8);
    for (size_t i = 0; i < values.size(); ++i) {
        uint64_t bits;
        std::memcpy(&bits, &values[i], 8);
        for (int b = 0; b < 8; ++b) bytes[8 * i + b] = static_cast<uint8_t>(bits >> (8 * b));
    }
    return base64(bytes.data(), bytes.size());
}

inline void put_u32_be(std::string& s, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xff);
}

// A PNG of width x height pixels, 1 (grey) or 3 (RGB) bytes each, row by row. Its image data is
// zlib's "stored" (uncompressed) deflate blocks: a few kilobytes for a 28x28 image, and no
// compressor to write.
inline std::string png(size_t width, size_t height, int channels, const std::vector<uint8_t>& pixels) {
    std::string raw;  // each row: filter byte 0 ("none"), then its pixels
    const size_t row_bytes = width * static_cast<size_t>(channels);
    for (size_t r = 0; r < height; ++r) {
        raw += '\0';
        raw.append(reinterpret_cast<const char*>(pixels.data() + r * row_bytes), row_bytes);
    }
    std::string z = "\x78\x01";  // zlib header: deflate, 32K window, no dictionary
    for (size_t at = 0; at < raw.size() || at == 0; at += 65535) {
        const size_t n = std::min<size_t>(65535, raw.size() - at);
        z += static_cast<char>(at + n >= raw.size() ? 1 : 0);  // BFINAL, BTYPE 00
        z += static_cast<char>(n & 0xff), z += static_cast<char>(n >> 8);
        z += static_cast<char>(~n & 0xff), z += static_cast<char>((~n >> 8) & 0xff);
        z.append(raw, at, n);
        if (raw.empty()) break;
    }
    uint32_t a = 1, b = 0;  // Adler-32 of the raw data
    for (unsigned char c : raw) a = (a + c) % 65521, b = (b + a) % 65521;
    put_u32_be(z, b << 16 | a);

    std::string out = "\x89PNG\r\n\x1a\n";
    auto chunk = [&](const char* type, const std::string& data) {
        put_u32_be(out, static_cast<uint32_t>(data.size()));
        const std::string body = type + data;
        out += body;
        put_u32_be(out, crc32(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
    };
    std::string ihdr;
    put_u32_be(ihdr, static_cast<uint32_t>(width));
    put_u32_be(ihdr, static_cast<uint32_t>(height));
    ihdr += '\x08';                                 // 8 bits per sample
    ihdr += static_cast<char>(channels == 3 ? 2 : 0);  // colour type: RGB or grey
    ihdr += std::string("\0\0\0", 3);               // deflate, adaptive filtering, no interlace
    chunk("IHDR", ihdr);
    chunk("IDAT", z);
    chunk("IEND", "");
    return out;
}

inline std::string png_data_uri(size_t width, size_t height, int channels, const std::vector<uint8_t>& pixels) {
    const std::string p = png(width, height, channels, pixels);
    return "data:image/png;base64," + base64(reinterpret_cast<const uint8_t*>(p.data()), p.size());
}

// ---------------------------------------------------------------------------------------------
// The diverging colour scale: ColorBrewer's RdBu, blue for negative, near-white at 0, red for
// positive; v in [-1, 1].
struct Rgb {
    double r, g, b;
};
inline const std::vector<Rgb>& diverging_stops() {
    static const std::vector<Rgb> stops = {
        {5, 48, 97},    {33, 102, 172}, {67, 147, 195}, {146, 197, 222}, {209, 229, 240}, {247, 247, 247},
        {253, 219, 199}, {244, 165, 130}, {214, 96, 77}, {178, 24, 43},   {103, 0, 31}};
    return stops;
}
inline Rgb diverging(double v) {
    const auto& s = diverging_stops();
    const double t = (std::clamp(v, -1.0, 1.0) + 1.0) / 2.0 * static_cast<double>(s.size() - 1);
    const size_t i = std::min(static_cast<size_t>(t), s.size() - 2);
    const double f = t - static_cast<double>(i);
    return {s[i].r + f * (s[i + 1].r - s[i].r), s[i].g + f * (s[i + 1].g - s[i].g), s[i].b + f * (s[i + 1].b - s[i].b)};
}
inline std::string css_rgb(const Rgb& c) {
    return "rgb(" + std::to_string(std::lround(c.r)) + "," + std::to_string(std::lround(c.g)) + "," +
           std::to_string(std::lround(c.b)) + ")";
}

// A test image's bytes back from pixels / 255.
inline std::vector<uint8_t> image_bytes(const SparseMatrix& images, size_t i) {
    std::vector<double> row(images.cols);
    images.dense_row(i, row.data());
    std::vector<uint8_t> bytes(images.cols);
    for (size_t k = 0; k < images.cols; ++k) bytes[k] = static_cast<uint8_t>(std::lround(std::clamp(row[k], 0.0, 1.0) * 255));
    return bytes;
}

// A digit as MNIST's readers see it on paper: dark ink (255) on white (0).
inline std::string digit_data_uri(const std::vector<uint8_t>& bytes, size_t rows, size_t cols) {
    std::vector<uint8_t> grey(bytes.size());
    for (size_t k = 0; k < bytes.size(); ++k) grey[k] = static_cast<uint8_t>(255 - bytes[k]);
    return png_data_uri(cols, rows, 1, grey);
}

// The predicted class from one row of outputs: the lesson's rule (y >= 0.5 means 1) for one
// sigmoid output, else the first index of the largest.
inline int predicted_class(const double* y, size_t outputs) {
    if (outputs == 1) return y[0] >= 0.5 ? 1 : 0;
    return static_cast<int>(std::max_element(y, y + outputs) - y);
}
// The probability the network gives class c.
inline double class_probability(const double* y, size_t outputs, int c) {
    if (outputs == 1) return c == 1 ? y[0] : 1.0 - y[0];
    return y[c];
}

// ---------------------------------------------------------------------------------------------
// The page's parts


// The page's files (program/report/): page.html, the frame of every page; report.html, a run's
// report; style.css; and script.js, the forward pass, the preprocessing, the drawing pad and the
// self-checks. The Makefile turns them into the string constants of assets.hpp, so that the
// programs stay single files with nothing to fetch.
inline std::string asset(const char* text) { return text[0] == '\n' ? text + 1 : text; }

// `page` with every {{name}} replaced by its value, in one pass (a value is never scanned again).
// Every placeholder must have a value, and every value a placeholder: a program bug otherwise.
inline std::string fill(const std::string& page, const std::vector<std::pair<std::string, std::string>>& values) {
    std::string out;
    std::vector<bool> used(values.size(), false);
    size_t at = 0;
    for (size_t open; (open = page.find("{{", at)) != std::string::npos;) {
        const size_t close = page.find("}}", open);
        if (close == std::string::npos) throw std::invalid_argument("fill: an unclosed {{ in the page");
        const std::string name = page.substr(open + 2, close - open - 2);
        size_t k = 0;
        while (k < values.size() && values[k].first != name) ++k;
        if (k == values.size()) throw std::invalid_argument("fill: no value for {{" + name + "}}");
        out.append(page, at, open - at);
        out += values[k].second;
        used[k] = true;
        at = close + 2;
    }
    out.append(page, at, std::string::npos);
    for (size_t k = 0; k < values.size(); ++k)
        if (!used[k]) throw std::invalid_argument("fill: the page has no {{" + values[k].first + "}}");
    return out;
}


// The page's `rule` table: for each activation name the network uses, its JavaScript; with
// `derivatives`, the `slope` table: for each hidden layer's activation, phi' from z and y = phi(z).
inline std::string rules_script(const ReportNetwork& net, bool derivatives = false) {
    std::string s = "{", seen = ",";
    for (size_t i = 0; i < net.layers.size(); ++i) {
        const ReportLayer& l = net.layers[i];
        if (seen.find("," + l.activation + ",") != std::string::npos || (derivatives && i + 1 == net.layers.size())) continue;
        seen += l.activation + ",";
        s += (s.size() > 1 ? ",\n  \"" : "\n  \"") + escape(l.activation) + "\": " +
             (derivatives ? "(z, y) => " + l.derivative : l.javascript);
    }
    return s + "\n}";
}

// A number for the page's JSON: JSON has no NaN or infinity, so those become null.
inline std::string json_number(double x) { return std::isfinite(x) ? python_float(x) : "null"; }

inline std::string layer_sizes(const ReportNetwork& net) {
    if (net.layers.empty()) return "";
    std::string s = std::to_string(net.layers[0].W.rows);
    for (const ReportLayer& l : net.layers) s += " &rarr; " + std::to_string(l.W.cols) + " " + escape(l.activation);
    return s;
}

// The model as JSON: shapes, activations, and every W and b exactly (base64 of float64).
inline std::string model_json(const ReportNetwork& net, const ReportTestSet& test) {
    std::string j = "{\"classes\":" + std::to_string(net.classes) + ",\"rows\":" + std::to_string(test.rows) +
                    ",\"cols\":" + std::to_string(test.cols) + ",\n\"layers\":[";
    for (size_t l = 0; l < net.layers.size(); ++l) {
        const ReportLayer& L = net.layers[l];
        j += std::string(l ? ",\n" : "\n") + "{\"inputs\":" + std::to_string(L.W.rows) + ",\"outputs\":" +
             std::to_string(L.W.cols) + ",\"activation\":\"" + escape(L.activation) + "\",\n\"W\":\"" +
             base64_doubles(L.W.data) + "\",\n\"b\":\"" + base64_doubles(L.b.data) + "\"}";
    }
    // The report's one diverging colour scale, for the walk's cells (the weights' images are drawn here).
    j += "],\n\"colours\":[";
    const std::vector<Rgb>& stops = diverging_stops();
    for (size_t i = 0; i < stops.size(); ++i)
        j += std::string(i ? "," : "") + "[" + fixed(stops[i].r, 0) + "," + fixed(stops[i].g, 0) + "," + fixed(stops[i].b, 0) + "]";
    return j + "]}";
}

// The test images the page's self-check recomputes: up to kCheckMistakes mistakes, for each class
// the first image of that label (these also feed the drawing check), then the first others.
struct CheckSamples {
    std::vector<size_t> index;  // into the test set
    std::vector<size_t> draw;   // into `index`: the drawing check's digits
};
inline CheckSamples choose_check_samples(const ReportTestSet& test, const std::vector<int>& predicted, int classes) {
    const size_t n = test.labels.size();
    CheckSamples c;
    std::vector<bool> taken(n, false);
    auto take = [&](size_t i) { taken[i] = true; c.index.push_back(i); };
    for (size_t i = 0; i < n && c.index.size() < kCheckMistakes; ++i)
        if (predicted[i] != test.labels[i]) take(i);
    for (int k = 0; k < classes; ++k) {
        size_t first = 0;
        while (first < n && test.labels[first] != k) ++first;
        if (first == n) continue;
        if (!taken[first]) {
            if (c.index.size() == kCheckSamples) continue;
            take(first);
        }
        c.draw.push_back(static_cast<size_t>(std::find(c.index.begin(), c.index.end(), first) - c.index.begin()));
    }
    for (size_t i = 0; i < n && c.index.size() < kCheckSamples; ++i)
        if (!taken[i]) take(i);
    return c;
}

inline std::string check_json(const ReportTestSet& test, const CheckSamples& c, const std::vector<int>& predicted) {
    auto list = [&](auto value) {
        std::string s = "[";
        for (size_t k = 0; k < c.index.size(); ++k) s += (k ? "," : "") + value(c.index[k]);
        return s + "]";
    };
    std::vector<uint8_t> pixels;
    for (size_t i : c.index) {
        const std::vector<uint8_t> b = image_bytes(*test.images, i);
        pixels.insert(pixels.end(), b.begin(), b.end());
    }
    std::string outputs = "[";
    for (size_t k = 0; k < c.index.size(); ++k) {
        outputs += k ? ",\n[" : "\n[";
        for (size_t j = 0; j < test.outputs.cols; ++j)
            outputs += (j ? "," : "") + json_number(test.outputs(c.index[k], j));
        outputs += "]";
    }
    std::string draw = "[";
    for (size_t k = 0; k < c.draw.size(); ++k) draw += (k ? "," : "") + std::to_string(c.draw[k]);
    return "{\"count\":" + std::to_string(c.index.size()) + ",\n\"tolerance\":" + python_float(kCheckTolerance) +
           ",\n\"index\":" + list([](size_t i) { return std::to_string(i); }) +
           ",\n\"labels\":" + list([&](size_t i) { return std::to_string(test.labels[i]); }) +
           ",\n\"predicted\":" + list([&](size_t i) { return std::to_string(predicted[i]); }) +
           ",\n\"draw\":" + draw + "]" + ",\n\"draw_tolerance\":" + python_float(kDrawTolerance) + ",\n\"outputs\":" + outputs + "]" +
           ",\n\"pixels\":\"" + base64(pixels.data(), pixels.size()) + "\"\n}";
}

// The first layer's weights, one image per hidden unit, on one colour scale: +-max |W_1|.
inline std::string weights_section(const ReportNetwork& net, const ReportTestSet& test) {
    const Matrix& W = net.layers.front().W;
    std::string s = "<section id=\"weights\"><h2>" +
                    both("First hidden layer: each unit's incoming weights", "Primera capa oculta: los pesos que llegan a cada unidad") +
                    "</h2>\n";
    if (W.rows != test.rows * test.cols)
        return s + "<p class=\"note\">" + both("The first layer has " + std::to_string(W.rows) + " inputs, not an image's pixels.",
                                               "La primera capa tiene " + std::to_string(W.rows) + " entradas, no los pixeles de una imagen.") +
               "</p></section>\n";
    double m = 0;
    for (double w : W.data) m = std::max(m, std::fabs(w));
    if (!(m > 0)) m = 1;
    const bool hidden = net.layers.size() > 1;
    const std::string size = std::to_string(test.rows) + "x" + std::to_string(test.cols), units = std::to_string(W.cols);
    s += "<p class=\"note\">" +
         both("Unit <i>j</i>'s " + std::to_string(W.rows) + " weights <code>W_1[:, j]</code> laid out as the " + size +
                  " image they multiply: red where a pixel's ink raises <code>z_1[j]</code>, blue where it lowers it. " + units +
                  (hidden ? " hidden units" : " outputs (this network has no hidden layer)") +
                  ", one scale for all. Pixels that are black in every training image keep their initial random weights "
                  "(their gradient <code>y_0^T delta_1</code> is zero there).",
              "Los " + std::to_string(W.rows) + " pesos <code>W_1[:, j]</code> de la unidad <i>j</i>, dispuestos como la imagen de " +
                  size + " que multiplican: rojo donde la tinta de un pixel aumenta <code>z_1[j]</code>, azul donde la disminuye. " +
                  units + (hidden ? " unidades ocultas" : " salidas (esta red no tiene capa oculta)") +
                  ", una sola escala para todas. Los pixeles que son negros en todas las imágenes de entrenamiento conservan sus "
                  "pesos iniciales aleatorios (su gradiente <code>y_0^T delta_1</code> es cero ahí).") +
         "</p>\n";
    std::string gradient;
    const auto& stops = diverging_stops();
    for (size_t i = 0; i < stops.size(); ++i)
        gradient += "<stop offset=\"" + fixed(100.0 * i / (stops.size() - 1), 1) + "%\" stop-color=\"" + css_rgb(stops[i]) + "\"/>";
    char lo[32], hi[32];
    std::snprintf(lo, sizeof lo, "%.3g", -m);
    std::snprintf(hi, sizeof hi, "+%.3g", m);
    s += "<div class=\"legend\"><span>" + std::string(lo) + "</span>"
         "<svg width=\"320\" height=\"34\" viewBox=\"0 0 320 34\" role=\"img\" aria-label=\"colour scale\">"
         "<defs><linearGradient id=\"rdbu\">" + gradient + "</linearGradient></defs>"
         "<rect x=\"0\" y=\"2\" width=\"320\" height=\"16\" fill=\"url(#rdbu)\" stroke=\"#9aa3b2\"/>"
         "<line x1=\"160\" y1=\"0\" x2=\"160\" y2=\"22\" stroke=\"#1d2330\"/>"
         "<text x=\"160\" y=\"33\" text-anchor=\"middle\" font-size=\"11\">0</text></svg>"
         "<span>" + std::string(hi) + "</span><span class=\"detail\">" +
         both("(a weight's colour; the ends are &plusmn;max |W_1| = " + python_float(m) + ")",
              "(el color de un peso; los extremos son &plusmn;max |W_1| = " + python_float(m) + ")") + "</span></div>\n"
         "<div class=\"grid\">\n";
    std::vector<uint8_t> rgb(W.rows * 3);
    for (size_t j = 0; j < W.cols; ++j) {
        double unit_max = 0;
        for (size_t k = 0; k < W.rows; ++k) {
            const double w = W(k, j);
            unit_max = std::max(unit_max, std::fabs(w));
            const Rgb c = diverging(w / m);
            rgb[3 * k] = static_cast<uint8_t>(std::lround(c.r));
            rgb[3 * k + 1] = static_cast<uint8_t>(std::lround(c.g));
            rgb[3 * k + 2] = static_cast<uint8_t>(std::lround(c.b));
        }
        s += "<div class=\"unit\"><img alt=\"unit " + std::to_string(j) + "\" title=\"unit " + std::to_string(j) +
             ": max |w| = " + fixed(unit_max, 4) + "\" src=\"" + png_data_uri(test.cols, test.rows, 3, rgb) +
             "\">" + std::to_string(j) + "</div>\n";
    }
    return s + "</div></section>\n";
}

inline std::string mistakes_section(const ReportTestSet& test, const std::vector<int>& predicted, size_t wrong) {
    const size_t outputs = test.outputs.cols;
    const std::string of = std::to_string(wrong) + " of " + std::to_string(test.labels.size()),
                      de = std::to_string(wrong) + " de " + std::to_string(test.labels.size());
    std::string s = "<section id=\"mistakes\"><h2>" +
                    both("Test images the network got wrong", "Imágenes de prueba que la red clasificó mal") +
                    "</h2>\n<p class=\"note\">" +
                    both(of + " test images" +
                             (wrong > kMistakesShown ? "; the first " + std::to_string(kMistakesShown) + " in test-set order" : "") +
                             ". Under each: the label &rarr; the network's class, and " +
                             (outputs == 1 ? "its output <code>y_2</code> (the probability of a 1)."
                                           : "the probability it gave that class.") +
                             " Click one to walk it through the network (Backprop on one image, above).",
                         de + " imágenes de prueba" +
                             (wrong > kMistakesShown ? "; las primeras " + std::to_string(kMistakesShown) + " en el orden del conjunto" : "") +
                             ". Debajo de cada una: la etiqueta &rarr; la clase que dio la red, y " +
                             (outputs == 1 ? "su salida <code>y_2</code> (la probabilidad de un 1)."
                                           : "la probabilidad que le dio a esa clase.") +
                             " Haga clic en una para recorrerla por la red (Retropropagación en una imagen, arriba).") +
                    "</p>\n<div class=\"grid\">\n";
    size_t shown = 0;
    for (size_t i = 0; i < test.labels.size() && shown < kMistakesShown; ++i) {
        if (predicted[i] == test.labels[i]) continue;
        ++shown;
        const double* y = test.outputs.row(i);
        std::string all;
        for (size_t j = 0; j < outputs; ++j) all += (j ? " " : "") + fixed(y[j], 4);
        const double shown_value = outputs == 1 ? y[0] : y[predicted[i]];
        s += "<div class=\"mistake\" title=\"test image " + std::to_string(i) + "; outputs " + all + "\" data-image=\"" +
             std::to_string(i) + "\"><img alt=\"test image " +
             std::to_string(i) + "\" src=\"" + digit_data_uri(image_bytes(*test.images, i), test.rows, test.cols) + "\">" +
             std::to_string(test.labels[i]) + " &rarr; <b>" + std::to_string(predicted[i]) + "</b><br>" +
             (outputs == 1 ? "y=" : "p=") + fixed(shown_value, 3) + "</div>\n";
    }
    if (shown == 0) s += "<p>" + both("None: every test image was classified right.", "Ninguna: la red clasificó bien todas las imágenes de prueba.") + "</p>\n";
    return s + "</div></section>\n";
}

inline std::string confusion_section(const ReportTestSet& test, const std::vector<int>& predicted, int classes) {
    const size_t k = static_cast<size_t>(classes);
    std::vector<size_t> m(k * k, 0), row_total(k, 0);
    for (size_t i = 0; i < test.labels.size(); ++i) {
        const size_t t = static_cast<size_t>(test.labels[i]), p = static_cast<size_t>(predicted[i]);
        if (t < k && p < k) ++m[t * k + p], ++row_total[t];
    }
    std::string s = "<section id=\"confusion-section\"><h2>" + both("Confusion matrix", "Matriz de confusión") +
                    "</h2>\n<p class=\"note\">" +
                    both("Rows: the label; columns: the network's class; each class's accuracy is its diagonal cell over its row's total.",
                         "Renglones: la etiqueta; columnas: la clase que dio la red; la exactitud de cada clase es su celda de la "
                         "diagonal entre el total de su renglón.") +
                    "</p>\n<table id=\"confusion\" class=\"confusion\">\n<tr><th>" + both("label \\ class", "etiqueta \\ clase") + "</th>";
    for (size_t c = 0; c < k; ++c) s += "<th>" + std::to_string(c) + "</th>";
    s += "<th>" + both("images", "imágenes") + "</th><th>" + both("accuracy", "exactitud") + "</th></tr>\n";
    for (size_t t = 0; t < k; ++t) {
        s += "<tr><th>" + std::to_string(t) + "</th>";
        for (size_t c = 0; c < k; ++c) {
            const double f = row_total[t] ? static_cast<double>(m[t * k + c]) / static_cast<double>(row_total[t]) : 0.0;
            std::string style;
            if (m[t * k + c] > 0) {
                // The diagonal in blue, mistakes in red; stronger for a larger share of the row.
                const double a = c == t ? 0.15 + 0.6 * f : 0.12 + 0.88 * std::min(1.0, 8 * f);
                style = std::string(" style=\"background:rgba(") + (c == t ? "67,147,195," : "214,96,77,") + fixed(a, 3) + ")\"";
            }
            s += "<td" + style + ">" + std::to_string(m[t * k + c]) + "</td>";
        }
        const double acc = row_total[t] ? static_cast<double>(m[t * k + t]) / static_cast<double>(row_total[t]) : 0.0;
        s += "<td>" + std::to_string(row_total[t]) + "</td><td class=\"acc\">" +
             (row_total[t] ? fixed(100 * acc, 2) + "%" : std::string("-")) + "</td></tr>\n";
    }
    return s + "</table></section>\n";
}

// The loss curve: the notes' plot, as in out/loss.svg, or a sentence when there is none to draw.
inline std::string loss_section(const std::vector<double>& losses) {
    std::string h = "<section id=\"loss\"><h2>" + both("Loss per epoch", "Pérdida por época") + "</h2>\n";
    if (losses.size() >= 2) {
        std::string svg = loss_plot_svg(losses);  // the notes' plot, as out/loss.svg
        if (svg.rfind("<?xml", 0) == 0) svg.erase(0, svg.find('\n') + 1);
        const size_t at = svg.find("<svg ");
        if (at != std::string::npos) svg.insert(at + 5, "class=\"loss\" role=\"img\" aria-label=\"loss per epoch\" ");
        h += svg;
    } else {
        h += "<p class=\"note\">" +
             (losses.empty() ? both("No training epoch (--epochs 0): no curve to draw.",
                                    "Ninguna época de entrenamiento (--epochs 0): no hay curva que dibujar.")
                             : both("One epoch, loss " + python_float(losses[0]) + ": no curve to draw.",
                                    "Una época, pérdida " + python_float(losses[0]) + ": no hay curva que dibujar.")) +
             "</p>\n";
    }
    h += "</section>\n";
    return h;
}

// "Backprop on one image": the frame the script fills with the walk (program/explain.hpp is the C++
// side; program/report/script.js the page's own walk).
inline std::string walk_section(const Walk& w, const std::string& program, size_t images, int classes) {
    const std::string i = std::to_string(w.image), last = std::to_string(images - 1);
    std::string labels;
    for (int c = 0; c < classes; ++c)
        labels += "<option" + std::string(c == w.label ? " selected" : "") + ">" + std::to_string(c) + "</option>";
    const std::string explain = "<code>" + escape(program) + " --explain " + i + "</code>";
    return "<section id=\"walk\"><h2>" + both("Backprop on one image", "Retropropagación en una imagen") + "</h2>\n<p class=\"note\">" +
           both("The notes' equations (1)-(6) evaluated on one image, in their order and with their names (row form: the "
                "image is one row); under each line, where the program computes it. Every number here is the page's own: its "
                "JavaScript walks the image through the network's weights. On load it walked test image " + i +
                    " and compared each number with the C++ program's walk, which " + explain +
                    " prints (the walk check, above). Hover over a strip of cells for its values; click a hidden unit for (6) "
                    "at that unit; click a pixel of a <code>grad_W1</code> map, or a cell of another gradient, for the checker: "
                    "backprop beside a finite difference the page computes.",
                "Las ecuaciones (1)-(6) de las notas evaluadas en una imagen, en su orden y con sus nombres (en renglones: la "
                "imagen es un renglón); debajo de cada línea, dónde la calcula el programa. Cada número aquí es de la página: su "
                "JavaScript recorre la imagen con los pesos de la red. Al abrirse recorrió la imagen de prueba " + i +
                    " y comparó cada número con el recorrido del programa en C++, que " + explain +
                    " imprime (la verificación del recorrido, arriba). Pase el cursor sobre una tira de celdas para ver sus "
                    "valores; haga clic en una unidad oculta para ver (6) en esa unidad; haga clic en un pixel de un mapa de "
                    "<code>grad_W1</code>, o en una celda de otro gradiente, para el verificador: la retropropagación junto a una "
                    "diferencia finita que calcula la página.") +
           "</p>\n<div class=\"walk-pick\"><label>" + both("Test image", "Imagen de prueba") +
           " <input id=\"walk-index\" type=\"number\" min=\"0\" max=\"" + last + "\" value=\"" + i + "\"></label> " +
           "<button id=\"walk-show\" type=\"button\">" + both("Walk it", "Recorrerla") + "</button> <label>" +
           both("or one it got wrong", "o una que clasificó mal") + " <select id=\"walk-mistake\"><option value=\"\">&ndash;</option>" +
           "</select></label> <span class=\"walk-own\"><button id=\"walk-drawing\" type=\"button\">" +
           both("or walk your drawing", "o recorrer su dibujo") + "</button> <label>" + both("as a", "como un") +
           " <select id=\"walk-label\">" + labels + "</select></label></span></div>\n"
           "<div id=\"walk-body\"><p class=\"note\">" +
           both("(JavaScript is off: the walk needs it.)", "(JavaScript está desactivado: el recorrido lo necesita.)") +
           "</p></div>\n</section>\n";
}

// Every test image for the walk's picker, each pixel a byte but a run of zeros two (0, then the
// run's length - 1: about a third of the plain size), with the labels and the mistakes' indices.
inline std::string test_set_json(const ReportTestSet& test, const std::vector<int>& predicted) {
    std::vector<uint8_t> packed, labels;
    std::string mistakes = "[";
    for (size_t i = 0; i < test.labels.size(); ++i) {
        const std::vector<uint8_t> pixels = image_bytes(*test.images, i);
        for (size_t k = 0; k < pixels.size();) {
            if (pixels[k] != 0) {
                packed.push_back(pixels[k++]);
                continue;
            }
            size_t run = 0;
            while (k < pixels.size() && pixels[k] == 0 && run < 256) ++k, ++run;
            packed.push_back(0), packed.push_back(static_cast<uint8_t>(run - 1));
        }
        labels.push_back(static_cast<uint8_t>(test.labels[i]));
        if (predicted[i] != test.labels[i]) mistakes += (mistakes.size() > 1 ? "," : "") + std::to_string(i);
    }
    return "{\"images\":" + std::to_string(test.labels.size()) + ",\n\"image_labels\":\"" + base64(labels.data(), labels.size()) +
           "\",\n\"mistakes\":" + mistakes + "],\n\"packed_pixels\":\"" + base64(packed.data(), packed.size()) + "\"}";
}

// The page's script, with the network's activations in its `rule` table and their derivatives in
// its `slope` table.
inline std::string script_with_rules(const ReportNetwork& net) {
    std::string script = asset(kReport_script_js);
    for (const bool derivatives : {false, true}) {
        const std::string placeholder = derivatives ? "/*DERIVATIVES*/" : "/*ACTIVATIONS*/";
        script.replace(script.find(placeholder), placeholder.size(), rules_script(net, derivatives));
    }
    return script;
}

// A whole page: page.html, whose Content-Security-Policy lets no request leave it, around `body`,
// with `data` (the page's JSON and script) at its end.
inline std::string page(const std::string& title, const std::string& program, const std::string& body,
                        const std::string& data) {
    return fill(asset(kReport_page_html), {{"title", escape(title)}, {"style", asset(kReport_style_css)},
                                          {"program", escape(program)}, {"body", body}, {"data", data}});
}

}  // namespace report_detail

// The whole page. Throws std::invalid_argument when the pieces do not fit together (a program bug).
inline std::string report_html(const ReportNetwork& net, const ReportRun& run, const ReportTestSet& test,
                               const Walk* walk = nullptr) {
    using namespace report_detail;
    const size_t n = test.labels.size(), outputs = test.outputs.cols;
    if (net.layers.empty() || !test.images || test.images->rows != n || test.outputs.rows != n ||
        test.images->cols != test.rows * test.cols || net.layers.front().W.rows != test.images->cols ||
        net.layers.back().W.cols != outputs || (outputs != 1 && outputs != static_cast<size_t>(net.classes)))
        throw std::invalid_argument("report_html: the network, the test set and its outputs do not fit together");

    std::vector<int> predicted(n);
    size_t correct = 0;
    for (size_t i = 0; i < n; ++i) {
        predicted[i] = predicted_class(test.outputs.row(i), outputs);
        correct += predicted[i] == test.labels[i];
    }
    const double accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;

    std::string command = run.program;
    for (const std::string& a : run.arguments) command += " " + shell_word(a);

    std::string cards;
    auto card = [&](const std::string& value, const std::string& key, bool small = false) {
        cards += std::string("<div class=\"card\"><div class=\"v") + (small ? " small" : "") + "\">" + value +
                 "</div><div class=\"k\">" + key + "</div></div>\n";
    };
    card(python_float(accuracy * 100) + "%",
         both("Exactitud de Prueba (Test accuracy): " + std::to_string(correct) + " of " + std::to_string(n) + " test images",
              "Exactitud de Prueba: " + std::to_string(correct) + " de " + std::to_string(n) + " imágenes de prueba"));
    const std::string last = run.losses.empty() ? "" : std::to_string(run.losses.size() - 1);
    card(run.losses.empty() ? std::string("&ndash;") : python_float(run.losses.back()),
         run.losses.empty() ? both("final loss (epoch none: no training)", "pérdida final (ninguna época: sin entrenamiento)")
                            : both("final loss (epoch " + last + ")", "pérdida final (época " + last + ")"));
    card(layer_sizes(net), both("network: inputs &rarr; units, activation", "red: entradas &rarr; unidades, activación"), true);
    std::string times;
    for (const auto& t : run.seconds) times += (times.empty() ? "" : "<br>") + escape(t.first) + " " + fixed(t.second, 3) + " s";
    card(times.empty() ? "&ndash;" : times, both("time, in seconds", "tiempo, en segundos"), true);
    std::string settings;
    for (size_t i = 0; i < run.shapes.size(); ++i)
        settings += "<dt>" + (i == 0 ? both("training set", "entrenamiento") : i == 1 ? both("test set", "prueba") : both("printed", "impreso")) +
                    "</dt><dd><code>" + escape(run.shapes[i]) + "</code></dd>\n";
    for (const auto& kv : run.settings) settings += "<dt>" + escape(kv.first) + "</dt><dd>" + escape(kv.second) + "</dd>\n";

    const std::string body = fill(asset(kReport_report_html), {
        {"command", escape(command)}, {"cards", cards}, {"settings", settings}, {"loss", loss_section(run.losses)},
        {"rows", std::to_string(test.rows)}, {"cols", std::to_string(test.cols)},
        {"classes_note", net.classes == 2 ? both("This network knows only 0 and 1.", "Esta red sólo conoce el 0 y el 1.") : ""},
        {"walk", walk ? walk_section(*walk, run.program, n, net.classes) : ""},
        {"weights", weights_section(net, test)}, {"mistakes", mistakes_section(test, predicted, n - correct)},
        {"confusion", confusion_section(test, predicted, net.classes)}});
    const CheckSamples samples = choose_check_samples(test, predicted, net.classes);
    std::string data = "<script type=\"application/json\" id=\"model-data\">\n" + model_json(net, test) +
                       "\n</script>\n<script type=\"application/json\" id=\"check-data\">\n" + check_json(test, samples, predicted) +
                       "\n</script>\n";
    if (walk)
        data += "<script type=\"application/json\" id=\"walk-data\">\n" +
                walk_json(*walk, [](const std::vector<double>& v) { return base64_doubles(v); }) +
                "\n</script>\n<script type=\"application/json\" id=\"test-data\">\n" + test_set_json(test, predicted) +
                "\n</script>\n";
    data += "<script>" + script_with_rules(net) + "</script>";
    return page(run.program + ": " + fixed(100 * accuracy, 2) + "% on the test set", run.program, body, data);
}

// ---------------------------------------------------------------------------------------------
// Adapters

// The test set of a run: the images, their labels (a column of 0..9) and the network's outputs.
inline ReportTestSet report_test_set(const SparseMatrix& images, const Matrix& labels, Matrix outputs) {
    ReportTestSet t;
    t.images = &images;
    t.rows = t.cols = static_cast<size_t>(std::lround(std::sqrt(static_cast<double>(images.cols))));
    if (t.rows * t.cols != images.cols) t.rows = 1, t.cols = images.cols;
    for (size_t i = 0; i < labels.rows; ++i) t.labels.push_back(static_cast<int>(labels(i, 0)));
    t.outputs = std::move(outputs);
    return t;
}

// A rule for one element, `expression` in z, as a rule for the whole layer.
inline std::string elementwise_javascript(const std::string& expression) { return "(z) => z.map((z) => " + expression + ")"; }

// mlp.cpp's Params: two layers, its phi() throughout (phi_javascript: the same rule in JavaScript).
template <class Params>
ReportNetwork lesson_network(const Params& p, const std::string& phi_javascript, const std::string& phi_prime_javascript) {
    const std::string rule = elementwise_javascript(phi_javascript);
    return {{{p.W_1, p.b_1, "sigmoid", rule, phi_prime_javascript}, {p.W_2, p.b_2, "sigmoid", rule, ""}}, 2};
}

// A run: the program, its command line, its settings (every flag with its value), the shapes of its
// split and its losses; the times are added by the caller.
template <class Split>
ReportRun report_run(const std::string& program, int argc, char** argv,
                     std::vector<std::pair<std::string, std::string>> settings, const Split& s,
                     const std::vector<double>& losses) {
    ReportRun r;
    r.program = program;
    r.arguments.assign(argv + 1, argv + argc);
    r.settings = std::move(settings);
    r.shapes = {s.X_train.shape() + " (" + std::to_string(s.y_train.rows) + ",)",
                s.X_test.shape() + " (" + std::to_string(s.y_test.rows) + ",)"};
    r.losses = losses;
    return r;
}

// mlp.cpp's run: its options and split, the losses and the times.
template <class Options, class Split>
ReportRun lesson_run(int argc, char** argv, const Options& o, const Split& s, const std::vector<double>& losses,
                     std::vector<std::pair<std::string, double>> seconds) {
    ReportRun r = report_run("./mlp", argc, argv,
                             {{"--data", o.data_dir},
                              {"--out", o.out_dir},
                              {"--seed", std::to_string(o.seed)},
                              {"--epochs", std::to_string(o.epochs)},
                              {"--lr", python_float(o.learning_rate)},
                              {"--hidden", std::to_string(o.hidden)},
                              {"training", "full-batch gradient descent on the summed binary cross-entropy, digits 0 and 1"}},
                             s, losses);
    r.seconds = std::move(seconds);
    return r;
}

// The page a diverged run leaves beside its loss history: what happened, and the curve up to it.
// (A new loss.csv beside an older run's report would mix two runs in one folder.)
inline std::string diverged_report_html(const std::string& program, const std::string& message,
                                        const std::vector<double>& losses) {
    using namespace report_detail;
    return page(program + ": training diverged", program,
                "<p id=\"diverged\" class=\"note\">" + escape(message) + "</p>\n" + loss_section(losses), "");
}
