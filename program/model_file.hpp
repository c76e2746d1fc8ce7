// program/model_file.hpp: a trained network in a file (./deep_mlp --save FILE, --load FILE).
//
// MODEL_FORMAT, version 2. Binary; every number little-endian; u32 = 4-byte unsigned integer,
// f64 = 8-byte IEEE 754 double (its exact bits: nothing is rounded).
//
//   offset  size      field
//   0       8         magic: the ASCII bytes "MLPMODEL"
//   8       u32       version: 2
//   12      u32       classes: 2 (one sigmoid output, the probability of a 1) or 10 (softmax)
//   16      u32       input rows (28)
//   20      u32       input cols (28); the network's input is rows x cols pixels / 255, row by row
//   24      u32       k, the number of hidden layers: 1 to 16
//   28      ...       for each hidden layer: u32 units (1 to 4096), u32 n (1 to 32), then n bytes:
//                     the activation's name, as --act takes it ("relu"; ASCII letters, digits, '_')
//   H       ...       for each layer l = 1 .. k+1 (the last is the output layer, 1 or 10 units):
//                     W_l, n_{l-1} x n_l f64, row-major (the row of input i, then the next), then
//                     b_l, n_l f64; n_0 = rows x cols
//   end-4   u32       CRC-32 (the one of zlib and PNG) of every byte before it
//
// The file is exactly that long. The reader checks the magic, the version, every count against its
// range, computes the size they imply and compares it with the file's before it allocates anything,
// then checks the CRC and that every weight is finite. Version 1 (activations as numeric codes) is
// refused with a hint; whether a name is an activation this program knows is for the program that
// turns the file into its network to say. Any failure is a ModelError whose message is
// one line that starts with the file's name. The optimizer's state (momentum, Adam's averages) is
// not saved: --load continues training with a fresh optimizer.
//
// It knows nothing of training: a ModelData is plain numbers, and deep_mlp.cpp turns it into its
// Network and back.
#pragma once

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "../idx_reader.hpp"
#include "memory.hpp"
#include "output_files.hpp"

struct ModelError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct ModelLayer {
    size_t inputs = 0, outputs = 0;
    std::string activation;  // hidden: a name --act takes; output: sigmoid (2 classes) or softmax (10)
    std::vector<double> W;   // inputs x outputs, row-major
    std::vector<double> b;   // outputs
};

struct ModelData {
    int classes = 2;
    uint32_t rows = 28, cols = 28;
    std::vector<ModelLayer> layers;  // the hidden layers, then the output layer
};

