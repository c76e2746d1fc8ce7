// matrix/sparse.hpp: the fast products with a SparseMatrix (the images), for matrix/kernels.hpp.
//
// matrix.hpp's plain sparse products add, for every nonzero a(i,k), a times row k of B into row i of
// C, reading and writing C's row from memory for every term. Here (make bench, the lesson's 11,824
// images, one thread: 100 GFLOP/s nominal for y_0 W_1 and 87 for y_0^T delta_1, where OpenBLAS does
// the dense product at 42 and 40):
//  - Registers: a stretch of C's row (up to 128 columns) stays in vector registers from its first
//    term to its last (gather_rows).
//  - Prefetching: the rows of B a sparse row names come in no order the hardware can guess; each is
//    asked for kGatherAhead terms before it is read (12-15% on the ten-class step's products).
//  - Panels: the columns of B are gathered kGatherPanel at a time, so that a panel of a 784 x 1024 W_1
//    stays in the L2 cache for all the rows of a batch (the record's 50 epochs: 210 s -> 195 s).
//  - Threads share rows (or columns) out by their number of nonzeros, not by count: images differ
//    in their ink, pixels in how many images light them.
//  - Mini-batches: A^T B over few rows copies a 32-column panel of B side by side, so that it stays
//    in the L1 cache (few_rows_product_AtB).
// Every sum adds the same terms in the same order as the plain product: the same bits.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "threads.hpp"

