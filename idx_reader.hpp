// idx_reader.hpp: reads the IDX files MNIST ships in (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS").
//
// An IDX file is a big-endian header followed by a C-order array:
//   bytes 0-1   zero
//   byte  2     element type; 0x08 = unsigned byte, the only one MNIST uses
//   byte  3     number of dimensions d (3 for images: count, rows, cols; 1 for labels: count)
//   4*d bytes   each dimension as a big-endian uint32
//   the rest    the elements, one byte each for type 0x08
// So the image files start with the magic number 2051 (0x00000803) and the label files with 2049
// (0x00000801). Everything is checked before memory is allocated: the file's real size must be
// exactly header + payload, so a corrupt header can never ask for more memory than the file holds.
// Only regular files are opened: a FIFO, a device or a directory under an MNIST name is refused
// with a message that says what it is, and a file that cannot be opened is reported with the
// system's reason (only a missing one suggests 'make data').
// It knows nothing of training. Every error is an IdxError whose message names the file.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct IdxError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct IdxImages {
    uint32_t count = 0, rows = 0, cols = 0;
    std::vector<uint8_t> pixels;  // image i, row r, column c at pixels[(i * rows + r) * cols + c]
};

namespace idx_detail {

inline const char* kHowToGetData = "run 'make data' to download MNIST";

[[noreturn]] inline void fail(const std::string& path, const std::string& problem,
                              const std::string& hint = kHowToGetData) {
    throw IdxError(path + ": " + problem + (hint.empty() ? "" : "; " + hint));
}

inline uint32_t big_endian_u32(const unsigned char* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

struct Header {
    std::vector<uint32_t> dims;
    uint64_t header_size = 0, payload_size = 0;
};

// Checks an IDX header: `head` holds the first `head_len` bytes of a file of `file_size` bytes
// (at least 4 + 4 * expected_ndim of them when the file has them). Every check happens here, before
// any memory is allocated for the data, so a corrupt header can never ask for more than the file has.
inline Header check_header(const std::string& path, const unsigned char* head, size_t head_len,
                           uint64_t file_size, uint8_t expected_ndim, const char* what) {
    if (head_len >= 2 && head[0] == 0x1f && head[1] == 0x8b)
        fail(path, "is gzip-compressed", "unpack it with gunzip (or run 'make data')");
    if (head_len < 4) fail(path, "too short for an IDX header (" + std::to_string(file_size) + " bytes)");
    const uint32_t magic = big_endian_u32(head);
    const uint32_t expected_magic = 0x800u + expected_ndim;
    if (head[0] != 0 || head[1] != 0)
        fail(path, "not an IDX file (magic number " + std::to_string(magic) + ", expected " +
                       std::to_string(expected_magic) + " for " + what + ")");
    if (head[2] != 0x08)
        fail(path, "element type " + std::to_string(head[2]) + " is not unsigned byte (8)");
    if (head[3] != expected_ndim)
        fail(path, "has " + std::to_string(head[3]) + " dimensions, expected " +
                       std::to_string(expected_ndim) + " for " + what + " (magic " +
                       std::to_string(expected_magic) + ")");

    Header h;
    h.header_size = 4 + 4ull * expected_ndim;
    if (head_len < h.header_size)
        fail(path, "truncated header (" + std::to_string(file_size) + " bytes, the header needs " +
                       std::to_string(h.header_size) + ")");
    for (size_t d = 0; d < expected_ndim; ++d) {
        h.dims.push_back(big_endian_u32(head + 4 + 4 * d));
        if (h.dims[d] == 0) fail(path, "dimension " + std::to_string(d) + " is zero");
    }
    // The product of three uint32 can overflow 64 bits; anything past the file's size is an error
    // anyway, so stop multiplying as soon as the product exceeds it.
    h.payload_size = 1;
    for (uint32_t dim : h.dims) {
        if (h.payload_size > file_size / dim + 1) {
            h.payload_size = UINT64_MAX;
            break;
        }
        h.payload_size *= dim;
    }
    if (h.payload_size == UINT64_MAX || h.header_size + h.payload_size > file_size) {
        std::string dims_text;
        for (size_t d = 0; d < expected_ndim; ++d) dims_text += (d ? " x " : "") + std::to_string(h.dims[d]);
        fail(path, "truncated: the header says " + dims_text + " bytes of data but the file has only " +
                       std::to_string(file_size - h.header_size) + " after the header",
             "the download was probably cut short; delete it and run 'make data'");
    }
    if (h.header_size + h.payload_size < file_size)
        fail(path, "has " + std::to_string(file_size - h.header_size - h.payload_size) +
                       (file_size - h.header_size - h.payload_size == 1 ? " byte" : " bytes") + " after the data its header announces",
             "the file is corrupt; delete it and run 'make data'");
    return h;
}

// What a path that is not a regular file is, for the message that refuses it.
inline std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "is a directory";
    if (S_ISFIFO(mode)) return "is a FIFO (named pipe)";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "is a device";
    if (S_ISSOCK(mode)) return "is a socket";
    return "is not a regular file";
}

// Why `path` could not be opened (errno `error`). Only a file that is truly absent (ENOENT) gets
// "run 'make data'"; the other causes are named as they are, with what to look at.
[[noreturn]] inline void fail_to_open(const std::string& path, int error) {
    if (error == ENOENT) fail(path, "no such file");
    const std::string problem = std::string("cannot open: ") + std::strerror(error);
    if (error == ENOTDIR) fail(path, problem, "a folder on its path is a file (--data must name a folder)");
    if (error == ELOOP) fail(path, problem, "a symbolic link on its path leads in a loop");
    if (error == EACCES) fail(path, problem, "check the permissions of the file and of its folders");
    fail(path, problem, "");
}

// Closes a file descriptor when it goes out of scope.
struct FileDescriptor {
    int fd;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
};

// Reads up to `size` bytes, fewer only at the end of the file; fails with errno's text on an error.
inline size_t read_fully(const std::string& path, int fd, unsigned char* data, size_t size) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::read(fd, data + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(path, std::string("read error: ") + std::strerror(errno), "");
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

// Opens `path` for reading if it is a regular file. Anything else is refused before it is opened
// (reading a FIFO would wait forever for a writer; opening a device can have effects of its own);
// the open itself does not wait (O_NONBLOCK), and fstat() checks again what was really opened.
inline int open_regular_file(const std::string& path) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) fail_to_open(path, errno);
    if (!S_ISREG(st.st_mode)) fail(path, kind_of(st.st_mode) + ", not an IDX file", "");
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) fail_to_open(path, errno);
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(path, "changed into something that is not a regular file while being opened", "");
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);  // back to ordinary reads
    return fd;
}

