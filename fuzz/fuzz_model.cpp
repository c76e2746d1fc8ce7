// fuzz/fuzz_model.cpp: libFuzzer target for the model file reader (exercises/model_file.hpp) and the
// PGM reader of --predict (exercises/pgm_image.hpp) (`make fuzz`).
//
// Every input is read as a model file twice: as it is, and with its last four bytes replaced by the
// right CRC-32, so that the fuzzer gets past the checksum to the header and the weights behind it.
// It is also read as a PGM image. Whatever the bytes, a reader must either return data that agrees
// with itself (a model that writes back to the same bytes; an image with width x height pixels in
// [0, 1]) or throw its error whose message is one line naming the input; a crash, a sanitizer
// report, any other exception or an allocation larger than the input is a bug.
#include "../program/model_file.hpp"
#include "../program/pgm_image.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

void expect_one_line_naming(const std::exception& e) {
    const std::string message = e.what();
    if (message.rfind("input: ", 0) != 0 || message.find('\n') != std::string::npos) {
        std::fprintf(stderr, "bad error message: %s\n", message.c_str());
        std::abort();
    }
}

void read_model(const uint8_t* data, size_t size) {
    try {
        const ModelData m = parse_model("input", data, size);
        // What was read must be what is written back, byte for byte.
        const std::string again = serialize_model(m);
        if (again.size() != size || std::memcmp(again.data(), data, size) != 0) std::abort();
    } catch (const ModelError& e) {
        expect_one_line_naming(e);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    read_model(data, size);
    if (size >= 4) {
        std::vector<uint8_t> fixed(data, data + size);
        const uint32_t crc = crc32(fixed.data(), size - 4);
        for (int b = 0; b < 4; ++b) fixed[size - 4 + b] = static_cast<uint8_t>(crc >> (8 * b));
        read_model(fixed.data(), size);
    }
    try {
        const PgmImage img = parse_pgm("input", data, size);
        if (img.pixels.size() != uint64_t(img.width) * img.height || img.pixels.size() > size) std::abort();
        for (double v : img.pixels)
            if (!(v >= 0.0 && v <= 1.0)) std::abort();
    } catch (const PgmError& e) {
        expect_one_line_naming(e);
    }
    return 0;
}
