// matrix.hpp: a small row-major matrix of doubles and the handful of operations a perceptron needs.
//
// It knows nothing of MNIST or of networks. Every product comes twice: a naive triple loop, kept as
// the reference anyone can check by eye, and the fast one the lesson uses. Both add the terms of each
// output element in the same order (the inner index ascending), so without -ffast-math and with
// -ffp-contract=off they give the same bits; tests/test_units.cpp checks that they do. The fast one
// skips zero inputs (most MNIST pixels are 0, and x + 0*w == x leaves each sum unchanged), blocks
// the loops so the data it reuses stays in cache, and, built with OpenMP, splits the output rows
// between threads, which keeps the result independent of the thread count.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

struct Matrix {
    size_t rows = 0, cols = 0;
    std::vector<double> data;  // element (r, c) lives at data[r * cols + c]

    Matrix() = default;
    Matrix(size_t rows_, size_t cols_, double fill = 0.0)
        : rows(rows_), cols(cols_), data(rows_ * cols_, fill) {}

    double& operator()(size_t r, size_t c) { return data[r * cols + c]; }
    double operator()(size_t r, size_t c) const { return data[r * cols + c]; }
    double* row(size_t r) { return data.data() + r * cols; }
    const double* row(size_t r) const { return data.data() + r * cols; }
    size_t size() const { return data.size(); }

    // "(11824, 784)", as numpy prints a shape.
    std::string shape() const { return "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")"; }
};

[[noreturn]] inline void shape_mismatch(const char* op, const Matrix& a, const Matrix& b) {
    throw std::invalid_argument(std::string(op) + ": shapes " + a.shape() + " and " + b.shape() +
                                " do not fit");
}

// ---------------------------------------------------------------------------------------------
// Reference products: the definitions, one output element at a time.

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

// C = A^T B: A is (n, k), B is (n, m), C is (k, m). The sum runs over the shared rows n.
inline Matrix matmul_AtB_naive(const Matrix& A, const Matrix& B) {
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    Matrix C(A.cols, B.cols);
    for (size_t k = 0; k < A.cols; ++k)
        for (size_t j = 0; j < B.cols; ++j) {
            double sum = 0.0;
            for (size_t n = 0; n < A.rows; ++n) sum += A(n, k) * B(n, j);
            C(k, j) = sum;
        }
    return C;
}

// C = A B^T: A is (n, k), B is (m, k), C is (n, m). The sum runs over the shared columns k.
inline Matrix matmul_ABt_naive(const Matrix& A, const Matrix& B) {
    if (A.cols != B.cols) shape_mismatch("matmul_ABt", A, B);
    Matrix C(A.rows, B.rows);
    for (size_t i = 0; i < A.rows; ++i)
        for (size_t j = 0; j < B.rows; ++j) {
            double sum = 0.0;
            for (size_t k = 0; k < A.cols; ++k) sum += A(i, k) * B(j, k);
            C(i, j) = sum;
        }
    return C;
}

// ---------------------------------------------------------------------------------------------
// Fast products: same sums, same order, arranged for the cache and the vector units.

namespace matrix_detail {
// A block of B of kBlockRows x kBlockCols doubles (256 KiB) fits in a core's L2 cache, so it is
// read from memory once and then reused by every row of A that passes by.
constexpr size_t kBlockRows = 256;
constexpr size_t kBlockCols = 128;
// Rows of the output handed to a thread at a time.
constexpr size_t kRowChunk = 64;
}  // namespace matrix_detail

// C = A B, in i-k-j order: row i of C accumulates a(i,k) * (row k of B). The innermost loop walks
// along contiguous rows, so the compiler turns it into vector instructions.
inline Matrix matmul(const Matrix& A, const Matrix& B) {
    using namespace matrix_detail;
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    const size_t n = A.rows, K = A.cols, m = B.cols;
    Matrix C(n, m);
#pragma omp parallel for schedule(static)
    for (ptrdiff_t i0 = 0; i0 < static_cast<ptrdiff_t>(n); i0 += kRowChunk) {
        const size_t i_end = std::min(n, static_cast<size_t>(i0) + kRowChunk);
        for (size_t j0 = 0; j0 < m; j0 += kBlockCols) {
            const size_t j_len = std::min(kBlockCols, m - j0);
            for (size_t k0 = 0; k0 < K; k0 += kBlockRows) {  // k blocks ascend: the sum order holds
                const size_t k_end = std::min(K, k0 + kBlockRows);
                for (size_t i = static_cast<size_t>(i0); i < i_end; ++i) {
                    const double* a = A.row(i);
                    double* c = C.row(i) + j0;
                    for (size_t k = k0; k < k_end; ++k) {
                        const double a_ik = a[k];
                        if (a_ik == 0.0) continue;  // a zero pixel adds nothing
                        const double* b = B.row(k) + j0;
                        for (size_t j = 0; j < j_len; ++j) c[j] += a_ik * b[j];
                    }
                }
            }
        }
    }
    return C;
}

