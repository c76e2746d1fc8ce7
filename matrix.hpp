// matrix.hpp: a small row-major matrix of doubles and the handful of operations a perceptron needs.
//
// It knows nothing of MNIST or of networks. Every product comes twice: a naive triple loop, kept as
// the reference anyone can check by eye, and a fast one, which the lesson uses. Both add the terms of
// each output element in the same order (the inner index ascending), so without -ffast-math and with
// -ffp-contract=off they give the same bits; tests/test_units.cpp checks that they do. The fast ones
// block the loops for the registers and caches, share the output out between threads when built
// with OpenMP, whole elements to each (which keeps the result independent of the thread count), and
// write every output element without zeroing it first; and, for a SparseMatrix
// (a matrix kept as its nonzero entries, like MNIST's mostly-black images), skip the zeros.
#pragma once

#include <algorithm>
#include <atomic>
#include <bitset>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

namespace matrix_detail {
// std::allocator, except that a vector's new elements are left as they are instead of being
// zeroed, when no value is given: a product's output is written in full by the product itself, and
// zeroing it first, on one thread, cost more than small products take.
template <class T>
struct UninitializedAllocator : std::allocator<T> {
    template <class U>
    struct rebind { using other = UninitializedAllocator<U>; };
    UninitializedAllocator() = default;
    template <class U>
    UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
    template <class U>
    void construct(U* p) noexcept { ::new (static_cast<void*>(p)) U; }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) { ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...); }
};
}  // namespace matrix_detail

struct Matrix {
    size_t rows = 0, cols = 0;
    // element (r, c) lives at data[r * cols + c]
    std::vector<double, matrix_detail::UninitializedAllocator<double>> data;

    Matrix() = default;
    Matrix(size_t rows_, size_t cols_, double fill = 0.0)
        : rows(rows_), cols(cols_), data(rows_ * cols_, fill) {}
    // A matrix whose elements are not set yet: for outputs that are about to be written in full.
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

// For any two matrices with a shape(): a Matrix, or the SparseMatrix below.
template <class MatrixA, class MatrixB>
[[noreturn]] void shape_mismatch(const char* op, const MatrixA& a, const MatrixB& b) {
    throw std::invalid_argument(std::string(op) + ": shapes " + a.shape() + " and " + b.shape() +
                                " do not fit");
}

// ---------------------------------------------------------------------------------------------
// Threads. Every kernel below that shares its work out between threads does it through
// parallel_parts() (or parallel_items()), the one place where OpenMP is used. It also does two
// things a plain `#pragma omp parallel for` does not:
//  - An exception thrown inside a parallel region cannot leave it: the program would end on the
//    spot (out of memory in a kernel's allocation, say, or an exercise's stub). Each is caught
//    where it happens, and the first is thrown again once the threads have joined.
//  - A student's laptop is never idle. When another program holds a core, a thread that shares
//    it runs late, and every parallel step waits for it: small steps, thousands of them, can then
//    run many times slower than on one thread. So each parallel step is timed: when it took more
//    than twice the share of the thread that started it (a share the others should have matched),
//    it stalled. Three stalls among the last 32 steps and one thread fewer is used, for 0.1 s at
//    first, then, when the same happens again as soon as it is tried, for twice as long (up to
//    3.2 s). Stalls are rare on an idle machine, so it keeps all its threads.
// The number of threads never changes a result: every output element is computed by one thread,
// in one order, whatever their number.

namespace matrix_detail {

// ---------------------------------------------------------------------------------------------
// Denormal numbers: the doubles below 2^-1022 in magnitude, with fewer than 53 significant bits. On
// x86 CPUs a multiply or divide that reads or makes one takes a microcode assist of about a hundred
// cycles instead of a few. By default they are computed as IEEE 754 says, as numpy and PyTorch do.
// set_flush_denormals(true) makes every kernel's threads (and the calling thread) read them as 0
// and write 0 in their place (x86's FTZ and DAZ bits, 64-bit ARM's FZ bit): PyTorch's
// torch.set_flush_denormal(True). That changes a result only where numbers that small matter: a
// sum x + d with a denormal d is x anyway for any x above 2^-969.

#if defined(__x86_64__) || defined(_M_X64)
#define MATRIX_FLUSH_MODE 1  // doubles are computed in SSE registers, under MXCSR's FTZ and DAZ
#elif defined(__aarch64__)
#define MATRIX_FLUSH_MODE 1  // FPCR's FZ
#endif

// Sets whether the calling thread flushes denormals (nothing, where no flush mode is known).
inline void set_thread_flush_denormals(bool on) {
#if defined(MATRIX_FLUSH_MODE) && (defined(__x86_64__) || defined(_M_X64))
    const unsigned int ftz_daz = 0x8040, csr = _mm_getcsr(), want = on ? (csr | ftz_daz) : (csr & ~ftz_daz);
    if (want != csr) _mm_setcsr(want);
#elif defined(MATRIX_FLUSH_MODE)
    uint64_t fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    const uint64_t fz = uint64_t(1) << 24, want = on ? (fpcr | fz) : (fpcr & ~fz);
    if (want != fpcr) __asm__ volatile("msr fpcr, %0" : : "r"(want) : "memory");
#else
    (void)on;
#endif
}

inline bool& flush_denormals_wanted() {
    static bool on = false;
    return on;
}

// Part p of `count` things shared out between `parts`: [first, last).
struct Share {
    size_t first, last;
    Share(size_t count, size_t p, size_t parts) : first(count * p / parts), last(count * (p + 1) / parts) {}
};

#ifdef _OPENMP
// How many threads the kernels use now, and what the timing of their parallel steps says about it.
class LoadWatch {
public:
    using Clock = std::chrono::steady_clock;

