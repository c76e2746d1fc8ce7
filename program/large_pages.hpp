// program/large_pages.hpp: the programs' big blocks of memory in 2 MB pages.
//
// Why: the first write to each 4 KB page of fresh memory traps into the kernel (a page fault),
// which finds a page, zeroes it and maps it. A ten-class run writes about 400 MB that way while it
// reads the data (the files, the images, their lists by rows and by columns): about 100,000 faults.
// On a virtual machine a fault costs far more than on bare metal (on this project's, 10-20 us each:
// most of the ten-class load stage). Linux maps a block in 2 MB pages instead, one fault for 512
// small ones, when the block asks for it with madvise(MADV_HUGEPAGE) and the kernel's transparent
// huge pages are in "madvise" mode (Debian's and Ubuntu's default; in "always" mode it needs no
// asking, in "never" mode the advice does nothing).
//
// How: C++ lets a program replace the global operator new, through which every std::vector,
// std::string and Matrix asks for memory. The one below gives a block of 2 MB or more a start on a
// 2 MB boundary and the advice; smaller blocks go to malloc (or, asked for on a wider boundary, as a
// Matrix's are, to posix_memalign) as before, and every block goes back through free. It changes
// where memory lies, never what is computed. It is weak, so that two translation units that include
// it still link (tests/two_units). Linux only; not under the
// sanitizers, which bring their own operator new (valgrind sees the malloc and free below).
// Measured on a 2-core virtual machine where a fault costs 10-20 us (bench/README.md, "Loading on a
// machine where page faults are dear"), with SparseMatrix's lazy lists by columns: the lesson's load
// stage 277 -> 36 ms, the ten-class one 873 -> 375 ms (medians of 7).
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define LARGE_PAGES_OFF
#endif
#endif
#else
#define LARGE_PAGES_OFF
#endif

#ifndef LARGE_PAGES_OFF
#include <sys/mman.h>

namespace large_pages {

constexpr std::size_t kHugePage = std::size_t(2) << 20;  // x86-64's and (with 4 KB pages) aarch64's

// A block of `size` bytes starting on a multiple of `alignment` (a power of 2: malloc's 16, or a
// Matrix's 64, matrix/aligned.hpp), or nullptr when there is no memory for it.
inline void* allocate(std::size_t size, std::size_t alignment = alignof(std::max_align_t)) {
    void* block = nullptr;
    if (size < kHugePage) {
        if (alignment <= alignof(std::max_align_t)) return std::malloc(size == 0 ? 1 : size);
        return posix_memalign(&block, alignment, size == 0 ? 1 : size) == 0 ? block : nullptr;
    }
    if (posix_memalign(&block, alignment > kHugePage ? alignment : kHugePage, size) != 0) return nullptr;
    madvise(block, size, MADV_HUGEPAGE);  // advice: where it is refused, the block is as good as malloc's
    return block;
}

// operator new's contract: ask the new-handler for memory until there is some, or throw.
inline void* allocate_or_throw(std::size_t size, std::size_t alignment) {
    for (;;) {
        if (void* block = allocate(size, alignment)) return block;
        std::new_handler handler = std::get_new_handler();
        if (handler == nullptr) throw std::bad_alloc();
        handler();
    }
}

}  // namespace large_pages

[[gnu::weak]] void* operator new(std::size_t size) { return large_pages::allocate_or_throw(size, alignof(std::max_align_t)); }
[[gnu::weak]] void operator delete(void* block) noexcept { std::free(block); }
[[gnu::weak]] void operator delete(void* block, std::size_t) noexcept { std::free(block); }
// The same for a block asked for on a wider boundary (a Matrix's elements start a cache line).
[[gnu::weak]] void* operator new(std::size_t size, std::align_val_t alignment) {
    return large_pages::allocate_or_throw(size, static_cast<std::size_t>(alignment));
}
[[gnu::weak]] void operator delete(void* block, std::align_val_t) noexcept { std::free(block); }
[[gnu::weak]] void operator delete(void* block, std::size_t, std::align_val_t) noexcept { std::free(block); }
#endif
