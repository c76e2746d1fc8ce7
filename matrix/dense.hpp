// matrix/dense.hpp: the fast dense products, for matrix/kernels.hpp.
//
// matrix.hpp's plain blocked product reads and writes C from the cache for every term. Here (make
// bench, one core, a 1024^3 product: 30-44 GFLOP/s, where the plain product runs at 2-5 and
// OpenBLAS at 43-65 on one core of the same machines):
//  - Register blocking: a block of kMr x kNr elements of C (8 x 16) lives in 16 vector registers
//    while the whole k loop runs, so each loaded element of A is used 16 times and each of B 8 times.
//    With AVX-512 the kernel says it outright (two 8-wide registers per row): on the machine of an
//    earlier session both compilers reached about 41 GFLOP/s with it, 21 (g++) and 18 (clang++) with
//    the plain loops. With AVX2 and no AVX-512 (most laptops: 16 registers of 4 doubles) the block
//    goes in parts of 4 x 8 (one core, 1024^3: 22 -> 36 GFLOP/s); with no AVX at all the plain loops
//    are used, where g++ fills the registers at 8 rows, clang at 4.
//  - Packing: B is cut into strips of kNr columns and kKc rows, each copied once into the order the
//    kernel reads it (16 consecutive doubles per k), small enough for the L1 cache, and reused by
//    every row of C. Reading B^T instead of B is only another way of packing, so A B^T needs no copy.
//  - Threads: each thread gets a share of C's rows (or, for a C of too few rows, of its strips) and
//    packs the strips it needs itself: no thread waits for, or reads, another's copies.
//  - Zeros skipped: a left factor at most a quarter nonzero (a ReLU layer's output, more so under
//    dropout) is listed as sparse rows and gathered (matrix/sparse.hpp): the record's second layer,
//    12% nonzero, 2.5x-3.2x faster, the listing included.
// Each element of C still adds its terms in ascending k (kernel_block continues from C's running sum
// after the first k panel): the plain product's bits.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sparse.hpp"
#include "threads.hpp"

