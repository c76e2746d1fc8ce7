// numpy_random.hpp: numpy's legacy RandomState, draw for draw, and numpy's summation.
//
// Why a header of its own: the notes initialise with `np.random.seed(s)` and `0.1*np.random.randn(...)`,
// and scikit-learn splits the data with `RandomState(42).permutation(n)`. To print the notes' numbers
// digit for digit we must draw the very same numbers. numpy's legacy generator is MT19937 (the same
// 32-bit stream as std::mt19937) plus three small recipes, written out below. It belongs neither in
// matrix.hpp (which knows no randomness) nor in mlp.cpp (the lesson is backprop, not Mersenne Twister).
// tests/numpy_random.md lists the recipes and how to regenerate the values tests/test_units.cpp checks.
// At the end, numpy_sum(): np.sum's order of additions, so that the printed mean loss is numpy's to
// the last digit.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

class NumpyRandomState {
public:
    // np.random.seed(seed): the classic init_genrand(seed), exactly what std::mt19937(seed) does.
    explicit NumpyRandomState(uint32_t seed) {
        state_[0] = seed;
        for (uint32_t i = 1; i < kN; ++i)
            state_[i] = 1812433253u * (state_[i - 1] ^ (state_[i - 1] >> 30)) + i;
    }

    // np.random.random_sample(): 53 random bits, 27 from one draw and 26 from the next.
    double random_sample() {
        const uint32_t a = next32() >> 5;
        const uint32_t b = next32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    // keep[0..n) = (np.random.random_sample(n) >= P) as 0.0 and 1.0: n draws of random_sample(),
    // each compared with P. Dropout's masks are these, millions a step, so they are made in bulk:
    // random_sample() is a 53-bit integer over 2^53, and it is >= P exactly when that integer is
    // >= P * 2^53 rounded up, an integer comparison without a branch (a branch per draw,
    // mispredicted 40% of the time, made g++ builds seven times slower).
    void random_sample_at_least(double P, double* keep, size_t n) {
        const uint64_t threshold = P <= 0.0 ? 0 : static_cast<uint64_t>(std::ceil(std::ldexp(P, 53)));
        size_t done = 0;
        while (done < n) {
            if (next_ == kN) twist();
            if (next_ == kN - 1) {  // a draw whose two words straddle a twist
                keep[done++] = random_sample() >= P ? 1.0 : 0.0;
                continue;
            }
            const size_t pairs = std::min<size_t>((kN - next_) / 2, n - done);
            const uint32_t* words = tempered_ + next_;
            for (size_t i = 0; i < pairs; ++i) {
                const uint64_t a = words[2 * i] >> 5, b = words[2 * i + 1] >> 6;
                keep[done + i] = static_cast<double>(((a << 26) | b) >= threshold);
            }
            next_ += static_cast<uint32_t>(2 * pairs);
            done += pairs;
        }
    }

    // np.random.randn(): Marsaglia's polar method. Each accepted pair yields two normals; the
    // second is cached and returned by the next call.
    double randn() {
        if (has_cached_gauss_) {
            has_cached_gauss_ = false;
            return cached_gauss_;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * random_sample() - 1.0;
            x2 = 2.0 * random_sample() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        const double f = std::sqrt(-2.0 * std::log(r2) / r2);
        cached_gauss_ = f * x1;
        has_cached_gauss_ = true;
        return f * x2;
    }

    // np.random.permutation(n): Fisher-Yates from the back, with numpy's legacy bounded draw.
    std::vector<uint32_t> permutation(uint32_t n) {
        std::vector<uint32_t> a(n);
        std::iota(a.begin(), a.end(), 0u);
        for (uint32_t i = n > 0 ? n - 1 : 0; i >= 1; --i) {
            const uint32_t j = random_interval(i);
            std::swap(a[i], a[j]);
        }
        return a;
    }

private:
    // MT19937 (Matsumoto and Nishimura, 1998), word for word std::mt19937: 624 words of state,
    // renewed all at once (the twist), each output a tempered state word. Twisting and tempering
    // whole blocks, in loops without wrap-around indices, lets the compiler vectorise them.
    static constexpr uint32_t kN = 624, kM = 397;

    static uint32_t twisted(uint32_t upper_from, uint32_t lower_from, uint32_t far) {
        const uint32_t y = (upper_from & 0x80000000u) | (lower_from & 0x7fffffffu);
        return far ^ (y >> 1) ^ ((0u - (y & 1u)) & 0x9908b0dfu);
    }

    void twist() {
        for (uint32_t i = 0; i < kN - kM; ++i)
            state_[i] = twisted(state_[i], state_[i + 1], state_[i + kM]);
        for (uint32_t i = kN - kM; i < kN - 1; ++i)
            state_[i] = twisted(state_[i], state_[i + 1], state_[i - (kN - kM)]);
        state_[kN - 1] = twisted(state_[kN - 1], state_[0], state_[kM - 1]);
        for (uint32_t i = 0; i < kN; ++i) {
            uint32_t y = state_[i];
            y ^= y >> 11;
            y ^= (y << 7) & 0x9d2c5680u;
            y ^= (y << 15) & 0xefc60000u;
            y ^= y >> 18;
            tempered_[i] = y;
        }
        next_ = 0;
    }

    uint32_t next32() {
        if (next_ == kN) twist();
        return tempered_[next_++];
    }

    // A uniform integer in [0, max]: mask off the bits above max's highest bit and reject what
    // overshoots (never more than half the draws, on average).
    uint32_t random_interval(uint32_t max) {
        uint32_t mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint32_t value;
        do {
            value = next32() & mask;
        } while (value > max);
        return value;
    }

    uint32_t state_[kN];
    uint32_t tempered_[kN];
    uint32_t next_ = kN;
    bool has_cached_gauss_ = false;
    double cached_gauss_ = 0.0;
};

// ---------------------------------------------------------------------------------------------
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
