// tests/interpose.cpp: a library the tests preload into ./mlp and ./deep_mlp (LD_PRELOAD), so that
// the instants a file's fate hangs on happen on cue rather than by luck: a signal while a file is
// being written, or between two of a set's renames, and a pause between two renames while another
// run writes into the same folder. It wraps the C library's fsync() and rename() (found with
// dlsym), which program/output_files.hpp calls once per file: fsync() when a file is written whole
// under its temporary name, rename() when it is put in place. Set by the environment:
//   INTERPOSE_FSYNC_SIGNAL=N   raise signal N in each of the first INTERPOSE_FSYNC_TIMES (default 1)
//                              fsync() calls, just before the real one
//   INTERPOSE_RENAME=NAME      the renames into a path that ends in /NAME:
//   INTERPOSE_RENAME_SIGNAL=N  raise signal N just before each
//   INTERPOSE_RENAME_PAUSE=S   create the file INTERPOSE_RENAME_MARK (if set), then sleep S seconds,
//                              just before each
//   INTERPOSE_RENAME_FAIL=E    fail each with errno E instead (28: ENOSPC, a full disk), leaving
//                              the file unrenamed
// make builds it as tests/interpose.so.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <dlfcn.h>
#include <unistd.h>

namespace {

int number_from(const char* name, int otherwise) {
    const char* text = std::getenv(name);
    return text && *text ? std::atoi(text) : otherwise;
}

bool is_the_rename(const char* to) {
    const char* name = std::getenv("INTERPOSE_RENAME");
    if (!name || !*name) return false;
    const size_t n = std::strlen(name), m = std::strlen(to);
    return m > n && to[m - n - 1] == '/' && std::strcmp(to + m - n, name) == 0;
}

}  // namespace

extern "C" int fsync(int fd) {
    static int (*real)(int) = reinterpret_cast<int (*)(int)>(dlsym(RTLD_NEXT, "fsync"));
    static int calls = 0;
    const int sig = number_from("INTERPOSE_FSYNC_SIGNAL", 0);
    if (sig > 0 && calls++ < number_from("INTERPOSE_FSYNC_TIMES", 1)) raise(sig);
    return real(fd);
}

extern "C" int rename(const char* from, const char* to) {
    static int (*real)(const char*, const char*) =
        reinterpret_cast<int (*)(const char*, const char*)>(dlsym(RTLD_NEXT, "rename"));
    if (is_the_rename(to)) {
        const int sig = number_from("INTERPOSE_RENAME_SIGNAL", 0), pause = number_from("INTERPOSE_RENAME_PAUSE", 0);
        if (const int error = number_from("INTERPOSE_RENAME_FAIL", 0)) {
            errno = error;
            return -1;
        }
        if (sig > 0) raise(sig);
        if (pause > 0) {
            if (const char* mark = std::getenv("INTERPOSE_RENAME_MARK")) {
                if (FILE* f = std::fopen(mark, "w")) std::fclose(f);
            }
            sleep(static_cast<unsigned>(pause));
        }
    }
    return real(from, to);
}
