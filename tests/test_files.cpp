// tests/test_files.cpp: what the programs write, against truths written by hand in this file.
//  - A model file written byte by byte here from the format program/model_file.hpp documents (a
//    CRC-32 of its own, bit by bit): it loads into the layers it describes, and ./deep_mlp --predict
//    prints the probabilities computed here, for ten classes and for two; networks of k = 1, 2, 3
//    hidden layers saved and loaded are the same bits.
//  - The report page for a test set made up here: each confusion matrix cell is the count of its
//    label/class pair, each shown mistake is one, and the accuracy is the share computed here.
//  - The loss plot: one point per epoch, at the documented x, in the losses' order.
//  - --epochs 0 with outputs that are not finite numbers stops, and no page embeds NaN.
//  - On a terminal, the progress line is erased before an epoch's line and before an error's.
#define DEEP_MLP_NO_MAIN
#include "exercises/deep_mlp.cpp"

#include <cstdio>
#include <functional>
#include <regex>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/check.hpp"

namespace {

std::string scratch_folder() {
    static const std::string dir = [] {
        char path[] = "/tmp/test_files.XXXXXX";
        const char* made = ::mkdtemp(path);
        return std::string(made ? made : "/tmp");
    }();
    return dir;
}

// ---------------------------------------------------------------------------------------------
// Bytes, as the format documents them.

void u32(std::string& s, uint32_t v) {
    for (int b = 0; b < 4; ++b) s += static_cast<char>((v >> (8 * b)) & 0xff);
}
void f64(std::string& s, double x) {
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    for (int b = 0; b < 8; ++b) s += static_cast<char>((bits >> (8 * b)) & 0xff);
}
// CRC-32 (zlib's and PNG's: reflected polynomial 0xEDB88320, start and end inverted), bit by bit.
uint32_t crc32_bitwise(const std::string& s) {
    uint32_t crc = 0xffffffffu;
    for (const char ch : s) {
        crc ^= static_cast<uint8_t>(ch);
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
}

// Runs ./deep_mlp's run() in this process with these arguments; returns what it printed on stdout.
std::string deep_mlp_prints(std::vector<std::string> args) {
    args.insert(args.begin(), "deep_mlp");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    cli_detail::checked_stdout();
    std::ostringstream printed;
    std::streambuf* previous = std::cout.rdbuf(printed.rdbuf());
    try {
        deep_mlp::run(static_cast<int>(argv.size()), argv.data());
    } catch (...) {
        std::cout.rdbuf(previous);
        throw;
    }
    std::cout.rdbuf(previous);
    return printed.str();
}

// "class c: p" lines of --predict, as numbers.
std::vector<double> predicted_probabilities(const std::string& printed, int& predicted) {
    std::vector<double> p;
    std::istringstream lines(printed);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("class ", 0) == 0) p.push_back(std::stod(line.substr(line.find(": ") + 2)));
        if (line.rfind("predicted: ", 0) == 0) predicted = std::stoi(line.substr(11));
    }
    return p;
}

