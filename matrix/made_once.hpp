// matrix/made_once.hpp: a value made when first asked for, then kept and only read (a
// SparseMatrix's lists by columns, matrix.hpp section 4).
//
// Two threads may ask at once: a lock lets one make it while the other waits, and a flag, read
// without the lock, lets every later ask go straight to it. If making throws (out of memory),
// nothing is kept, and the next ask tries again. A copy starts empty and makes its own when asked,
// so copying never reads a value another thread may still be writing.
#pragma once

#include <atomic>
#include <mutex>

template <class T>
class MadeOnce {
public:
    MadeOnce() = default;
    MadeOnce(const MadeOnce&) {}
    MadeOnce& operator=(const MadeOnce&) { value = T(), made = false; return *this; }
    bool empty() const { return !made; }
    template <class Make> const T& get(Make make) {
        if (made.load(std::memory_order_acquire)) return value;
        std::lock_guard<std::mutex> only_one_maker(lock);
        if (!made.load(std::memory_order_relaxed)) {
            value = make();  // kept only once made whole
            made.store(true, std::memory_order_release);
        }
        return value;
    }

private:
    T value;
    std::atomic<bool> made{false};
    std::mutex lock;
};
