// matrix/aligned.hpp: memory that starts a 64-byte cache line, for a Matrix's elements
// (matrix.hpp's LeaveUnset asks for it) and the kernels' own buffers.
//
// Why: malloc, and so std::allocator, gives 16-byte boundaries. A row of 8, 16, ... doubles then
// starts 16 bytes into a cache line, and every vector load of 8 doubles (AVX-512's width, one line's
// worth) reads two lines instead of one. Timed alone (a gather of 160 rows of 128 columns, one
// thread of an AMD EPYC): 5.7 ns a row misaligned against 3.3 aligned when the rows sit in L1, 10.5
// against 8.2 from L2 and L3; make bench on that machine, one thread: a ten-class step's z_1
// 532 -> 459 us, grad_W1 410 -> 264 us (bench/README.md, "Rows on cache lines"). Where a block lies
// never changes what is computed. (program/large_pages.hpp gives a big block 2 MB pages whatever
// boundary it asks for.)
#pragma once

#include <cstddef>
#include <memory>
#include <new>

template <class T>
struct CacheLineAllocator : std::allocator<T> {
    template <class U> struct rebind { using other = CacheLineAllocator<U>; };
    CacheLineAllocator() = default;
    template <class U> CacheLineAllocator(const CacheLineAllocator<U>&) noexcept {}
    static constexpr std::align_val_t kLine{64};
    T* allocate(std::size_t n) {
        if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(::operator new(n * sizeof(T), kLine));
    }
    void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, kLine); }
};