// C = A^T B, without forming A^T: each row n adds a(n,k) * (row n of B) to row k of C. Threads
// own disjoint rows k of C, and every thread walks n in ascending order, as the naive loop does.
inline Matrix matmul_AtB(const Matrix& A, const Matrix& B) {
    using namespace matrix_detail;
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    const size_t N = A.rows, k_count = A.cols, m = B.cols;
    Matrix C(k_count, m);
#pragma omp parallel for schedule(static)
    for (ptrdiff_t k0 = 0; k0 < static_cast<ptrdiff_t>(k_count); k0 += kRowChunk) {
        const size_t k_end = std::min(k_count, static_cast<size_t>(k0) + kRowChunk);
        for (size_t nn = 0; nn < N; ++nn) {
            const double* a = A.row(nn);
            const double* b = B.row(nn);
            for (size_t k = static_cast<size_t>(k0); k < k_end; ++k) {
                const double a_nk = a[k];
                if (a_nk == 0.0) continue;
                double* c = C.row(k);
                for (size_t j = 0; j < m; ++j) c[j] += a_nk * b[j];
            }
        }
    }
    return C;
}

// C = A B^T: each element is a dot product of two contiguous rows.
inline Matrix matmul_ABt(const Matrix& A, const Matrix& B) {
    if (A.cols != B.cols) shape_mismatch("matmul_ABt", A, B);
    Matrix C(A.rows, B.rows);
#pragma omp parallel for schedule(static)
    for (ptrdiff_t i = 0; i < static_cast<ptrdiff_t>(A.rows); ++i) {
        const double* a = A.row(i);
        for (size_t j = 0; j < B.rows; ++j) {
            const double* b = B.row(j);
            double sum = 0.0;
            for (size_t k = 0; k < A.cols; ++k) sum += a[k] * b[k];
            C(i, j) = sum;
        }
    }
    return C;
}

// ---------------------------------------------------------------------------------------------
// Element-wise operations and reductions.

// A + b, with the row vector b (1, m) added to every row of A (n, m): numpy's broadcasting.
inline Matrix add_row_vector(const Matrix& A, const Matrix& b) {
    if (b.rows != 1 || b.cols != A.cols) shape_mismatch("add_row_vector", A, b);
    Matrix C(A.rows, A.cols);
    for (size_t i = 0; i < A.rows; ++i)
        for (size_t j = 0; j < A.cols; ++j) C(i, j) = A(i, j) + b(0, j);
    return C;
}

// The sum of each column, as a (1, m) row: np.sum(A, axis=0, keepdims=True), which numpy also adds
// row after row.
inline Matrix column_sums(const Matrix& A) {
    Matrix s(1, A.cols);
    for (size_t i = 0; i < A.rows; ++i)
        for (size_t j = 0; j < A.cols; ++j) s(0, j) += A(i, j);
    return s;
}

// f applied to every element.
template <class F>
Matrix map(const Matrix& A, F f) {
    Matrix C(A.rows, A.cols);
    for (size_t i = 0; i < A.size(); ++i) C.data[i] = f(A.data[i]);
    return C;
}

// f(a, b) for each pair of elements at the same place in A and B.
template <class F>
Matrix zip_map(const Matrix& A, const Matrix& B, F f, const char* op = "zip_map") {
    if (A.rows != B.rows || A.cols != B.cols) shape_mismatch(op, A, B);
    Matrix C(A.rows, A.cols);
    for (size_t i = 0; i < A.size(); ++i) C.data[i] = f(A.data[i], B.data[i]);
    return C;
}

// The element-wise (Hadamard) product A * B.
inline Matrix hadamard(const Matrix& A, const Matrix& B) {
    return zip_map(A, B, [](double a, double b) { return a * b; }, "hadamard");
}

// A - B.
inline Matrix subtract(const Matrix& A, const Matrix& B) {
    return zip_map(A, B, [](double a, double b) { return a - b; }, "subtract");
}

// A -= alpha * G, in place: one step of gradient descent.
inline void subtract_scaled(Matrix& A, double alpha, const Matrix& G) {
    if (A.rows != G.rows || A.cols != G.cols) shape_mismatch("subtract_scaled", A, G);
    for (size_t i = 0; i < A.size(); ++i) A.data[i] -= alpha * G.data[i];
}

// numpy's pairwise summation: short runs add in eight interleaved accumulators, long runs split in
// halves. Its rounding error grows like log(n) rather than n.
inline double pairwise_sum(const double* a, size_t n) {
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (size_t j = 0; j < 8; ++j) r[j] = a[j];
        size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    size_t half = n / 2;
    half -= half % 8;
    return pairwise_sum(a, half) + pairwise_sum(a + half, n - half);
}

// The sum of n doubles exactly as np.sum (and np.mean) adds a contiguous array: numpy's reduction
// hands its inner loop chunks of at most 8192 elements (its buffer size), sums each chunk
// pairwise, and adds the chunk sums in order. Mirroring it makes a mean agree with numpy's to
// the last digit.
inline double numpy_sum(const double* a, size_t n) {
    constexpr size_t kNumpyBufferSize = 8192;
    double sum = 0.0;
    for (size_t start = 0; start < n; start += kNumpyBufferSize)
        sum += pairwise_sum(a + start, std::min(kNumpyBufferSize, n - start));
    return sum;
}
