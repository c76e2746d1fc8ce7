// bench/bench.cpp: `make bench`. How fast are the products and the training, and how do they
// compare with the notes' numpy code on the same machine?
//
//   ./bench/bench [--data DIR] [--runs N]
//
// Every timing is the median of N runs (default 5), with the spread (min-max) beside it. GFLOP/s
// count the nominal 2 n k m operations of a product, also for the sparse product that skips the
// zero pixels: it is the rate of doing the same job. When /usr/bin/python3 has numpy (and scikit-learn
// for the whole run), the same shapes and the notes' experiment are timed there too, with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its environment so OpenBLAS picks its own
// kernel for this processor (the benchmark prints which).
#define MLP_NO_MAIN
#include "../mlp.cpp"
#ifdef MATRIX_PLAIN
#error "make bench compares the plain build (build/bench-plain/) with the default one: run it without PLAIN=1"
#endif
#include "../exercises/optimizers.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <map>
#include <sstream>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct Timing {
    double median = 0, min = 0, max = 0;
};

Timing summarize(std::vector<double> t) {
    std::sort(t.begin(), t.end());
    return {t[t.size() / 2], t.front(), t.back()};
}

Timing time_runs(int runs, const std::function<void()>& f) {
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) {
        const auto t0 = Clock::now();
        f();
        t.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    }
    return summarize(t);
}

void set_threads(int n) {
#ifdef _OPENMP
    omp_set_num_threads(n);
#else
    (void)n;
#endif
}

int max_threads() {
#ifdef _OPENMP
    return omp_get_num_procs();
#else
    return 1;
#endif
}

// Runs a command, returning its wall time, peak resident memory (MiB) and standard output.
struct ProcessResult {
    double seconds = 0, peak_mib = 0;
    int status = -1;
    std::string out;
};

// Peak memory comes from wait4: Linux charges a child the larger of its own peak and the peak of
// the memory it inherited at fork, so main() runs the processes before it loads anything itself.
// stderr is captured with stdout when capture_stderr; threads > 0 sets OMP_NUM_THREADS.
ProcessResult run_process(const std::vector<std::string>& args, bool clean_openblas_env,
                          bool capture_stderr = false, int threads = 0) {
    ProcessResult r;
    int pipe_fd[2];
    if (pipe(pipe_fd) != 0) return r;
    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fd[1], 1);
        close(pipe_fd[0]);
        const int null_fd = open("/dev/null", O_WRONLY);
        if (capture_stderr) dup2(pipe_fd[1], 2);
        else if (null_fd >= 0) dup2(null_fd, 2);
        if (threads > 0) setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
        if (clean_openblas_env) {
            unsetenv("OPENBLAS_CORETYPE");
            unsetenv("OPENBLAS_L2_SIZE");
        }
        std::vector<char*> argv;
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
    }
    close(pipe_fd[1]);
    char buf[4096];
    ssize_t got;
    while ((got = read(pipe_fd[0], buf, sizeof buf)) > 0) r.out.append(buf, static_cast<size_t>(got));
    close(pipe_fd[0]);
    struct rusage usage {};
    int status = 0;
    wait4(pid, &status, 0, &usage);
    r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
#ifdef __APPLE__
    r.peak_mib = usage.ru_maxrss / 1048576.0;  // bytes on macOS
#else
    r.peak_mib = usage.ru_maxrss / 1024.0;  // KiB on Linux
#endif
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string fmt(const char* format, double a, double b = 0, double c = 0) {
    char buf[128];
    std::snprintf(buf, sizeof buf, format, a, b, c);
    return buf;
}

std::string timing_ms(const Timing& t) { return fmt("%.2f ms (%.2f-%.2f)", 1e3 * t.median, 1e3 * t.min, 1e3 * t.max); }

double gflops(double flops, const Timing& t) { return flops / t.median / 1e9; }

Matrix random_matrix(size_t rows, size_t cols, uint32_t seed) {
    NumpyRandomState rng(seed);
    Matrix m(rows, cols);
    for (double& v : m.data) v = rng.randn();
    return m;
}

// numpy's timings of the same shapes, from bench/notes_numpy.py: name -> seconds of each run.
std::map<std::string, std::vector<double>> numpy_shapes(const std::string& data_dir, int runs, std::string& blas) {
    std::map<std::string, std::vector<double>> result;
    const ProcessResult r = run_process({"/usr/bin/python3", "bench/notes_numpy.py", data_dir, "--shapes",
                                         std::to_string(runs)}, true);
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string name;
        words >> name;
        if (name == "blas") {
            blas = line.substr(5);
            continue;
        }
        double t;
        while (words >> t) result[name].push_back(t);
    }
    return result;
}

// The number after `key` in `text` (e.g. "train " in deep_mlp's "load 0.5s train 1.2s"), or -1.
double number_after(const std::string& text, const std::string& key) {
    const size_t at = text.find(key);
    return at == std::string::npos ? -1.0 : std::atof(text.c_str() + at + key.size());
}

