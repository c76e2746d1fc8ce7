// tests/check.hpp: what the C++ unit tests share: check() counts a case as passed or prints it as
// FAIL, and report() prints the "N passed, N failed" line and gives the exit code.
#pragma once

#include <cstdio>
#include <string>

namespace test_counts {
inline int passed = 0, failed = 0;
}

inline void check(bool ok, const std::string& what) {
    if (ok) {
        ++test_counts::passed;
    } else {
        ++test_counts::failed;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

inline int report(const char* name) {
    std::printf("%s: %d passed, %d failed\n", name, test_counts::passed, test_counts::failed);
    return test_counts::failed ? 1 : 0;
}