    size_t threads() {
        const size_t all = static_cast<size_t>(omp_get_max_threads());
        if (all != all_) all_ = threads_ = all, held_ = false;  // OMP_NUM_THREADS, omp_set_num_threads()
        if (held_ && Clock::now() >= hold_until_) {  // try one thread more again
            held_ = false, ++threads_;
            probation_ = kWindow;
        }
        return threads_;
    }

    // One parallel step: its time, and the time of the share the calling thread ran itself.
    void record(double step_seconds, double own_seconds) {
        const bool stalled = step_seconds > 2 * own_seconds + kStallMargin;
        history_ = (history_ << 1) | (stalled ? 1u : 0u);
        if (probation_ > 0) --probation_;
        if (std::bitset<32>(history_).count() < 3 || threads_ <= 1) {
            if (probation_ == 0 && !held_) hold_ = kFirstHold;  // a clean window: start over
            return;
        }
        hold_ = probation_ > 0 ? std::min(2 * hold_, kLongestHold) : kFirstHold;
        --threads_;
        held_ = true, history_ = 0, probation_ = 0;
        hold_until_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(hold_));
    }

private:
    static constexpr double kStallMargin = 50e-6, kFirstHold = 0.1, kLongestHold = 3.2;
    static constexpr int kWindow = 32;
    size_t all_ = 0, threads_ = 0;
    uint32_t history_ = 0;  // one bit per recent step, 1 = stalled (the last 32)
    bool held_ = false;
    int probation_ = 0;     // steps left in which a stall means the last try came too soon
    double hold_ = kFirstHold;
    Clock::time_point hold_until_;
};

inline LoadWatch& load_watch() {
    static LoadWatch watch;
    return watch;
}
#endif

// How many threads a kernel may share its work out between: 1 inside a parallel region (kernels
// called from another kernel's threads run on their caller's thread).
inline size_t thread_count() {
#ifdef _OPENMP
    return omp_in_parallel() ? 1 : load_watch().threads();
#else
    return 1;
#endif
}

// body(p) for every part p = 0 .. parts - 1, each part on a thread of its own (one after the other
// when parts is 1). The first exception a part throws is thrown again here, after all have ended.
template <class Body>
void parallel_parts(size_t parts, Body body) {
#ifdef _OPENMP
    if (parts > 1 && !omp_in_parallel()) {
        using Clock = LoadWatch::Clock;
        std::exception_ptr error;
        double own = 0;
        const auto start = Clock::now();
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(parts))
        for (ptrdiff_t p = 0; p < static_cast<ptrdiff_t>(parts); ++p) {
            const bool mine = omp_get_thread_num() == 0;
            const auto t0 = mine ? Clock::now() : start;
            set_thread_flush_denormals(flush_denormals_wanted());  // a thread may be new, or have served another mode
            try {
                body(static_cast<size_t>(p));
            } catch (...) {
#pragma omp critical(matrix_parallel_error)
                if (!error) error = std::current_exception();
            }
            if (mine) own = std::chrono::duration<double>(Clock::now() - t0).count();
        }
        load_watch().record(std::chrono::duration<double>(Clock::now() - start).count(), own);
        if (error) std::rethrow_exception(error);
        return;
    }
#endif
    for (size_t p = 0; p < parts; ++p) body(p);
}

}  // namespace matrix_detail

// Whether this CPU has a mode that flushes denormals that this header knows (x86-64, 64-bit ARM).
constexpr bool can_flush_denormals() {
#ifdef MATRIX_FLUSH_MODE
    return true;
#else
    return false;
#endif
}

// From now on every kernel flushes denormals to zero (on), or computes them (off, the default).
inline void set_flush_denormals(bool on) {
    matrix_detail::flush_denormals_wanted() = on;
    matrix_detail::set_thread_flush_denormals(on);
}

namespace matrix_detail {

// body(first, last) over [0, count) cut into one range per thread, when the work is worth it;
// else body(0, count).
template <class Body>
void parallel_ranges(size_t count, bool worth_threads, Body body) {
    const size_t parts = worth_threads ? std::min(thread_count(), std::max<size_t>(count, 1)) : 1;
    parallel_parts(parts, [&](size_t p) {
        const Share s(count, p, parts);
        body(s.first, s.last);
    });
}

// body(i) for every item i = 0 .. count - 1, for items of uneven cost: each thread takes the next
// item left when it is done with its last (a dynamic schedule).
template <class Body>
void parallel_items(size_t count, Body body) {
    const size_t parts = std::min(thread_count(), count);
    std::atomic<size_t> next{0};
    parallel_parts(parts, [&](size_t) {
        for (size_t i = next++; i < count; i = next++) body(i);
    });
}

}  // namespace matrix_detail

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
// Fast products: the same sums in the same order, arranged for the caches and the vector units.
//
// Every fast product below adds the terms of each output element in the naive loop's order, so the
// results are the same bits. The speed comes from three ideas:
//  - Register blocking: a block of 8 x 16 (or 4 x 16) elements of C lives in 16 vector registers
//    while the whole k loop runs, so each loaded element of A is used 16 times and each of B 8 (or
//    4) times, instead of once.
//  - Packing: B is cut into strips of 16 columns and kKc rows, each copied once into the order the
//    kernel reads it (16 consecutive doubles per k), small enough for the L1 cache, and reused by
//    every row of C. Reading B^T instead of B is only another way of packing, so A B^T needs no
//    transposed copy.
//  - Threads: with OpenMP, each thread gets a share of C's rows (or, for a C of too few rows to
//    share out, of its strips) and packs the strips it needs itself: no thread waits for, or reads,
//    another's copies. Each output element is still computed by one thread, in one order, so the
//    result does not depend on the thread count.
// To keep the order across the k panels, the kernel continues from C's running sum after the first.