// A model of 2x2-pixel inputs: 4 -> 3 tanh -> 2 relu -> 10 softmax, every weight a multiple of 1/8.
void test_model_file_by_hand() {
    const double w1[4][3] = {{0.5, -0.25, 0.125}, {-1, 0.75, 0.5}, {0.25, 0.25, -0.5}, {1, -0.125, 0}}, b1[3] = {0.125, -0.25, 0};
    const double w2[3][2] = {{1, -1}, {0.5, 2}, {-0.75, 0.25}}, b2[2] = {0.25, -0.125};
    double w3[2][10], b3[10];
    for (int j = 0; j < 10; ++j) w3[0][j] = (j - 4) / 8.0, w3[1][j] = (3 - j) / 4.0, b3[j] = (j % 3) / 8.0;
    std::string s = "MLPMODEL";
    u32(s, 2), u32(s, 10), u32(s, 2), u32(s, 2), u32(s, 2);  // version, classes, rows, cols, k
    u32(s, 3), u32(s, 4), s += "tanh";
    u32(s, 2), u32(s, 4), s += "relu";
    for (auto& row : w1) for (double w : row) f64(s, w);
    for (double b : b1) f64(s, b);
    for (auto& row : w2) for (double w : row) f64(s, w);
    for (double b : b2) f64(s, b);
    for (auto& row : w3) for (double w : row) f64(s, w);
    for (double b : b3) f64(s, b);
    u32(s, crc32_bitwise(s));
    const std::string path = scratch_folder() + "/by_hand.model";
    write_file(path, s);

    const ModelData m = read_model_file(path);
    bool same = m.classes == 10 && m.rows == 2 && m.cols == 2 && m.layers.size() == 3 && m.layers[0].activation == "tanh" &&
                m.layers[1].activation == "relu" && m.layers[2].activation == "softmax" && m.layers[1].inputs == 3 &&
                m.layers[1].outputs == 2 && m.layers[2].outputs == 10;
    for (int i = 0; same && i < 4; ++i)
        for (int j = 0; j < 3; ++j) same = same && m.layers[0].W[static_cast<size_t>(3 * i + j)] == w1[i][j];
    for (int i = 0; same && i < 3; ++i)
        for (int j = 0; j < 2; ++j) same = same && m.layers[1].W[static_cast<size_t>(2 * i + j)] == w2[i][j];
    for (int j = 0; same && j < 10; ++j) same = same && m.layers[2].W[static_cast<size_t>(10 + j)] == w3[1][j] && m.layers[2].b[static_cast<size_t>(j)] == b3[j];
    check(same, "a model file written by hand from the documented format loads into the layers it describes");

    // The image: pixels 0, 255, 128, 51 of maxval 255, as P2.
    const std::string image = scratch_folder() + "/digit.pgm";
    write_file(image, "P2\n2 2\n255\n0 255\n128 51\n");
    const double x[4] = {0, 1, 128 / 255.0, 51 / 255.0};
    double h1[3], h2[2], z[10], e[10], sum = 0;
    for (int j = 0; j < 3; ++j) {
        double a = b1[j];
        for (int i = 0; i < 4; ++i) a += x[i] * w1[i][j];
        h1[j] = std::tanh(a);
    }
    for (int j = 0; j < 2; ++j) {
        double a = b2[j];
        for (int i = 0; i < 3; ++i) a += h1[i] * w2[i][j];
        h2[j] = a > 0 ? a : 0;
    }
    double z_max = -INFINITY;
    for (int j = 0; j < 10; ++j) z[j] = b3[j] + h2[0] * w3[0][j] + h2[1] * w3[1][j], z_max = std::max(z_max, z[j]);
    for (int j = 0; j < 10; ++j) sum += e[j] = std::exp(z[j] - z_max);
    int predicted = -1, best = 0;
    const std::vector<double> p = predicted_probabilities(deep_mlp_prints({"--load", path, "--predict", image}), predicted);
    double worst = p.size() == 10 ? 0 : INFINITY;
    for (int j = 0; j < 10 && p.size() == 10; ++j) {
        worst = std::max(worst, std::fabs(p[static_cast<size_t>(j)] - e[j] / sum));
        if (e[j] > e[best]) best = j;
    }
    check(worst < 1e-12, "--predict prints each class's probability as computed by hand (worst difference " + python_float(worst) + ")");
    check(predicted == best, "--predict's class is the most probable one, " + std::to_string(best));
}

