// exercises/saved_networks.hpp: ./deep_mlp's network in a model file and back (--save, --load), a
// digit classified from a PGM image (--predict), and the checks that keep --save from writing over
// what the run reads or writes. program/model_file.hpp knows the file format; this knows the Network.
#pragma once

#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "../program/model_file.hpp"
#include "../program/pgm_image.hpp"
#include "deep_mlp_options.hpp"
#include "network.hpp"

namespace deep_mlp {

// The network as plain numbers, each hidden layer's activation by its name.
inline ModelData model_of(const Network& net, uint32_t rows, uint32_t cols) {
    ModelData m;
    m.classes = net.classes, m.rows = rows, m.cols = cols;
    for (const Layer& layer : net.layers)
        m.layers.push_back({layer.W.rows, layer.W.cols, layer.phi ? layer.phi->name : net.output->name,
                            {layer.W.data.begin(), layer.W.data.end()}, {layer.b.data.begin(), layer.b.data.end()}});
    return m;
}

// The Network for the report page (program/report_html.hpp): each layer's weights, and its activation's
// name and JavaScript from the registries.
inline ReportNetwork network_description(const Network& net) {
    ReportNetwork d;
    d.classes = net.classes;
    for (const auto& layer : net.layers)
        d.layers.push_back({layer.W, layer.b, layer.phi ? layer.phi->name : net.output->name,
                            layer.phi ? elementwise_javascript(layer.phi->javascript) : net.output->javascript(),
                            layer.phi ? layer.phi->javascript_prime : ""});
    return d;
}

// A model file's layers as a Network (its activations checked against the registered ones).
inline Network network_of(const ModelData& m, const std::string& file) {
    Network net;
    net.classes = m.classes;
    net.output = &output_layer_for(m.classes);  // model_file.hpp checked that the last layer is its
    for (size_t l = 0; l < m.layers.size(); ++l) {
        const ModelLayer& ml = m.layers[l];
        Layer layer;
        layer.W = Matrix(ml.inputs, ml.outputs);
        layer.W.data.assign(ml.W.begin(), ml.W.end());
        layer.b = Matrix(1, ml.outputs);
        layer.b.data.assign(ml.b.begin(), ml.b.end());
        if (l + 1 < m.layers.size()) {
            layer.phi = find_activation(ml.activation);
            if (!layer.phi)
                throw UserError(file + ": hidden layer " + std::to_string(l + 1) + " uses the activation '" +
                                    printable(ml.activation) + "', which this program does not have (it has " +
                                    activation_names() + ")", 1);
        }
        net.layers.push_back(std::move(layer));
    }
    return net;
}

// "784 -> 64 sigmoid -> 1 sigmoid"
inline std::string architecture(const ModelData& m) {
    std::string a = std::to_string(m.layers.empty() ? 0 : m.layers[0].inputs);
    for (const ModelLayer& l : m.layers) a += " -> " + std::to_string(l.outputs) + " " + l.activation;
    return a;
}

// --load: the model's architecture wins; --hidden, --act and --classes may only repeat it.
inline void adopt_architecture(Options& o, const ModelData& m) {
    std::vector<size_t> hidden;
    std::vector<std::string> acts;
    for (size_t l = 0; l + 1 < m.layers.size(); ++l) hidden.push_back(m.layers[l].outputs), acts.push_back(m.layers[l].activation);
    auto disagree = [&](const std::string& flag, const std::string& value) {
        throw UserError(flag + " " + value + " disagrees with " + o.load + ", a network " + architecture(m) + " for " +
                            std::to_string(m.classes) + " classes; leave " + flag + " out (the model's wins) or repeat it",
                        2);
    };
    std::string given_hidden;
    for (size_t h : o.hidden) given_hidden += (given_hidden.empty() ? "" : ",") + std::to_string(h);
    if (o.hidden_given && o.hidden != hidden) disagree("--hidden", given_hidden);
    const std::vector<std::string>& given_acts = o.act_names;
    bool same_acts = given_acts.size() == 1 || given_acts.size() == acts.size();
    for (size_t l = 0; same_acts && l < acts.size(); ++l) same_acts = acts[l] == given_acts[given_acts.size() == 1 ? 0 : l];
    std::string act_list;
    for (const std::string& a : given_acts) act_list += (act_list.empty() ? "" : ",") + a;
    if (o.act_given && !same_acts) disagree("--act", act_list);
    if (o.classes_given && o.classes != m.classes) disagree("--classes", std::to_string(o.classes));
    o.hidden = hidden;
    o.classes = m.classes;
    o.phi.clear();
    for (const ModelLayer& l : m.layers)
        if (&l != &m.layers.back()) o.phi.push_back(find_activation(l.activation));
}

// "28x28 images": the size a network reads, in words.
inline std::string image_size(uint32_t cols, uint32_t rows) {
    return std::to_string(cols) + "x" + std::to_string(rows) + " images" + (cols == 28 && rows == 28 ? " (MNIST's size)" : "");
}

// --predict IMAGE: each class's probability and the predicted class, on stdout.
inline int predict(const Options& o, const ModelData& m) {
    const PgmImage image = read_pgm_file(o.predict);
    if (image.width != m.cols || image.height != m.rows)
        throw UserError(o.predict + ": is " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                            " pixels; the network in " + o.load + " reads " + image_size(m.cols, m.rows), 1);
    const Network net = network_of(m, o.load);
    Matrix x(1, image.pixels.size());
    x.data.assign(image.pixels.begin(), image.pixels.end());
    const ForwardPass f = net.forward(x);
    if (!all_finite(f.y_K()))
        throw UserError(o.load + ": the network's outputs for " + o.predict +
                            " are not finite numbers (its weights overflow on this image); train it again", 1);
    const double* y = f.y_K().row(0);
    for (int c = 0; c < net.classes; ++c) {
        std::cout << "class " << c << ": " << python_float(net.output->probability(y, net.outputs(), c)) << "\n";
    }
    std::cout << "predicted: " << net.predict(f)[0] << std::endl;
    return std::cout ? 0 : 1;
}

// Whether two paths name one file: the same file on disk (through links, hard ones too), or, for
// files not written yet, the same place once every link on the way is followed.
inline bool same_file(const std::string& a, const std::string& b) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
    const fs::path ca = fs::weakly_canonical(a, ec);
    if (ec) return false;
    const fs::path cb = fs::weakly_canonical(b, ec);
    return !ec && ca == cb;
}

