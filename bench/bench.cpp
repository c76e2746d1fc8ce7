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

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <map>
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
ProcessResult run_process(const std::vector<std::string>& args, bool clean_openblas_env) {
    ProcessResult r;
    int pipe_fd[2];
    if (pipe(pipe_fd) != 0) return r;
    const auto t0 = Clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
        dup2(pipe_fd[1], 1);
        close(pipe_fd[0]);
        const int null_fd = open("/dev/null", O_WRONLY);
        if (null_fd >= 0) dup2(null_fd, 2);
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

bool python_has(const char* modules) {
    return run_process({"/usr/bin/python3", "-c", std::string("import ") + modules}, false).status == 0;
}

}  // namespace

int main(int argc, char** argv) {
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
    std::vector<double> mlp_t;
    double mlp_peak = 0;
    for (int r = 0; r < runs; ++r) {
        const ProcessResult pr = run_process({"./mlp", "--data", data_dir, "--out", "out/bench"}, false);
        if (pr.status != 0) {
            std::fprintf(stderr, "bench: ./mlp failed (build it with make)\n");
            return 1;
        }
        mlp_t.push_back(pr.seconds);
        mlp_peak = std::max(mlp_peak, pr.peak_mib);
    }
    const Timing mlp_run = summarize(mlp_t);
    std::printf("whole ./mlp run (load, train, test, write plots): %s, peak RSS %.0f MiB\n",
                timing_ms(mlp_run).c_str(), mlp_peak);

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
        thread_speedup[c.numpy_key] = c.sparse ? sparse1.median / sparseN.median : dense1.median / denseN.median;
        std::printf("%-38s %.2fx\n", "  speed-up of all threads over one", thread_speedup[c.numpy_key]);
    }
    if (!blas.empty()) std::printf("numpy's BLAS: %s\n", blas.c_str());

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

    if (!have_numpy_sklearn) return 0;

    // ---- the targets of issue 4, as ratios measured in this run ----
    auto verdict = [](bool ok) { return ok ? "met" : "NOT met"; };
    const double train_ratio = numpy_train.median / epochN.median, run_ratio = numpy_run.median / mlp_run.median;
    const double rss_ratio = np_peak / mlp_peak;
    std::printf("\ntargets:\n");
    std::printf("  training loop vs numpy's         %5.2fx faster   (target >= 2x)   %s\n", train_ratio, verdict(train_ratio >= 2));
    std::printf("  whole run vs numpy's             %5.2fx faster   (target >= 3x)   %s\n", run_ratio, verdict(run_ratio >= 3));
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