namespace matrix_detail {
constexpr size_t kNr = 16;   // columns of C per register block, and of B per strip
constexpr size_t kKc = 256;  // rows of B per strip: 256 x 16 doubles = 32 KiB, L1-sized
constexpr size_t kParallelWork = 1 << 16;  // below this many multiply-adds, threads cost more than they save
constexpr size_t kGatherPanel = 128;        // columns of B a sparse product gathers from at a time (one AVX-512 block)
constexpr size_t kGatherAhead = 2;          // a gather asks for the row it will read this many terms later
constexpr size_t kNarrow = 4;  // a C narrower than this is summed element by element (a strip: mostly padding)

// Rows of C per register block, kMr x kNr accumulators in all. The best block is the one that fills
// the vector registers without spilling, and how the compiler maps the loops onto them matters as
// much as the block. With AVX-512 the kernel below says it outright: 8 rows, each 16 columns held
// in two 8-wide vector registers, 16 accumulators; on this project's machine both compilers reach
// about 41 GFLOP/s on one core with it, where the plain loops below reached 21 (g++) and 18
// (clang++). Without AVX-512 the plain loops are used, and there g++ turns 16 columns into vectors
// that fill the registers at 8 rows, clang at 4 (each reached about twice the speed of the other's
// block, make bench, on an AVX2 machine).
#if defined(__AVX512F__) && (defined(__GNUC__) || defined(__clang__))
#define MATRIX_AVX512_KERNEL 1
constexpr size_t kMr = 8;
#elif defined(__clang__)
constexpr size_t kMr = 4;
#else
constexpr size_t kMr = 8;
#endif

// c[r * ldc + j] (a kMr x kNr block) = (first ? 0 : c[r * ldc + j]) + sum over k < kc, ascending,
// of a[r * lda + k] * strip[k * kNr + j].
#ifdef MATRIX_AVX512_KERNEL
// Eight doubles in one AVX-512 register (a GCC and Clang extension): the same IEEE multiplies and
// adds, eight lanes at a time, so the same bits as the plain loops.
typedef double double8 __attribute__((vector_size(8 * sizeof(double))));
inline double8 load8(const double* p) {
    double8 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store8(double* p, double8 v) { std::memcpy(p, &v, sizeof v); }

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
// order.
inline void product_block(const Matrix& A, size_t i0, size_t rows, size_t k0, size_t kc, const double* strip,
                          Matrix& C, size_t j0, size_t width, bool first) {
    if (rows == kMr && width == kNr) {
        kernel_block(A.row(i0) + k0, A.cols, strip, kc, C.row(i0) + j0, C.cols, first);
        return;
    }
    double a[kMr * kKc], c[kMr * kNr];
    for (size_t r = 0; r < kMr; ++r)
        for (size_t k = 0; k < kc; ++k) a[r * kc + k] = r < rows ? A(i0 + r, k0 + k) : 0.0;
    for (size_t r = 0; r < kMr; ++r)
        for (size_t j = 0; j < kNr; ++j) c[r * kNr + j] = !first && r < rows && j < width ? C(i0 + r, j0 + j) : 0.0;
    kernel_block(a, kc, strip, kc, c, kNr, false);
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
    const size_t parts = n * K * m >= kParallelWork ? thread_count() : 1;
    // Whole rows to each thread (each packs every strip, a small cost next to its rows' products),
    // unless C has too few rows to share out evenly: then whole strips.
    const bool by_strips = row_blocks < 4 * parts && strips >= parts;
    parallel_parts(parts, [&](size_t p) {
        const Share s = by_strips ? Share(strips, p, parts) : Share(strips, 0, 1);
        const Share b = by_strips ? Share(row_blocks, 0, 1) : Share(row_blocks, p, parts);
        thread_local std::vector<double> packed(kPanelStrips * kKc * kNr);  // this thread's own
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

// C = A B or A B^T for a C of fewer than 4 columns (the lesson's (N, 1) z_2), where a strip of 16
// would be mostly padding: each element is its own sum, k ascending, rows shared between threads.
template <Read read>
void narrow_product(const Matrix& A, const Matrix& B, Matrix& C) {
    parallel_ranges(A.rows, A.rows * A.cols * C.cols >= kParallelWork, [&](size_t first, size_t last) {
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
void product(const Matrix& A, const Matrix& B, Matrix& C) {
    if (C.cols < kNarrow) narrow_product<read>(A, B, C);
    else blocked_product<read>(A, B, C);
}
}  // namespace matrix_detail

namespace matrix_detail {
// The nonzero entries of a dense matrix, row by row (compressed sparse rows).
struct NonzeroRows {
    size_t rows = 0;
    std::vector<size_t> row_start;  // row i's entries are [row_start[i], row_start[i + 1])
    std::vector<uint32_t, UninitializedAllocator<uint32_t>> col;  // ascending within a row
    std::vector<double, UninitializedAllocator<double>> value;
};

// A dense A whose elements are at most kMostlyZeros nonzero is multiplied as a sparse one: a ReLU
// layer's output is, and more so under dropout (the record's first hidden layer, 1024 units, is
// 12% nonzero after a few epochs). Listing the nonzeros costs two passes over A; the product then
// gathers the rows of B that each row of A names (as for the images, below): about 40% of the
// dense product's time at that density, the listing included (make bench). Only when A and B are
// both at least kSkipZerosMinCols wide: for narrower ones the lists and gathered rows are too short
// to pay.
constexpr double kMostlyZeros = 0.25;
constexpr size_t kSkipZerosMinCols = 64;

// A's nonzeros by rows, into S; false (S left empty) when more than max_fraction of A is nonzero.
inline bool list_nonzero_rows(const Matrix& A, double max_fraction, NonzeroRows& S) {
    std::vector<size_t> start(A.rows + 1, 0);
    const bool threads = A.size() >= (1 << 15);
    parallel_ranges(A.rows, threads, [&](size_t first, size_t last) {
        const size_t m = A.cols;
        for (size_t i = first; i < last; ++i) {
            const double* a = A.row(i);
            size_t count = 0;
            for (size_t k = 0; k < m; ++k) count += a[k] != 0.0;
            start[i + 1] = count;
        }
    });
    for (size_t i = 0; i < A.rows; ++i) start[i + 1] += start[i];
    if (static_cast<double>(start[A.rows]) > max_fraction * static_cast<double>(A.size())) return false;
    S.rows = A.rows;
    S.row_start = std::move(start);
    S.col.resize(S.row_start[A.rows]);
    S.value.resize(S.row_start[A.rows]);
    parallel_ranges(A.rows, threads, [&](size_t first, size_t last) {
        // Every element is written to the row's list and the list grows past it only when it is
        // nonzero: no branch to mispredict on zeros that come in no pattern.
        const size_t m = A.cols;
        std::vector<uint32_t> cols(m + 1);
        std::vector<double> values(m + 1);
        uint32_t* c = cols.data();
        double* v = values.data();
        for (size_t i = first; i < last; ++i) {
            const double* a = A.row(i);
            size_t n = 0;
            for (size_t k = 0; k < m; ++k) c[n] = static_cast<uint32_t>(k), v[n] = a[k], n += a[k] != 0.0;
            std::copy(c, c + n, S.col.begin() + static_cast<ptrdiff_t>(S.row_start[i]));
            std::copy(v, v + n, S.value.begin() + static_cast<ptrdiff_t>(S.row_start[i]));
        }
    });
    return true;
}

// C = A B over A's nonzero entries (below, with the sparse products).
inline Matrix product_of_nonzeros(size_t rows, const std::vector<size_t>& row_start, const uint32_t* col,
                                  const double* value, const Matrix& B);
}  // namespace matrix_detail

// C = A B: A is (n, k), B is (k, m), C is (n, m). When A is mostly zeros, they are skipped: x + 0
// leaves a sum unchanged, so the sums are the same, in the same order (see SparseMatrix below), as
// long as B is finite (0 times an infinite B would be NaN; a B that large has diverged already).
inline Matrix matmul(const Matrix& A, const Matrix& B) {
    using namespace matrix_detail;
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    NonzeroRows S;
    if (A.cols >= kSkipZerosMinCols && B.cols >= kSkipZerosMinCols && list_nonzero_rows(A, kMostlyZeros, S))
        return product_of_nonzeros(S.rows, S.row_start, S.col.data(), S.value.data(), B);
    Matrix C = Matrix::uninitialized(A.rows, B.cols);
    product<Read::B>(A, B, C);
    return C;
}

// C = A B^T: A is (n, k), B is (m, k), C is (n, m). The same product as matmul, reading B^T from B.
inline Matrix matmul_ABt(const Matrix& A, const Matrix& B) {
    if (A.cols != B.cols) shape_mismatch("matmul_ABt", A, B);
    Matrix C = Matrix::uninitialized(A.rows, B.rows);
    matrix_detail::product<matrix_detail::Read::B_transposed>(A, B, C);
    return C;
}

// A^T, copied in tiles of 32 x 32 so that both the reads and the writes stay in the cache; threads
// share out the tiles' rows.
inline Matrix transpose(const Matrix& A) {
    constexpr size_t kTile = 32;
    Matrix T = Matrix::uninitialized(A.cols, A.rows);
    const size_t tiles = (A.cols + kTile - 1) / kTile;
    matrix_detail::parallel_ranges(tiles, A.size() >= (1 << 15), [&](size_t first, size_t last) {
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

// C = A^T B. When C is at least 4 columns wide, A^T is formed (a copy of A) and the blocked product
// does the work: its sums run over A's rows n in ascending order, as the naive loop's do. For
// narrower B (the lesson's (N, 1) delta_2), without forming A^T: each row n adds a(n,k) * (row n
// of B) to row k of C. Threads own disjoint rows k of C, and every thread walks n in ascending
// order, as the naive loop does.
inline Matrix matmul_AtB(const Matrix& A, const Matrix& B) {
    using namespace matrix_detail;
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    if (B.cols >= kNarrow) return matmul(transpose(A), B);
    const size_t N = A.rows, k_count = A.cols, m = B.cols;
    Matrix C = Matrix::uninitialized(k_count, m);
    constexpr size_t kRowsPerTask = 16;
    const size_t tasks = (k_count + kRowsPerTask - 1) / kRowsPerTask;
    parallel_ranges(tasks, N * k_count * m >= kParallelWork, [&](size_t first, size_t last) {
        for (size_t k0 = first * kRowsPerTask; k0 < std::min(k_count, last * kRowsPerTask); k0 += kRowsPerTask) {
            const size_t k_end = std::min(k_count, k0 + kRowsPerTask);
            std::fill(C.row(k0), C.row(k_end), 0.0);
            for (size_t nn = 0; nn < N; ++nn) {
                const double* a = A.row(nn);
                const double* b = B.row(nn);
                for (size_t k = k0; k < k_end; ++k) {
                    const double a_nk = a[k];
                    double* c = C.row(k);
                    for (size_t j = 0; j < m; ++j) c[j] += a_nk * b[j];
                }
            }
        }
    });
    return C;
}

// ---------------------------------------------------------------------------------------------
// A matrix that is mostly zeros, kept as its nonzero entries.
//
// MNIST's images are 83% background: zero pixels. A product with them adds a(i,k) * b = 0 for most
// k, and x + 0 leaves a sum unchanged, so skipping those terms changes no bit of the result. Listing
// the nonzero entries once, for an input that never changes, lets the products skip the zeros
// without even looking at them: about a sixth of the work and of the memory traffic.
//
// The entries are listed twice, once for each product the lesson needs:
//  - by rows (compressed sparse rows), for A B: row i of C gathers the rows of B that row i of A
//    names;
//  - by columns, in tiles of kTileRows rows, for A^T B: row k of C gathers the rows n of B where
//    column k of A is nonzero. The tiles keep the rows of B being gathered (kTileRows x 64 doubles,
//    512 KiB) in the L2 cache; tiles are visited in ascending n, so each sum keeps the naive order.
// Both are built by the constructor; a SparseMatrix does not change afterwards.
struct SparseMatrix {
    static constexpr size_t kTileRows = 1024;

    size_t rows = 0, cols = 0;
    std::vector<size_t> row_start;  // row i's entries are [row_start[i], row_start[i + 1])
    std::vector<uint32_t> col;      // their columns, ascending within a row
    std::vector<double> value;      // their values

    struct ColumnTile {
        std::vector<size_t> col_start;  // column k's entries in this tile: [col_start[k], col_start[k + 1])
        std::vector<uint32_t> row;      // their rows, ascending within a column
        std::vector<double> value;
    };
    std::vector<ColumnTile> tiles;  // tile t covers rows [t * kTileRows, (t + 1) * kTileRows)

    SparseMatrix() = default;
    explicit SparseMatrix(const Matrix& dense)
        : SparseMatrix(dense.rows, dense.cols, [&](size_t i, double* row) {
              std::copy(dense.row(i), dense.row(i) + dense.cols, row);
          }) {}
    // The matrix whose row i fill_row(i, row) writes into row[0 .. cols): no dense copy is kept.
    template <class FillRow>
    SparseMatrix(size_t rows_, size_t cols_, FillRow fill_row) : rows(rows_), cols(cols_) {
        std::vector<double> dense_row(cols);
        row_start.reserve(rows + 1);
        row_start.push_back(0);
        // Room for a quarter of the elements (MNIST's images are 17% nonzero), so that the lists
        // are not copied again and again as they grow; pages never written are never touched.
        col.reserve(rows * cols / 4);
        value.reserve(rows * cols / 4);
        for (size_t i = 0; i < rows; ++i) {
            fill_row(i, dense_row.data());
            for (size_t k = 0; k < cols; ++k)
                if (dense_row[k] != 0.0) {
                    col.push_back(static_cast<uint32_t>(k));
                    value.push_back(dense_row[k]);
                }
            row_start.push_back(col.size());
        }
        build_column_tiles();
    }

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
    // The matrix of rows picked[0], picked[1], ... of this one (a mini-batch of images): their
    // entries are copied as they are, so the work is that of the nonzeros, not of rows x cols.
    SparseMatrix select_rows(const uint32_t* picked, size_t count) const {
        SparseMatrix s;
        s.rows = count, s.cols = cols;
        s.row_start.resize(count + 1);
        s.row_start[0] = 0;
        for (size_t r = 0; r < count; ++r) {
            if (picked[r] >= rows)
                throw std::out_of_range("select_rows: row " + std::to_string(picked[r]) + " of a matrix of " + std::to_string(rows));
            s.row_start[r + 1] = s.row_start[r] + row_start[picked[r] + 1] - row_start[picked[r]];
        }
        s.col.resize(s.row_start[count]);
        s.value.resize(s.row_start[count]);
        for (size_t r = 0; r < count; ++r) {
            const size_t first = row_start[picked[r]], last = row_start[picked[r] + 1];
            std::copy(col.begin() + first, col.begin() + last, s.col.begin() + s.row_start[r]);
            std::copy(value.begin() + first, value.begin() + last, s.value.begin() + s.row_start[r]);
        }
        s.build_column_tiles();
        return s;
    }

private:
    // A counting sort of each tile's entries by column; rows stay ascending within a column.
    // The tiles are independent of each other, so threads build them side by side. (For the one
    // tile of a mini-batch, sharing its columns out between threads was measured slower: the other
    // thread then reads entries this one has just copied.)
    void build_column_tiles() {
        tiles.assign((rows + kTileRows - 1) / kTileRows, ColumnTile());
        matrix_detail::parallel_items(tiles.size(), [&](size_t tile) {
            const size_t n0 = tile * kTileRows, n1 = std::min(rows, n0 + kTileRows);
            ColumnTile& t = tiles[tile];
            t.col_start.assign(cols + 1, 0);
            for (size_t p = row_start[n0]; p < row_start[n1]; ++p) ++t.col_start[col[p] + 1];
            for (size_t k = 0; k < cols; ++k) t.col_start[k + 1] += t.col_start[k];
            t.row.resize(t.col_start[cols]);
            t.value.resize(t.col_start[cols]);
            std::vector<size_t> next(t.col_start.begin(), t.col_start.end() - 1);
            for (size_t n = n0; n < n1; ++n)
                for (size_t p = row_start[n]; p < row_start[n + 1]; ++p) {
                    const size_t q = next[col[p]]++;
                    t.row[q] = static_cast<uint32_t>(n);
                    t.value[q] = value[p];
                }
        });
    }
};

namespace matrix_detail {
#if defined(__AVX__) && (defined(__GNUC__) || defined(__clang__))
// Four doubles in one AVX register, a GCC and Clang extension: the arithmetic is the same IEEE
// multiply and add, four lanes at a time. The sparse loops below hold a row of C in such registers;
// written as plain arrays, whether the compiler keeps them in registers varies from one compiler
// (and flag) to the next, and with them the speed, by up to 2x. Without AVX (plain -O2, say) the
// portable loop below is used instead: the same operations in the same order, so the same bits.
typedef double double4 __attribute__((vector_size(4 * sizeof(double))));

inline double4 load4(const double* p) {
    double4 v;
    std::memcpy(&v, p, sizeof v);  // an unaligned vector load
    return v;
}
inline void store4(double* p, double4 v) { std::memcpy(p, &v, sizeof v); }

// Asks the cache for the `lines` 64-byte lines from `row` on. A gather reads its rows of B in the
// order of a sparse row's nonzeros, which no hardware prefetcher can guess: each is fetched from
// the L2 cache while the one before it is added. Asking kGatherAhead terms early made the sparse
// products of a ten-class step 12-15% faster (bench/README.md).
inline void prefetch_lines(const double* row, size_t lines) {
    for (size_t l = 0; l < lines; ++l) __builtin_prefetch(row + 8 * l);
}

// Columns [j0, j0 + 4V) of one row of C += sum over the entries [first, last) of value * (row of B).
// The row of C is held in registers from the first term to the last.
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
// Columns [j0, j0 + 4V) of one row of C += sum over the entries [first, last) of value * (row of B).
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
// B): 64 at a time (16 registers), then 16, then 4, then one by one. With from_zero, C's row is not
// read: the sums start from 0, as the naive loop's do.
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

}  // namespace matrix_detail

namespace matrix_detail {
// Part p of `parts` of the items [0, count) whose entries start at starts[0 .. count] (a row's, or
// a column's, in a SparseMatrix): consecutive items with about the same number of entries. Images
// differ in their number of nonzero pixels, and pixels in how many images light them, so an even
// split of the rows, or columns, left one thread with up to a third more work than the other.
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
}  // namespace matrix_detail

// C = A B for a sparse A: row i of C adds a(i,k) * (row k of B) over the nonzero a(i,k) only, k
// ascending as in the naive loop. Each thread gets rows with a like number of nonzeros, and goes
// through them once per panel of kGatherPanel columns of B: a panel of a 784 x 1024 W_1 (784 KiB)
// stays in the L2 cache for all the rows, where the whole of it (6 MiB) would be read again from
// the L3 cache for every row. Each sum is the same, in the same order.
inline Matrix matmul(const SparseMatrix& A, const Matrix& B) {
    if (A.cols != B.rows) shape_mismatch("matmul", A, B);
    return matrix_detail::product_of_nonzeros(A.rows, A.row_start, A.col.data(), A.value.data(), B);
}

inline Matrix matrix_detail::product_of_nonzeros(size_t rows, const std::vector<size_t>& row_start, const uint32_t* col,
                                                 const double* value, const Matrix& B) {
    Matrix C = Matrix::uninitialized(rows, B.cols);
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

// C = A^T B for a sparse A: row k of C adds a(n,k) * (row n of B) over the nonzero a(n,k) of
// column k, tile after tile, so n ascends as in the naive loop. Each thread gets rows k with a like
// number of nonzeros in the tile.
inline Matrix matmul_AtB(const SparseMatrix& A, const Matrix& B) {
    using namespace matrix_detail;
    if (A.rows != B.rows) shape_mismatch("matmul_AtB", A, B);
    if (A.tiles.empty()) return Matrix(A.cols, B.cols);  // no rows: empty sums
    Matrix C = Matrix::uninitialized(A.cols, B.cols);
    for (const SparseMatrix::ColumnTile& t : A.tiles) {
        const bool first_tile = &t == &A.tiles.front();
        const size_t parts = t.value.size() * B.cols >= kParallelWork ? thread_count() : 1;
        parallel_parts(parts, [&](size_t p) {
            const Share ks = entries_share(t.col_start, p, parts);
            for (size_t k = ks.first; k < ks.last; ++k)
                gather_rows(C.row(k), t.row.data(), t.value.data(), t.col_start[k], t.col_start[k + 1], B, first_tile, 0, B.cols);
        });
    }
    return C;
}

// Rows picked[0], picked[1], ..., picked[count - 1] of a dense matrix, in that order.
inline Matrix select_rows(const Matrix& A, const uint32_t* picked, size_t count) {
    Matrix S = Matrix::uninitialized(count, A.cols);
    for (size_t r = 0; r < count; ++r) {
        if (picked[r] >= A.rows) throw std::out_of_range("select_rows: row " + std::to_string(picked[r]) + " of " + A.shape());
        std::copy(A.row(picked[r]), A.row(picked[r]) + A.cols, S.row(r));
    }
    return S;
}

// The rows of A in the order `order`, cut into batches of `batch_size` rows (the last one shorter):
// batch b is A.select_rows() of order[b B], ..., order[min((b + 1) B, n) - 1]. Copying a batch's
// rows and sorting them by column takes one thread about as long as a small training step; made
// one by one, between the steps that use them, they kept one thread busy and the others idle. So
// they are made a few at a time (up to 1,024 rows ahead), one batch per thread.
class RowBatches {
public:
    RowBatches(const SparseMatrix& A, const std::vector<uint32_t>& order, size_t batch_size)
        : A_(A), order_(order), batch_size_(std::max<size_t>(batch_size, 1)),
          count_((order.size() + batch_size_ - 1) / batch_size_), ahead_(std::max<size_t>(1, 1024 / batch_size_)) {}

    size_t size() const { return count_; }

    // Batch b, for b = 0, 1, 2, ... in that order (the batches before are freed as it goes).
    const SparseMatrix& operator[](size_t b) {
        if (b >= count_) throw std::out_of_range("RowBatches: batch " + std::to_string(b) + " of " + std::to_string(count_));
        if (b < first_ || b >= first_ + made_.size()) make(b);
        return made_[b - first_];
    }

private:
    void make(size_t first) {
        first_ = first;
        made_.resize(std::min(ahead_, count_ - first));
        matrix_detail::parallel_items(made_.size(), [&](size_t i) {
            const size_t start = (first + i) * batch_size_;
            made_[i] = A_.select_rows(order_.data() + start, std::min(batch_size_, order_.size() - start));
        });
    }

    const SparseMatrix& A_;
    const std::vector<uint32_t>& order_;
    size_t batch_size_, count_, ahead_, first_ = 0;
    std::vector<SparseMatrix> made_;
};

// ---------------------------------------------------------------------------------------------
// Element-wise operations and reductions.

// Element-wise work is split between threads only for large matrices (each element is computed
// alone, so the result is the same either way).
constexpr size_t kParallelElements = 1 << 13;

// A + b, with the row vector b (1, m) added to every row of A (n, m): numpy's broadcasting.
inline Matrix add_row_vector(const Matrix& A, const Matrix& b) {
    if (b.rows != 1 || b.cols != A.cols) shape_mismatch("add_row_vector", A, b);
    Matrix C = Matrix::uninitialized(A.rows, A.cols);
    matrix_detail::parallel_ranges(A.rows, A.size() >= kParallelElements, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i)
            for (size_t j = 0; j < A.cols; ++j) C(i, j) = A(i, j) + b(0, j);
    });
    return C;
}

// The sum of each column, as a (1, m) row: np.sum(A, axis=0, keepdims=True), which numpy also adds
// row after row.
// Threads share out the columns; each column is still added row after row.
inline Matrix column_sums(const Matrix& A) {
    Matrix s(1, A.cols);
    matrix_detail::parallel_ranges(A.cols, A.size() >= kParallelElements && A.cols >= 16, [&](size_t first, size_t last) {
        for (size_t i = 0; i < A.rows; ++i)
            for (size_t j = first; j < last; ++j) s(0, j) += A(i, j);
    });
    return s;
}

// f applied to every element.
template <class F>
Matrix map(const Matrix& A, F f) {
    Matrix C = Matrix::uninitialized(A.rows, A.cols);
    matrix_detail::parallel_ranges(A.size(), A.size() >= kParallelElements, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) C.data[i] = f(A.data[i]);
    });
    return C;
}

// f(a, b) for each pair of elements at the same place in A and B.
template <class F>
Matrix zip_map(const Matrix& A, const Matrix& B, F f, const char* op = "zip_map") {
    if (A.rows != B.rows || A.cols != B.cols) shape_mismatch(op, A, B);
    Matrix C = Matrix::uninitialized(A.rows, A.cols);
    matrix_detail::parallel_ranges(A.size(), A.size() >= kParallelElements, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) C.data[i] = f(A.data[i], B.data[i]);
    });
    return C;
}

// f(a, b, c) for each triple of elements at the same place in A, B and C.
template <class F>
Matrix zip_map(const Matrix& A, const Matrix& B, const Matrix& C, F f, const char* op = "zip_map") {
    if (A.rows != B.rows || A.cols != B.cols) shape_mismatch(op, A, B);
    if (A.rows != C.rows || A.cols != C.cols) shape_mismatch(op, A, C);
    Matrix D = Matrix::uninitialized(A.rows, A.cols);
    matrix_detail::parallel_ranges(A.size(), A.size() >= kParallelElements, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) D.data[i] = f(A.data[i], B.data[i], C.data[i]);
    });
    return D;
}

// The element-wise (Hadamard) product A * B.
inline Matrix hadamard(const Matrix& A, const Matrix& B) {
    return zip_map(A, B, [](double a, double b) { return a * b; }, "hadamard");
}

// ---------------------------------------------------------------------------------------------
// Kernels for rules written elsewhere: the exercises write a rule as plain arithmetic on one row, or
// on one element, and these apply it to every row or element, shared out between threads.

// Rules on a row that cost about an exp per element (a softmax, a log-sum-exp) are worth sharing
// out from about a thousand elements (a batch of 128 x 10): eight times sooner than plain
// arithmetic.
constexpr size_t kParallelRowElements = kParallelElements / 8;

// The matrix whose row i is f(row i of A): f(const double* a, double* out, size_t cols) writes
// out[0 .. cols). Each row is computed by one thread.
template <class F>
Matrix map_rows(const Matrix& A, F f) {
    Matrix C = Matrix::uninitialized(A.rows, A.cols);
    matrix_detail::parallel_ranges(A.rows, A.size() >= kParallelRowElements, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) f(A.row(i), C.row(i), A.cols);
    });
    return C;
}

// The number f(row i of A, row i of B, cols) for every row i, in a vector: B has A's shape.
template <class F>
std::vector<double> row_values(const Matrix& A, const Matrix& B, F f, const char* op = "row_values") {
    if (A.rows != B.rows || A.cols != B.cols) shape_mismatch(op, A, B);
    std::vector<double> values(A.rows);
    matrix_detail::parallel_ranges(A.rows, A.size() >= kParallelRowElements, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) values[i] = f(A.row(i), B.row(i), A.cols);
    });
    return values;
}