// Opens `path`, checks its header against the expected number of dimensions, and returns the
// dimensions and the payload bytes.
inline std::vector<uint32_t> read_idx(const std::string& path, uint8_t expected_ndim,
                                      const char* what, std::vector<uint8_t>& payload) {
    const FileDescriptor file{open_regular_file(path)};
    struct stat st;
    if (::fstat(file.fd, &st) != 0) fail(path, std::string("cannot read its size: ") + std::strerror(errno), "");
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);

    unsigned char head[4 + 4 * 255];
    const size_t head_len = read_fully(path, file.fd, head, 4 + 4 * size_t(expected_ndim));
    const Header h = check_header(path, head, head_len, file_size, expected_ndim, what);
    payload.resize(h.payload_size);
    const size_t got = read_fully(path, file.fd, payload.data(), payload.size());
    if (got != h.payload_size)
        fail(path, "read error after " + std::to_string(got) + " of " + std::to_string(h.payload_size) +
                       " data bytes (did the file shrink?)");
    return h.dims;
}

// The same, for a file already in memory (`name` only labels the errors).
inline std::vector<uint32_t> parse_idx(const std::string& name, const uint8_t* data, size_t size,
                                       uint8_t expected_ndim, const char* what, std::vector<uint8_t>& payload) {
    const Header h = check_header(name, data, std::min<size_t>(size, 4 + 4 * expected_ndim), size,
                                  expected_ndim, what);
    payload.assign(data + h.header_size, data + h.header_size + h.payload_size);
    return h.dims;
}

inline IdxImages images_from(const std::vector<uint32_t>& dims, std::vector<uint8_t>&& pixels) {
    IdxImages images;
    images.count = dims[0];
    images.rows = dims[1];
    images.cols = dims[2];
    images.pixels = std::move(pixels);
    return images;
}

}  // namespace idx_detail

// Refuses `path` unless it is a regular file: "is a FIFO (named pipe), not <what>" (reading a FIFO
// would wait forever for a writer), and a missing file or a bad path with its real cause. The
// other readers (model files, PGM images) share this check.
inline void require_regular_file(const std::string& path, const std::string& what) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0)
        throw IdxError(path + (errno == ENOENT ? std::string(": no such file") : ": cannot open: " + std::string(std::strerror(errno))));
    if (!S_ISREG(st.st_mode)) throw IdxError(path + ": " + idx_detail::kind_of(st.st_mode) + ", not " + what);
}

// Opens the regular file at `path` (refused as require_regular_file() does) into `in` and returns
// its size in bytes: how the model file and PGM readers start.
inline uint64_t open_for_reading(const std::string& path, const std::string& what, std::ifstream& in) {
    require_regular_file(path, what);
    in.open(path, std::ios::binary);
    if (!in) throw IdxError(path + ": cannot open: " + std::strerror(errno));
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) throw IdxError(path + ": cannot read its size: " + ec.message());
    return size;
}

// An images file: magic 2051, dimensions count x rows x cols.
inline IdxImages read_idx_images(const std::string& path) {
    std::vector<uint8_t> pixels;
    const auto dims = idx_detail::read_idx(path, 3, "images", pixels);
    return idx_detail::images_from(dims, std::move(pixels));
}

// A labels file: magic 2049, one dimension.
inline std::vector<uint8_t> read_idx_labels(const std::string& path) {
    std::vector<uint8_t> labels;
    idx_detail::read_idx(path, 1, "labels", labels);
    return labels;
}

// The same two for the bytes of a whole file in memory (the fuzzer feeds these).
inline IdxImages parse_idx_images(const std::string& name, const uint8_t* data, size_t size) {
    std::vector<uint8_t> pixels;
    const auto dims = idx_detail::parse_idx(name, data, size, 3, "images", pixels);
    return idx_detail::images_from(dims, std::move(pixels));
}

inline std::vector<uint8_t> parse_idx_labels(const std::string& name, const uint8_t* data, size_t size) {
    std::vector<uint8_t> labels;
    idx_detail::parse_idx(name, data, size, 1, "labels", labels);
    return labels;
}

// The path of `stem` (e.g. "train-images-idx3-ubyte") in `dir`. MNIST's files circulate under two
// spellings, "train-images-idx3-ubyte" and "train-images.idx3-ubyte"; either is accepted. When
// neither exists, the first spelling is returned so the error names the file we looked for.
inline std::string find_idx_file(const std::string& dir, const std::string& stem) {
    const std::string base = dir.empty() || dir.back() == '/' ? dir : dir + "/";
    std::string dotted = stem;
    const size_t dash = dotted.rfind("-idx");
    if (dash != std::string::npos) dotted[dash] = '.';
    for (const std::string& name : {stem, dotted}) {
        std::error_code ec;
        if (std::filesystem::exists(base + name, ec)) return base + name;
    }
    return base + stem;
}