// Two classes: 4 -> 1 sigmoid -> 1 sigmoid output; class 1's probability is the output.
void test_two_class_predict() {
    std::string s = "MLPMODEL";
    u32(s, 2), u32(s, 2), u32(s, 2), u32(s, 2), u32(s, 1);
    u32(s, 1), u32(s, 7), s += "sigmoid";
    for (double w : {0.5, -1.0, 2.0, 0.25}) f64(s, w);
    f64(s, -0.5);
    f64(s, 3.0), f64(s, -1.25);
    u32(s, crc32_bitwise(s));
    const std::string path = scratch_folder() + "/two.model", image = scratch_folder() + "/two.pgm";
    write_file(path, s);
    write_file(image, "P2\n2 2\n4\n4 0\n1 3\n");  // pixels 1, 0, 0.25, 0.75
    const double h = 1 / (1 + std::exp(-(0.5 * 1 + 2.0 * 0.25 + 0.25 * 0.75 - 0.5)));
    const double y = 1 / (1 + std::exp(-(3.0 * h - 1.25)));
    int predicted = -1;
    const std::vector<double> p = predicted_probabilities(deep_mlp_prints({"--load", path, "--predict", image}), predicted);
    check(p.size() == 2 && std::fabs(p[1] - y) < 1e-15 && std::fabs(p[0] - (1 - y)) < 1e-15 && std::fabs(p[0] + p[1] - 1) < 1e-15,
          "two classes: --predict prints 1 - y and y, y the network's output (" + python_float(y) + ")");
    check(predicted == (y >= 0.5 ? 1 : 0), "two classes: the class is 1 where y >= 0.5");
}

// A network whose finite weights overflow on an image: --predict stops; no probability is printed.
void test_predict_overflow() {
    std::string s = "MLPMODEL";
    u32(s, 2), u32(s, 10), u32(s, 2), u32(s, 2), u32(s, 1);
    u32(s, 1), u32(s, 4), s += "relu";
    for (int i = 0; i < 4; ++i) f64(s, 1e300);
    f64(s, 0);
    for (int j = 0; j < 10; ++j) f64(s, j % 2 ? 1e300 : -1e300);
    for (int j = 0; j < 10; ++j) f64(s, 0);
    u32(s, crc32_bitwise(s));
    const std::string path = scratch_folder() + "/huge.model", image = scratch_folder() + "/white.pgm";
    write_file(path, s);
    write_file(image, "P2\n2 2\n1\n1 1\n1 1\n");
    std::string message;
    try {
        deep_mlp_prints({"--load", path, "--predict", image});
    } catch (const UserError& e) {
        message = e.exit_code == 1 ? e.what() : "";
    }
    check(message.find("not finite numbers") != std::string::npos, "--predict with outputs that overflow stops (got '" + message + "')");
}

