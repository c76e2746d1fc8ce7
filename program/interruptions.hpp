// program/interruptions.hpp: Ctrl-C, kill and a closed terminal (SIGINT, SIGTERM, SIGHUP) while a
// run writes its files.
//
// During training such a signal stops the run at once, as it always did: nothing has been written
// yet. While files are being written (a FinishFiles scope, which write_files_atomically() and
// ./deep_mlp's --save open), the first signal waits: the files are completed, put in place, and
// then the run stops, by that signal. A second signal stops it at once, except in the instant the
// finished files are renamed into place (a Renaming scope): the run's temporary files are removed
// first, and the files already there stay as they were. So a signal leaves whole files, never
// half-written ones, temporaries or a mix of two runs' files. (SIGKILL cannot be caught: it can
// leave a temporary, NAME.PID.HEX.tmp, which may be deleted.)
//
// A signal the run was started with ignored (nohup, a shell's background job) stays ignored. It
// knows nothing of training or of what the files hold.
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>

#include <unistd.h>

#include "progress.hpp"

namespace interruption_detail {

// The state a signal handler reads, in one atomic word so that the handler (on any thread) and the
// program agree on it without a lock: the low byte is the mode, the rest a deferred signal.
constexpr int kRunning = 0;    // a signal stops the run at once
constexpr int kWriting = 1;    // files are being written: the first signal waits for them
constexpr int kRenaming = 2;   // finished files are being renamed into place: every signal waits
inline std::atomic<int> state{kRunning};
static_assert(std::atomic<int>::is_always_lock_free, "a signal handler needs a lock-free atomic");
inline int mode_of(int s) { return s & 0xff; }
inline int signal_of(int s) { return s >> 8; }

// The temporary files being written, by name, for the handler to remove: fixed slots, since a
// handler may not allocate. A name is stored before its file is created (so that no file escapes)
// and its slot marked used after (release; the handler, on any thread, reads used with acquire).
struct TemporarySlot {
    char path[4096];
    std::atomic<int> used;
};
constexpr int kSlots = 32;
inline TemporarySlot temporaries[kSlots];

// "deep_mlp: ..." for the first deferred signal, written by the handler (set once, at start).
inline char waiting_note[160];
inline size_t waiting_note_length = 0;

// Removes every temporary, erases a progress line, and ends the process by signal `sig` with its
// default action (so that a shell sees the usual status: 130 for Ctrl-C). Only calls that are safe
// in a signal handler.
[[noreturn]] inline void stop_now(int sig) {
    for (TemporarySlot& slot : temporaries)
        if (slot.used.load(std::memory_order_acquire)) ::unlink(slot.path);
    clear_progress_line();
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    ::sigaction(sig, &dfl, nullptr);
    sigset_t just_this;
    sigemptyset(&just_this);
    sigaddset(&just_this, sig);
    ::sigprocmask(SIG_UNBLOCK, &just_this, nullptr);  // in a handler, the signal is blocked: unblock it
    ::raise(sig);
    ::_exit(128 + sig);  // not reached: the default action of these signals ends the process
}

// The handler: the signal waits (it is recorded in the state, once) or stops the run now.
inline void on_signal(int sig) {
    const int saved_errno = errno;
    int s = state.load();
    for (;;) {
        const int mode = mode_of(s);
        const bool waits = mode == kRenaming || (mode == kWriting && signal_of(s) == 0);
        if (!waits) stop_now(sig);
        const int recorded = signal_of(s) ? s : (s | sig << 8);  // keep the first signal
        if (state.compare_exchange_weak(s, recorded)) {
            if (signal_of(s) == 0 && waiting_note_length) {
                clear_progress_line();
                const ssize_t written = ::write(STDERR_FILENO, waiting_note, waiting_note_length);
                (void)written;
            }
            errno = saved_errno;
            return;
        }
    }
}

constexpr int kHandled[] = {SIGINT, SIGTERM, SIGHUP};

}  // namespace interruption_detail

// Installs the handler for SIGINT, SIGTERM and SIGHUP, except where the run was started with the
// signal ignored. run_program() calls it first thing; `program` names the run in the note.
inline void handle_interruptions(const char* program) {
    using namespace interruption_detail;
    const std::string note = std::string(program) +
                             ": finishing the files being written, then stopping (interrupt again to stop at once, "
                             "leaving the old files as they were)\n";
    waiting_note_length = std::min(note.size(), sizeof waiting_note);
    std::memcpy(waiting_note, note.data(), waiting_note_length);
    for (const int sig : kHandled) {
        struct sigaction old;
        if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
        struct sigaction action;
        std::memset(&action, 0, sizeof action);
        action.sa_handler = on_signal;
        sigemptyset(&action.sa_mask);
        for (const int other : kHandled) sigaddset(&action.sa_mask, other);
        action.sa_flags = SA_RESTART;
        ::sigaction(sig, &action, nullptr);
    }
}

// While one lives, files are being written: the first signal waits until the outermost one ends,
// and the run then stops by it. Nests (a --save with its fallback holds several writes).
class FinishFiles {
public:
    FinishFiles() {
        if (depth()++ == 0) interruption_detail::state.fetch_or(interruption_detail::kWriting);
    }
    ~FinishFiles() {
        if (--depth() != 0) return;
        const int s = interruption_detail::state.exchange(interruption_detail::kRunning);
        if (interruption_detail::signal_of(s) != 0) interruption_detail::stop_now(interruption_detail::signal_of(s));
    }
    FinishFiles(const FinishFiles&) = delete;
    FinishFiles& operator=(const FinishFiles&) = delete;

private:
    static int& depth() {  // the program's own thread only: the handler never reads it
        static int d = 0;
        return d;
    }
};

// While one lives (inside a FinishFiles), finished files are renamed into place: every signal waits.
class Renaming {
public:
    Renaming() { interruption_detail::state.fetch_add(interruption_detail::kRenaming - interruption_detail::kWriting); }
    ~Renaming() { interruption_detail::state.fetch_sub(interruption_detail::kRenaming - interruption_detail::kWriting); }
    Renaming(const Renaming&) = delete;
    Renaming& operator=(const Renaming&) = delete;
};

// A temporary file's name, kept where the handler finds it for as long as the object lives (the
// file itself is the owner's to remove or rename). `path` must fit 4095 bytes: any path the system
// accepts does.
class TemporaryName {
public:
    explicit TemporaryName(const std::string& path) {
        using namespace interruption_detail;
        if (path.size() >= sizeof temporaries[0].path) return;
        for (int i = 0; i < kSlots; ++i)
            if (!temporaries[i].used.load(std::memory_order_relaxed)) {  // slots are taken on this thread only
                std::memcpy(temporaries[i].path, path.c_str(), path.size() + 1);
                temporaries[i].used.store(1, std::memory_order_release);
                slot_ = i;
                return;
            }
    }
    ~TemporaryName() {
        if (slot_ >= 0) interruption_detail::temporaries[slot_].used.store(0, std::memory_order_release);
    }
    TemporaryName(const TemporaryName&) = delete;
    TemporaryName& operator=(const TemporaryName&) = delete;

private:
    int slot_ = -1;
};
