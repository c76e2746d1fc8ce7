// matrix.hpp: a row-major matrix of doubles and the handful of operations a perceptron needs.
//
// Read it top to bottom: 1. Matrix; 2. the naive products, the definitions; 3. the cache-blocked
// product; 4. SparseMatrix, for MNIST's images, 83% zeros; 5. element-wise operations; 6. plain or
// fast: the default build hands the products to the kernels in matrix/, make PLAIN=1 keeps these.
//
// One rule holds for every product here and in matrix/: each output element adds its terms one by
// one, in ascending order of the shared index, starting from 0, as the naive loop does. Floating-point
// addition is not associative (a + b + c may differ from a + c + b in the last bit), so keeping one
// order is what makes every build (plain or fast, one thread or many, g++ or clang++, x86 or ARM)
// print the same bits; the Makefile's -ffp-contract=off keeps compilers from fusing a multiply and an
// add into one rounding. Skipping a zero term keeps the order too: x + 0 * b is x for a finite b.
//
// Its limits: doubles only; no views or slices; no broadcasting but a row vector added to every row;
// shapes are checked at run time (a mismatch throws std::invalid_argument naming both shapes). It
// knows nothing of MNIST or of networks.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "matrix/aligned.hpp"
#include "matrix/made_once.hpp"

// =============================================================================================
// 1. Matrix

// A Matrix keeps its elements in a std::vector<double>, with one difference: a matrix made by
// Matrix::uninitialized() leaves them unset instead of zeroing them. Products and element-wise
// operations write every element of their output themselves, and zeroing it first, on one thread,
// cost the lesson's training 7% more instructions (valgrind) and more than that with two threads.
// (Their memory starts a cache line, which speeds the kernels' vector loads: matrix/aligned.hpp.)
template <class T>
struct LeaveUnset : CacheLineAllocator<T> {
    template <class U> struct rebind { using other = LeaveUnset<U>; };
    LeaveUnset() = default;
    template <class U> LeaveUnset(const LeaveUnset<U>&) noexcept {}
    template <class U> void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }  // no value: left unset
    template <class U, class... V> void construct(U* p, V&&... v) { ::new (static_cast<void*>(p)) U(std::forward<V>(v)...); }
};

struct Matrix {
    size_t rows = 0, cols = 0;
    std::vector<double, LeaveUnset<double>> data;  // element (r, c) lives at data[r * cols + c]

    Matrix() = default;
    Matrix(size_t rows_, size_t cols_, double fill = 0.0) : rows(rows_), cols(cols_), data(rows_ * cols_, fill) {}
    // A matrix whose elements are about to be written, every one of them.
    static Matrix uninitialized(size_t rows, size_t cols) {
        Matrix m;
        m.rows = rows, m.cols = cols;
        m.data.resize(rows * cols);
        return m;
    }

    double& operator()(size_t r, size_t c) { return data[r * cols + c]; }
    double operator()(size_t r, size_t c) const { return data[r * cols + c]; }
    double* row(size_t r) { return data.data() + r * cols; }
    const double* row(size_t r) const { return data.data() + r * cols; }
    size_t size() const { return data.size(); }

