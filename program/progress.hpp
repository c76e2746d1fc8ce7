// program/progress.hpp: how a long training run says how it goes, on stderr.
//
// Nothing during the first two seconds: most runs end sooner. Then, on a terminal, one line
// rewritten in place, at most ten times a second: the epoch, the batch, the epoch's running loss
// and the time left. Into a file or a pipe, where a rewritten line would pile up, one line per epoch
// at most and none within a second of the last. It knows nothing of training: it is told each
// step's loss and each epoch's end.
//
// The terminal's line has no newline after it, so anything else printed would be glued to its end
// ("...about 5s leftEpoch 3, Loss: ..."). clear_progress_line() erases it first: run_program()
// calls it before an error line and std::cout's buffer before any output to a terminal
// (program/command_line.hpp), and the handler of Ctrl-C before the run stops
// (program/interruptions.hpp).
#pragma once

#include <chrono>
#include <csignal>
#include <cstdio>
#include <string>

#include <unistd.h>

// Whether the terminal shows a progress line now. A plain flag, read by a signal handler too.
inline volatile std::sig_atomic_t progress_line_shown = 0;

// Erases the progress line, if one is shown, so that the next output starts a clean line. Only
// write(2): safe in a signal handler, and in order with stderr, which the C library never buffers.
inline void clear_progress_line() {
    if (!progress_line_shown) return;
    progress_line_shown = 0;
    const ssize_t written = ::write(STDERR_FILENO, "\r\033[K", 4);
    (void)written;  // nothing better to do if the terminal is gone
}

class Progress {
public:
    using Clock = std::chrono::steady_clock;

    // `quiet_seconds`: how long nothing is shown (2; the tests use 0).
    Progress(std::string program, int epochs, size_t steps_per_epoch, double quiet_seconds = 2.0)
        : program_(std::move(program)), epochs_(epochs), steps_per_epoch_(steps_per_epoch ? steps_per_epoch : 1),
          quiet_seconds_(quiet_seconds), terminal_(::isatty(STDERR_FILENO) == 1), start_(Clock::now()),
          last_(start_ - std::chrono::hours(1)) {}
    ~Progress() { finish(); }

    // After each training step: the batch's summed loss and its number of samples.
    void step(double loss_sum, size_t samples) {
        loss_sum_ += loss_sum, samples_ += samples, ++step_;
        if (terminal_ && due(0.1)) show("");
    }

    // After each epoch, with the loss the program printed for it.
    void epoch_done() {
        ++epoch_, step_ = 0, loss_sum_ = 0, samples_ = 0;
        if (!terminal_ && epoch_ < epochs_ && due(1.0)) show("\n");
    }

    // Training is over: the terminal's line is cleared, so that the program's last words stand alone.
    void finish() {
        if (terminal_) clear_progress_line();
    }

private:
    bool due(double seconds) {
        const Clock::time_point now = Clock::now();
        if (std::chrono::duration<double>(now - start_).count() < quiet_seconds_ ||
            std::chrono::duration<double>(now - last_).count() < seconds)
            return false;
        last_ = now;
        return true;
    }

    void show(const char* end) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
        const double done = static_cast<double>(epoch_) + static_cast<double>(step_) / static_cast<double>(steps_per_epoch_);
        const double left = done > 0 ? elapsed * (static_cast<double>(epochs_) - done) / done : 0;
        char what[96];
        if (!terminal_)
            std::snprintf(what, sizeof what, "%d of %d epochs done", epoch_, epochs_);
        else if (steps_per_epoch_ > 1)
            std::snprintf(what, sizeof what, "epoch %d/%d, batch %zu/%zu, loss so far %.6g", epoch_ + 1, epochs_, step_,
                          steps_per_epoch_, samples_ ? loss_sum_ / static_cast<double>(samples_) : 0.0);
        else
            std::snprintf(what, sizeof what, "epoch %d/%d", epoch_ + 1, epochs_);
        std::fprintf(stderr, "%s%s: %s, %.0fs so far, about %.0fs left%s%s", terminal_ ? "\r" : "", program_.c_str(), what,
                     elapsed, left, terminal_ ? "\033[K" : "", end);
        std::fflush(stderr);
        if (terminal_) progress_line_shown = 1;
    }

    std::string program_;
    int epochs_, epoch_ = 0;
    size_t steps_per_epoch_, step_ = 0, samples_ = 0;
    double loss_sum_ = 0, quiet_seconds_;
    bool terminal_;
    Clock::time_point start_, last_;
};