// Networks of 1, 2 and 3 hidden layers, of every activation: saved and loaded, the same bits.
void test_round_trips() {
    NumpyRandomState rng(9);
    const std::vector<const Activation*> all = [] {
        std::vector<const Activation*> a;
        for (const Activation& act : activations()) a.push_back(&act);
        return a;
    }();
    for (size_t k = 1; k <= 3; ++k) {
        std::vector<size_t> hidden;
        std::vector<const Activation*> phi;
        for (size_t l = 0; l < k; ++l) hidden.push_back(3 + l), phi.push_back(all[(k + l) % all.size()]);
        for (int classes : {2, 10}) {
            Network net = make_network(6, hidden, phi, classes, InitRule{InitRule::fixed, 0.3}, rng);
            for (Layer& layer : net.layers)
                for (double& b : layer.b.data) b = rng.randn();
            const std::string path = scratch_folder() + "/round.model";
            write_model_file(path, deep_mlp::model_of(net, 2, 3));
            const Network back = deep_mlp::network_of(read_model_file(path), path);
            bool same = back.classes == classes && back.layers.size() == net.layers.size();
            for (size_t l = 0; same && l < net.layers.size(); ++l)
                same = back.layers[l].W.data == net.layers[l].W.data && back.layers[l].b.data == net.layers[l].b.data &&
                       back.layers[l].phi == net.layers[l].phi && back.layers[l].W.rows == net.layers[l].W.rows;
            check(same, "k = " + std::to_string(k) + ", " + std::to_string(classes) + " classes: saved and loaded, the same network");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The report page on a test set made up here: 12 images of 2x2 pixels, ten classes.

std::vector<std::string> matches(const std::string& text, const std::string& pattern) {
    std::vector<std::string> found;
    const std::regex re(pattern);
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) found.push_back((*it)[1].str());
    return found;
}

void test_report_values() {
    const std::vector<int> labels = {3, 3, 7, 0, 1, 3, 9, 9, 2, 0, 7, 3};
    const std::vector<int> classes = {3, 5, 7, 0, 7, 3, 9, 4, 2, 0, 1, 3};  // what the "network" says
    const size_t n = labels.size();
    Matrix images(n, 4), outputs(n, 10), label_column(n, 1);
    for (size_t i = 0; i < n; ++i) {
        for (size_t j = 0; j < 4; ++j) images(i, j) = static_cast<double>((i + j) % 3) / 2;
        for (size_t c = 0; c < 10; ++c) outputs(i, c) = c == static_cast<size_t>(classes[i]) ? 0.55 : 0.05;
        label_column(i, 0) = labels[i];
    }
    const SparseMatrix sparse(images);
    ReportNetwork net;
    net.classes = 10;
    net.layers = {{Matrix(4, 10, 0.1), Matrix(1, 10), "softmax", "(z) => z", ""}};
    ReportRun run;
    run.program = "./deep_mlp";
    const std::string page = report_html(net, run, report_test_set(sparse, label_column, outputs));

    // The confusion matrix, written out here: cell (label, class) counts those pairs.
    std::vector<int> want(100, 0);
    for (size_t i = 0; i < n; ++i) ++want[static_cast<size_t>(10 * labels[i] + classes[i])];
    const size_t table = page.find("<table id=\"confusion\"");
    const std::vector<std::string> cells = matches(page.substr(table, page.find("</table>", table) - table), "<td[^>]*>([0-9]+)</td>");
    bool same = cells.size() == 10 * 11;  // per row: ten class cells, then the row's total
    for (size_t t = 0; same && t < 10; ++t)
        for (size_t c = 0; c < 10; ++c) same = same && std::stoi(cells[11 * t + c]) == want[10 * t + c];
    check(same, "each confusion matrix cell counts its (label, class) pairs");
    bool totals = cells.size() == 110;
    for (size_t t = 0; totals && t < 10; ++t)
        totals = std::stoi(cells[11 * t + 10]) == static_cast<int>(std::count(labels.begin(), labels.end(), static_cast<int>(t)));
    check(totals, "each row's total is the number of test images of that label");

    // The mistakes: images 1, 4, 7 and 10, each with its label and class.
    const std::vector<std::string> shown = matches(page, "<div class=\"mistake\" title=\"test image ([0-9]+);");
    const std::vector<std::string> pairs = matches(page, "\">([0-9] &rarr; <b>[0-9])</b>");
    check(shown == std::vector<std::string>({"1", "4", "7", "10"}), "the mistakes shown are exactly the images labelled otherwise");
    check(pairs == std::vector<std::string>({"3 &rarr; <b>5", "1 &rarr; <b>7", "9 &rarr; <b>4", "7 &rarr; <b>1"}),
          "each mistake shows its label and the network's class");
    check(page.find(">66.66666666666666%<") != std::string::npos, "the accuracy, 8 of 12: Python's 8 / 12 * 100, 66.66666666666666%");
}

// The plot: points (70 + 910 e / (E - 1), y) for epoch e of E, and a larger loss drawn higher.
void test_plot_points() {
    const std::string svg = loss_plot_svg({3.0, 1.0, 2.0, 0.5});
    const std::vector<std::string> lines = matches(svg, "stroke=\"#1f77b4\" stroke-width=\"2\" points=\"([^\"]*)\"");
    std::vector<double> x, y;
    if (lines.size() == 1) {
        std::istringstream points(lines[0]);
        for (std::string p; points >> p;) x.push_back(std::stod(p)), y.push_back(std::stod(p.substr(p.find(',') + 1)));
    }
    check(x.size() == 4 && x[0] == 70 && std::fabs(x[1] - (70 + 910.0 / 3)) < 0.01 && std::fabs(x[2] - (70 + 2 * 910.0 / 3)) < 0.01 &&
              x[3] == 980,
          "the loss curve: one point per epoch, at x = 70 + 910 e / (E - 1)");
    check(y.size() == 4 && y[0] < y[2] && y[2] < y[1] && y[1] < y[3], "the loss curve: a larger loss higher on the page, in the losses' order");
}

// Outputs that are not finite numbers: no accuracy, no page (a page's JSON cannot hold NaN).
void test_not_finite() {
    if (!std::filesystem::exists("data/train-images-idx3-ubyte")) {
        check(false, "data/ has no MNIST (run make data)");
        return;
    }
    const std::string out = scratch_folder() + "/nan_out";
    bool stopped = false;
    try {
        deep_mlp_prints({"--epochs", "0", "--init", "1e300", "--act", "relu", "--limit", "10", "--out", out});
    } catch (const UserError& e) {
        stopped = e.exit_code == 1 && std::string(e.what()).find("not finite") != std::string::npos;
    }
    check(stopped && !std::filesystem::exists(out + "/report.html"),
          "--epochs 0 with outputs that overflow stops with a message, and writes no page");
}

// ---------------------------------------------------------------------------------------------
// The terminal. A progress line (program/progress.hpp) ends with no newline: whatever is printed
// next, on stdout or stderr, must start a line of its own, after the line is erased ("\r" ESC [K),
// not be glued to its end ("...about 3s leftdeep_mlp: exercise (f), ..."). On a pseudo-terminal
// made here, standing for stdout and stderr: a progress line, an epoch's line, the progress again,
// then the error line run_program() ends a run with.
std::string on_a_terminal(const std::function<void()>& print) {
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || ::grantpt(master) != 0 || ::unlockpt(master) != 0) return "no pseudo-terminal";
    const int terminal = ::open(::ptsname(master), O_RDWR | O_NOCTTY);
    std::fflush(stdout);
    const int saved_out = ::dup(STDOUT_FILENO), saved_err = ::dup(STDERR_FILENO);
    ::dup2(terminal, STDOUT_FILENO), ::dup2(terminal, STDERR_FILENO);
    print();
    std::fflush(stdout);
    ::dup2(saved_out, STDOUT_FILENO), ::dup2(saved_err, STDERR_FILENO);
    ::close(saved_out), ::close(saved_err), ::close(terminal);
    ::fcntl(master, F_SETFL, O_NONBLOCK);
    std::string screen;
    char buffer[4096];
    for (ssize_t n; (n = ::read(master, buffer, sizeof buffer)) > 0;) screen.append(buffer, static_cast<size_t>(n));
    ::close(master);
    return screen;
}

void test_progress_line_erased() {
    const std::string screen = on_a_terminal([] {
        cli_detail::checked_stdout();
        Progress progress("test", 3, 10, 0.0);  // no quiet start: shown at the first step
        progress.step(1.0, 1);
        std::cout << "Epoch 0, Loss: 1.0" << std::endl;
        std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past the tenth of a second between two
        progress.step(1.0, 1);
        run_program("test", []() -> int { throw UserError("an error", 1); });
    });
    if (screen == "no pseudo-terminal") {
        std::printf("SKIPPED: no pseudo-terminal (posix_openpt) for the progress-line case\n");
        return;
    }
    const std::string erase = "\r\033[K";
    const size_t shown = screen.find("left\033[K"), epoch = screen.find("Epoch 0"), error = screen.find("test: an error");
    check(shown != std::string::npos && epoch != std::string::npos && error != std::string::npos &&
              screen.find("left\033[K", epoch) < error,
          "on a terminal: the progress line, an epoch's line, the progress line again and an error were all printed");
    check(epoch >= erase.size() && screen.compare(epoch - erase.size(), erase.size(), erase) == 0,
          "on a terminal, the progress line is erased before an epoch's line on stdout");
    check(error >= erase.size() && screen.compare(error - erase.size(), erase.size(), erase) == 0,
          "on a terminal, the progress line is erased before the error line");
}

}  // namespace

int main() {
    try {
        test_model_file_by_hand();
        test_two_class_predict();
        test_predict_overflow();
        test_round_trips();
        test_report_values();
        test_plot_points();
        test_not_finite();
        test_progress_line_erased();
    } catch (const std::exception& e) {
        check(false, std::string("an exception: ") + e.what());
    }
    std::filesystem::remove_all(scratch_folder());
    return report("test_files");
}
