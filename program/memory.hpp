// program/memory.hpp: how much memory a run may take, and the one line that refuses a run needing
// more, before it starts rather than minutes into it.
//
// The limits, as far as the system tells them: ulimit -v and ulimit -d (RLIMIT_AS, RLIMIT_DATA),
// the machine's memory and swap, and a container's limit (cgroup v2's memory.max, v1's
// memory.limit_in_bytes, with the machine's swap on top). A program works out the least its run
// needs (the matrices it must hold at once; nothing for the program itself, its libraries or its
// threads) and calls require_memory(): a run whose least is over a limit cannot succeed, and is
// refused. Under the limits it may still run out, since it needs more than that least: the
// out-of-memory line then says the figure (memory_needed_in_all(), program/command_line.hpp).
// It knows nothing of training.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/sysinfo.h>
#endif

#include "command_line.hpp"

// "684 MB", "12.1 GB": a size in decimal units (1 GB = 10^9 bytes).
inline std::string bytes_text(uint64_t bytes) {
    char text[32];
    const double b = static_cast<double>(bytes);
    if (b >= 1e9) std::snprintf(text, sizeof text, "%.1f GB", b / 1e9);
    else if (b >= 1e6) std::snprintf(text, sizeof text, "%.0f MB", b / 1e6);
    else std::snprintf(text, sizeof text, "%.0f kB", b / 1e3);
    return text;
}

// A limit on the memory of this process, and how a message names it ("that ulimit -v allows").
struct MemoryLimit {
    uint64_t bytes;
    std::string source;
};

namespace memory_detail {

// The first number in a file (cgroup's files hold one, or "max"); 0 when there is none.
inline uint64_t number_in(const std::string& path) {
    std::ifstream in(path);
    unsigned long long n = 0;
    return in >> n ? static_cast<uint64_t>(n) : 0;
}

}  // namespace memory_detail

// Every limit the system states; none when nothing limits the process.
inline std::vector<MemoryLimit> memory_limits() {
    std::vector<MemoryLimit> limits;
    struct rlimit r;
    if (::getrlimit(RLIMIT_AS, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
        limits.push_back({static_cast<uint64_t>(r.rlim_cur), "that ulimit -v allows"});
    if (::getrlimit(RLIMIT_DATA, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
        limits.push_back({static_cast<uint64_t>(r.rlim_cur), "that ulimit -d allows"});
    uint64_t machine = 0, swap = 0;
#if defined(__linux__)
    struct sysinfo info;
    if (::sysinfo(&info) == 0)
        machine = uint64_t(info.totalram) * info.mem_unit, swap = uint64_t(info.totalswap) * info.mem_unit;
#elif defined(_SC_PHYS_PAGES)
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) machine = uint64_t(pages) * uint64_t(page);
#endif
    if (machine > 0) limits.push_back({machine + swap, "of memory and swap this machine has"});
    for (const char* file : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
        const uint64_t container = memory_detail::number_in(file);
        if (container > 0 && (machine == 0 || container < machine))
            limits.push_back({container + swap, "that the container's memory limit (" + std::string(file) + ") allows"});
    }
    return limits;
}

// Refuses the run (exit 1) when `needed` bytes, the least it needs, are over a limit: "`what` needs
// at least 12.1 GB of memory, more than the 4.1 GB that ulimit -v allows: `why`; `advice`".
inline void require_memory(uint64_t needed, const std::string& what, const std::string& why, const std::string& advice) {
    for (const MemoryLimit& limit : memory_limits())
        if (needed > limit.bytes)
            throw UserError(what + " needs at least " + bytes_text(needed) + " of memory, more than the " +
                                bytes_text(limit.bytes) + " " + limit.source + ": " + why + "; " + advice, 1);
}
