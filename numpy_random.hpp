// numpy_random.hpp: numpy's legacy RandomState, draw for draw.
//
// Why a header of its own: the notes initialise with `np.random.seed(s)` and `0.1*np.random.randn(...)`,
// and scikit-learn splits the data with `RandomState(42).permutation(n)`. To print the notes' numbers
// digit for digit we must draw the very same numbers. numpy's legacy generator is MT19937 (the same
// 32-bit stream as std::mt19937) plus three small recipes, written out below. It belongs neither in
// matrix.hpp (which knows no randomness) nor in mlp.cpp (the lesson is backprop, not Mersenne Twister).
// tests/numpy_random.md lists the recipes and how to regenerate the values tests/test_units.cpp checks.
#pragma once

#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

class NumpyRandomState {
public:
    // np.random.seed(seed): the classic init_genrand(seed), exactly what std::mt19937(seed) does.
    explicit NumpyRandomState(uint32_t seed) : mt_(seed) {}

    // np.random.random_sample(): 53 random bits, 27 from one draw and 26 from the next.
    double random_sample() {
        const uint32_t a = next32() >> 5;
        const uint32_t b = next32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
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
    uint32_t next32() { return static_cast<uint32_t>(mt_()); }

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

    std::mt19937 mt_;
    bool has_cached_gauss_ = false;
    double cached_gauss_ = 0.0;
};