namespace matrix_kernels {

// SparseMatrix's lists by rows, the same as matrix.hpp's plain::list_rows makes, in two passes over
// rows that the threads share: the first counts each row's nonzeros, which says where its entries
// start; the second writes them there, branch-free (each entry is written at p, and p moves past it
// only if it is nonzero: the images' ink would mispredict a branch). Reading MNIST for ten classes
// (make bench's load stage, with the column tiles listed in parallel too): 0.31 s -> 0.21 s.
// fill_row is called twice a row, from any thread.
template <class FillRow>
void list_rows(SparseMatrix& S, FillRow fill_row) {
    const size_t rows = S.rows, cols = S.cols;
    S.row_start.assign(rows + 1, 0);
    parallel_ranges(rows, rows * cols, [&](size_t first, size_t last) {
        std::vector<double> dense(cols);
        for (size_t i = first; i < last; ++i) {
            fill_row(i, dense.data());
            S.row_start[i + 1] = cols - std::count(dense.begin(), dense.end(), 0.0);
        }
    });
    for (size_t i = 0; i < rows; ++i) S.row_start[i + 1] += S.row_start[i];
    S.col.resize(S.row_start[rows]), S.value.resize(S.row_start[rows]);  // left unset (LeaveUnset)
    parallel_ranges(rows, rows * cols, [&](size_t first, size_t last) {
        std::vector<double> dense(cols);
        for (size_t i = first; i < last; ++i) {
            fill_row(i, dense.data());
            for (size_t k = 0, p = S.row_start[i], end = S.row_start[i + 1]; k < cols && p < end; ++k) {
                S.col[p] = static_cast<uint32_t>(k), S.value[p] = dense[k];
                p += dense[k] != 0.0;
            }
        }
    });
}

constexpr size_t kParallelWork = 1 << 16;   // below this many multiply-adds, threads cost more than they save
constexpr size_t kGatherPanel = 128;        // columns of B a sparse product gathers from at a time (one AVX-512 block)
constexpr size_t kGatherAhead = 2;          // a gather asks for the row it will read this many terms later

#if defined(__AVX512F__) && (defined(__GNUC__) || defined(__clang__))
#define MATRIX_AVX512_KERNEL 1
#endif

#if defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
// Four (and with AVX-512, eight) doubles in one vector register, a GCC and Clang extension: the same
// IEEE multiplies and adds, four lanes at a time. Written as plain arrays, whether the compiler keeps
// a row of C in registers varies from one compiler (and flag) to the next, and with it the speed, by
// up to 2x. Without AVX (plain -O2, -march=x86-64) the portable loop below is used instead: the
// same operations in the same order, so the same bits.
typedef double double4 __attribute__((vector_size(4 * sizeof(double))));
inline double4 load4(const double* p) {
    double4 v;
    std::memcpy(&v, p, sizeof v);  // an unaligned vector load
    return v;
}
inline void store4(double* p, double4 v) { std::memcpy(p, &v, sizeof v); }

// Asks the cache for the `lines` 64-byte lines from `row` on.
inline void prefetch_lines(const double* row, size_t lines) {
    for (size_t l = 0; l < lines; ++l) __builtin_prefetch(row + 8 * l);
}

// Columns [j0, j0 + 4V) of one row of C += sum over the entries [first, last) of value * (row of B).
template <size_t V>
void gather_rows_block(double* c, const uint32_t* index, const double* value, size_t first, size_t last,
                       const Matrix& B, size_t j0, bool from_zero) {
    double4 acc[V];
    for (size_t v = 0; v < V; ++v) acc[v] = from_zero ? double4{0.0, 0.0, 0.0, 0.0} : load4(c + j0 + 4 * v);
    for (size_t p = first; p < last; ++p) {
        if (p + kGatherAhead < last) prefetch_lines(B.row(index[p + kGatherAhead]) + j0, (V + 1) / 2);
        const double* b = B.row(index[p]) + j0;
        for (size_t v = 0; v < V; ++v) acc[v] += value[p] * load4(b + 4 * v);
    }
    for (size_t v = 0; v < V; ++v) store4(c + j0 + 4 * v, acc[v]);
}
#else
template <size_t V>
void gather_rows_block(double* c, const uint32_t* index, const double* value, size_t first, size_t last,
                       const Matrix& B, size_t j0, bool from_zero) {
    double acc[4 * V];
    for (size_t j = 0; j < 4 * V; ++j) acc[j] = from_zero ? 0.0 : c[j0 + j];
    for (size_t p = first; p < last; ++p) {
        const double* b = B.row(index[p]) + j0;
        for (size_t j = 0; j < 4 * V; ++j) acc[j] += value[p] * b[j];
    }
    for (size_t j = 0; j < 4 * V; ++j) c[j0 + j] = acc[j];
}
#endif

#ifdef MATRIX_AVX512_KERNEL
typedef double double8 __attribute__((vector_size(8 * sizeof(double))));
inline double8 load8(const double* p) {
    double8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store8(double* p, double8 v) { std::memcpy(p, &v, sizeof v); }

// Columns [j0, j0 + 8V) of one row of C += sum over the entries [first, last) of value * (row of B),
// in AVX-512 registers.
template <size_t V>
void gather_rows_block8(double* c, const uint32_t* index, const double* value, size_t first, size_t last,
                        const Matrix& B, size_t j0, bool from_zero) {
    double8 acc[V];
    for (size_t v = 0; v < V; ++v) acc[v] = from_zero ? double8{} : load8(c + j0 + 8 * v);
    for (size_t p = first; p < last; ++p) {
        if (p + kGatherAhead < last) prefetch_lines(B.row(index[p + kGatherAhead]) + j0, V);
        const double* b = B.row(index[p]) + j0;
        for (size_t v = 0; v < V; ++v) acc[v] += value[p] * load8(b + 8 * v);
    }
    for (size_t v = 0; v < V; ++v) store8(c + j0 + 8 * v, acc[v]);
}
#endif

// Columns [j, m) of one row of C += sum over the entries [first, last) of value * (row `index` of
// B): 128 (AVX-512) or 64 at a time, then 16, then 4, then one by one. With from_zero, C's row is
// not read: the sums start from 0, as the plain loop's do.
inline void gather_rows(double* c, const uint32_t* index, const double* value, size_t first, size_t last,
                        const Matrix& B, bool from_zero, size_t j, size_t m) {
#ifdef MATRIX_AVX512_KERNEL
    for (; j + 128 <= m; j += 128) gather_rows_block8<16>(c, index, value, first, last, B, j, from_zero);
#endif
    for (; j + 64 <= m; j += 64) gather_rows_block<16>(c, index, value, first, last, B, j, from_zero);
    for (; j + 16 <= m; j += 16) gather_rows_block<4>(c, index, value, first, last, B, j, from_zero);
    for (; j + 4 <= m; j += 4) gather_rows_block<1>(c, index, value, first, last, B, j, from_zero);
    for (; j < m; ++j) {
        double sum = from_zero ? 0.0 : c[j];
        for (size_t p = first; p < last; ++p) sum += value[p] * B(index[p], j);
        c[j] = sum;
    }
}

// Part p of `parts` of the items [0, count) whose entries start at starts[0 .. count]:
// consecutive items with about the same number of entries.
inline Share entries_share(const std::vector<size_t>& starts, size_t p, size_t parts) {
    const size_t count = starts.size() - 1, entries = starts.back() - starts.front();
    auto item_at = [&](size_t part) {
        if (part == parts) return count;
        const size_t target = starts.front() + entries * part / parts;
        return static_cast<size_t>(std::lower_bound(starts.begin(), starts.end() - 1, target) - starts.begin());
    };
    Share s(count, p, parts);
    s.first = item_at(p), s.last = item_at(p + 1);
    return s;
}

// C = A B over A's nonzero entries, listed by rows (row i's are [row_start[i], row_start[i + 1])):
// each thread gets rows with a like number of nonzeros, and goes through them once per panel of
// kGatherPanel columns of B. Each sum is the plain product's, in the same order.
inline Matrix product_of_nonzeros(size_t rows, const std::vector<size_t>& row_start, const uint32_t* col,
                                  const double* value, const Matrix& B) {
    Matrix C; C.rows = rows, C.cols = B.cols; C.data.resize(rows * B.cols);
    const size_t parts = row_start[rows] * B.cols >= kParallelWork ? thread_count() : 1;
    parallel_parts(parts, [&](size_t p) {
        const Share share = entries_share(row_start, p, parts);
        for (size_t j = 0, panel_end = 0; j < B.cols; j = panel_end) {
            panel_end = B.cols - j < 2 * kGatherPanel ? B.cols : j + kGatherPanel;  // a narrow tail joins the last panel
            for (size_t i = share.first; i < share.last; ++i)
                gather_rows(C.row(i), col, value, row_start[i], row_start[i + 1], B, true, j, panel_end);
        }
    });
    return C;
}

// ---- A^T B over a mini-batch: B's panel held in the L1 cache ----
// matmul_AtB below gathers whole rows of B. When B has 256 columns (delta_1 of the ten-class
// network), its rows lie 2 KiB apart, and the caches place addresses that far apart in the same
// few of their sets: the 128 rows of a mini-batch's delta_1 (256 KiB) then do not stay in L1 or even
// fully in L2, and every gather waits on a slower level. With few rows, a panel of kFewColumns of
// B's columns, copied side by side (128 x 32 doubles: 32 KiB), stays in L1 while every column k of A
// gathers from it. make bench's grad_W1 = y_0^T delta_1 of one ten-class step: 435 -> 300 us on one
// thread, 230 -> 170 us on two. Each sum still adds its terms in ascending n, from 0: the same bits.
// (The same idea for y_0 W_1, with W_1's 784 rows copied, saved too little to keep: the copy costs
// about what the gathers save.)
constexpr size_t kFewRows = 256;    // the most rows of B whose panel fits a 32 KiB L1 cache
constexpr size_t kFewColumns = 32;  // the columns of B in a panel

#if defined(MATRIX_AVX512_KERNEL)
typedef double8 PanelLanes;
#elif defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
typedef double4 PanelLanes;
#else
typedef double PanelLanes;  // one double at a time (the compiler may vectorize the loops)
#endif
constexpr size_t kLanes = sizeof(PanelLanes) / sizeof(double), kPanelVectors = kFewColumns / kLanes;
inline PanelLanes load_lanes(const double* p) {
    PanelLanes v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store_lanes(double* p, PanelLanes v) { std::memcpy(p, &v, sizeof v); }

// Whether C = A^T B, A sparse with `rows` rows and B with `cols` columns, goes panel by panel.
inline bool few_rows(size_t rows, size_t cols) { return rows > 0 && rows <= kFewRows && cols % kFewColumns == 0; }

// C = A^T B for a SparseMatrix of few rows (one tile of lists by columns): for each panel of B's
// columns, copied into `panel`, row k of C's panel adds a(n,k) * (row n of the panel) over column
// k's entries, n ascending. The threads share the columns k out by their entries, as matmul_AtB
// does; each copies the panels it reads.
inline Matrix few_rows_product_AtB(const SparseMatrix& A, const Matrix& B) {
    const SparseMatrix::ColumnTile& t = A.by_columns().front();
    Matrix C = Matrix::uninitialized(A.cols, B.cols);  // every element is written below
    const size_t parts = t.value.size() * B.cols >= kParallelWork ? thread_count() : 1;
    parallel_parts(parts, [&](size_t p) {
        const Share ks = entries_share(t.col_start, p, parts);
        std::vector<double, LeaveUnset<double>> panel(B.rows * kFewColumns);  // rows on cache lines
        for (size_t j = 0; j < B.cols; j += kFewColumns) {
            for (size_t n = 0; n < B.rows; ++n) std::copy(B.row(n) + j, B.row(n) + j + kFewColumns, &panel[n * kFewColumns]);
            for (size_t k = ks.first; k < ks.last; ++k) {
                PanelLanes sum[kPanelVectors] = {};
                for (size_t e = t.col_start[k], end = t.col_start[k + 1]; e < end; ++e) {
                    const double* b = &panel[t.row[e] * kFewColumns];
                    for (size_t v = 0; v < kPanelVectors; ++v) sum[v] += t.value[e] * load_lanes(b + kLanes * v);
                }
                for (size_t v = 0; v < kPanelVectors; ++v) store_lanes(C.row(k) + j + kLanes * v, sum[v]);
            }
        }
    });
    return C;
}

}  // namespace matrix_kernels

namespace fast {

// C = A B for a sparse A.
inline Matrix matmul(const SparseMatrix& A, const Matrix& B) {
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    return matrix_kernels::product_of_nonzeros(A.rows, A.row_start, A.col.data(), A.value.data(), B);
}

// C = A^T B for a sparse A: row k of C adds a(n,k) * (row n of B) over the nonzero a(n,k) of column
// k, tile after tile (SparseMatrix::tiles), so n ascends as in the plain loop. Each thread gets
// columns k with a like number of nonzeros in the tile.
inline Matrix matmul_AtB(const SparseMatrix& A, const Matrix& B) {
    using namespace matrix_kernels;
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    if (few_rows(A.rows, B.cols)) return few_rows_product_AtB(A, B);  // a mini-batch
    const std::vector<SparseMatrix::ColumnTile>& tiles = A.by_columns();
    if (tiles.empty()) return Matrix(A.cols, B.cols);  // no rows: empty sums
    Matrix C = Matrix::uninitialized(A.cols, B.cols);  // the first tile writes every element
    for (const SparseMatrix::ColumnTile& t : tiles) {
        const bool first_tile = &t == &tiles.front();
        const size_t parts = t.value.size() * B.cols >= kParallelWork ? thread_count() : 1;
        parallel_parts(parts, [&](size_t p) {
            const Share ks = entries_share(t.col_start, p, parts);
            for (size_t k = ks.first; k < ks.last; ++k)
                gather_rows(C.row(k), t.row.data(), t.value.data(), t.col_start[k], t.col_start[k + 1], B, first_tile, 0, B.cols);
        });
    }
    return C;
}

}  // namespace fast
