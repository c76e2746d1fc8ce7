// program/pgm_image.hpp: reads a PGM image (Netpbm's grey-level format), for ./deep_mlp --predict.
//
// A PGM file is a text header, "P5" (binary) or "P2" (plain text), then the width, the height and
// maxval (1 to 65535) as decimal numbers separated by whitespace, with "#" comments to the end of a
// line allowed between them. Then the pixels row by row: for P5 a single whitespace character and
// one byte per pixel (two, most significant first, when maxval > 255); for P2 decimal numbers
// separated by whitespace. Each pixel is read as value / maxval, so that 0 is black and maxval
// white, and with maxval 255 the value is exactly MNIST's pixel / 255 (MNIST's digits are white
// ink on black). Anything after the pixels but whitespace is an error.
//
// Every size is checked against the bytes the file holds before memory is allocated. Any failure
// is a PgmError whose message is one line that starts with the file's name.
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "../idx_reader.hpp"
#include "command_line.hpp"

struct PgmError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct PgmImage {
    uint32_t width = 0, height = 0, maxval = 0;
    std::vector<double> pixels;  // width * height values in [0, 1], row by row
};

namespace pgm_detail {

constexpr uint32_t kMaxSide = 65535;

[[noreturn]] inline void fail(const std::string& name, const std::string& problem) {
    throw PgmError(name + ": " + problem);
}

inline bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Reads from data[at ..): skips whitespace and comments, then a decimal number of at most `limit`.
inline uint32_t number(const std::string& name, const uint8_t* data, size_t size, size_t& at, const char* what,
                       uint32_t limit) {
    for (;;) {
        while (at < size && is_space(data[at])) ++at;
        if (at < size && data[at] == '#')
            while (at < size && data[at] != '\n' && data[at] != '\r') ++at;
        else
            break;
    }
    if (at >= size) fail(name, std::string("truncated: the file ends before the ") + what);
    if (data[at] < '0' || data[at] > '9') fail(name, std::string("not a PGM image: expected the ") + what + ", a number");
    uint64_t v = 0;
    while (at < size && data[at] >= '0' && data[at] <= '9') {
        v = v * 10 + (data[at++] - '0');
        if (v > limit) fail(name, std::string("the ") + what + " is larger than " + std::to_string(limit));
    }
    return static_cast<uint32_t>(v);
}

}  // namespace pgm_detail

inline PgmImage parse_pgm(const std::string& name, const uint8_t* data, size_t size) {
    using namespace pgm_detail;
    if (size < 2 || data[0] != 'P' || (data[1] != '2' && data[1] != '5')) {
        if (size >= 2 && data[0] == 'P' && data[1] >= '1' && data[1] <= '7')
            fail(name, std::string("is a Netpbm P") + char(data[1]) + " file, not a grey-level PGM (P2 or P5)");
        fail(name, "not a PGM image (it does not start with P2 or P5)");
    }
    const bool binary = data[1] == '5';
    size_t at = 2;
    if (at < size && !is_space(data[at]) && data[at] != '#') fail(name, "not a PGM image (no space after the magic number)");
    PgmImage img;
    img.width = number(name, data, size, at, "width", kMaxSide);
    img.height = number(name, data, size, at, "height", kMaxSide);
    img.maxval = number(name, data, size, at, "maxval", 65535);
    if (img.width == 0 || img.height == 0) fail(name, "has no pixels (" + std::to_string(img.width) + "x" + std::to_string(img.height) + ")");
    if (img.maxval == 0) fail(name, "maxval is 0 (1 to 65535 expected)");
    const uint64_t count = uint64_t(img.width) * img.height;
    const std::string dims = std::to_string(img.width) + "x" + std::to_string(img.height);
    if (binary) {
        if (at >= size) fail(name, "truncated: no pixel data after the header");
        if (!is_space(data[at])) fail(name, "not a PGM image: maxval must be followed by one whitespace character");
        const uint64_t bytes = count * (img.maxval > 255 ? 2 : 1);
        // A header written with Windows line endings ends in CR LF, two characters where the format
        // has one; when the pixels then fill the file exactly, that is what it is.
        if (data[at] == '\r' && at + 1 < size && data[at + 1] == '\n' && size - at - 2 == bytes) ++at;
        ++at;  // the one whitespace character
        if (size - at < bytes)
            fail(name, "truncated: a " + dims + " image needs " + std::to_string(bytes) + " bytes of pixels, the file has " +
                           std::to_string(size - at));
        img.pixels.resize(count);
        for (uint64_t i = 0; i < count; ++i) {
            const uint32_t v = img.maxval > 255 ? uint32_t(data[at]) << 8 | data[at + 1] : data[at];
            at += img.maxval > 255 ? 2 : 1;
            if (v > img.maxval)
                fail(name, "pixel " + std::to_string(i) + " is " + std::to_string(v) + ", above maxval " + std::to_string(img.maxval));
            img.pixels[i] = static_cast<double>(v) / img.maxval;
        }
    } else {
        // Each value takes a digit and a separator (the last one may lack it): count them first.
        if ((size - at + 1) / 2 < count)
            fail(name, "truncated: too short for the " + std::to_string(count) + " pixels of a " + dims + " image");
        img.pixels.resize(count);
        for (uint64_t i = 0; i < count; ++i) {
            const uint32_t v = number(name, data, size, at, "next pixel", 65535);
            if (v > img.maxval)
                fail(name, "pixel " + std::to_string(i) + " is " + std::to_string(v) + ", above maxval " + std::to_string(img.maxval));
            if (at < size && !is_space(data[at]) && data[at] != '#') fail(name, "not a PGM image: a pixel value is not a number");
            img.pixels[i] = static_cast<double>(v) / img.maxval;
        }
    }
    while (at < size && is_space(data[at])) ++at;
    if (at < size) fail(name, "has " + count_of(size - at, "byte") + " after the " + dims + " image its header describes");
    return img;
}

inline PgmImage read_pgm_file(const std::string& path, uint64_t max_bytes = uint64_t(1) << 28) {
    std::ifstream in;
    const uint64_t size = open_for_reading(path, "a PGM image", in);  // idx_reader.hpp: a regular file only
    if (size > max_bytes) pgm_detail::fail(path, "is " + std::to_string(size) + " bytes, too large for a PGM image here");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
    if (static_cast<uint64_t>(in.gcount()) != size) pgm_detail::fail(path, "read error");
    return parse_pgm(path, bytes.data(), bytes.size());
}