    // "(11824, 784)", as numpy prints a shape.
    std::string shape() const { return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"; }
};

// For any two matrices with a shape(): a Matrix, or the SparseMatrix of section 4.
template <class MatrixA, class MatrixB>
[[noreturn]] void shape_mismatch(const char* op, const MatrixA& a, const MatrixB& b) {
    throw std::invalid_argument(std::string(op) + ": shapes " + a.shape() + " and " + b.shape() + " do not fit");
}

// A^T: element (i, j) of A becomes element (j, i).
inline Matrix transpose(const Matrix& A) {
    Matrix T = Matrix::uninitialized(A.cols, A.rows);
    for (size_t i = 0; i < A.rows; ++i)
        for (size_t j = 0; j < A.cols; ++j) T(j, i) = A(i, j);
    return T;
}

// =============================================================================================
// 2. The naive products: the definitions, one output element at a time

// C = A B: A is (n, k), B is (k, m), C is (n, m).
inline Matrix matmul_naive(const Matrix& A, const Matrix& B) {
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    Matrix C(A.rows, B.cols);
    for (size_t i = 0; i < A.rows; ++i)
        for (size_t j = 0; j < B.cols; ++j) {
            double sum = 0.0;
            for (size_t k = 0; k < A.cols; ++k) sum += A(i, k) * B(k, j);
            C(i, j) = sum;
        }
    return C;
}

// C = A^T B: A is (n, k), B is (n, m), C is (k, m), and C = A B^T: A is (n, k), B is (m, k), C is
// (n, m). The same definition, with the transposed factor written out first: row k of A^T is
// column k of A, so A^T B sums over A's rows n, in ascending order.
inline Matrix matmul_AtB_naive(const Matrix& A, const Matrix& B) {
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    return matmul_naive(transpose(A), B);
}
inline Matrix matmul_ABt_naive(const Matrix& A, const Matrix& B) {
    if (A.cols != B.cols) shape_mismatch("matmul_ABt", A, B);
    return matmul_naive(A, transpose(B));
}

// =============================================================================================
// 3. The cache-blocked product
//
// Why blocking helps. The naive loop reads B down a column for every element of C: for a 784 x 64
// B that is 784 doubles 512 bytes apart, a new cache line per term, and B is read n times over.
// Reordered as i, k, j (C's row i += A(i, k) * B's row k), every read walks along a row, one cache
// line serving eight terms; that is the loop below. Blocking then cuts the loops into tiles of
// kBlock x kBlock (32 KiB of doubles), so that the tile of B being read stays in the cache while a
// tile of C's rows reuses it, instead of being fetched again from memory for every row. Each element
// of C still adds its terms in ascending k (the tiles of k are taken in order): the naive loop's sums.
//
// With OpenMP (the Makefile adds -fopenmp when the compiler has it) the tiles of C's rows are shared
// out between threads; a row is computed by one thread, so the thread count changes no result.

namespace plain {

constexpr size_t kBlock = 64;

// C = A B: A is (n, k), B is (k, m), C is (n, m).
inline Matrix matmul(const Matrix& A, const Matrix& B) {
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    const size_t n = A.rows, K = A.cols, m = B.cols;
    Matrix C(n, m);  // zeros: every sum starts from 0, as the naive loop's
    const ptrdiff_t row_tiles = static_cast<ptrdiff_t>((n + kBlock - 1) / kBlock);
#pragma omp parallel for schedule(static)
    for (ptrdiff_t tile = 0; tile < row_tiles; ++tile) {
        const size_t i0 = static_cast<size_t>(tile) * kBlock, i1 = std::min(n, i0 + kBlock);
        for (size_t k0 = 0; k0 < K; k0 += kBlock) {  // ascending: each sum keeps the naive order
            const size_t k1 = std::min(K, k0 + kBlock);
            for (size_t j0 = 0; j0 < m; j0 += kBlock) {
                const size_t j1 = std::min(m, j0 + kBlock);
                for (size_t i = i0; i < i1; ++i)
                    for (size_t k = k0; k < k1; ++k) {
                        const double a_ik = A(i, k);
                        for (size_t j = j0; j < j1; ++j) C(i, j) += a_ik * B(k, j);
                    }
            }
        }
    }
    return C;
}

// C = A^T B and C = A B^T: as for the naive products, with the transposed factor copied first.
inline Matrix matmul_AtB(const Matrix& A, const Matrix& B) {
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    return matmul(transpose(A), B);
}
inline Matrix matmul_ABt(const Matrix& A, const Matrix& B) {
    if (A.cols != B.cols) shape_mismatch("matmul_ABt", A, B);
    return matmul(A, transpose(B));
}

}  // namespace plain

// Items computed each alone (an image tile's lists, a matrix's elements) go to in_ranges(): it calls
// body(first, last) on ranges that cover [0, count): one range, on this thread, in the plain build;
// in the default build the kernels share them out between threads when `work` (about how many
// operations in all) pays for it (section 6).
template <class Body> void in_ranges(size_t count, size_t work, Body body);

// =============================================================================================
// 4. SparseMatrix: a matrix kept as its nonzero entries
//
// MNIST's images are 83% background, pixels that are exactly 0. A product with them adds
// a(i,k) * b = 0 for most k, and x + 0 leaves a sum unchanged, so skipping those terms changes no
// bit of the result while doing about a sixth of the work. The images never change, so their
// nonzero entries are listed once, twice over, one list for each product the lesson needs:
//  - by rows (compressed sparse rows), for A B: row i of C adds the rows of B that row i of A names;
//  - by columns, for A^T B: row k of C adds the rows n of B where column k of A is nonzero. These
//    lists are blocked as section 3's loops are: one set per tile of kTileRows rows, so that the
//    rows of B a tile names (1024 x 64 doubles, 512 KiB) stay in the cache while every column reads
//    them. Tiles are taken in order, so each sum still adds its terms in ascending n. They are made
//    when A^T B first asks (by_columns()): a test set, or one read in mini-batches, never does.
// Within a row the columns ascend, within a column the rows ascend: the naive loop's order.

struct SparseMatrix;  // its lists by rows come from list_rows: plain::list_rows below, or the kernels' (section 6)
template <class FillRow> void list_rows(SparseMatrix& S, FillRow fill_row);

struct SparseMatrix {
    static constexpr size_t kTileRows = 1024;
    size_t rows = 0, cols = 0;
    // (Left unset when resized, as a Matrix's can be: the kernels' list_rows fills them with threads.)
    std::vector<size_t> row_start;                    // row i's entries are [row_start[i], row_start[i + 1]),
    std::vector<uint32_t, LeaveUnset<uint32_t>> col;  // in the columns col[],
    std::vector<double, LeaveUnset<double>> value;    // with the values value[]
    struct ColumnTile {  // the entries of rows [t kTileRows, (t + 1) kTileRows), by columns:
        std::vector<size_t> col_start;                    // column k's are [col_start[k], col_start[k + 1]),
        std::vector<uint32_t, LeaveUnset<uint32_t>> row;  // in the rows row[],
        std::vector<double, LeaveUnset<double>> value;    // with the values value[]
    };
    mutable MadeOnce<std::vector<ColumnTile>> column_lists;  // made by by_columns() (matrix/made_once.hpp)

