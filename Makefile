# make            build mlp and test_gradients (and fetch MNIST into data/ if it is missing)
# make data       download MNIST into data/ (MNIST_MIRROR=URL to use another mirror, file:// too)
# make test       the gradient checker and the unit tests
# make bench      matmul and training benchmarks (see README, "Performance")
# make clean      remove what the build made
#
# OPENMP=0 builds without OpenMP. CXX, CXXFLAGS and OMPFLAGS can be overridden: make CXX=clang++.
# Never -Ofast or -ffast-math: they reorder sums and break the checker's and numpy's numbers.
# -ffp-contract=off keeps the compiler from fusing a*b+c into one rounding (an FMA), so g++ and
# clang++, with and without OpenMP, give the same bits.

CXX      ?= g++
CXXFLAGS ?= -O3 -march=native
WARN     := -std=c++17 -Wall -Wextra -ffp-contract=off
OPENMP   ?= 1

# OpenMP is used when a tiny program compiles and links with -fopenmp (the flag goes to the linker
# too, which pulls in the right runtime: libgomp for g++, libomp for clang++).
HASH := \#
ifeq ($(origin OMPFLAGS),command line)
  # Given by hand, e.g. for Apple clang with Homebrew's libomp (see README, "Building").
  $(info build: $(CXX) with OMPFLAGS=$(OMPFLAGS))
else
  ifeq ($(OPENMP),1)
    OMP_WORKS := $(shell printf '$(HASH)include <omp.h>\nint main(){return omp_get_max_threads()>0?0:1;}\n' | \
                   $(CXX) $(CXXFLAGS) -fopenmp -x c++ - -o /dev/null >/dev/null 2>&1 && echo yes)
  endif
  ifeq ($(OMP_WORKS),yes)
    OMPFLAGS := -fopenmp
    $(info build: $(CXX) with OpenMP)
  else
    OMPFLAGS :=
    $(info build: $(CXX) without OpenMP$(if $(filter 1,$(OPENMP)), (-fopenmp did not work; see README, "Building"),))
  endif
endif
ifeq ($(strip $(OMPFLAGS)),)
  # Without OpenMP the pragmas are ignored; silence the warning about them.
  WARN += -Wno-unknown-pragmas
endif

ALL_FLAGS := $(WARN) $(CXXFLAGS) $(OMPFLAGS)
# Rebuild when the compiler or the flags change (make OPENMP=0 after make, say): .build_flags
# holds the last ones and is rewritten only when they differ.
BUILD_FLAGS := $(CXX) $(ALL_FLAGS)
$(shell echo '$(BUILD_FLAGS)' | cmp -s - .build_flags || echo '$(BUILD_FLAGS)' > .build_flags)
HEADERS   := matrix.hpp idx_reader.hpp numpy_random.hpp .build_flags
MNIST     := data/train-images-idx3-ubyte data/train-labels-idx1-ubyte \
             data/t10k-images-idx3-ubyte data/t10k-labels-idx1-ubyte
MNIST_MISSING := $(filter-out $(wildcard $(MNIST)),$(MNIST))

.PHONY: all data test bench clean
.DELETE_ON_ERROR:

all: mlp test_gradients tests/test_units $(if $(MNIST_MISSING),data)

mlp: mlp.cpp $(HEADERS)
	$(CXX) $(ALL_FLAGS) -o $@ mlp.cpp

test_gradients: test_gradients.cpp mlp.cpp $(HEADERS)
	$(CXX) $(ALL_FLAGS) -o $@ test_gradients.cpp

tests/test_units: tests/test_units.cpp mlp.cpp $(HEADERS)
	$(CXX) $(ALL_FLAGS) -I. -o $@ tests/test_units.cpp

bench/bench: bench/bench.cpp mlp.cpp $(HEADERS)
	$(CXX) $(ALL_FLAGS) -o $@ bench/bench.cpp

data:
	sh data/fetch_mnist.sh data

bench: mlp bench/bench $(if $(MNIST_MISSING),data)
	./bench/bench

test: mlp test_gradients tests/test_units
	./tests/test_units
	./test_gradients
	sh tests/test_cli.sh

clean:
	rm -f mlp test_gradients tests/test_units bench/bench .build_flags
	rm -rf out