namespace matrix_kernels {

constexpr size_t kNr = 16;   // columns of C per register block, and of B per strip
constexpr size_t kKc = 256;  // rows of B per strip: 256 x 16 doubles = 32 KiB, L1-sized
constexpr size_t kNarrow = 4;  // a C narrower than this is summed element by element (a strip: mostly padding)
// Below this much work a blocked product runs on one thread: a share-out costs 3-4 us on a 2-core
// virtual machine. The work counts the multiply-adds and, for each element of C, about as much as
// kElementWork of them (its block's set-up and store): a 128 x 128 x 64 product takes 25 us on one
// thread, 19 on two; 128 x 128 x 10 (the ten-class output layer) 6.5 us on one, no faster on two;
// the lesson's (11824 x 1)(1 x 64) outer product, all set-up, 147 us on one.
constexpr size_t kDenseParallelWork = 1 << 20, kElementWork = 8;

// Rows of C per register block, kMr x kNr accumulators in all: the block that fills the vector
// registers without spilling (see the top).
#if defined(MATRIX_AVX512_KERNEL) || !defined(__clang__)
constexpr size_t kMr = 8;
#else
constexpr size_t kMr = 4;
#endif

// c[r * ldc + j] (a kMr x kNr block) = (first ? 0 : c[r * ldc + j]) + sum over k < kc, ascending,
// of a[r * lda + k] * strip[k * kNr + j].
#ifdef MATRIX_AVX512_KERNEL
inline void kernel_block(const double* a, size_t lda, const double* strip, size_t kc, double* c, size_t ldc,
                         bool first) {
    double8 acc[kMr][2];
    for (size_t r = 0; r < kMr; ++r)
        for (size_t h = 0; h < 2; ++h) acc[r][h] = first ? double8{} : load8(c + r * ldc + 8 * h);
    for (size_t k = 0; k < kc; ++k) {
        const double8 b0 = load8(strip + k * kNr), b1 = load8(strip + k * kNr + 8);
        for (size_t r = 0; r < kMr; ++r) {
            const double a_rk = a[r * lda + k];
            acc[r][0] += a_rk * b0;
            acc[r][1] += a_rk * b1;
        }
    }
    for (size_t r = 0; r < kMr; ++r)
        for (size_t h = 0; h < 2; ++h) store8(c + r * ldc + 8 * h, acc[r][h]);
}
#elif defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
// With AVX but not AVX-512 there are 16 vector registers of 4 doubles: the whole block (32 of them)
// would spill to memory at every k. So the block goes in parts of 4 rows x 8 columns (8 registers,
// and 2 for B's row and 2 for the products), each along the whole strip: the strip and the block's
// rows of A stay in the L1 cache. Each element still adds its terms in ascending k. AVX2 build, one
// core, z_2 = y_1 W_2 (128x256)(256x128): 365 -> 219 us.
inline void kernel_block(const double* a, size_t lda, const double* strip, size_t kc, double* c, size_t ldc,
                         bool first) {
    static_assert(kMr % 4 == 0 && kNr % 8 == 0, "the block is cut into parts of 4 x 8");
    for (size_t r0 = 0; r0 < kMr; r0 += 4)
        for (size_t j0 = 0; j0 < kNr; j0 += 8) {
            double4 acc[4][2];
            for (size_t r = 0; r < 4; ++r)
                for (size_t h = 0; h < 2; ++h)
                    acc[r][h] = first ? double4{0.0, 0.0, 0.0, 0.0} : load4(c + (r0 + r) * ldc + j0 + 4 * h);
            const double* a0 = a + r0 * lda;
            const double* a1 = a0 + lda;
            const double* a2 = a1 + lda;
            const double* a3 = a2 + lda;
            for (size_t k = 0; k < kc; ++k) {
                const double4 b0 = load4(strip + k * kNr + j0), b1 = load4(strip + k * kNr + j0 + 4);
                acc[0][0] += a0[k] * b0, acc[0][1] += a0[k] * b1;
                acc[1][0] += a1[k] * b0, acc[1][1] += a1[k] * b1;
                acc[2][0] += a2[k] * b0, acc[2][1] += a2[k] * b1;
                acc[3][0] += a3[k] * b0, acc[3][1] += a3[k] * b1;
            }
            for (size_t r = 0; r < 4; ++r)
                for (size_t h = 0; h < 2; ++h) store4(c + (r0 + r) * ldc + j0 + 4 * h, acc[r][h]);
        }
}
#else
// Each row's pointer is a variable of its own: written as an array of pointers, both compilers
// kept the block in memory instead of registers (5x slower).
inline void kernel_block(const double* a, size_t lda, const double* strip, size_t kc, double* c, size_t ldc,
                         bool first) {
    double acc[kMr][kNr];
    for (size_t r = 0; r < kMr; ++r)
        for (size_t j = 0; j < kNr; ++j) acc[r][j] = first ? 0.0 : c[r * ldc + j];
    const double* a0 = a;
    const double* a1 = a + lda;
    const double* a2 = a + 2 * lda;
    const double* a3 = a + 3 * lda;
#if !defined(__clang__)
    const double* a4 = a + 4 * lda;
    const double* a5 = a + 5 * lda;
    const double* a6 = a + 6 * lda;
    const double* a7 = a + 7 * lda;
#endif
    for (size_t k = 0; k < kc; ++k) {
        const double* b = strip + k * kNr;
        for (size_t j = 0; j < kNr; ++j) {
            acc[0][j] += a0[k] * b[j];
            acc[1][j] += a1[k] * b[j];
            acc[2][j] += a2[k] * b[j];
            acc[3][j] += a3[k] * b[j];
#if !defined(__clang__)
            acc[4][j] += a4[k] * b[j];
            acc[5][j] += a5[k] * b[j];
            acc[6][j] += a6[k] * b[j];
            acc[7][j] += a7[k] * b[j];
#endif
        }
    }
    for (size_t r = 0; r < kMr; ++r)
        for (size_t j = 0; j < kNr; ++j) c[r * ldc + j] = acc[r][j];
}
#endif

// Which matrix a product reads as its right factor: B itself, or B^T, whose element (k, j) is B(j, k).
enum class Read { B, B_transposed };

// Columns [j0, j0 + width) of rows [k0, k0 + kc) of B (or B^T), as kc rows of kNr doubles; the
// columns past `width` are zeros. Each is read in B's own row order.
template <Read read>
void pack_strip(const Matrix& B, size_t k0, size_t kc, size_t j0, size_t width, double* strip) {
    if (read == Read::B)
        for (size_t k = 0; k < kc; ++k) {
            const double* b = B.row(k0 + k) + j0;
            for (size_t j = 0; j < kNr; ++j) strip[k * kNr + j] = j < width ? b[j] : 0.0;
        }
    else
        for (size_t j = 0; j < kNr; ++j) {
            const double* b = j < width ? B.row(j0 + j) + k0 : nullptr;
            for (size_t k = 0; k < kc; ++k) strip[k * kNr + j] = b ? b[k] : 0.0;
        }
}

// C[i0 .. i0 + rows, j0 .. j0 + width) continued over k in [k0, k0 + kc) (see kernel_block). Blocks
// at C's edges, with fewer than kMr rows or kNr columns, are computed on zero-padded copies: the
// padding only feeds elements that are thrown away, and the others get the same terms in the same
// order. A block of whole rows reads A in place: only C's narrow edge is copied (the ten-class
// output layer's 10 columns: z_3 = y_2 W_3 16 -> 6.5-9 us on one thread, grad_W3 22 -> 17 us).
inline void product_block(const Matrix& A, size_t i0, size_t rows, size_t k0, size_t kc, const double* strip,
                          Matrix& C, size_t j0, size_t width, bool first) {
    if (rows == kMr && width == kNr) {
        kernel_block(A.row(i0) + k0, A.cols, strip, kc, C.row(i0) + j0, C.cols, first);
        return;
    }
    double c[kMr * kNr];
    for (size_t r = 0; r < kMr; ++r)
        for (size_t j = 0; j < kNr; ++j) c[r * kNr + j] = !first && r < rows && j < width ? C(i0 + r, j0 + j) : 0.0;
    if (rows == kMr) {
        kernel_block(A.row(i0) + k0, A.cols, strip, kc, c, kNr, false);
    } else {
        double a[kMr * kKc];
        for (size_t r = 0; r < kMr; ++r)
            for (size_t k = 0; k < kc; ++k) a[r * kc + k] = r < rows ? A(i0 + r, k0 + k) : 0.0;
        kernel_block(a, kc, strip, kc, c, kNr, false);
    }
    for (size_t r = 0; r < rows; ++r)
        for (size_t j = 0; j < width; ++j) C(i0 + r, j0 + j) = c[r * kNr + j];
}

// C = A B or A B^T (as `read` says): A is (n, K), C is (n, m), every element of C overwritten.
// Each thread packs up to kPanelStrips of its strips (a panel of 256 KiB, L2-sized), then runs each
// of its row blocks along the whole panel, so that the block of A stays in the L1 cache.
template <Read read>
void blocked_product(const Matrix& A, const Matrix& B, Matrix& C) {
    constexpr size_t kPanelStrips = 8;
    const size_t n = A.rows, K = A.cols, m = C.cols;
    if (K == 0) return std::fill(C.data.begin(), C.data.end(), 0.0);  // empty sums
    const size_t strips = (m + kNr - 1) / kNr, row_blocks = (n + kMr - 1) / kMr;
    const size_t parts = n * m * (K + kElementWork) >= kDenseParallelWork ? thread_count() : 1;
    // Whole rows to each thread (each packs every strip, a small cost next to its rows' products),
    // unless C has too few rows to share out evenly: then whole strips.
    const bool by_strips = row_blocks < 4 * parts && strips >= parts;
    parallel_parts(parts, [&](size_t p) {
        const Share s = by_strips ? Share(strips, p, parts) : Share(strips, 0, 1);
        const Share b = by_strips ? Share(row_blocks, 0, 1) : Share(row_blocks, p, parts);
        thread_local std::vector<double, LeaveUnset<double>> packed(kPanelStrips * kKc * kNr);  // this thread's own, on a cache line
        double* const panel = packed.data();
        for (size_t k0 = 0; k0 < K; k0 += kKc) {  // panels in ascending k: the sum order holds
            const size_t kc = std::min(kKc, K - k0);
            for (size_t s0 = s.first; s0 < s.last; s0 += kPanelStrips) {
                const size_t s1 = std::min(s.last, s0 + kPanelStrips);
                for (size_t t = s0; t < s1; ++t)
                    pack_strip<read>(B, k0, kc, t * kNr, std::min(kNr, m - t * kNr), panel + (t - s0) * kc * kNr);
                for (size_t i0 = b.first * kMr; i0 < b.last * kMr; i0 += kMr)
                    for (size_t t = s0; t < s1; ++t)
                        product_block(A, i0, std::min(kMr, n - i0), k0, kc, panel + (t - s0) * kc * kNr, C,
                                      t * kNr, std::min(kNr, m - t * kNr), k0 == 0);
            }
        }
    });
}

// C = A B or A B^T for a C of fewer than kNarrow columns (the lesson's (N, 1) z_2), where a strip of
// 16 would be mostly padding: each element is its own sum, k ascending, rows shared between threads.
template <Read read>
void narrow_product(const Matrix& A, const Matrix& B, Matrix& C) {
    parallel_ranges_if(A.rows, A.rows * A.cols * C.cols >= kParallelWork, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) {
            const double* a = A.row(i);
            for (size_t j = 0; j < C.cols; ++j) {
                double sum = 0.0;
                for (size_t k = 0; k < A.cols; ++k) sum += a[k] * (read == Read::B ? B(k, j) : B(j, k));
                C(i, j) = sum;
            }
        }
    });
}