    SparseMatrix() = default;
    explicit SparseMatrix(const Matrix& A)
        : SparseMatrix(A.rows, A.cols, [&](size_t i, double* out) { std::copy(A.row(i), A.row(i) + A.cols, out); }) {}
    // The matrix whose row i fill_row(i, out) writes into out[0 .. cols): no dense copy is kept.
    template <class FillRow>
    SparseMatrix(size_t rows_, size_t cols_, FillRow fill_row) : rows(rows_), cols(cols_) { list_rows(*this, fill_row); }

    size_t nonzeros() const { return value.size(); }
    std::string shape() const { return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"; }

    // Row i written out in full, zeros included, into out[0 .. cols).
    void dense_row(size_t i, double* out) const {
        std::fill(out, out + cols, 0.0);
        for (size_t p = row_start[i]; p < row_start[i + 1]; ++p) out[col[p]] = value[p];
    }
    Matrix to_dense() const {
        Matrix dense(rows, cols);
        for (size_t i = 0; i < rows; ++i) dense_row(i, dense.row(i));
        return dense;
    }

    // The matrix of rows picked[0], picked[1], ..., picked[count - 1] of this one (a mini-batch of
    // images): their entries are copied as they are.
    SparseMatrix select_rows(const uint32_t* picked, size_t count) const {
        SparseMatrix s;
        s.rows = count, s.cols = cols;
        s.row_start.assign(count + 1, 0);
        for (size_t r = 0; r < count; ++r) {
            if (picked[r] >= rows) throw std::out_of_range("select_rows: row " + std::to_string(picked[r]) + " of " + shape());
            s.row_start[r + 1] = s.row_start[r] + row_start[picked[r] + 1] - row_start[picked[r]];
        }
        s.col.resize(s.row_start[count]);
        s.value.resize(s.row_start[count]);
        for (size_t r = 0; r < count; ++r) {
            const size_t first = row_start[picked[r]], last = row_start[picked[r] + 1];
            std::copy(col.begin() + first, col.begin() + last, s.col.begin() + s.row_start[r]);
            std::copy(value.begin() + first, value.begin() + last, s.value.begin() + s.row_start[r]);
        }
        return s;
    }

    const std::vector<ColumnTile>& by_columns() const {
        return column_lists.get([&] {
            std::vector<ColumnTile> tiles((rows + kTileRows - 1) / kTileRows);
            in_ranges(tiles.size(), rows < kTileRows ? 0 : nonzeros(), [&](size_t first, size_t last) {
                for (size_t t = first; t < last; ++t) list_tile_by_columns(t, tiles[t]);  // tiles are independent
            });
            return tiles;
        });
    }

private:
    // Tile t's lists by columns, from the lists by rows: count each column's entries, then place
    // every entry after those of the columns before it (a counting sort). Rows are visited in
    // ascending order, so within each column they ascend.
    void list_tile_by_columns(size_t t, ColumnTile& tile) const {
        const size_t first = row_start[t * kTileRows], last = row_start[std::min(rows, (t + 1) * kTileRows)];
        tile.col_start.assign(cols + 1, 0);
        for (size_t p = first; p < last; ++p) ++tile.col_start[col[p] + 1];
        for (size_t k = 0; k < cols; ++k) tile.col_start[k + 1] += tile.col_start[k];
        tile.row.resize(last - first);
        tile.value.resize(last - first);
        std::vector<size_t> next(tile.col_start.begin(), tile.col_start.end() - 1);
        for (size_t i = t * kTileRows; i < std::min(rows, (t + 1) * kTileRows); ++i)
            for (size_t p = row_start[i]; p < row_start[i + 1]; ++p) {
                const size_t q = next[col[p]]++;
                tile.row[q] = static_cast<uint32_t>(i);
                tile.value[q] = value[p];
            }
    }
};

namespace plain {

// Row after row, each row's nonzero entries appended to the lists, its columns ascending.
template <class FillRow>
void list_rows(SparseMatrix& S, FillRow fill_row) {
    std::vector<double> dense(S.cols);
    S.row_start.assign(1, 0);
    S.col.reserve(S.rows * S.cols / 4), S.value.reserve(S.rows * S.cols / 4);  // room for a quarter (MNIST: 17%)
    for (size_t i = 0; i < S.rows; ++i) {
        fill_row(i, dense.data());
        for (size_t k = 0; k < S.cols; ++k)
            if (dense[k] != 0.0) S.col.push_back(static_cast<uint32_t>(k)), S.value.push_back(dense[k]);
        S.row_start.push_back(S.col.size());
    }
}

// c[0 .. m) += sum over p in [first, last), ascending, of value[p] * (row index[p] of B).
inline void add_rows(double* c, const uint32_t* index, const double* value, size_t first, size_t last, const Matrix& B) {
    for (size_t p = first; p < last; ++p) {
        const double* b = B.row(index[p]);
        for (size_t j = 0; j < B.cols; ++j) c[j] += value[p] * b[j];
    }
}

// C = A B for a sparse A: row i of C adds a(i,k) * (row k of B) over the nonzero a(i,k), k ascending.
inline Matrix matmul(const SparseMatrix& A, const Matrix& B) {
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    Matrix C(A.rows, B.cols);
#pragma omp parallel for schedule(static)
    for (ptrdiff_t i = 0; i < static_cast<ptrdiff_t>(A.rows); ++i)
        add_rows(C.row(i), A.col.data(), A.value.data(), A.row_start[i], A.row_start[i + 1], B);
    return C;
}

// C = A^T B for a sparse A: row k of C adds a(n,k) * (row n of B) over the nonzero a(n,k) of
// column k, tile after tile, so n ascends.
inline Matrix matmul_AtB(const SparseMatrix& A, const Matrix& B) {
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    Matrix C(A.cols, B.cols);
    for (const SparseMatrix::ColumnTile& t : A.by_columns())
#pragma omp parallel for schedule(static)
        for (ptrdiff_t k = 0; k < static_cast<ptrdiff_t>(A.cols); ++k)
            add_rows(C.row(k), t.row.data(), t.value.data(), t.col_start[k], t.col_start[k + 1], B);
    return C;
}

}  // namespace plain

// =============================================================================================
// 5. Element-wise operations and column sums
//
// Each output element is computed alone, so the order of the work does not matter (in_ranges()).

// f(a, b, ...) on the elements at the same place in the matrices A, B, ... (all of one shape),
// passed by reference, so that f may update those of the matrices given as non-const: an
// optimizer's rule, written for one parameter, applied to a whole tensor and its state.
template <class F, class First, class... Rest>
void for_each_element(F f, First&& A, Rest&&... rest) {
    ((rest.rows != A.rows || rest.cols != A.cols ? shape_mismatch("for_each_element", A, rest) : void()), ...);
    in_ranges(A.size(), A.size(), [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) f(A.data[i], rest.data[i]...);
    });
}

// f applied to every element; f(a, b) on the elements at the same place in A and B.
template <class F>
Matrix map(const Matrix& A, F f) {
    Matrix out = Matrix::uninitialized(A.rows, A.cols);
    for_each_element([f](double& o, double a) { o = f(a); }, out, A);
    return out;
}
template <class F>
Matrix zip_map(const Matrix& A, const Matrix& B, F f, const char* op = "zip_map") {
    if (A.rows != B.rows || A.cols != B.cols) shape_mismatch(op, A, B);
    Matrix out = Matrix::uninitialized(A.rows, A.cols);
    for_each_element([f](double& o, double a, double b) { o = f(a, b); }, out, A, B);
    return out;
}

inline Matrix hadamard(const Matrix& A, const Matrix& B) {  // the element-wise product A * B
    return zip_map(A, B, [](double a, double b) { return a * b; }, "hadamard");
}
inline Matrix subtract(const Matrix& A, const Matrix& B) {  // A - B
    return zip_map(A, B, [](double a, double b) { return a - b; }, "subtract");
}
// A -= alpha * G, in place: one step of gradient descent.
inline void subtract_scaled(Matrix& A, double alpha, const Matrix& G) {
    for_each_element([alpha](double& a, double g) { a -= alpha * g; }, A, G);
}

// The matrix whose row i is f(row i of A), f(const double* a, double* out, size_t cols) writing
// out[0 .. cols) (a softmax); and the number f(row i of A, row i of B, cols) for every row (a loss).
template <class F>
Matrix map_rows(const Matrix& A, F f) {
    Matrix out = Matrix::uninitialized(A.rows, A.cols);
    in_ranges(A.rows, 8 * A.size(), [&](size_t first, size_t last) {  // about an exp per element
        for (size_t i = first; i < last; ++i) f(A.row(i), out.row(i), A.cols);
    });
    return out;
}
template <class F>
std::vector<double> row_values(const Matrix& A, const Matrix& B, F f, const char* op = "row_values") {
    if (A.rows != B.rows || A.cols != B.cols) shape_mismatch(op, A, B);
    std::vector<double> values(A.rows);
    in_ranges(A.rows, 8 * A.size(), [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) values[i] = f(A.row(i), B.row(i), A.cols);
    });
    return values;
}