// --save FILE is refused (exit 2) before any training when FILE is one of the run's inputs (the four
// IDX files) or one of its outputs (loss.csv, loss.svg, report.html in --out), or cannot be
// written (model_file_problem(): a FIFO, a device or a symbolic link under the name, a name too
// long, a folder that is missing or not writable). Saving over --load's own file is allowed: a
// network trained on, in place. Called once the --out folder exists, so that --out DIR --save
// DIR/net.model works with DIR new.
inline void check_save_path(const Options& o) {
    if (o.save.empty()) return;
    auto refuse = [&](const std::string& why) { throw UserError("--save " + printable(o.save) + ": " + why + " (see ./deep_mlp --help)", 2); };
    for (const char* stem : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"})
        if (same_file(o.save, find_idx_file(o.data_dir, stem)))
            refuse("is " + find_idx_file(o.data_dir, stem) + ", one of the run's MNIST files; choose another file name");
    for (const char* output : {"loss.csv", "loss.svg", "report.html"})
        if (same_file(o.save, o.out_dir + "/" + output))
            refuse("is " + o.out_dir + "/" + output + ", which this run writes; choose another file name");
    const std::string problem = model_file_problem(o.save);
    if (!problem.empty()) refuse(problem);
}

// Writes the trained network to --save, as soon as training is over, before anything else can fail
// (the test, the report, the last of stdout). When that file cannot be written, the network is not
// lost: it goes into a new file of its own, deep_mlp-unsaved.model (or -2, -3, ... when that name
// is taken: never over an earlier run's) in --out, or else in the temporary folder. Either way
// kept_safe() (program/command_line.hpp) says where it is, so that any error that ends the run
// later says it too. Returns false when --save's own file was not written: the run then ends with
// that failure (exit 1), once its other outputs are written.
inline bool save_network(const Options& o, const ModelData& m) {
    FinishFiles writing;  // a first Ctrl-C waits for the network to be saved, in its fallback too
    const std::string bytes = serialize_model(m);
    try {
        write_model_bytes(o.save, bytes, "--save");
        kept_safe() = "the trained network was saved to " + o.save;
        return true;
    } catch (const OutputError& e) {
        std::string kept;
        std::error_code ec;
        const std::string temporary = std::filesystem::temp_directory_path(ec).string();
        for (const std::string& folder : {o.out_dir, temporary.empty() ? std::string("/tmp") : temporary}) {
            try {
                kept = write_new_file(folder, "deep_mlp-unsaved", ".model", bytes, "--save");
                break;
            } catch (const std::exception&) {
            }
        }
        kept_safe() = std::string(e.what()) + (kept.empty() ? "; the trained network could not be kept anywhere"
                                                              : "; the trained network is in " + kept + " instead");
        return false;
    }
}

}  // namespace deep_mlp