// The losses of the "Epoch k, Loss: L" lines in a run's output.
std::vector<double> epoch_losses(const std::string& text) {
    std::vector<double> losses;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line))
        if (line.rfind("Epoch ", 0) == 0 && line.find(", Loss: ") != std::string::npos)
            losses.push_back(std::atof(line.c_str() + line.find(", Loss: ") + 8));
    return losses;
}

// The largest relative difference between two loss histories (infinite when their lengths differ).
double worst_relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size() || a.empty()) return INFINITY;
    double worst = 0.0;
    for (size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]) / std::fabs(b[i]));
    return worst;
}

bool python_has(const char* modules) {
    return run_process({"/usr/bin/python3", "-c", std::string("import ") + modules}, false).status == 0;
}

}  // namespace

// ---- the PyTorch peers (see main) ----
struct PeerTable {
    struct Row {
        std::string isa;                 // "native" or "avx2"
        double ours_1 = 0, ours_n = 0;   // deep_mlp's seconds an epoch, 1 thread and all
        std::map<std::string, double> torch;  // "float32 1t" -> seconds an epoch
        std::string best_torch_name() const {
            std::string best;
            for (const auto& [name, seconds] : torch)
                if (best.empty() || seconds < torch.at(best)) best = name;
            return best;
        }
        double best_torch() const { return torch.empty() ? NAN : torch.at(best_torch_name()); }
    };
    std::vector<Row> rows;
};

// deep_mlp's training seconds an epoch (3 epochs), the median over `runs` runs.
double deep_mlp_epoch(std::vector<std::string> args, int threads, int runs) {
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) {
        const ProcessResult pr = run_process(args, false, true, threads);
        if (pr.status != 0) return NAN;
        t.push_back(number_after(pr.out, " train ") / 3);
    }
    return summarize(t).median;
}

double torch_epoch(const std::string& data_dir, const char* dtype, int threads, bool avx2, int runs) {
    std::vector<std::string> args = {"/usr/bin/env"};
    if (avx2) args.push_back("ATEN_CPU_CAPABILITY=avx2");
    for (const char* a : {"/usr/bin/python3", "bench/ten_class_torch.py"}) args.push_back(a);
    for (const std::string& a : {data_dir, std::string("--epochs"), std::string("2"), std::string("--dtype"),
                                 std::string(dtype), std::string("--threads"), std::to_string(threads)})
        args.push_back(a);
    std::vector<double> t;
    for (int r = 0; r < runs; ++r) {
        const ProcessResult pr = run_process(args, true, false, threads);
        if (pr.status != 0) return NAN;
        t.push_back(number_after(pr.out, "best_epoch_seconds "));
    }
    return summarize(t).median;
}

PeerTable torch_peers(std::vector<std::string> ten_class, const std::string& data_dir, int threads, int runs) {
    PeerTable table;
    for (const bool avx2 : {false, true}) {
        if (avx2 && (!__builtin_cpu_supports("avx2") || access("build/bench-avx2/deep_mlp", X_OK) != 0)) continue;
        PeerTable::Row row;
        row.isa = avx2 ? "avx2" : "native";
        ten_class[0] = avx2 ? "build/bench-avx2/deep_mlp" : "./deep_mlp";
        row.ours_1 = deep_mlp_epoch(ten_class, 1, runs);
        row.ours_n = deep_mlp_epoch(ten_class, threads, runs);
        for (const char* dtype : {"float32", "float64"})
            for (const int t : {1, threads}) {
                row.torch[std::string(dtype) + " " + std::to_string(t) + "t"] = torch_epoch(data_dir, dtype, t, avx2, runs);
                if (threads == 1) break;
            }
        table.rows.push_back(row);
    }
    return table;
}

void print_peers(const PeerTable& table, int threads) {
    std::printf("\nten classes against PyTorch (bench/ten_class_torch.py), ms an epoch, best epoch of a run, median:\n");
    for (const PeerTable::Row& row : table.rows) {
        const char* build = row.isa == "avx2" ? "AVX2 build (x86-64-v3), PyTorch at ATEN_CPU_CAPABILITY=avx2"
                                              : "this machine's build (-march=native), PyTorch at its default";
        std::printf("  %s\n", build);
        for (const auto& [name, seconds] : row.torch) std::printf("    PyTorch %-12s %7.0f ms\n", name.c_str(), 1e3 * seconds);
        const std::string best_name = row.best_torch_name();
        const double best = row.best_torch();
        std::printf("    deep_mlp 1 thread     %7.0f ms\n    deep_mlp %d threads    %7.0f ms\n", 1e3 * row.ours_1, threads,
                    1e3 * row.ours_n);
        const double ours = std::min(row.ours_1, row.ours_n);
        std::printf("    PyTorch's best (%s) against deep_mlp's best: %.2fx (target >= 2x)  %s\n", best_name.c_str(),
                    best / ours, best / ours >= 2 ? "met" : "NOT met");
    }
}

