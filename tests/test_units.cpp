// tests/test_units.cpp: the pieces mlp.cpp stands on, each checked against an outside truth:
// numpy's random draws (tests/numpy_random.md), numpy's sums and Python's float printing
// (values printed by numpy 1.24 / Python 3.11), the naive matmul as the reference for the fast one,
// IDX files this test writes itself, and the SVG parsed as XML.
#define MLP_NO_MAIN
#include "mlp.cpp"

#include <cstdio>

#include "tests/check.hpp"
#include <cstring>
#include <fstream>
#include <random>
#include <thread>
#ifdef _OPENMP
#include <omp.h>
#endif

namespace {


// Python's repr of a double, to compare with numpy's printed values.
std::string repr(double x) { return python_float(x); }

// ---------------------------------------------------------------------------------------------
void test_numpy_random() {
    {
        NumpyRandomState rng(0);
        const double expected[] = {1.764052345967664, 0.40015720836722329, 0.9787379841057392,
                                   2.2408931992014578, 1.8675579901499675, -0.97727787987641102};
        for (double e : expected) check(rng.randn() == e, "seed 0 randn() == " + repr(e));
    }
    {
        NumpyRandomState rng(1);
        for (double e : {1.6243453636632417, -0.61175641365007538, -0.5281717522634557})
            check(rng.randn() == e, "seed 1 randn() == " + repr(e));
    }
    {
        NumpyRandomState rng(0);
        for (double e : {0.54881350392732475, 0.71518936637241948, 0.60276337607164387})
            check(rng.random_sample() == e, "seed 0 random_sample() == " + repr(e));
    }
    {
        const Params p = init_params(784, 64, 1, 0);
        check(p.W_1(0, 0) == 0.17640523459676641 && p.W_1(0, 1) == 0.040015720836722335 &&
                  p.W_1(0, 2) == 0.09787379841057392,
              "seed 0 W_1[0, 0..2]");
        check(p.W_1(783, 63) == 0.04160916629297233, "seed 0 W_1[783, 63]");
        check(p.W_2(0, 0) == 0.097427400381947762, "seed 0 W_2[0, 0]");
        check(p.W_2(63, 0) == 0.17133400891193215, "seed 0 W_2[63, 0]");
        check(p.b_1.size() == 64 && p.b_2.size() == 1 && p.b_1(0, 5) == 0.0, "biases start at zero");
    }
    {
        const auto perm = NumpyRandomState(42).permutation(14780);
        const uint32_t first[] = {10387, 12007, 3774, 6551, 9542};
        check(std::equal(first, first + 5, perm.begin()), "RandomState(42).permutation(14780) first five");
        check(perm[14777] == 5390 && perm[14778] == 860 && perm[14779] == 7270,
              "RandomState(42).permutation(14780) last three");
        // train_test_split: the training rows start after the 2956 test rows.
        const uint32_t train_first[] = {4462, 11802, 5826, 9745, 11741};
        check(std::equal(train_first, train_first + 5, perm.begin() + 2956), "first five training rows");
    }
    {
        const auto perm = NumpyRandomState(7).permutation(10);
        const uint32_t expected[] = {8, 5, 0, 2, 1, 9, 7, 3, 6, 4};
        check(std::equal(expected, expected + 10, perm.begin()), "RandomState(7).permutation(10)");
    }
    {   // dropout's masks: one word drawn first, so that 2,000 draws (4,000 words, six twists) have
        // draws whose two words straddle a twist.
        NumpyRandomState rng(3);
        rng.permutation(2);
        std::vector<double> keep(2000);
        rng.random_sample_at_least(0.4, keep.data(), keep.size());
        size_t ones = 0, weighted = 0;
        std::vector<size_t> zeros;
        for (size_t i = 0; i < keep.size(); ++i) {
            check(keep[i] == 0.0 || keep[i] == 1.0, "random_sample_at_least gives 0.0 or 1.0");
            if (keep[i] == 1.0) ones += 1, weighted += i;
            else zeros.push_back(i);
        }
        check(ones == 1206 && weighted == 1186871, "seed 3, permutation(2), random_sample(2000) >= 0.4: 1206 ones");
        const size_t first[] = {0, 2, 5, 6, 7}, last[] = {1993, 1994, 1996};
        check(zeros.size() == 794 && std::equal(first, first + 5, zeros.begin()) &&
                  std::equal(last, last + 3, zeros.end() - 3),
              "seed 3, random_sample(2000) >= 0.4: the first and last zeros");
        std::vector<double> all(700);
        NumpyRandomState(0).random_sample_at_least(0.0, all.data(), all.size());
        check(std::count(all.begin(), all.end(), 1.0) == 700, "random_sample(700) >= 0 keeps all");
    }
}

// ---------------------------------------------------------------------------------------------
void test_python_float() {
    const struct { double x; const char* python; } cases[] = {
        {0.7924556535767249, "0.7924556535767249"}, {99.86468200270636, "99.86468200270636"},
        {1e-05, "1e-05"}, {0.0001, "0.0001"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
        {1234.5, "1234.5"}, {100.0, "100.0"}, {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {123456789012345678.0, "1.2345678901234568e+17"}, {-0.0, "-0.0"},
        {0.1 + 0.2, "0.30000000000000004"}, {2.5e-7, "2.5e-07"}, {-3e20, "-3e+20"},
        {NAN, "nan"}, {INFINITY, "inf"},
    };
    for (const auto& c : cases)
        check(python_float(c.x) == c.python,
              std::string("python_float -> ") + c.python + " (got " + python_float(c.x) + ")");
}

// numpy's np.sum over the same data (hex floats printed by numpy 1.24): a plain left-to-right
// sum differs in the last bits, so these pin numpy_sum to numpy's algorithm.
void test_numpy_sum() {
    std::vector<double> b(11824);
    for (size_t i = 0; i < b.size(); ++i) b[i] = (static_cast<double>((i * 7919) % 1000) - 500) / 7.0;
    check(numpy_sum(b.data(), 11824) == -0x1.940000000000ap+9, "numpy_sum of 11824 == numpy");
    check(numpy_sum(b.data(), 1000) == -0x1.1db6db6db6dc2p+6, "numpy_sum of 1000 == numpy");
    check(numpy_sum(b.data(), 127) == -0x1.4bffffffffffdp+6, "numpy_sum of 127 == numpy");
    check(numpy_sum(b.data(), 5) == 0x1.8a49249249248p+6, "numpy_sum of 5 == numpy");
    double plain = 0;
    for (double v : b) plain += v;
    check(plain != numpy_sum(b.data(), 11824), "the data tells pairwise from plain summation");
}

// ---------------------------------------------------------------------------------------------
// Random matrices with a share of exact zeros, like MNIST images.
Matrix random_matrix(size_t rows, size_t cols, double zero_share, uint32_t seed) {
    NumpyRandomState rng(seed);
    Matrix m(rows, cols);
    for (double& v : m.data) v = rng.random_sample() < zero_share ? 0.0 : rng.randn();
    return m;
}

// The largest |a - b| / max(|a|, |b|) over all elements, and whether the shapes agree.
double max_relative_difference(const Matrix& a, const Matrix& b) {
    if (a.rows != b.rows || a.cols != b.cols) return INFINITY;
    double worst = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double scale = std::max(std::fabs(a.data[i]), std::fabs(b.data[i]));
        if (scale > 0) worst = std::max(worst, std::fabs(a.data[i] - b.data[i]) / scale);
    }
    return worst;
}

// The fast products (matrix/) and the plain ones (matrix.hpp) add in the naive ones' order, so
// they must agree to the bit, with one thread or many. Shapes: tiny, not multiples of the block sizes, and the training shapes.
void test_matmul() {
    struct Shape { size_t n, k, m; double zeros; };
    // Column counts cover every path of the kernels: 64 at a time, 16, 4 and single columns, blocks
    // padded at the right and bottom edges, the ten-class shapes, the sparse product's panels of
    // columns (several, and a last one that takes the tail), empty sums (k = 0) and no rows; and
    // dense products whose A is mostly zeros, which skip them (the record's y_1 W_2 among them).
    const Shape shapes[] = {{1, 1, 1, 0.0},      {2, 3, 1, 0.0},     {7, 5, 3, 0.5},
                            {129, 257, 65, 0.3}, {63, 300, 130, 0.8}, {300, 17, 1, 0.0},
                            {50, 40, 87, 0.6},   {5, 9, 16, 1.0},     {11824, 784, 64, 0.8},
                            {128, 128, 10, 0.0}, {128, 256, 128, 0.0}, {130, 600, 300, 0.5},
                            {40, 50, 1024, 0.8}, {33, 20, 517, 0.5}, {128, 1024, 256, 0.88}, {70, 96, 64, 0.9},
                            {9, 4, 5, 0.0},      {4, 0, 20, 0.0},     {0, 7, 20, 0.0}};
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    for (const Shape& s : shapes) {
        const std::string name = std::to_string(s.n) + "x" + std::to_string(s.k) + "x" + std::to_string(s.m);
        const Matrix A = random_matrix(s.n, s.k, s.zeros, 1);
        const Matrix B = random_matrix(s.k, s.m, 0.0, 2);
        const Matrix D = random_matrix(s.n, s.m, 0.0, 3);   // for A^T D: (k, n)(n, m)
        const Matrix E = random_matrix(s.m, s.k, 0.0, 4);   // for A E^T: (n, k)(k, m)
        const Matrix ref_AB = matmul_naive(A, B), ref_AtD = matmul_AtB_naive(A, D),
                     ref_AEt = matmul_ABt_naive(A, E);
        for (int t : {1, threads}) {
#ifdef _OPENMP
            omp_set_num_threads(t);
#endif
            const std::string tag = name + ", " + std::to_string(t) + " thread(s)";
            check(max_relative_difference(matmul(A, B), ref_AB) == 0.0, "matmul == naive, " + tag);
            check(max_relative_difference(matmul_AtB(A, D), ref_AtD) == 0.0, "matmul_AtB == naive, " + tag);
            check(max_relative_difference(matmul_ABt(A, E), ref_AEt) == 0.0, "matmul_ABt == naive, " + tag);
            const SparseMatrix S(A);  // the same matrix, kept as its nonzero entries
            check(max_relative_difference(matmul(S, B), ref_AB) == 0.0, "sparse matmul == naive, " + tag);
            check(max_relative_difference(matmul_AtB(S, D), ref_AtD) == 0.0, "sparse matmul_AtB == naive, " + tag);
            // matrix.hpp's plain products, which make PLAIN=1 uses (the same here in either build).
            check(max_relative_difference(plain::matmul(A, B), ref_AB) == 0.0, "plain::matmul == naive, " + tag);
            check(max_relative_difference(plain::matmul_AtB(A, D), ref_AtD) == 0.0, "plain::matmul_AtB == naive, " + tag);
            check(max_relative_difference(plain::matmul_ABt(A, E), ref_AEt) == 0.0, "plain::matmul_ABt == naive, " + tag);
            check(max_relative_difference(plain::matmul(S, B), ref_AB) == 0.0, "plain sparse matmul == naive, " + tag);
            check(max_relative_difference(plain::matmul_AtB(S, D), ref_AtD) == 0.0, "plain sparse matmul_AtB == naive, " + tag);
        }
#ifdef _OPENMP
        omp_set_num_threads(threads);
#endif
    }
    {
        const Matrix A = random_matrix(37, 23, 0.7, 9);
        const SparseMatrix S(A);
        check(S.to_dense().data == A.data && S.rows == 37 && S.cols == 23, "SparseMatrix round-trips to dense");
        size_t zeros = 0;
        for (double v : A.data) zeros += v == 0.0;
        check(S.nonzeros() == A.size() - zeros, "SparseMatrix keeps exactly the nonzero entries");
        check(S.column_lists.empty(), "a SparseMatrix is not listed by columns until A^T B asks");
        const Matrix D = random_matrix(37, 5, 0.0, 10);
        const Matrix first = matmul_AtB(S, D), again = matmul_AtB(S, D);
        check(!S.column_lists.empty() && S.by_columns().size() == 1 && first.data == again.data &&
                  max_relative_difference(first, matmul_AtB_naive(A, D)) == 0.0,
              "its lists by columns, made by the first A^T B, serve the second");
        const SparseMatrix copy = S;
        check(copy.column_lists.empty() && matmul_AtB(copy, D).data == first.data,
              "a copy makes its own lists by columns, with the same product");
    }
    {
        // Two threads asking one fresh matrix for A^T B at once: one makes the lists by columns (4
        // tiles), the other waits for them; both products are the naive loop's, every time.
        const Matrix A = random_matrix(3500, 40, 0.8, 11), D = random_matrix(3500, 8, 0.0, 12);
        const Matrix expected = matmul_AtB_naive(A, D);
        bool all_equal = true;
        for (int attempt = 0; attempt < 20; ++attempt) {
            const SparseMatrix S(A);
            Matrix in_thread, here;
            std::thread other([&] { in_thread = matmul_AtB(S, D); });
            here = matmul_AtB(S, D);
            other.join();
            all_equal = all_equal && in_thread.data == expected.data && here.data == expected.data;
        }
        check(all_equal, "two threads' first A^T B on one SparseMatrix: both the naive loop's sums");
        // Making the lists runs out of memory: none are kept, and the next ask makes them.
        MadeOnce<std::vector<SparseMatrix::ColumnTile>> lists;
        bool threw = false;
        try {
            lists.get([]() -> std::vector<SparseMatrix::ColumnTile> { throw std::bad_alloc(); });
        } catch (const std::bad_alloc&) {
            threw = true;
        }
        const bool none_kept = lists.empty();
        const size_t made = lists.get([] { return std::vector<SparseMatrix::ColumnTile>(3); }).size();
        check(threw && none_kept && made == 3 && !lists.empty(),
              "lists by columns that fail to be made (out of memory) are not kept; the next ask makes them");
    }
#ifndef LARGE_PAGES_OFF
    {
        // program/large_pages.hpp: a block of 2 MB or more starts on a 2 MB boundary; a block no
        // system can give ends in std::bad_alloc, as operator new must.
        std::vector<double> big(300000), small(1000);
        check(reinterpret_cast<uintptr_t>(big.data()) % (2u << 20) == 0 && small.size() == 1000,
              "operator new gives a 2.4 MB block a 2 MB boundary (large pages)");
        bool refused = false;
        try {
            void* p = ::operator new(std::numeric_limits<size_t>::max() / 2);
            ::operator delete(p);
        } catch (const std::bad_alloc&) {
            refused = true;
        }
        check(refused, "operator new of 2^63 bytes throws std::bad_alloc");
        // A Matrix asks for its elements on a cache line (matrix/aligned.hpp): its big blocks take the same
        // large pages, or reading the ten-class data faults on every 4 KB page (load stage 0.1 -> 0.2 s).
        const Matrix big_matrix = Matrix::uninitialized(1000, 300);
        check(reinterpret_cast<uintptr_t>(big_matrix.data.data()) % (2u << 20) == 0,
              "a 2.4 MB Matrix starts on a 2 MB boundary (large pages, operator new with an alignment)");
        refused = false;
        try {
            void* p = ::operator new(std::numeric_limits<size_t>::max() / 2, std::align_val_t(64));
            ::operator delete(p, std::align_val_t(64));
        } catch (const std::bad_alloc&) {
            refused = true;
        }
        check(refused, "operator new of 2^63 bytes on a 64-byte boundary throws std::bad_alloc");
    }
#endif
    {
        // matrix/aligned.hpp: a Matrix's elements start a 64-byte cache line, whatever its size and however
        // made (malloc alone gives 16: some of these would start mid-line).
        std::vector<Matrix> ms;
        for (size_t n = 1; n <= 24; ++n) ms.push_back(n % 2 ? Matrix(n, 3) : Matrix::uninitialized(3, n));
        ms.push_back(ms[5]);  // a copy
        bool on_lines = true;
        for (const Matrix& m : ms) on_lines = on_lines && reinterpret_cast<uintptr_t>(m.data.data()) % 64 == 0;
        check(on_lines, "every Matrix's elements start on a 64-byte boundary (25 matrices, copies included)");
    }
    // Hand-computed products, so that the references themselves are checked: A B, A^T D, A E^T.
    Matrix A(2, 3), B(3, 2), D(2, 2), E(2, 3);
    A.data = {1, 2, 3, 4, 5, 6};
    B.data = {7, 8, 9, 10, 11, 12};
    D.data = {1, -1, 2, 0.5};
    E.data = {0, 1, -1, 2, 0.5, 3};
    auto values = [](const Matrix& m) { return std::vector<double>(m.data.begin(), m.data.end()); };
    check(values(matmul_naive(A, B)) == std::vector<double>({58, 64, 139, 154}), "naive [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]]");
    // A^T D: column k of A against the columns of D: (1 + 8, -1 + 2), (2 + 10, -2 + 2.5), (3 + 12, -3 + 3)
    check(values(matmul_AtB_naive(A, D)) == std::vector<double>({9, 1, 12, 0.5, 15, 0}), "naive A^T D, by hand");
    // A E^T: the rows of A against the rows of E: (2 - 3, 2 + 1 + 9), (5 - 6, 8 + 2.5 + 18)
    check(values(matmul_ABt_naive(A, E)) == std::vector<double>({-1, 12, -1, 28.5}), "naive A E^T, by hand");
    check(values(matmul(A, B)) == values(matmul_naive(A, B)), "the fast A B on the hand-computed case");
    bool threw = false;
    try {
        matmul(A, A);
    } catch (const std::invalid_argument& e) {
        threw = std::string(e.what()).find("(2, 3)") != std::string::npos;
    }
    check(threw, "matmul of (2, 3) and (2, 3) throws, naming the shapes");
}

// ---------------------------------------------------------------------------------------------
void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> idx_header(uint8_t type, std::vector<uint32_t> dims) {
    std::vector<uint8_t> h = {0, 0, type, static_cast<uint8_t>(dims.size())};
    for (uint32_t d : dims)
        for (int shift : {24, 16, 8, 0}) h.push_back(static_cast<uint8_t>(d >> shift));
    return h;
}

std::string temp_dir() {
    const std::string dir = (std::filesystem::temp_directory_path() / "mlp_test_units").string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

void test_idx_round_trip() {
    const std::string dir = temp_dir();
    std::vector<uint8_t> images = idx_header(0x08, {3, 2, 4});
    for (int i = 0; i < 24; ++i) images.push_back(static_cast<uint8_t>(i * 10));
    std::vector<uint8_t> labels = idx_header(0x08, {3});
    for (uint8_t l : {7, 0, 1}) labels.push_back(l);
    // One file in each of the two spellings MNIST circulates under.
    write_bytes(dir + "/train-images-idx3-ubyte", images);
    write_bytes(dir + "/train-labels.idx1-ubyte", labels);

    check(find_idx_file(dir, "train-images-idx3-ubyte") == dir + "/train-images-idx3-ubyte", "finds -idx3 spelling");
    check(find_idx_file(dir, "train-labels-idx1-ubyte") == dir + "/train-labels.idx1-ubyte", "finds .idx1 spelling");
    const IdxImages im = read_idx_images(find_idx_file(dir, "train-images-idx3-ubyte"));
    check(im.count == 3 && im.rows == 2 && im.cols == 4, "images header read back");
    bool same = im.pixels.size() == 24;
    for (size_t i = 0; same && i < 24; ++i) same = im.pixels[i] == i * 10;
    check(same, "image pixels read back in order");
    const auto lab = read_idx_labels(find_idx_file(dir, "train-labels-idx1-ubyte"));
    check(lab == std::vector<uint8_t>({7, 0, 1}), "labels read back in order");
    std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// A minimal XML well-formedness check: every tag closes in order, attributes are quoted, no stray
// '<' or '&' in text. Enough to catch a broken SVG writer.
bool well_formed_xml(const std::string& s, std::string& why) {
    std::vector<std::string> open;
    size_t i = 0;
    auto fail = [&](const std::string& w) { why = w + " at byte " + std::to_string(i); return false; };
    while (i < s.size()) {
        if (s[i] == '&') {
            const size_t semi = s.find(';', i);
            if (semi == std::string::npos || semi - i > 10) return fail("bare '&'");
            i = semi + 1;
            continue;
        }
        if (s[i] != '<') { ++i; continue; }
        const size_t close = s.find('>', i);
        if (close == std::string::npos) return fail("unclosed '<'");
        std::string tag = s.substr(i + 1, close - i - 1);
        if (tag.find('<') != std::string::npos) return fail("'<' inside a tag");
        if (!tag.empty() && tag[0] == '?') { i = close + 1; continue; }
        if (!tag.empty() && tag[0] == '/') {
            const std::string name = tag.substr(1);
            if (open.empty() || open.back() != name) return fail("mismatched </" + name + ">");
            open.pop_back();
        } else {
            const bool self_closing = !tag.empty() && tag.back() == '/';
            const std::string name = tag.substr(0, tag.find_first_of(" \n/"));
            if (name.empty()) return fail("empty tag");
            size_t quotes = std::count(tag.begin(), tag.end(), '"');
            if (quotes % 2) return fail("unbalanced quotes in <" + name + ">");
            if (!self_closing) open.push_back(name);
        }
        i = close + 1;
    }
    if (!open.empty()) { why = "<" + open.back() + "> never closed"; return false; }
    return true;
}

void test_svg_and_csv() {
    std::vector<double> losses = {0.79, 1.19, 2.68, 0.66, 0.34, 0.13, 0.1, 0.08};
    for (const auto& l : {losses, std::vector<double>{0.5}, std::vector<double>{}}) {
        const std::string svg = loss_plot_svg(l);
        std::string why;
        check(well_formed_xml(svg, why), "loss_plot_svg is well-formed XML (" + why + ")");
        check(svg.find("<svg") != std::string::npos && svg.find("<polyline") != std::string::npos,
              "the SVG has a root and a curve");
        check(svg.find("nan") == std::string::npos && svg.find("inf") == std::string::npos,
              "no nan or inf coordinates (" + std::to_string(l.size()) + " losses)");
    }
    const std::string svg = loss_plot_svg(losses);
    check(svg.find("Evolución de la pérdida durante entrenamiento") != std::string::npos, "the notes' title");
    check(svg.find(">Epoch<") != std::string::npos && svg.find(">Loss<") != std::string::npos, "axis labels");
    std::string bad;
    check(!well_formed_xml("<svg><g></svg>", bad), "the XML check itself rejects a broken file");
    check(losses_csv({0.5, 0.25}) == "epoch,loss\n0,0.5\n1,0.25\n", "losses_csv");
}

// No loss history can make the plot loop, grow, or print nan: flat histories (--lr 3e-20 once hung
// the tick loop), values one ulp apart, subnormal, huge and mixed-sign values, and thousands of
// random bit patterns. Each SVG must be well-formed, finite, and its size bounded by the points.
void test_svg_extremes() {
    const double big = std::numeric_limits<double>::max(), tiny = std::numeric_limits<double>::denorm_min();
    std::vector<std::vector<double>> cases = {
        {0.7924556535767249, 0.7924556535767248}, {1e300, std::nextafter(1e300, 2e300)},
        {0.0, tiny}, {tiny, 2 * tiny}, {-big, big}, {big, big}, {0.0, big}, {-big, -big},
        {1e-310, 1e-309, 1e-308}, {NAN, 0.5}, {INFINITY, -INFINITY, NAN}, {3e-20, 3e-20, 3e-20},
        {-0.0, 0.0}, {5e-324, -5e-324}, {1.0, 1.0 + 1e-15, 1.0 - 1e-15},
    };
    NumpyRandomState rng(5);
    for (int i = 0; i < 3000; ++i) {  // random doubles from their bit patterns: every exponent
        std::vector<double> losses(1 + i % 4);
        for (double& v : losses) {
            const uint64_t bits = (uint64_t(rng.random_sample() * 4294967296.0) << 32) |
                                  uint64_t(rng.random_sample() * 4294967296.0);
            std::memcpy(&v, &bits, sizeof v);
        }
        cases.push_back(losses);
    }
    size_t bad = 0;
    std::string first_bad;
    for (const auto& losses : cases) {
        const std::string svg = loss_plot_svg(losses);
        std::string why;
        const bool ok = well_formed_xml(svg, why) && svg.find("nan") == std::string::npos &&
                        svg.find("inf") == std::string::npos && svg.size() < 6000 + 40 * losses.size() &&
                        std::count(svg.begin(), svg.end(), '\n') <= 60;
        if (!ok && bad++ == 0) first_bad = repr(losses[0]) + (losses.size() > 1 ? ", " + repr(losses[1]) : "");
    }
    check(bad == 0, "loss_plot_svg is finite, well-formed and small for extreme values (" +
                        std::to_string(bad) + " bad, first: " + first_bad + ")");
    // A long history: one point per epoch, still 12 ticks at most on each axis.
    std::vector<double> long_history(100000);
    for (size_t e = 0; e < long_history.size(); ++e) long_history[e] = 1.0 / static_cast<double>(e + 1);
    const std::string svg = loss_plot_svg(long_history);
    check(svg.size() < 6000 + 40 * long_history.size() && std::count(svg.begin(), svg.end(), '\n') <= 60,
          "loss_plot_svg of 100000 epochs is bounded (" + std::to_string(svg.size()) + " bytes)");
}

// ---------------------------------------------------------------------------------------------
// ./mlp's flags over hundreds of generated argument lists (fuzz/fuzz_args.cpp does the same with
// libFuzzer): every list either parses into values in range, asks for help, or is refused with a
// one-line message and exit code 2. Never another exception, a crash or an exit.
void test_generated_arguments() {
    const std::vector<std::string> tokens = {
        "--data", "--out", "--seed", "--epochs", "--lr", "--hidden", "--help", "-h", "--help=x", "--lr=",
        "--epochs=5", "--seed=-1", "--bogus", "--", "-", "", " ", " 5", "5 ", "0", "1", "-1", "30", "4096",
        "4097", "1e-4", "1e400", "1e-320", "-1e400", "nan", "inf", "-inf", "0x10", "1.5", "abc", "a\nb",
        "4294967295", "4294967296", "99999999999999999999", "-0", "+3", "1e308", "2.2250738585072014e-308",
        std::string(300, 'x'), std::string("\x01\x7f", 2), "=", "--=", "--data=", "--out=o"};
    NumpyRandomState rng(11);
    size_t parsed = 0, refused = 0, helped = 0, wrong = 0;
    std::string first_wrong;
    for (int i = 0; i < 1000; ++i) {
        std::vector<std::string> args = {"./mlp"};
        const int count = static_cast<int>(rng.random_sample() * 7);
        for (int a = 0; a < count; ++a) args.push_back(tokens[size_t(rng.random_sample() * tokens.size())]);
        std::vector<char*> argv;
        for (std::string& a : args) argv.push_back(a.data());
        std::string problem;
        try {
            const Options o = parse_args(static_cast<int>(argv.size()), argv.data());
            ++parsed;
            if (o.epochs < 1 || o.epochs > 1000000 || o.hidden < 1 || o.hidden > 4096 ||
                !(o.learning_rate >= DBL_MIN && o.learning_rate <= DBL_MAX) || o.data_dir.empty() || o.out_dir.empty())
                problem = "values out of range";
        } catch (const HelpRequested&) {
            ++helped;
        } catch (const UserError& e) {
            ++refused;
            const std::string m = e.what();
            if (e.exit_code != 2 || m.find('\n') != std::string::npos || m.size() > 600) problem = "bad message: " + m;
        }
        if (!problem.empty() && wrong++ == 0) first_wrong = problem;
    }
    check(wrong == 0 && parsed > 0 && refused > 0 && helped > 0,
          "1000 generated argument lists: " + std::to_string(parsed) + " parsed, " + std::to_string(refused) +
              " refused, " + std::to_string(helped) + " help, " + std::to_string(wrong) + " wrong " + first_wrong);
}

// ---------------------------------------------------------------------------------------------
void test_loss_stays_finite() {
    // z_2 = +-40 makes y_2 round to exactly 1 or nearly 0: numpy's form would give log(0).
    Matrix z_2(2, 1), y(2, 1);
    z_2.data = {40.0, -800.0};
    y.data = {0.0, 1.0};
    const Matrix y_2 = sigmoid_forward(z_2);
    check(y_2(0, 0) == 1.0 && y_2(1, 0) == 0.0, "the sigmoid saturates at z = 40 and -800");
    const double L = bce_loss_sum(y_2, z_2, y);
    check(std::isfinite(L) && std::fabs(L - 840.0) < 1e-9, "saturated loss is finite: 40 + 800 (got " + repr(L) + ")");
    // In the normal range the loss is numpy's expression, term for term.
    z_2.data = {0.3, -1.2};
    const Matrix p = sigmoid_forward(z_2);
    const double numpy_form = -((0.0 * std::log(p(0, 0)) + 1.0 * std::log(1 - p(0, 0))) +
                                (1.0 * std::log(p(1, 0)) + 0.0 * std::log(1 - p(1, 0))));
    check(bce_loss_sum(p, z_2, y) == numpy_form, "unsaturated loss equals numpy's expression");
}

// set_flush_denormals(): on, a kernel's threads (and this one) read a denormal as 0 and write 0 in
// its place; off, IEEE's denormals again.
void test_flush_denormals() {
    volatile double smallest_normal = 2.2250738585072014e-308;
    const double half = smallest_normal * 0.5;  // a denormal, made with flushing off
    check(half > 0 && half < smallest_normal, "flushing is off by default: DBL_MIN / 2 is a denormal");
    const size_t parts = 8;  // ranges of element-wise work, shared out between every thread there is
    auto on_every_thread = [&](double (*compute)(double, double)) {
        std::vector<double> results(parts, -1.0);
        in_ranges(parts, size_t(1) << 30, [&](size_t first, size_t last) {
            for (size_t p = first; p < last; ++p) results[p] = compute(smallest_normal, half);
        });
        results.push_back(compute(smallest_normal, half));  // the calling thread
        return results;
    };
    // (Through volatile factors: the compiler, which assumes IEEE's mode, would fold x * 1 into x.)
    auto made = [](double normal, double) { volatile double half_factor = 0.5; return normal * half_factor; };  // writes a denormal
    auto read = [](double, double denormal) { volatile double one = 1.0; return denormal * one; };              // reads one
    set_flush_denormals(true);
    const std::vector<double> made_on = on_every_thread(made), read_on = on_every_thread(read);
    set_flush_denormals(false);
    const std::vector<double> made_off = on_every_thread(made), read_off = on_every_thread(read);
    auto all = [](const std::vector<double>& v, double x) { return std::all_of(v.begin(), v.end(), [x](double e) { return e == x; }); };
    if (can_flush_denormals()) {
        check(all(made_on, 0.0) && all(read_on, 0.0), "flushing on: DBL_MIN * 0.5 and a denormal * 1 are 0 on all threads");
    } else {
        check(all(made_on, half) && all(read_on, half), "no flush mode known for this CPU: denormals are kept");
    }
    check(all(made_off, half) && all(read_off, half), "flushing off again: denormals on every thread");
}

}  // namespace

int main() {
    test_numpy_random();
    test_python_float();
    test_numpy_sum();
    test_matmul();
    test_idx_round_trip();
    test_svg_and_csv();
    test_svg_extremes();
    test_generated_arguments();
    test_loss_stays_finite();
    test_flush_denormals();
    return report("test_units");
}