// A + b, with the row vector b (1, m) added to every row of A (n, m): numpy's broadcasting.
inline Matrix add_row_vector(const Matrix& A, const Matrix& b) {
    if (b.rows != 1 || b.cols != A.cols) shape_mismatch("add_row_vector", A, b);
    Matrix out = Matrix::uninitialized(A.rows, A.cols);
    in_ranges(A.rows, A.size(), [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i)
            for (size_t j = 0; j < A.cols; ++j) out(i, j) = A(i, j) + b(0, j);
    });
    return out;
}

// The sum of each column, as a (1, m) row: np.sum(A, axis=0, keepdims=True), which adds row after
// row. Ranges of columns, each column still added row after row.
inline Matrix column_sums(const Matrix& A) {
    Matrix s(1, A.cols);
    in_ranges(A.cols, A.cols >= 16 ? A.size() : 0, [&](size_t first, size_t last) {
        for (size_t i = 0; i < A.rows; ++i)
            for (size_t j = first; j < last; ++j) s(0, j) += A(i, j);
    });
    return s;
}

// Whether no element is infinite or NaN.
inline bool all_finite(const Matrix& A) {
    return std::all_of(A.data.begin(), A.data.end(), [](double v) { return std::isfinite(v); });
}

// Rows picked[0], picked[1], ..., picked[count - 1] of A, in that order.
inline Matrix select_rows(const Matrix& A, const uint32_t* picked, size_t count) {
    Matrix S = Matrix::uninitialized(count, A.cols);
    for (size_t r = 0; r < count; ++r) {
        if (picked[r] >= A.rows) throw std::out_of_range("select_rows: row " + std::to_string(picked[r]) + " of " + A.shape());
        std::copy(A.row(picked[r]), A.row(picked[r]) + A.cols, S.row(r));
    }
    return S;
}