template <Read read>
Matrix product(const Matrix& A, const Matrix& B, size_t m) {
    Matrix C; C.rows = A.rows, C.cols = m; C.data.resize(A.rows * m);
    if (m < kNarrow) narrow_product<read>(A, B, C);
    else blocked_product<read>(A, B, C);
    return C;
}

// A dense A whose elements are at most kMostlyZeros nonzero is multiplied as a sparse one. Listing
// the nonzeros costs two passes over A (about 1-2% of a dense product when it turns out too dense).
// Only when A and B are both at least kSkipZerosMinCols wide: for narrower ones the lists and
// gathered rows are too short to pay.
constexpr double kMostlyZeros = 0.25;
constexpr size_t kSkipZerosMinCols = 64;

// The nonzero entries of a dense matrix, row by row (compressed sparse rows).
struct NonzeroRows {
    size_t rows = 0;
    std::vector<size_t> row_start;  // row i's entries are [row_start[i], row_start[i + 1])
    std::vector<uint32_t> col;      // ascending within a row
    std::vector<double> value;
};

// A's nonzeros by rows, into S; false (S left empty) when more than max_fraction of A is nonzero.
inline bool list_nonzero_rows(const Matrix& A, double max_fraction, NonzeroRows& S) {
    std::vector<size_t> start(A.rows + 1, 0);
    const bool threads = A.size() >= (1 << 15);
    parallel_ranges_if(A.rows, threads, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) {
            const double* a = A.row(i);
            size_t count = 0;
            for (size_t k = 0; k < A.cols; ++k) count += a[k] != 0.0;
            start[i + 1] = count;
        }
    });
    for (size_t i = 0; i < A.rows; ++i) start[i + 1] += start[i];
    if (static_cast<double>(start[A.rows]) > max_fraction * static_cast<double>(A.size())) return false;
    S.rows = A.rows;
    S.row_start = std::move(start);
    S.col.resize(S.row_start[A.rows]);
    S.value.resize(S.row_start[A.rows]);
    parallel_ranges_if(A.rows, threads, [&](size_t first, size_t last) {
        // Every element is written to the row's list and the list grows past it only when it is
        // nonzero: no branch to mispredict on zeros that come in no pattern.
        std::vector<uint32_t> cols(A.cols + 1);
        std::vector<double> values(A.cols + 1);
        for (size_t i = first; i < last; ++i) {
            const double* a = A.row(i);
            size_t n = 0;
            for (size_t k = 0; k < A.cols; ++k) cols[n] = static_cast<uint32_t>(k), values[n] = a[k], n += a[k] != 0.0;
            std::copy(cols.begin(), cols.begin() + static_cast<ptrdiff_t>(n), S.col.begin() + static_cast<ptrdiff_t>(S.row_start[i]));
            std::copy(values.begin(), values.begin() + static_cast<ptrdiff_t>(n), S.value.begin() + static_cast<ptrdiff_t>(S.row_start[i]));
        }
    });
    return true;
}

