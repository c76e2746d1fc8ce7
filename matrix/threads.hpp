// matrix/threads.hpp: how the kernels share their work out between threads, and denormal flushing.
//
// What it is for. A plain `#pragma omp parallel for` (matrix.hpp's plain products) has two flaws a
// program for students' laptops cannot keep:
//  - An exception thrown inside a parallel region cannot leave it: the program ends on the spot (out
//    of memory in a kernel, or a lab's stub that says "not implemented"). parallel_parts() catches
//    each where it happens and throws the first again once the threads have joined.
//  - A laptop is never idle. When another program holds a core, a thread that shares it runs late,
//    and every parallel step waits for it: thousands of small steps then take many times as long as
//    on one thread (make bench measured 2.7x to 4.4x for ten-class runs before LoadWatch). So every
//    parallel step is timed: when it took more than twice the share of the thread that started it,
//    it stalled. Three stalls among the last 32 steps and one thread fewer is used, for 0.1 s at
//    first, then, when the same happens again as soon as it is tried, for twice as long (up to
//    3.2 s). With one core busy, make bench now finds 1.0x-1.2x one thread's time.
// The number of threads never changes a result: every output element is computed by one thread, in
// one order, whatever their number.
//
// Denormals: the doubles below 2^-1022 in magnitude. On x86 a multiply or divide that reads or makes
// one takes a microcode assist of about a hundred cycles instead of a few (make bench: Adam's step on
// denormal running means, 1.8x-23x slower). By default they are computed as IEEE 754 says, as numpy
// and PyTorch do. set_flush_denormals(true) makes every kernel thread (and the calling thread) read
// them as 0 and write 0 in their place (x86's FTZ and DAZ bits, 64-bit ARM's FZ bit), as
// torch.set_flush_denormal(True) does: a sum x + d with a denormal d is x anyway for any x above 2^-969.
#pragma once

#include <algorithm>
#include <atomic>
#include <bitset>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>

#ifdef _OPENMP
#include <omp.h>
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#define MATRIX_FLUSH_MODE 1  // doubles are computed in SSE registers, under MXCSR's FTZ and DAZ
#elif defined(__aarch64__)
#define MATRIX_FLUSH_MODE 1  // FPCR's FZ
#endif

namespace matrix_kernels {

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
// The threads start with the program, before its data take up the address space. libgomp cannot
// report a thread it failed to make: it ends the program with its own two lines. Under a memory
// limit (ulimit -v) that happened when the first parallel step came after the data were loaded;
// made first, the threads fit, and what runs out later is an allocation the programs report.
// (A static object, one per translation unit: an inline variable that nothing reads may never be
// initialized.)
[[maybe_unused]] static const bool threads_started = [] {
    int started = 0;  // counted, or the compiler drops the empty region and starts nothing
#pragma omp parallel
    {
#pragma omp atomic
        ++started;
    }
    return started > 0;
}();

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

// body(first, last) over [0, count) cut into one range per thread, when worth_threads; else
// body(0, count).
template <class Body>
void parallel_ranges_if(size_t count, bool worth_threads, Body body) {
    const size_t parts = worth_threads ? std::min(thread_count(), std::max<size_t>(count, 1)) : 1;
    parallel_parts(parts, [&](size_t p) {
        const Share s(count, p, parts);
        body(s.first, s.last);
    });
}

// Element-wise work (matrix.hpp's in_ranges()) is worth threads from about this many operations.
// A share-out costs 3-4 us on a 2-core virtual machine (an empty one, timed: 3.0-4.1 us): the
// ten-class softmax of a batch (128 x 10, counted as 10,240) takes 8 us on one thread and 12 on two,
// a ReLU over 128 x 128 (16,384 calls through a function pointer) 28 us on one and 19 on two.
constexpr size_t kParallelElements = 1 << 14;

template <class Body>
void parallel_ranges(size_t count, size_t work, Body body) {
    parallel_ranges_if(count, work >= kParallelElements, body);
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

}  // namespace matrix_kernels

// Whether this CPU has a mode that flushes denormals that the kernels know (x86-64, 64-bit ARM).
constexpr bool can_flush_denormals() {
#ifdef MATRIX_FLUSH_MODE
    return true;
#else
    return false;
#endif
}

// From now on every kernel flushes denormals to zero (on), or computes them (off, the default).
inline void set_flush_denormals(bool on) {
    matrix_kernels::flush_denormals_wanted() = on;
    matrix_kernels::set_thread_flush_denormals(on);
}
