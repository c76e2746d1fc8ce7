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
#include "output_files.hpp"

// One layer: z = y_in W + b, then the activation. W is (inputs, outputs), b is (1, outputs).
// activation: its name ("relu"; for the output layer "sigmoid", one output, the probability of
// class 1, or "softmax", one output per class), and `javascript`, the rule itself for the page's
// forward pass: a JavaScript function from the layer's z (a Float64Array) to its y.
struct ReportLayer {
    Matrix W, b;
    std::string activation, javascript;
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

inline const char* kStyle = R"CSS(
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
main { max-width: 1180px; margin: 0 auto; padding: 18px 24px 40px; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h1 small { font-weight: normal; color: #5a6273; font-size: 17px; }
h2 { font-size: 19px; margin: 0 0 10px; }
section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 16px 20px; margin: 16px 0; }
code { background: #eef0f4; border-radius: 4px; padding: 1px 5px; font-size: 14px; }
.cmd { margin: 4px 0 0; font-size: 15px; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
.card { flex: 1 1 150px; background: #f7f8fa; border: 1px solid #e2e5ea; border-radius: 6px; padding: 10px 14px; }
.card .v { font-size: 24px; font-weight: 600; }
.card .v.small { font-size: 16px; line-height: 1.5; }
.card .k { color: #5a6273; font-size: 13px; }
.checks { font-size: 15px; margin: 6px 0 10px; }
.checks span.r { font-weight: 600; font-family: ui-monospace, monospace; padding: 1px 6px; border-radius: 4px; background: #eef0f4; }
.checks span.r.ok { background: #d9f2dd; color: #14532d; }
.checks span.r.bad { background: #fde2e1; color: #7f1d1d; }
.detail { color: #5a6273; font-size: 13px; }
dl.kv { display: grid; grid-template-columns: repeat(3, max-content minmax(0, 1fr)); gap: 3px 12px; font-size: 14px; margin: 8px 0 0; }
dl.kv dt { color: #5a6273; white-space: nowrap; }
dl.kv dd { margin: 0; overflow-wrap: anywhere; }
.columns { display: flex; flex-wrap: wrap; gap: 24px; align-items: flex-start; }
svg.loss { width: 100%; height: auto; max-width: 1000px; display: block; }
.draw { display: flex; flex-wrap: wrap; gap: 22px; align-items: flex-start; }
#pad { width: 280px; height: 280px; border: 2px solid #9aa3b2; border-radius: 6px; background: #fff; touch-action: none; cursor: crosshair; display: block; }
#seen { width: 140px; height: 140px; image-rendering: pixelated; border: 1px solid #9aa3b2; display: block; }
.pad-buttons { margin-top: 8px; display: flex; gap: 8px; align-items: center; }
button { font: inherit; font-size: 14px; padding: 4px 14px; border-radius: 5px; border: 1px solid #9aa3b2; background: #fff; cursor: pointer; }
#answer { font-size: 56px; font-weight: 700; line-height: 1; margin: 4px 0 8px; min-height: 56px; }
.bars { font-size: 13px; font-family: ui-monospace, monospace; }
.bar { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.bar .fill { height: 12px; background: #4393c3; border-radius: 2px; }
.bar.top .fill { background: #b2182b; }
.bar .track { width: 200px; background: #eef0f4; border-radius: 2px; }
.grid { display: flex; flex-wrap: wrap; gap: 4px; }
.grid img { width: 56px; height: 56px; image-rendering: pixelated; display: block; border: 1px solid #d5d9e0; }
.unit { text-align: center; font-size: 10px; color: #5a6273; }
.mistake { text-align: center; font-size: 12px; width: 74px; }
.mistake img { margin: 0 auto; }
.legend { display: flex; align-items: center; gap: 10px; font-size: 13px; margin-bottom: 10px; }
table.confusion { border-collapse: collapse; font-size: 13px; font-family: ui-monospace, monospace; }
table.confusion th, table.confusion td { padding: 4px 7px; text-align: right; border: 1px solid #e2e5ea; }
table.confusion th { background: #f7f8fa; font-weight: 600; }
table.confusion td.acc { font-weight: 600; background: #f7f8fa; }
.note { color: #5a6273; font-size: 13px; max-width: 900px; }
@media (max-width: 860px) {
  main { padding: 10px 8px 30px; }
  section { padding: 12px 12px; }
  dl.kv { grid-template-columns: max-content minmax(0, 1fr); }
  .card .v { font-size: 20px; }
}
)CSS";

// The page's JavaScript: the forward pass, the preprocessing, the drawing pad and the self-checks.
inline const char* kScript = R"JS(
(function () {
"use strict";
const $ = (id) => document.getElementById(id);
const model = JSON.parse($("model-data").textContent);
const checks = JSON.parse($("check-data").textContent);
const ROWS = model.rows, COLS = model.cols, N_IN = ROWS * COLS;

function bytesOf(b64) {
  const bin = atob(b64), out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) out[i] = bin.charCodeAt(i);
  return out;
}
// base64 of little-endian float64: every weight exactly as the C++ program had it.
function doublesOf(b64) {
  const bytes = bytesOf(b64), view = new DataView(bytes.buffer), out = new Float64Array(bytes.length / 8);
  for (let i = 0; i < out.length; ++i) out[i] = view.getFloat64(8 * i, true);
  return out;
}
const layers = model.layers.map((l) => ({
  inputs: l.inputs, outputs: l.outputs, activation: l.activation, W: doublesOf(l.W), b: doublesOf(l.b),
}));
// Each activation's rule, as the program that wrote the page knows it (one entry per name).
const rule = /*ACTIVATIONS*/;

// The forward pass, eq. (1) layer after layer: z_l = y_{l-1} W_l + b_l, y_l = phi_l(z_l); the output
// layer is a sigmoid (one output) or a softmax. x: the 28x28 input, row by row, in [0, 1].
function forward(x) {
  let y = x;
  for (let l = 0; l < layers.length; ++l) {
    const L = layers[l], n = L.outputs, z = new Float64Array(n);
    for (let k = 0; k < L.inputs; ++k) {
      const v = y[k];
      if (v === 0) continue;  // adds nothing
      const row = k * n;
      for (let j = 0; j < n; ++j) z[j] += v * L.W[row + j];
    }
    for (let j = 0; j < n; ++j) z[j] += L.b[j];
    y = rule[L.activation](z);
  }
  return y;
}
function predicted(y) {
  if (y.length === 1) return y[0] >= 0.5 ? 1 : 0;
  let best = 0;
  for (let j = 1; j < y.length; ++j) if (y[j] > y[best]) best = j;
  return best;
}
function probabilities(y) { return y.length === 1 ? [1 - y[0], y[0]] : Array.from(y); }

// ---- Self-check: the JavaScript forward pass against the C++ program's outputs -----------------
const samplePixels = bytesOf(checks.pixels);
function sampleInput(i) {
  const x = new Float64Array(N_IN);
  for (let k = 0; k < N_IN; ++k) x[k] = samplePixels[i * N_IN + k] / 255;
  return x;
}
function selfCheck() {
  let agree = 0, worst = 0, firstBad = "";
  for (let i = 0; i < checks.count; ++i) {
    const y = forward(sampleInput(i)), want = checks.outputs[i];
    let d = y.length === want.length ? 0 : Infinity;
    for (let j = 0; j < want.length && j < y.length; ++j) d = Math.max(d, Math.abs(y[j] - want[j]));
    if (!(d <= worst)) worst = d;
    if (d <= checks.tolerance && predicted(y) === checks.predicted[i]) ++agree;
    else if (!firstBad) firstBad = "test image " + checks.index[i] + ": JavaScript gives " +
        Array.from(y, (v) => v.toPrecision(8)).join(" ") + ", C++ gave " + want.join(" ");
  }
  const el = $("self-check");
  el.textContent = agree === checks.count ? "ok " + agree + "/" + checks.count
                                          : "FAIL " + agree + "/" + checks.count + ": " + firstBad;
  el.className = "r " + (agree === checks.count ? "ok" : "bad");
  $("self-check-detail").textContent = "largest difference |JavaScript - C++| over " + checks.count +
      " test images: " + worst.toExponential(2) + " (tolerance " + checks.tolerance + ")";
}

// ---- Preprocessing: a drawing becomes a 28x28 input the way MNIST's digits were made -----------
// ink: w*h values in [0, 1] (1 = full ink). The ink's bounding box is scaled to fit a 20x20 box,
// aspect ratio kept, each new pixel the average of the area it covers (anti-aliasing: grey levels
// at the edges); then it is placed in the 28x28 field so that its centre of mass is the centre.
function areaWeights(n, t) {  // n source cells onto t target cells: [target][[source, weight]]
  const f = n / t, out = [];
  for (let j = 0; j < t; ++j) {
    const lo = j * f, hi = (j + 1) * f, list = [];
    for (let k = Math.floor(lo); k < Math.min(n, Math.ceil(hi)); ++k) {
      const overlap = Math.min(hi, k + 1) - Math.max(lo, k);
      if (overlap > 0) list.push([k, overlap / f]);
    }
    out.push(list);
  }
  return out;
}
function preprocess(ink, w, h) {
  const out = new Float64Array(N_IN);
  let x0 = w, x1 = -1, y0 = h, y1 = -1;
  for (let y = 0; y < h; ++y)
    for (let x = 0; x < w; ++x)
      if (ink[y * w + x] > 0.1) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, box = 20 * Math.min(ROWS, COLS) / 28;
  const s = box / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * s)), th = Math.max(1, Math.round(bh * s));
  const wx = areaWeights(bw, tw), wy = areaWeights(bh, th);
  const across = new Float64Array(bh * tw);  // rows of the box, columns already scaled
  for (let y = 0; y < bh; ++y)
    for (let j = 0; j < tw; ++j) {
      let v = 0;
      for (const [k, wt] of wx[j]) v += wt * ink[(y0 + y) * w + x0 + k];
      across[y * tw + j] = v;
    }
  const small = new Float64Array(th * tw);
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < th; ++i)
    for (let j = 0; j < tw; ++j) {
      let v = 0;
      for (const [k, wt] of wy[i]) v += wt * across[k * tw + j];
      v = Math.min(1, Math.max(0, v));
      small[i * tw + j] = v;
      mass += v, mx += v * (j + 0.5), my += v * (i + 0.5);
    }
  if (!(mass > 0)) return out;
  const ox = Math.round(COLS / 2 - mx / mass), oy = Math.round(ROWS / 2 - my / mass);
  for (let i = 0; i < th; ++i)
    for (let j = 0; j < tw; ++j) {
      const r = i + oy, c = j + ox;
      if (r >= 0 && r < ROWS && c >= 0 && c < COLS) out[r * COLS + c] = small[i * tw + j];
    }
  return out;
}

// ---- The drawing pad -------------------------------------------------------------------------
const pad = $("pad"), ctx = pad.getContext("2d", { willReadFrequently: true });
const W = pad.width, H = pad.height;
const seen = $("seen"), seenCtx = seen.getContext("2d");
function clearPad() {
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, W, H);
}
function padInk() {  // dark ink on white paper -> ink in [0, 1]
  const d = ctx.getImageData(0, 0, W, H).data, ink = new Float64Array(W * H);
  for (let i = 0; i < W * H; ++i) ink[i] = 1 - (d[4 * i] + d[4 * i + 1] + d[4 * i + 2]) / 765;
  return ink;
}
function showInput(x) {
  const img = seenCtx.createImageData(COLS, ROWS);
  for (let i = 0; i < N_IN; ++i) {
    const g = Math.round(255 * (1 - x[i]));
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = g;
    img.data[4 * i + 3] = 255;
  }
  seenCtx.putImageData(img, 0, 0);
}
function showOutputs(y) {
  const bars = $("bars");
  bars.textContent = "";
  if (!y) {
    $("answer").textContent = "";
    return;
  }
  const p = probabilities(y), best = predicted(y);
  $("answer").textContent = String(best);
  p.forEach((v, c) => {
    const row = document.createElement("div"), track = document.createElement("div");
    const fill = document.createElement("div"), label = document.createElement("span");
    row.className = "bar" + (c === best ? " top" : "");
    track.className = "track";
    fill.className = "fill";
    fill.style.width = (100 * v).toFixed(1) + "%";
    track.appendChild(fill);
    label.textContent = c + " " + v.toFixed(4);
    row.appendChild(track);
    row.appendChild(label);
    bars.appendChild(row);
  });
}
// The drawing through the same path every time: pixels -> preprocess -> forward. Returns the
// predicted class, or null for an empty pad.
function classifyPad() {
  const x = preprocess(padInk(), W, H);
  showInput(x);
  if (!x.some((v) => v > 0)) {
    showOutputs(null);
    return null;
  }
  const y = forward(x);
  showOutputs(y);
  return predicted(y);
}
let drawing = false, last = null, pending = false;
function at(e) {
  const r = pad.getBoundingClientRect();
  return [(e.clientX - r.left) * W / r.width, (e.clientY - r.top) * H / r.height];
}
function stroke(a, b) {
  ctx.strokeStyle = "#000000";
  ctx.lineWidth = W / 14;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.beginPath();
  ctx.moveTo(a[0], a[1]);
  ctx.lineTo(b[0], b[1]);
  ctx.stroke();
}
function later() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; classifyPad(); });
}
pad.addEventListener("pointerdown", (e) => {
  e.preventDefault();
  drawing = true;
  try { pad.setPointerCapture(e.pointerId); } catch (_) { /* a synthetic pointer */ }
  last = at(e);
  stroke(last, last);
  later();
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const p = at(e);
  stroke(last, p);
  last = p;
  later();
});
for (const type of ["pointerup", "pointercancel"])
  pad.addEventListener(type, () => {
    if (!drawing) return;
    drawing = false;
    classifyPad();
  });
$("clear").addEventListener("click", () => { clearPad(); classifyPad(); $("pad-note").textContent = ""; });

// ---- Drawing check: the pad and its preprocessing, on drawings whose result is known -----------
// It tests the page, not the network. A stroke sent as pointer events, as a mouse or finger would,
// must leave ink that the preprocessing turns into an input the way MNIST's were made: its ink box
// 20 pixels on its long side, its centre of mass at the centre of the field. Each test digit
// painted onto the pad, larger and shifted, must read back as the 28x28 image it was. What the
// network answers for each is shown, not graded: a network that has learned little still has a
// working page.
function drawStrokeEvents(points) {
  const r = pad.getBoundingClientRect();
  const send = (type, p) => pad.dispatchEvent(new PointerEvent(type, {
    clientX: r.left + p[0] * r.width / W, clientY: r.top + p[1] * r.height / H,
    pointerId: 7, pointerType: "mouse", isPrimary: true, buttons: type === "pointerup" ? 0 : 1,
    bubbles: true, cancelable: true }));
  send("pointerdown", points[0]);
  for (let i = 1; i < points.length; ++i)
    for (let t = 1; t <= 8; ++t) {
      const a = points[i - 1], b = points[i];
      send("pointermove", [a[0] + (b[0] - a[0]) * t / 8, a[1] + (b[1] - a[1]) * t / 8]);
    }
  send("pointerup", points[points.length - 1]);
}
// Test image i painted onto the pad `scale` times larger at (dx, dy), smoothed by the browser.
function paintSample(i, scale, dx, dy) {
  const small = document.createElement("canvas");
  small.width = COLS;
  small.height = ROWS;
  const sctx = small.getContext("2d"), img = sctx.createImageData(COLS, ROWS);
  for (let k = 0; k < N_IN; ++k) {
    const g = 255 - samplePixels[i * N_IN + k];
    img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = g;
    img.data[4 * k + 3] = 255;
  }
  sctx.putImageData(img, 0, 0);
  clearPad();
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(small, dx, dy, COLS * scale, ROWS * scale);
}
// An input's ink box (its long side, in pixels) and centre of mass.
function inkShape(x) {
  let x0 = COLS, x1 = -1, y0 = ROWS, y1 = -1, mass = 0, mx = 0, my = 0;
  for (let r = 0; r < ROWS; ++r)
    for (let c = 0; c < COLS; ++c) {
      const v = x[r * COLS + c];
      if (v > 0.1) x0 = Math.min(x0, c), x1 = Math.max(x1, c), y0 = Math.min(y0, r), y1 = Math.max(y1, r);
      mass += v, mx += v * (c + 0.5), my += v * (r + 0.5);
    }
  return { side: x1 < 0 ? 0 : Math.max(x1 - x0 + 1, y1 - y0 + 1), cx: mx / mass, cy: my / mass };
}
function drawCheck() {
  const results = [], box = 20 * Math.min(ROWS, COLS) / 28;
  clearPad();
  drawStrokeEvents([[W * 0.56, H * 0.15], [W * 0.52, H * 0.5], [W * 0.47, H * 0.85]]);
  const strokeInput = preprocess(padInk(), W, H), shape = inkShape(strokeInput);
  const centred = Math.abs(shape.cx - COLS / 2) <= 1 && Math.abs(shape.cy - ROWS / 2) <= 1;
  results.push({ what: "a stroke drawn with pointer events",
                 ok: shape.side >= box - 2 && shape.side <= box && centred,
                 seen: "ink box " + shape.side + " px, centre of mass (" + shape.cx.toFixed(1) + ", " + shape.cy.toFixed(1) +
                       "), read as " + classifyPad() });
  const cosines = [], seen = [];
  checks.draw.forEach((i, n) => {
    const scale = 5 + (n % 5) * W / 280;  // 5 to 9 times larger at 280 pixels
    const size = COLS * scale, room = Math.max(0, W - size);
    const dx = Math.round(room * ((n * 7) % 10) / 9), dy = Math.round(room * ((n * 3 + 4) % 10) / 9);
    paintSample(i, scale, dx, dy);
    const got = classifyPad(), back = preprocess(padInk(), W, H), original = sampleInput(i);
    let dot = 0, a2 = 0, b2 = 0;
    for (let k = 0; k < N_IN; ++k) dot += back[k] * original[k], a2 += back[k] * back[k], b2 += original[k] * original[k];
    const cosine = a2 > 0 && b2 > 0 ? dot / Math.sqrt(a2 * b2) : 0;
    cosines.push(cosine);
    seen.push("test image " + checks.index[i] + " (a " + checks.labels[i] + ") painted x" + scale + " at (" + dx + "," + dy +
              "): cosine " + cosine.toFixed(3) + ", read as " + got + " (the C++ program: " + checks.predicted[i] + ")");
  });
  if (cosines.length) {
    const mean = cosines.reduce((a, b) => a + b, 0) / cosines.length;
    results.push({ what: cosines.length + " test digits painted larger and shifted", ok: mean >= checks.draw_tolerance,
                   seen: "read back as 28x28 inputs with a mean cosine similarity of " + mean.toFixed(3) +
                         " to the originals (" + checks.draw_tolerance + " or more expected)" });
  }
  const good = results.filter((r) => r.ok).length, el = $("draw-check"), bad = results.find((r) => !r.ok);
  el.textContent = good === results.length ? "ok " + good + "/" + results.length
      : "FAIL " + good + "/" + results.length + ": " + bad.what + ": " + bad.seen;
  el.className = "r " + (good === results.length ? "ok" : "bad");
  $("draw-check-detail").textContent = results.map((r) => r.what + ": " + r.seen).join("; ") + ". " + seen.join("; ") +
      ". Graded: the stroke's input has the shape MNIST's inputs have, and the painted digits read back close to what " +
      "they were; the answers are the network's, shown, not graded.";
  $("pad-note").textContent = "The pad shows the drawing check's last digit; press Clear and draw your own.";
}

selfCheck();
drawCheck();
})();
)JS";

// The page's `rule` table: for each activation name the network uses, its JavaScript.
inline std::string rules_script(const ReportNetwork& net) {
    std::string s = "{", seen = ",";
    for (const ReportLayer& l : net.layers) {
        if (seen.find("," + l.activation + ",") != std::string::npos) continue;
        seen += l.activation + ",";
        s += (s.size() > 1 ? ",\n  \"" : "\n  \"") + escape(l.activation) + "\": " + l.javascript;
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
    std::string s = "<section id=\"weights\"><h2>First hidden layer: each unit's incoming weights</h2>\n";
    if (W.rows != test.rows * test.cols)
        return s + "<p class=\"note\">The first layer has " + std::to_string(W.rows) +
               " inputs, not an image's pixels.</p></section>\n";
    double m = 0;
    for (double w : W.data) m = std::max(m, std::fabs(w));
    if (!(m > 0)) m = 1;
    const bool hidden = net.layers.size() > 1;
    s += "<p class=\"note\">Unit <i>j</i>'s " + std::to_string(W.rows) + " weights <code>W_1[:, j]</code> laid out as the " +
         std::to_string(test.rows) + "x" + std::to_string(test.cols) + " image they multiply: red where a pixel's ink " +
         "raises <code>z_1[j]</code>, blue where it lowers it. " + std::to_string(W.cols) +
         (hidden ? " hidden units" : " outputs (this network has no hidden layer)") +
         ", one scale for all. Pixels that are black in every training image keep their initial random weights " +
         "(their gradient <code>y_0^T delta_1</code> is zero there).</p>\n";
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
         "<span>" + std::string(hi) + "</span><span class=\"detail\">(a weight's colour; the ends are &plusmn;max |W_1| = " +
         python_float(m) + ")</span></div>\n"
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
    std::string s = "<section id=\"mistakes\"><h2>Test images the network got wrong</h2>\n<p class=\"note\">" +
                    std::to_string(wrong) + " of " + std::to_string(test.labels.size()) + " test images" +
                    (wrong > kMistakesShown ? "; the first " + std::to_string(kMistakesShown) + " in test-set order" : "") +
                    ". Under each: the label &rarr; the network's class, and " +
                    (outputs == 1 ? "its output <code>y_2</code> (the probability of a 1)."
                                  : "the probability it gave that class.") + "</p>\n<div class=\"grid\">\n";
    size_t shown = 0;
    for (size_t i = 0; i < test.labels.size() && shown < kMistakesShown; ++i) {
        if (predicted[i] == test.labels[i]) continue;
        ++shown;
        const double* y = test.outputs.row(i);
        std::string all;
        for (size_t j = 0; j < outputs; ++j) all += (j ? " " : "") + fixed(y[j], 4);
        const double shown_value = outputs == 1 ? y[0] : y[predicted[i]];
        s += "<div class=\"mistake\" title=\"test image " + std::to_string(i) + "; outputs " + all + "\"><img alt=\"test image " +
             std::to_string(i) + "\" src=\"" + digit_data_uri(image_bytes(*test.images, i), test.rows, test.cols) + "\">" +
             std::to_string(test.labels[i]) + " &rarr; <b>" + std::to_string(predicted[i]) + "</b><br>" +
             (outputs == 1 ? "y=" : "p=") + fixed(shown_value, 3) + "</div>\n";
    }
    if (shown == 0) s += "<p>None: every test image was classified right.</p>\n";
    return s + "</div></section>\n";
}

inline std::string confusion_section(const ReportTestSet& test, const std::vector<int>& predicted, int classes) {
    const size_t k = static_cast<size_t>(classes);
    std::vector<size_t> m(k * k, 0), row_total(k, 0);
    for (size_t i = 0; i < test.labels.size(); ++i) {
        const size_t t = static_cast<size_t>(test.labels[i]), p = static_cast<size_t>(predicted[i]);
        if (t < k && p < k) ++m[t * k + p], ++row_total[t];
    }
    std::string s = "<section id=\"confusion-section\"><h2>Confusion matrix</h2>\n<p class=\"note\">Rows: the "
                    "label; columns: the network's class; each class's accuracy is its diagonal cell over its row's "
                    "total.</p>\n<table id=\"confusion\" class=\"confusion\">\n<tr><th>label \\ class</th>";
    for (size_t c = 0; c < k; ++c) s += "<th>" + std::to_string(c) + "</th>";
    s += "<th>images</th><th>accuracy</th></tr>\n";
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
    std::string h = "<section id=\"loss\"><h2>Loss per epoch</h2>\n";
    if (losses.size() >= 2) {
        std::string svg = loss_plot_svg(losses);  // the notes' plot, as out/loss.svg
        if (svg.rfind("<?xml", 0) == 0) svg.erase(0, svg.find('\n') + 1);
        const size_t at = svg.find("<svg ");
        if (at != std::string::npos) svg.insert(at + 5, "class=\"loss\" role=\"img\" aria-label=\"loss per epoch\" ");
        h += svg;
    } else {
        h += "<p class=\"note\">" + (losses.empty() ? std::string("No training epoch (--epochs 0): no curve to draw.")
                                                       : "One epoch, loss " + python_float(losses[0]) + ": no curve to draw.") + "</p>\n";
    }
    h += "</section>\n";
    return h;
}

// The page's script, with the network's activations in its `rule` table.
inline std::string script_with_rules(const ReportNetwork& net) {
    std::string script = kScript;
    const std::string placeholder = "/*ACTIVATIONS*/";
    return script.replace(script.find(placeholder), placeholder.size(), rules_script(net));
}

// The head of every page: no request may leave it (Content-Security-Policy), and its style.
inline std::string page_head(const std::string& title) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
           escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body><main>\n";
}

}  // namespace report_detail

// The whole page. Throws std::invalid_argument when the pieces do not fit together (a program bug).
inline std::string report_html(const ReportNetwork& net, const ReportRun& run, const ReportTestSet& test) {
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

    std::string h;
    h.reserve(1 << 20);
    h += page_head(run.program + ": " + fixed(100 * accuracy, 2) + "% on the test set");

    // --- The run
    h += "<h1>Backpropagation report <small>" + escape(run.program) + "</small></h1>\n<p class=\"cmd\"><code>" +
         escape(command) + "</code></p>\n<section id=\"run\">\n<div class=\"cards\">\n";
    auto card = [&](const std::string& value, const std::string& key, bool small = false) {
        h += std::string("<div class=\"card\"><div class=\"v") + (small ? " small" : "") + "\">" + value + "</div><div class=\"k\">" + key + "</div></div>\n";
    };
    card(python_float(accuracy * 100) + "%", "Exactitud de Prueba (Test accuracy): " + std::to_string(correct) + " of " +
                                                 std::to_string(n) + " test images");
    card(run.losses.empty() ? std::string("&ndash;") : python_float(run.losses.back()),
         "final loss (epoch " + (run.losses.empty() ? std::string("none: no training") : std::to_string(run.losses.size() - 1)) + ")");
    card(layer_sizes(net), "network: inputs &rarr; units, activation", true);
    std::string times;
    for (const auto& t : run.seconds) times += (times.empty() ? "" : "<br>") + escape(t.first) + " " + fixed(t.second, 3) + " s";
    card(times.empty() ? "&ndash;" : times, "time, in seconds", true);
    h += "</div>\n<p class=\"checks\">Self-check, the page's JavaScript forward pass against the C++ program's outputs: "
         "<span id=\"self-check\" class=\"r\">not run (JavaScript is off)</span> <span id=\"self-check-detail\" "
         "class=\"detail\"></span><br>Drawing check, synthetic drawings read through the pad: "
         "<span id=\"draw-check\" class=\"r\">not run</span></p>\n<dl class=\"kv\">\n";
    for (size_t i = 0; i < run.shapes.size(); ++i)
        h += std::string("<dt>") + (i == 0 ? "training set" : i == 1 ? "test set" : "printed") + "</dt><dd><code>" +
             escape(run.shapes[i]) + "</code></dd>\n";
    for (const auto& kv : run.settings) h += "<dt>" + escape(kv.first) + "</dt><dd>" + escape(kv.second) + "</dd>\n";
    h += "</dl>\n</section>\n";

    // --- The loss curve
    h += loss_section(run.losses);

    // --- Draw a digit
    h += "<section id=\"draw\"><h2>Draw a digit</h2>\n<div class=\"draw\">\n<div><canvas id=\"pad\" width=\"280\" "
         "height=\"280\"></canvas><div class=\"pad-buttons\"><button id=\"clear\" type=\"button\">Clear</button>"
         "</div></div>\n<div><div class=\"detail\">what the network sees (" +
         std::to_string(test.rows) + "x" + std::to_string(test.cols) + ")</div><canvas id=\"seen\" width=\"" +
         std::to_string(test.cols) + "\" height=\"" + std::to_string(test.rows) +
         "\"></canvas></div>\n<div><div class=\"detail\">the network's answer</div><div id=\"answer\"></div>"
         "<div id=\"bars\" class=\"bars\"></div></div>\n</div>\n<p id=\"pad-note\" class=\"detail\"></p>\n<p class=\"note\">Draw with the mouse or a finger. "
         "The drawing is prepared as MNIST's digits were: its bounding box scaled to fit 20x20 pixels (aspect ratio "
         "kept, each pixel the average of the area it covers, hence the grey edges), then placed so that its centre "
         "of mass is the centre of the 28x28 field. The page's own JavaScript runs the trained network's forward "
         "pass on it (every weight is in the page). " +
         std::string(net.classes == 2 ? "This network knows only 0 and 1." : "") + "</p>\n"
         "<p class=\"detail\" id=\"draw-check-detail\"></p></section>\n";

    // --- Weights, mistakes, confusion matrix
    h += weights_section(net, test);
    h += mistakes_section(test, predicted, n - correct);
    h += confusion_section(test, predicted, net.classes);

    // --- The data and the script
    const CheckSamples samples = choose_check_samples(test, predicted, net.classes);
    h += "</main>\n<script type=\"application/json\" id=\"model-data\">\n" + model_json(net, test) +
         "\n</script>\n<script type=\"application/json\" id=\"check-data\">\n" + check_json(test, samples, predicted) +
         "\n</script>\n<script>" + script_with_rules(net) + "</script>\n</body>\n</html>\n";
    return h;
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
ReportNetwork lesson_network(const Params& p, const std::string& phi_javascript) {
    const std::string rule = elementwise_javascript(phi_javascript);
    return {{{p.W_1, p.b_1, "sigmoid", rule}, {p.W_2, p.b_2, "sigmoid", rule}}, 2};
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

// deep_mlp's Network: each hidden layer's activation from the registry (its name and its JavaScript),
// the output layer's from the network (sigmoid or softmax).
template <class Network>
ReportNetwork network_description(const Network& net) {
    ReportNetwork d;
    d.classes = net.classes;
    for (const auto& layer : net.layers)
        d.layers.push_back({layer.W, layer.b, layer.phi ? layer.phi->name : net.output_name(),
                            layer.phi ? elementwise_javascript(layer.phi->javascript) : net.output_javascript()});
    return d;
}

// The page a diverged run leaves beside its loss history: what happened, and the curve up to it.
// (A new loss.csv beside an older run's report would mix two runs in one folder.)
inline std::string diverged_report_html(const std::string& program, const std::string& message,
                                        const std::vector<double>& losses) {
    using namespace report_detail;
    return page_head(program + ": training diverged") + "<h1>Backpropagation report <small>" + escape(program) +
           "</small></h1>\n<p id=\"diverged\" class=\"note\">" + escape(message) + "</p>\n" + loss_section(losses) +
           "</main></body>\n</html>\n";
}