// A^T, copied in tiles of 32 x 32 so that both the reads and the writes stay in the cache; threads
// share out the tiles' rows.
inline Matrix transpose_tiled(const Matrix& A) {
    constexpr size_t kTile = 32;
    Matrix T = Matrix::uninitialized(A.cols, A.rows);
    const size_t tiles = (A.cols + kTile - 1) / kTile;
    parallel_ranges_if(tiles, A.size() >= (1 << 15), [&](size_t first, size_t last) {
        for (size_t j0 = first * kTile; j0 < std::min(A.cols, last * kTile); j0 += kTile) {
            const size_t j1 = std::min(A.cols, j0 + kTile);
            for (size_t i0 = 0; i0 < A.rows; i0 += kTile)
                for (size_t j = j0; j < j1; ++j) {
                    double* t = T.row(j);
                    for (size_t i = i0; i < std::min(A.rows, i0 + kTile); ++i) t[i] = A(i, j);
                }
        }
    });
    return T;
}

// Rows [k0, k_end) of C = A^T B, B of M columns (M < kNarrow): each row n of A adds a(n,k) * (row n
// of B) to row k of C, n ascending. The rows of C are summed in a local array (registers, for the
// lesson's M = 1: a spilled loop counter had cost its grad_W2 80% more), then stored.
template <size_t M>
void narrow_AtB_rows(const Matrix& A, const Matrix& B, Matrix& C, size_t k0, size_t k_end) {
    constexpr size_t kMaxRows = 16;
    double acc[kMaxRows * M] = {};
    const size_t rows = k_end - k0;
    for (size_t nn = 0; nn < A.rows; ++nn) {
        const double* a = A.row(nn) + k0;
        const double* b = B.row(nn);
        for (size_t k = 0; k < rows; ++k)
            for (size_t j = 0; j < M; ++j) acc[k * M + j] += a[k] * b[j];
    }
    std::copy(acc, acc + rows * M, C.row(k0));
}

