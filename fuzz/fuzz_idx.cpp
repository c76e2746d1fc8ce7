// fuzz/fuzz_idx.cpp: libFuzzer target for idx_reader.hpp (`make fuzz`).
//
// Every input is read both as an images file and as a labels file, from memory and from a file on
// disk. Whatever the bytes, the reader must either return data that matches its header or throw an
// IdxError whose message is one line naming the file; a crash, a sanitizer report, any other
// exception or an allocation larger than the input is a bug.
#include "../idx_reader.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

namespace {

void expect_one_line_naming(const IdxError& e, const std::string& name) {
    const std::string message = e.what();
    if (message.rfind(name + ": ", 0) != 0 || message.find('\n') != std::string::npos) {
        std::fprintf(stderr, "bad error message: %s\n", message.c_str());
        std::abort();
    }
}

void check_images(const IdxImages& im, size_t input_size) {
    const uint64_t expected = uint64_t(im.count) * im.rows * im.cols;
    if (im.pixels.size() != expected || im.pixels.size() + 16 != input_size) std::abort();
}

void check_labels(const std::vector<uint8_t>& labels, size_t input_size) {
    if (labels.size() + 8 != input_size) std::abort();
}

// A file of this process's own, removed at exit.
const std::string& scratch_file() {
    static const struct Scratch {
        std::string path = "/tmp/fuzz_idx_" + std::to_string(getpid());
        ~Scratch() { std::remove(path.c_str()); }
    } scratch;
    return scratch.path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        check_images(parse_idx_images("input", data, size), size);
    } catch (const IdxError& e) {
        expect_one_line_naming(e, "input");
    }
    try {
        check_labels(parse_idx_labels("input", data, size), size);
    } catch (const IdxError& e) {
        expect_one_line_naming(e, "input");
    }
    const std::string& path = scratch_file();
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    try {
        check_images(read_idx_images(path), size);
    } catch (const IdxError& e) {
        expect_one_line_naming(e, path);
    }
    try {
        check_labels(read_idx_labels(path), size);
    } catch (const IdxError& e) {
        expect_one_line_naming(e, path);
    }
    return 0;
}