// =============================================================================================
// 6. Plain or fast
//
// Sections 1-5 are the whole story: `make PLAIN=1` builds every program on them alone. The default
// build hands the products, and the ranges of section 5, to matrix/kernels.hpp: register blocks,
// vector instructions, prefetching, and a share-out between threads that gives way when another
// program is busy on a core. Its products add every sum's terms in the same order as the plain ones,
// so both builds print the same bits (make test compares them); bench/README.md says how much faster.
#ifdef MATRIX_PLAIN
namespace products = plain;
template <class F> void list_rows(SparseMatrix& S, F fill_row) { plain::list_rows(S, fill_row); }
template <class Body>
void in_ranges(size_t count, size_t, Body body) { body(size_t(0), count); }
constexpr bool can_flush_denormals() { return false; }  // --denormals flush: kept (matrix/threads.hpp)
inline void set_flush_denormals(bool) {}
#else
#include "matrix/kernels.hpp"
namespace products = fast;
template <class F> void list_rows(SparseMatrix& S, F fill_row) { matrix_kernels::list_rows(S, fill_row); }
template <class Body>
void in_ranges(size_t count, size_t work, Body body) { matrix_kernels::parallel_ranges(count, work, body); }
#endif

inline Matrix matmul(const Matrix& A, const Matrix& B) { return products::matmul(A, B); }
inline Matrix matmul(const SparseMatrix& A, const Matrix& B) { return products::matmul(A, B); }
inline Matrix matmul_AtB(const Matrix& A, const Matrix& B) { return products::matmul_AtB(A, B); }
inline Matrix matmul_AtB(const SparseMatrix& A, const Matrix& B) { return products::matmul_AtB(A, B); }
inline Matrix matmul_ABt(const Matrix& A, const Matrix& B) { return products::matmul_ABt(A, B); }