namespace model_detail {

constexpr char kMagic[8] = {'M', 'L', 'P', 'M', 'O', 'D', 'E', 'L'};
constexpr uint32_t kVersion = 2;
constexpr uint32_t kMaxHidden = 16, kMaxUnits = 4096, kMaxSide = 4096;
constexpr size_t kFixedHeader = 28;  // magic, version, classes, rows, cols, k
constexpr uint32_t kMaxName = 32;
constexpr size_t kMaxHeader = kFixedHeader + kMaxHidden * (8 + kMaxName);

inline uint32_t u32_at(const uint8_t* p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
inline double f64_at(const uint8_t* p) {
    uint64_t bits = 0;
    for (int b = 7; b >= 0; --b) bits = bits << 8 | p[b];
    double x;
    std::memcpy(&x, &bits, 8);
    return x;
}
inline void put_u32(std::string& s, uint32_t v) {
    for (int b = 0; b < 4; ++b) s += static_cast<char>((v >> (8 * b)) & 0xff);
}
inline void put_f64(std::string& s, double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    for (int b = 0; b < 8; ++b) s += static_cast<char>((bits >> (8 * b)) & 0xff);
}

[[noreturn]] inline void fail(const std::string& name, const std::string& problem) {
    throw ModelError(name + ": " + problem);
}

// What the header says: the architecture and the exact size of the file it implies.
struct Header {
    int classes = 2;
    uint32_t rows = 0, cols = 0;
    std::vector<uint32_t> units;           // n_1 .. n_{k+1}
    std::vector<std::string> activations;  // hidden layers only
    uint64_t weights_at = 0, file_size = 0;
};

// Checks the header in data[0 .. available) of a file of `file_size` bytes; allocates nothing
// that depends on the numbers in it until they are checked against their ranges.
inline Header check_header(const std::string& name, const uint8_t* data, size_t available, uint64_t file_size) {
    if (available == 0) fail(name, "empty: 0 bytes, not a model file; write one with ./deep_mlp --save");
    if (std::memcmp(data, kMagic, std::min<size_t>(available, 8)) != 0)
        fail(name, "not a model file (it does not start with \"MLPMODEL\"); write one with ./deep_mlp --save");
    if (available < kFixedHeader)
        fail(name, "truncated: " + std::to_string(file_size) + " bytes, too short for a model file's header");
    Header h;
    const uint32_t version = u32_at(data + 8);
    if (version == 1)
        fail(name, "model format version 1, from an older ./deep_mlp; this one reads version 2 (activations by "
                   "name): train the network again and --save it");
    if (version != kVersion)
        fail(name, "model format version " + std::to_string(version) + "; this program reads version " +
                       std::to_string(kVersion));
    const uint32_t classes = u32_at(data + 12);
    if (classes != 2 && classes != 10) fail(name, "corrupt: " + std::to_string(classes) + " classes (2 or 10 expected)");
    h.classes = static_cast<int>(classes);
    h.rows = u32_at(data + 16), h.cols = u32_at(data + 20);
    if (h.rows < 1 || h.rows > kMaxSide || h.cols < 1 || h.cols > kMaxSide)
        fail(name, "corrupt: input of " + std::to_string(h.rows) + "x" + std::to_string(h.cols) + " pixels");
    const uint32_t k = u32_at(data + 24);
    if (k < 1 || k > kMaxHidden)
        fail(name, "corrupt: " + std::to_string(k) + " hidden layers (1 to " + std::to_string(kMaxHidden) + " expected)");
    size_t at = kFixedHeader;  // the next hidden layer's entry
    auto need = [&](size_t bytes, uint32_t layer) {
        if (available < at + bytes)
            fail(name, "truncated: " + std::to_string(file_size) + " bytes, too short for the header of hidden layer " +
                           std::to_string(layer + 1) + " of " + std::to_string(k));
    };
    uint64_t doubles = 0, n_in = uint64_t(h.rows) * h.cols;
    for (uint32_t l = 0; l <= k; ++l) {
        uint32_t units = classes == 2 ? 1 : 10;
        if (l < k) {
            need(8, l);
            units = u32_at(data + at);
            const uint32_t length = u32_at(data + at + 4);
            if (units < 1 || units > kMaxUnits)
                fail(name, "corrupt: hidden layer " + std::to_string(l + 1) + " has " + std::to_string(units) +
                               " units (1 to " + std::to_string(kMaxUnits) + " expected)");
            if (length < 1 || length > kMaxName)
                fail(name, "corrupt: hidden layer " + std::to_string(l + 1) + "'s activation name is " +
                               std::to_string(length) + " bytes long (1 to " + std::to_string(kMaxName) + " expected)");
            need(8 + length, l);
            const std::string activation(reinterpret_cast<const char*>(data + at + 8), length);
            for (const char c : activation)
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
                    fail(name, "corrupt: hidden layer " + std::to_string(l + 1) +
                                   "'s activation name holds a byte that is not a letter, a digit or '_'");
            h.activations.push_back(activation);
            at += 8 + length;
        }
        h.units.push_back(units);
        doubles += n_in * units + units;  // at most 2^24 * 2^12 per layer: no overflow
        n_in = units;
    }
    h.weights_at = at;
    h.file_size = h.weights_at + 8 * doubles + 4;
    if (file_size < h.file_size)
        fail(name, "truncated: " + std::to_string(file_size) + " bytes, but its header describes a network of " +
                       std::to_string(h.file_size) + " bytes");
    if (file_size > h.file_size)
        fail(name, "corrupt: " + count_of(file_size - h.file_size, "byte") + " after the network its header describes");
    return h;
}

}  // namespace model_detail

// The model in the `size` bytes at `data` (`name` labels the errors).
inline ModelData parse_model(const std::string& name, const uint8_t* data, size_t size) {
    using namespace model_detail;
    const Header h = check_header(name, data, size, size);  // size == h.file_size from here on
    const uint32_t stored = u32_at(data + size - 4), computed = ::crc32(data, size - 4);
    if (stored != computed)
        fail(name, "corrupt: its checksum does not match its contents (the file was damaged after it was written)");
    ModelData m;
    m.classes = h.classes, m.rows = h.rows, m.cols = h.cols;
    const uint8_t* p = data + h.weights_at;
    size_t n_in = size_t(h.rows) * h.cols;
    for (size_t l = 0; l < h.units.size(); ++l) {
        ModelLayer layer;
        layer.inputs = n_in, layer.outputs = h.units[l];
        layer.activation = l < h.activations.size() ? h.activations[l] : h.classes == 2 ? "sigmoid" : "softmax";
        layer.W.resize(layer.inputs * layer.outputs);
        layer.b.resize(layer.outputs);
        for (std::vector<double>* v : {&layer.W, &layer.b})
            for (double& x : *v) {
                x = f64_at(p);
                p += 8;
                if (!std::isfinite(x))
                    fail(name, "corrupt: layer " + std::to_string(l + 1) + " holds a weight that is not a finite number");
            }
        m.layers.push_back(std::move(layer));
        n_in = h.units[l];
    }
    return m;
}

// The file's bytes.
inline std::string serialize_model(const ModelData& m) {
    using namespace model_detail;
    std::string s(kMagic, 8);
    put_u32(s, kVersion);
    put_u32(s, static_cast<uint32_t>(m.classes));
    put_u32(s, m.rows);
    put_u32(s, m.cols);
    put_u32(s, static_cast<uint32_t>(m.layers.size() - 1));
    for (size_t l = 0; l + 1 < m.layers.size(); ++l) {
        const std::string& activation = m.layers[l].activation;
        if (activation.empty() || activation.size() > kMaxName)
            throw std::invalid_argument("serialize_model: an activation name of 1 to 32 bytes, not '" + activation + "'");
        put_u32(s, static_cast<uint32_t>(m.layers[l].outputs));
        put_u32(s, static_cast<uint32_t>(activation.size()));
        s += activation;
    }
    for (const ModelLayer& layer : m.layers) {
        for (double w : layer.W) put_f64(s, w);
        for (double b : layer.b) put_f64(s, b);
    }
    put_u32(s, ::crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    return s;
}

// Reads the model file at `path`: the header first, checked against the file's size, and only then
// the rest. Its bytes and the numbers read from them are held at once, so reading takes at least
// twice the file's size in memory: a run that has less is refused, naming the file and its size.
inline ModelData read_model_file(const std::string& path) {
    std::ifstream in;
    const uint64_t size = open_for_reading(path, "a model file", in);  // idx_reader.hpp: a regular file only
    std::vector<uint8_t> head(model_detail::kMaxHeader);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    const model_detail::Header h = model_detail::check_header(path, head.data(), static_cast<size_t>(in.gcount()), size);
    const std::string what = "reading the network in " + path + " (" + bytes_text(size) + ")";
    const std::string advice = "free some memory, or raise the limit";
    const uint64_t numbers = h.file_size - h.weights_at - 4;
    require_memory(size + numbers, what, bytes_text(size) + " for the file and " + bytes_text(numbers) + " for the numbers in it",
                   advice);
    Stage reading(what, advice);
    std::vector<uint8_t> bytes(static_cast<size_t>(size));  // the size the header implies
    in.clear();
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (static_cast<uint64_t>(in.gcount()) != size)
        model_detail::fail(path, "read error after " + std::to_string(in.gcount()) + " of " + std::to_string(size) + " bytes");
    return parse_model(path, bytes.data(), bytes.size());
}

// Why no model file can be written at `path`, or "": a regular file (or nothing) under a name
// that fits, in a folder that can be written (output_files.hpp's output_file_problem()).
inline std::string model_file_problem(const std::string& path) { return output_file_problem(path, "a model file"); }

// Writes a model file's bytes (serialize_model()) to `path` whole or not at all, as every output is
// (program/output_files.hpp), looking once more, at the last moment, that nothing but a regular
// file is replaced; `flag` names the flag a failure's message advises changing.
inline void write_model_bytes(const std::string& path, const std::string& bytes, const std::string& flag = "--save") {
    const std::string problem = model_file_problem(path);
    if (!problem.empty()) throw OutputError(path + ": cannot write: " + problem);
    const std::filesystem::path p(path);
    const std::string folder = p.parent_path().empty() ? "." : p.parent_path().string();
    write_files_atomically(folder, {{p.filename().string(), bytes}}, flag);
}

inline void write_model_file(const std::string& path, const ModelData& m, const std::string& flag = "--save") {
    write_model_bytes(path, serialize_model(m), flag);
}