int main(int argc, char** argv) {
    keep_freed_memory();  // as ./mlp and ./deep_mlp do (program/command_line.hpp): products' outputs reuse freed pages
    std::string data_dir = "data";
    int runs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--data") data_dir = argv[i + 1];
        if (std::string(argv[i]) == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    }
    const int threads = max_threads();
    std::printf("bench: %d run(s) each, median (min-max); %d thread(s) available%s\n\n", runs, threads,
#ifdef _OPENMP
                ""
#else
                " (built without OpenMP)"
#endif
    );

    // ---- whole runs, first: see run_process ----
    std::vector<double> mlp_t, mlp_load_t;
    double mlp_peak = 0;
    for (int r = 0; r < runs; ++r) {
        const ProcessResult pr = run_process({"./mlp", "--data", data_dir, "--out", "out/bench"}, false, true);
        if (pr.status != 0) {
            std::fprintf(stderr, "bench: ./mlp failed (build it with make)\n");
            return 1;
        }
        mlp_t.push_back(pr.seconds);
        mlp_load_t.push_back(number_after(pr.out, "; load "));  // its line on stderr: reading and splitting the data
        mlp_peak = std::max(mlp_peak, pr.peak_mib);
    }
    const Timing mlp_run = summarize(mlp_t), mlp_load = summarize(mlp_load_t);
    std::printf("whole ./mlp run (load, train, test, write plots): %s, peak RSS %.0f MiB; its load stage %s\n",
                timing_ms(mlp_run).c_str(), mlp_peak, timing_ms(mlp_load).c_str());

    const bool have_numpy = python_has("numpy");
    const bool have_numpy_sklearn = have_numpy && python_has("numpy, sklearn");
    Timing numpy_run, numpy_train;
    double np_peak = 0;
    if (have_numpy_sklearn) {
        std::vector<double> np_run, np_train;
        for (int r = 0; r < runs; ++r) {
            const ProcessResult pr = run_process({"/usr/bin/python3", "bench/notes_numpy.py", data_dir, "--timing"}, true);
            const size_t at = pr.out.find("train_seconds ");
            if (pr.status != 0 || at == std::string::npos) {
                std::fprintf(stderr, "bench: the numpy run failed\n");
                return 1;
            }
            np_run.push_back(pr.seconds);
            np_train.push_back(std::stod(pr.out.substr(at + 14)));
            np_peak = std::max(np_peak, pr.peak_mib);
        }
        numpy_run = summarize(np_run);
        numpy_train = summarize(np_train);
        std::printf("notes' numpy code: training loop %s, whole run %s, peak RSS %.0f MiB\n",
                    timing_ms(numpy_train).c_str(), timing_ms(numpy_run).c_str(), np_peak);
    } else {
        std::printf("(/usr/bin/python3 has no numpy and scikit-learn: no comparison with the notes' code)\n");
    }
    std::printf("\n");

    Split s;
    try {
        s = train_test_split(load_zeros_and_ones(data_dir));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench: %s\n", e.what());
        return 1;
    }
    const SparseMatrix& y_0 = s.X_train;
    const Matrix y_0_dense = y_0.to_dense();
    const Matrix W_1 = random_matrix(784, 64, 1), delta_1 = random_matrix(y_0.rows, 64, 2);
    const Matrix A = random_matrix(1024, 1024, 3), B = random_matrix(1024, 1024, 4);
    std::printf("real MNIST images: %zu x %zu, %.1f%% of the pixels nonzero\n\n", y_0.rows, y_0.cols,
                100.0 * y_0.nonzeros() / (y_0.rows * y_0.cols));

    // ---- products ----
    struct Case {
        const char* name;
        const char* numpy_key;
        double flops;
        std::function<void()> naive, dense, sparse;
    };
    const double train_flops = 2.0 * y_0.rows * 784 * 64;
    const Case cases[] = {
        {"y_0 W_1     (11824x784)(784x64)", "y0_W1", train_flops,
         [&] { matmul_naive(y_0_dense, W_1); }, [&] { matmul(y_0_dense, W_1); }, [&] { matmul(y_0, W_1); }},
        {"y_0^T delta_1 (784x11824)(11824x64)", "y0T_delta1", train_flops,
         [&] { matmul_AtB_naive(y_0_dense, delta_1); }, [&] { matmul_AtB(y_0_dense, delta_1); },
         [&] { matmul_AtB(y_0, delta_1); }},
        {"square      (1024x1024)(1024x1024)", "square1024", 2.0 * 1024 * 1024 * 1024,
         [&] { matmul_naive(A, B); }, [&] { matmul(A, B); }, nullptr},
    };
    std::string blas;
    std::map<std::string, std::vector<double>> np;
    if (have_numpy) np = numpy_shapes(data_dir, runs, blas);

    std::printf("%-38s %-9s %-9s %-9s %-9s %-9s %-9s\n", "GFLOP/s (nominal 2nkm)", "naive", "dense 1t",
                std::string("dense " + std::to_string(threads) + "t").c_str(), "sparse 1t",
                std::string("sparse " + std::to_string(threads) + "t").c_str(), "numpy");
    std::map<std::string, double> best_ours, thread_speedup;
    double peak = 0;  // the machine's measured peak: the fastest single run of a dense product, ours or numpy's
    for (const Case& c : cases) {
        set_threads(1);
        const Timing naive = time_runs(std::max(1, runs / 2), c.naive);
        const Timing dense1 = time_runs(runs, c.dense);
        const Timing sparse1 = c.sparse ? time_runs(runs, c.sparse) : Timing{};
        set_threads(threads);
        const Timing denseN = time_runs(runs, c.dense);
        const Timing sparseN = c.sparse ? time_runs(runs, c.sparse) : Timing{};
        std::string numpy_col = "-";
        if (np.count(c.numpy_key)) numpy_col = fmt("%.1f", gflops(c.flops, summarize(np[c.numpy_key])));
        std::printf("%-38s %-9.2f %-9.1f %-9.1f %-9s %-9s %-9s\n", c.name, gflops(c.flops, naive),
                    gflops(c.flops, dense1), gflops(c.flops, denseN),
                    c.sparse ? fmt("%.1f", gflops(c.flops, sparse1)).c_str() : "-",
                    c.sparse ? fmt("%.1f", gflops(c.flops, sparseN)).c_str() : "-", numpy_col.c_str());
        std::printf("%-38s %s\n", "  times: dense all threads",
                    (timing_ms(denseN) + (c.sparse ? ", sparse all threads " + timing_ms(sparseN) : "") +
                     (np.count(c.numpy_key) ? ", numpy " + timing_ms(summarize(np[c.numpy_key])) : ""))
                        .c_str());
        best_ours[c.numpy_key] = gflops(c.flops, c.sparse ? sparseN : denseN);
        if (std::string(c.numpy_key) == "square1024") {
            peak = std::max(peak, c.flops / denseN.min / 1e9);
            if (np.count(c.numpy_key)) peak = std::max(peak, c.flops / summarize(np[c.numpy_key]).min / 1e9);
        }
        thread_speedup[c.numpy_key] = c.sparse ? sparse1.median / sparseN.median : dense1.median / denseN.median;
        std::printf("%-38s %.2fx\n", "  speed-up of all threads over one", thread_speedup[c.numpy_key]);
    }
    if (!blas.empty()) std::printf("numpy's BLAS: %s\n", blas.c_str());

    // ---- matrix.hpp's plain products against matrix/'s kernels, all threads ----
    {
        set_threads(threads);
        struct PlainCase { const char* name; double flops; std::function<void()> plain, fast; };
        const PlainCase plain_cases[] = {
            {"y_0 W_1     (11824x784 sparse)(784x64)", train_flops, [&] { plain::matmul(y_0, W_1); }, [&] { matmul(y_0, W_1); }},
            {"y_0^T delta_1 (784x11824 sparse)(11824x64)", train_flops, [&] { plain::matmul_AtB(y_0, delta_1); },
             [&] { matmul_AtB(y_0, delta_1); }},
            {"square      (1024x1024)(1024x1024)", 2.0 * 1024 * 1024 * 1024, [&] { plain::matmul(A, B); }, [&] { matmul(A, B); }},
        };
        std::printf("\nmatrix.hpp's plain products against matrix/'s kernels (make PLAIN=1 against make), %d threads, "
                    "GFLOP/s nominal\n", threads);
        for (const PlainCase& c : plain_cases) {
            const Timing plain = time_runs(std::max(1, runs / 2), c.plain), fast = time_runs(runs, c.fast);
            std::printf("  %-46s plain %7.1f   fast %7.1f   %5.2fx\n", c.name, gflops(c.flops, plain), gflops(c.flops, fast),
                        plain.median / fast.median);
        }
    }

    // ---- training ----
    std::printf("\ntraining (30 epochs, the lesson's train(), output muted)\n");
    std::streambuf* saved = std::cout.rdbuf(nullptr);
    Timing epoch1, epochN;
    set_threads(1);
    epoch1 = time_runs(runs, [&] { Params p = init_params(784, 64, 1, 0); train(p, y_0, s.y_train, 30, 1e-4); });
    set_threads(threads);
    epochN = time_runs(runs, [&] { Params p = init_params(784, 64, 1, 0); train(p, y_0, s.y_train, 30, 1e-4); });
    std::cout.rdbuf(saved);
    std::printf("  30 epochs, 1 thread:   %s  (%.2f ms per epoch)\n", timing_ms(epoch1).c_str(), 1e3 * epoch1.median / 30);
    std::printf("  30 epochs, %d threads:  %s  (%.2f ms per epoch), speed-up %.2fx\n", threads,
                timing_ms(epochN).c_str(), 1e3 * epochN.median / 30, epoch1.median / epochN.median);

    // ---- ten classes: the exercises' deep_mlp against the same training in numpy ----
    // 784-256-128-10, ReLU, Adam, mini-batches of 128 on the 56,000 training images, 3 epochs.
    const std::vector<std::string> ten_class = {
        "./deep_mlp", "--data", data_dir, "--out", "out/bench", "--classes", "10", "--hidden", "256,128",
        "--act", "relu", "--optimizer", "adam", "--lr", "1e-3", "--batch", "128", "--reduction", "mean",
        "--init", "he", "--epochs", "3"};
    const int ten_runs = std::max(1, std::min(runs, 5));
    std::printf("\nten classes: ./deep_mlp --classes 10 --hidden 256,128 --act relu --optimizer adam --lr 1e-3 "
                "--batch 128 --reduction mean --init he --epochs 3 (%d runs)\n", ten_runs);
    std::vector<double> ten_run_t, ten_train_t, ten_train_1t, ten_load_t;
    std::vector<double> deep_losses;
    for (int r = 0; r < ten_runs; ++r) {
        const ProcessResult pr = run_process(ten_class, false, true);
        const ProcessResult pr1 = run_process(ten_class, false, true, 1);
        if (pr.status != 0 || pr1.status != 0) {
            std::fprintf(stderr, "bench: ./deep_mlp failed (build it with make)\n");
            return 1;
        }
        ten_run_t.push_back(pr.seconds);
        ten_train_t.push_back(number_after(pr.out, " train "));
        ten_train_1t.push_back(number_after(pr1.out, " train "));
        ten_load_t.push_back(number_after(pr.out, "; load "));
        deep_losses = epoch_losses(pr.out);
    }
    const Timing ten_run = summarize(ten_run_t), ten_train = summarize(ten_train_t), ten_train_1 = summarize(ten_train_1t),
                 ten_load = summarize(ten_load_t);
    // The work of an epoch: per sample, the two sparse products of layer 1 (forward, and y_0^T delta_1)
    // cost 2 nnz 256 each; the dense ones, forward, delta and gradient, 3 x 2 (256 x 128 + 128 x 10).
    const Split ten = train_test_split(load_digits(data_dir, 10));
    const double epoch_flops = 4.0 * static_cast<double>(ten.X_train.nonzeros()) * 256 +
                               6.0 * static_cast<double>(ten.X_train.rows) * (256 * 128 + 128 * 10);
    std::printf("  deep_mlp: whole run %s; training %.0f ms per epoch with %d threads, %.0f ms with 1 "
                "(%.2fx); %.1f GFLOP per epoch, %.1f GFLOP/s\n",
                timing_ms(ten_run).c_str(), 1e3 * ten_train.median / 3, threads, 1e3 * ten_train_1.median / 3,
                ten_train_1.median / ten_train.median, epoch_flops / 1e9, epoch_flops * 3 / ten_train.median / 1e9);
    std::printf("  deep_mlp's load stage (reading the 70,000 images, the split): %s\n", timing_ms(ten_load).c_str());
    Timing np_ten_run, np_ten_train;
    double ten_worst = INFINITY;
    if (have_numpy_sklearn) {
        std::vector<double> run_t, train_t;
        for (int r = 0; r < ten_runs; ++r) {
            const ProcessResult pr = run_process({"/usr/bin/python3", "bench/ten_class_numpy.py", data_dir}, true);
            if (pr.status != 0) {
                std::fprintf(stderr, "bench: the numpy ten-class run failed\n");
                return 1;
            }
            run_t.push_back(pr.seconds);
            train_t.push_back(number_after(pr.out, "train_seconds "));
            ten_worst = worst_relative_difference(epoch_losses(pr.out), deep_losses);
        }
        np_ten_run = summarize(run_t);
        np_ten_train = summarize(train_t);
        std::printf("  numpy (bench/ten_class_numpy.py): whole run %s; training %.0f ms per epoch, %.1f GFLOP/s\n",
                    timing_ms(np_ten_run).c_str(), 1e3 * np_ten_train.median / 3,
                    epoch_flops * 3 / np_ten_train.median / 1e9);
        std::printf("  the same losses: largest relative difference %.2g\n", ten_worst);
    }

    // ---- ten classes against PyTorch at PyTorch's best setting ----
    // bench/ten_class_torch.py trains the same network as a PyTorch user writes it; float32 and
    // float64, one thread and all of them: the fastest of the four is the peer. Then the build most
    // laptops run (AVX2 and FMA, no AVX-512: build/bench-avx2, -march=x86-64-v3) against PyTorch held
    // to the same instructions (ATEN_CPU_CAPABILITY=avx2). Each figure is the best epoch of a run
    // (PyTorch's first epoch pays for its warm-up), the median over the runs.
    PeerTable peers;
    if (python_has("torch, sklearn")) {
        peers = torch_peers(ten_class, data_dir, threads, ten_runs);
        print_peers(peers, threads);
    } else {
        std::printf("\n(/usr/bin/python3 has no PyTorch: no comparison with it)\n");
    }

    // ---- the ten-class step's products, one at a time ----
    // The shapes of one step on a mini-batch of 128 (real images for y_0; the other factors random,
    // which the dense products' speed does not depend on), each timed over 200 calls in a row. Their
    // GFLOP/s count only the work done (2 nnz 256 for the sparse ones), against the measured peak,
    // which these small products, held in the caches, may raise.
    {
        NumpyRandomState rng(0);
        const std::vector<uint32_t> perm = rng.permutation(static_cast<uint32_t>(ten.X_train.rows));
        const SparseMatrix y0 = ten.X_train.select_rows(perm.data(), 128);
        const Matrix W1 = random_matrix(784, 256, 1), W2 = random_matrix(256, 128, 2), W3 = random_matrix(128, 10, 3);
        const Matrix y1 = random_matrix(128, 256, 4), y2 = random_matrix(128, 128, 5);
        const Matrix d3 = random_matrix(128, 10, 6), d2 = random_matrix(128, 128, 7), d1 = random_matrix(128, 256, 8);
        const double sparse_flops = 2.0 * static_cast<double>(y0.nonzeros()) * 256;
        struct Product {
            const char* name;
            double flops;
            std::function<void()> run;
        };
        const std::vector<Product> products = {
            {"z_1 = y_0 W_1 (128x784 sparse)(784x256)", sparse_flops, [&] { matmul(y0, W1); }},
            {"z_2 = y_1 W_2 (128x256)(256x128)", 2.0 * 128 * 256 * 128, [&] { matmul(y1, W2); }},
            {"z_3 = y_2 W_3 (128x128)(128x10)", 2.0 * 128 * 128 * 10, [&] { matmul(y2, W3); }},
            {"grad_W3 = y_2^T delta_3 (128x128)(128x10)", 2.0 * 128 * 128 * 10, [&] { matmul_AtB(y2, d3); }},
            {"delta_3 W_3^T (128x10)(10x128)", 2.0 * 128 * 10 * 128, [&] { matmul_ABt(d3, W3); }},
            {"grad_W2 = y_1^T delta_2 (256x128)(128x128)", 2.0 * 256 * 128 * 128, [&] { matmul_AtB(y1, d2); }},
            {"delta_2 W_2^T (128x128)(128x256)", 2.0 * 128 * 128 * 256, [&] { matmul_ABt(d2, W2); }},
            {"grad_W1 = y_0^T delta_1 (784x128 sparse)(128x256)", sparse_flops, [&] { matmul_AtB(y0, d1); }},
        };
        const double steps_per_epoch = static_cast<double>(ten.X_train.rows) / 128;
        std::printf("\nthe ten-class step's products (a batch of 128; %d threads against 1; real GFLOP/s)\n", threads);
        std::printf("  %-50s %9s %9s %8s %8s %8s %10s\n", "product", "us 1t", "us all", "speed-up", "GFLOP/s",
                    "of peak", "ms/epoch");
        std::vector<Timing> one, all;
        for (const Product& pr : products) {
            auto calls = [&] { for (int i = 0; i < 200; ++i) pr.run(); };
            set_threads(1);
            one.push_back(time_runs(runs, calls));
            set_threads(threads);
            all.push_back(time_runs(runs, calls));
            if (pr.flops != sparse_flops) peak = std::max(peak, pr.flops * 200 / all.back().min / 1e9);
        }
        for (size_t i = 0; i < products.size(); ++i) {
            const double us1 = 1e6 * one[i].median / 200, usN = 1e6 * all[i].median / 200;
            std::printf("  %-50s %9.1f %9.1f %7.2fx %8.1f %7.0f%% %10.1f\n", products[i].name, us1, usN, us1 / usN,
                        products[i].flops / usN / 1e3, 100 * products[i].flops / usN / 1e3 / peak,
                        usN * steps_per_epoch / 1e3);
        }
    }
    std::printf("  machine's measured peak (the fastest single run of any dense product above, %d threads): "
                "%.1f GFLOP/s; deep_mlp's training runs at %.0f%% of it\n",
                threads, peak, 100 * epoch_flops * 3 / ten_train.median / 1e9 / peak);

    // ---- Adam's update ----
    // One step of exercises/optimizers.hpp's adam_update on a 784 x 1024 first layer (the record's,
    // 802,816 parameters), all threads: as it is, and on a state whose running means have decayed
    // into denormals (where a unit's gradient stays 0, as in the record's late epochs), kept and
    // flushed (--denormals flush).
    {
        set_threads(threads);
        const size_t n = 784, m = 1024, steps = 20;
        const Matrix g0 = random_matrix(n, m, 11), mom0 = random_matrix(n, m, 12), theta0 = random_matrix(n, m, 13);
        Matrix vel0 = random_matrix(n, m, 14);
        for (double& v : vel0.data) v = 1e-7 * v * v;
        auto adam_steps = [&](const Matrix& g, const Matrix& mom) {
            Matrix theta = theta0;
            OptimizerState s;
            adam_update(theta, g, s, 1, 1e-3, 0.9, 0.99, 1e-8);  // makes the state
            s.mom = mom, s.vel = vel0;
            const auto t0 = Clock::now();
            for (long t = 2; t < static_cast<long>(steps) + 2; ++t) adam_update(theta, g, s, t, 1e-3, 0.9, 0.99, 1e-8);
            return std::chrono::duration<double>(Clock::now() - t0).count() / steps;
        };
        auto median_us = [&](const std::function<double()>& f) {
            std::vector<double> t;
            for (int r = 0; r < runs; ++r) t.push_back(f());
            return 1e6 * summarize(t).median;
        };
        const Matrix zero_g(n, m), denormal_mom(n, m, 2e-308);  // below 2^-1022 = 2.2e-308
        const double as_is = median_us([&] { return adam_steps(g0, mom0); });
        const double kept = median_us([&] { return adam_steps(zero_g, denormal_mom); });
        set_flush_denormals(true);
        const double flushed = median_us([&] { return adam_steps(zero_g, denormal_mom); });
        set_flush_denormals(false);
        const double steps_per_epoch = static_cast<double>(ten.X_train.rows) / 128;
        std::printf("\nAdam's update of a 784x1024 layer (802,816 parameters), one step, %d threads\n", threads);
        std::printf("  %-66s %8.0f us  (%.0f ms per epoch of batches of 128)\n", "adam_update", as_is,
                    as_is * steps_per_epoch / 1e3);
        std::printf("  %-66s %8.0f us  (%.2fx)\n", "adam_update, every running mean a denormal, kept (IEEE)", kept, kept / as_is);
        std::printf("  %-66s %8.0f us  (%.2fx)\n", "the same, --denormals flush", flushed, flushed / as_is);
    }

    // ---- skipping a hidden layer's zeros ----
    // The record's second layer, one batch of 128: y_1 (128 x 1024) with 12% of its elements
    // nonzero, as the record's first hidden layer is after a few epochs (ReLU, then dropout 0.4);
    // random values. matmul() lists its nonzeros and skips the zeros; against the dense kernel,
    // which multiplies every zero.
    {
        set_threads(threads);
        NumpyRandomState rng(21);
        Matrix y1 = random_matrix(128, 1024, 22);
        for (double& v : y1.data)
            if (rng.random_sample() >= 0.12) v = 0.0;
        const Matrix W2 = random_matrix(1024, 256, 23), d2 = random_matrix(128, 256, 24);
        auto dense = [](const Matrix& A, const Matrix& B) {
            return matrix_kernels::product<matrix_kernels::Read::B>(A, B, B.cols);
        };
        auto us = [&](const std::function<void()>& f) {
            return 1e6 * time_runs(runs, [&] { for (int i = 0; i < 200; ++i) f(); }).median / 200;
        };
        const double z_dense = us([&] { dense(y1, W2); }), z_skip = us([&] { matmul(y1, W2); });
        const double g_dense = us([&] { dense(transpose(y1), d2); }), g_skip = us([&] { matmul_AtB(y1, d2); });
        std::printf("\nthe record's second layer, a batch of 128, y_1 12%% nonzero, %d threads: dense kernel, zeros skipped\n", threads);
        std::printf("  %-50s %8.0f us %8.0f us  (%.2fx)\n", "z_2 = y_1 W_2 (128x1024)(1024x256)", z_dense, z_skip, z_dense / z_skip);
        std::printf("  %-50s %8.0f us %8.0f us  (%.2fx)\n", "grad_W2 = y_1^T delta_2 (1024x128)(128x256)", g_dense, g_skip, g_dense / g_skip);
    }

    // ---- the plain build's whole runs against the default build's ----
    // build/bench-plain/ holds ./mlp and ./deep_mlp built with make PLAIN=1's flags (matrix.hpp alone).
    {
        std::printf("\nthe plain build (make PLAIN=1: matrix.hpp alone) against the default one, training time, %d runs\n", ten_runs);
        struct Build { const char* name; std::vector<std::string> args; };
        const std::vector<Build> builds = {
            {"./mlp (the lesson)", {"./mlp", "--data", data_dir, "--out", "out/bench"}},
            {"./deep_mlp --classes 10 --hidden 256,128 ..., 1 epoch", {"./deep_mlp", "--data", data_dir, "--out", "out/bench",
             "--classes", "10", "--hidden", "256,128", "--act", "relu", "--optimizer", "adam", "--lr", "1e-3", "--batch", "128",
             "--reduction", "mean", "--init", "he", "--epochs", "1"}}};
        for (const Build& b : builds) {
            std::vector<std::string> plain_args = b.args;
            plain_args[0] = "build/bench-plain/" + plain_args[0].substr(2);
            std::vector<double> fast_t, plain_t;
            for (int r = 0; r < ten_runs; ++r) {
                const ProcessResult pf = run_process(b.args, false, true), pp = run_process(plain_args, false, true);
                if (pp.status != 0) {
                    std::fprintf(stderr, "bench: %s failed (make bench builds it)\n", plain_args[0].c_str());
                    return 1;
                }
                fast_t.push_back(number_after(pf.out, " train ")), plain_t.push_back(number_after(pp.out, " train "));
            }
            const Timing fast = summarize(fast_t), plain = summarize(plain_t);
            std::printf("  %-56s plain %8.0f ms   default %8.0f ms   %5.2fx\n", b.name, 1e3 * plain.median, 1e3 * fast.median,
                        plain.median / fast.median);
        }
    }

    // ---- a busy machine: another program holds a core ----
    // The same runs with a busy loop in a process of its own: the programs' threads (all of them,
    // by default) against OMP_NUM_THREADS=1, under the same load. A thread that shares its core with
    // the busy loop makes every parallel step wait; matrix.hpp's LoadWatch notices and uses fewer.
    std::printf("\nwith another program busy on one core (a spinning loop), default threads against one, %d runs\n", ten_runs);
    struct Loaded {
        const char* name;
        std::vector<std::string> args;
        double ratio = 0;
    };
    std::vector<Loaded> loaded = {
        {"./deep_mlp --classes 10 --hidden 64 --act relu --optimizer adam --lr 1e-3 --batch 128 --epochs 1",
         {"./deep_mlp", "--data", data_dir, "--out", "out/bench", "--classes", "10", "--hidden", "64", "--act", "relu",
          "--optimizer", "adam", "--lr", "1e-3", "--batch", "128", "--epochs", "1"}},
        {"./deep_mlp --classes 10 --hidden 256,128 ... (the same, two layers)",
         {"./deep_mlp", "--data", data_dir, "--out", "out/bench", "--classes", "10", "--hidden", "256,128", "--act", "relu",
          "--optimizer", "adam", "--lr", "1e-3", "--batch", "128", "--epochs", "1"}},
        {"./mlp (the lesson)", {"./mlp", "--data", data_dir, "--out", "out/bench"}}};
    const pid_t busy = fork();
    if (busy == 0) {
        volatile unsigned long spin = 0;
        for (;;) spin = spin + 1;
    }
    for (Loaded& l : loaded) {
        std::vector<double> all_t, one_t;
        for (int r = 0; r < ten_runs; ++r) {
            const ProcessResult pa = run_process(l.args, false, true), p1 = run_process(l.args, false, true, 1);
            all_t.push_back(number_after(pa.out, " train ")), one_t.push_back(number_after(p1.out, " train "));
        }
        const Timing all = summarize(all_t), one = summarize(one_t);
        l.ratio = all.median / one.median;
        std::printf("  %-72s train %7.0f ms, with 1 thread %7.0f ms: %.2fx\n", l.name, 1e3 * all.median, 1e3 * one.median, l.ratio);
    }
    kill(busy, SIGKILL);
    waitpid(busy, nullptr, 0);
    auto verdict = [](bool ok) { return ok ? "met" : "NOT met"; };
    std::printf("\ntargets:\n");
    std::printf("  load stage, the lesson            %5.0f ms        (target <= 80 ms)  %s\n", 1e3 * mlp_load.median,
                verdict(mlp_load.median <= 0.08));
    std::printf("  load stage, ten classes           %5.0f ms        (target <= 200 ms) %s\n", 1e3 * ten_load.median,
                verdict(ten_load.median <= 0.2));
    for (const PeerTable::Row& row : peers.rows) {
        const double ratio = row.best_torch() / std::min(row.ours_1, row.ours_n);
        std::printf("  ten-class epoch vs PyTorch's best, %-6s %5.2fx    (target >= 2x)   %s\n", row.isa.c_str(), ratio,
                    verdict(ratio >= 2));
    }
    for (const Loaded& l : loaded)
        std::printf("  busy core: %-36.36s %5.2fx one thread's time (target <= 2x)  %s\n", l.name, l.ratio, verdict(l.ratio <= 2));

    if (!have_numpy_sklearn) return 0;

    // ---- the targets, as ratios measured in this run ----
    const double train_ratio = numpy_train.median / epochN.median, run_ratio = numpy_run.median / mlp_run.median;
    const double rss_ratio = np_peak / mlp_peak;
    const double ten_ratio = np_ten_run.median / ten_run.median, ten_threads = ten_train_1.median / ten_train.median;
    std::printf("  ten classes, whole run vs numpy  %5.2fx faster   (target >= 3x)   %s\n", ten_ratio, verdict(ten_ratio >= 3));
    std::printf("  ten classes, same losses         %9.2g       (target <= 1e-9) %s\n", ten_worst, verdict(ten_worst <= 1e-9));
    std::printf("  ten classes, %d threads vs 1      %5.2fx          (target >= 1.7x) %s\n", threads, ten_threads,
                verdict(ten_threads >= 1.7));
    std::printf("  training loop vs numpy's         %5.2fx faster   (target >= 3x)   %s\n", train_ratio, verdict(train_ratio >= 3));
    std::printf("  whole run vs numpy's             %5.2fx faster   (target >= 5x)   %s\n", run_ratio, verdict(run_ratio >= 5));
    std::printf("  peak RSS vs numpy's              %5.2fx smaller  (target >= 4x)   %s\n", rss_ratio, verdict(rss_ratio >= 4));
    for (const char* key : {"y0_W1", "y0T_delta1"}) {
        if (!np.count(key)) continue;
        const double ratio = best_ours[key] / gflops(train_flops, summarize(np[key]));
        std::printf("  %-10s vs OpenBLAS           %5.2fx          (target >= 1x)   %s\n", key, ratio, verdict(ratio >= 1));
    }
    for (const char* key : {"y0_W1", "y0T_delta1"})
        std::printf("  %-10s %d threads vs 1          %5.2fx          (target >= 1.7x) %s\n", key, threads,
                    thread_speedup[key], verdict(thread_speedup[key] >= 1.7));
    if (np.count("square1024")) {
        const double ratio = best_ours["square1024"] / gflops(2.0 * 1024 * 1024 * 1024, summarize(np["square1024"]));
        std::printf("  1024^3     vs OpenBLAS           %5.2fx          (target >= 0.5x) %s\n", ratio, verdict(ratio >= 0.5));
    }
    return 0;
}