// f(a, b, ...) on the elements at the same place in the matrices A, B, ... (all of one shape), each
// passed by reference, so that f may update those of the matrices given as non-const: an
// optimizer's rule, written for one parameter, applied to a whole tensor and its state. A rule that
// captures its settings by value ([=]) is vectorised; one that reads them through references ([&])
// is not (every store to an element might have changed them), and runs several times slower.
template <class F, class First, class... Rest>
void for_each_element(F f, First&& A, Rest&&... rest) {
    ((rest.rows != A.rows || rest.cols != A.cols ? shape_mismatch("for_each_element", A, rest) : void()), ...);
    matrix_detail::parallel_ranges(A.size(), A.size() >= kParallelElements, [&](size_t first, size_t last) {
        for (size_t i = first; i < last; ++i) f(A.data[i], rest.data[i]...);
    });
}

// sqrt(v) / d for many v and one d in [2^-500, 1], the same bits as std::sqrt(v) / d (Adam's
// sqrt(vel) / sqrt(1 - b2^t)), with multiplies and fused multiply-adds in place of the division: a
// CPU's divider takes 8 cycles or more for four doubles, and Adam's step does three divider
// operations per parameter (this division, the square root, and one more). Why it is exact
// (Markstein's theorem): when y is 1/d rounded and q is within one unit in the last place of x/d,
// the remainder x - q d is a double (an FMA computes it exactly), and q + (x - q d) y, rounded, is
// x/d rounded. q = x y can be further off than that; one correction brings it within, a second
// rounds it. That needs x/d and the remainder clear of the denormals, and x y clear of infinity: for
// x = sqrt(v), which is 0 or between 2^-537 and 2^512, and d in [2^-500, 1] they are (Adam's d is
// at least sqrt(1 - b2) > 1e-8); x = 0 gives 0. An infinite or NaN x gives x y, which is x / d
// then. Without a hardware FMA (std::fma would be a slow library call) it divides.
// tests/test_units.cpp compares it with the division.
class SqrtDividedBy {
public:
    explicit SqrtDividedBy(double d) : d_(d), y_(1.0 / d) {
        if (!(d >= 0x1p-500 && d <= 1))
            throw std::invalid_argument("SqrtDividedBy: the divisor " + std::to_string(d) + " is not in [2^-500, 1]");
    }
    double operator()(double v) const {
        const double x = std::sqrt(v);
#if defined(__FMA__) || defined(__ARM_FEATURE_FMA)
        double q = x * y_;
        q = std::fma(std::fma(-q, d_, x), y_, q);
        q = std::fma(std::fma(-q, d_, x), y_, q);
        return std::isfinite(q) ? std::copysign(q, x) : x * y_;  // copysign: sqrt(-0) is -0
#else
        (void)y_;
        return x / d_;
#endif
    }

private:
    double d_, y_;
};

// Whether no element is infinite or NaN.
inline bool all_finite(const Matrix& A) {
    for (double v : A.data)
        if (!std::isfinite(v)) return false;
    return true;
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
