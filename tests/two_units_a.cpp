// tests/two_units_a.cpp and two_units_b.cpp: two translation units that both include the
// exercises' headers (and through them mlp.cpp and the program's headers), linked into one
// program. A function defined in a header but not inline would be defined twice, and the link
// would fail: a student who splits their work into two .cpp files must not meet that.
#define DEEP_MLP_NO_MAIN
#include "exercises/deep_mlp.cpp"
#include "exercises/gradient_check.hpp"
#include "exercises/network.hpp"
#include "exercises/reference_values.hpp"

double other_unit_sigmoid(double z);

int main() {
    const double here = phi(0.5), there = other_unit_sigmoid(0.5);
    std::printf("two_units: %s\n", here == there ? "two translation units that include the exercises' headers link" : "FAIL: they disagree");
    return here == there ? 0 : 1;
}
