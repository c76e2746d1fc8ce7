// exercises/reference_values.hpp: reads exercises/reference/torch_values.txt, the numbers PyTorch
// and numpy computed for the tests and the grader (exercises/reference/make_reference.py wrote it):
// one list a line, `key v1 v2 ...`.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

class ReferenceValues {
public:
    explicit ReferenceValues(const std::string& path = "exercises/reference/torch_values.txt") : path_(path) {
        std::ifstream in(path);
        if (!in) throw std::runtime_error(path + ": cannot open the reference values (run from the project's folder)");
        std::string text;
        while (std::getline(in, text)) {
            if (text.empty() || text[0] == '#') continue;
            std::istringstream fields(text);
            std::string key, number;
            fields >> key;
            std::vector<double>& values = values_[key];
            while (fields >> number) values.push_back(std::strtod(number.c_str(), nullptr));
        }
    }

    // The list under `key`; an unknown key is an error in the test, not a silent empty list.
    const std::vector<double>& operator[](const std::string& key) const {
        const auto it = values_.find(key);
        if (it == values_.end()) throw std::runtime_error(path_ + ": no values for '" + key + "'");
        return it->second;
    }
    double one(const std::string& key) const { return (*this)[key].at(0); }

private:
    std::string path_;
    std::map<std::string, std::vector<double>> values_;
};