// C = A^T B for a B narrower than kNarrow (the lesson's (N, 1) delta_2), without forming A^T.
// Threads own disjoint rows k of C, 16 at a time, and every thread walks n in ascending order, as
// the plain loop does.
inline Matrix narrow_AtB(const Matrix& A, const Matrix& B) {
    const size_t N = A.rows, k_count = A.cols, m = B.cols;
    static_assert(kNarrow == 4, "narrow_AtB_rows is instantiated for 1 to 3 columns");
    Matrix C = Matrix::uninitialized(k_count, m);
    constexpr size_t kRowsPerTask = 16;
    const size_t tasks = (k_count + kRowsPerTask - 1) / kRowsPerTask;
    parallel_ranges_if(tasks, N * k_count * m >= kParallelWork, [&](size_t first, size_t last) {
        for (size_t k0 = first * kRowsPerTask; k0 < std::min(k_count, last * kRowsPerTask); k0 += kRowsPerTask) {
            const size_t k_end = std::min(k_count, k0 + kRowsPerTask);
            if (m == 1) narrow_AtB_rows<1>(A, B, C, k0, k_end);
            else if (m == 2) narrow_AtB_rows<2>(A, B, C, k0, k_end);
            else narrow_AtB_rows<3>(A, B, C, k0, k_end);
        }
    });
    return C;
}

}  // namespace matrix_kernels

namespace fast {

// C = A B. When A is mostly zeros, they are skipped: x + 0 leaves a sum unchanged, so the sums are
// the same, in the same order, as long as B is finite (0 times an infinite B would be NaN; a B that
// large has diverged already).
inline Matrix matmul(const Matrix& A, const Matrix& B) {
    using namespace matrix_kernels;
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    NonzeroRows S;
    if (A.cols >= kSkipZerosMinCols && B.cols >= kSkipZerosMinCols && list_nonzero_rows(A, kMostlyZeros, S))
        return product_of_nonzeros(S.rows, S.row_start, S.col.data(), S.value.data(), B);
    return product<Read::B>(A, B, B.cols);
}

// C = A B^T: the same product, reading B^T from B while packing.
inline Matrix matmul_ABt(const Matrix& A, const Matrix& B) {
    if (A.cols != B.cols) shape_mismatch("matmul_ABt", A, B);
    return matrix_kernels::product<matrix_kernels::Read::B_transposed>(A, B, B.rows);
}

// C = A^T B: A^T formed (a tiled copy) and multiplied, unless B is narrow.
inline Matrix matmul_AtB(const Matrix& A, const Matrix& B) {
    using namespace matrix_kernels;
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    if (B.cols >= kNarrow) return matmul(transpose_tiled(A), B);
    return narrow_AtB(A, B);
}

}  // namespace fast
