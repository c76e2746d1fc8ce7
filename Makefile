# make            build mlp, deep_mlp (the exercises), the grader and the tests (and fetch MNIST into data/ if missing)
# make data       download MNIST into data/ (MNIST_MIRROR=URL to use another mirror, file:// too)
# make check      grade the exercises, every check in a process of its own, and print the scoreboard
#                 (EX=d: one exercise; SEED=N: repeat a run's inputs; IDIOMA=es: en español)
# BEGIN REPOSITORY ONLY
# make lab        write the lab: this project with every exercise's answer a stub (LAB=DIR; default ../NAME-lab)
# make grade-class  grade a folder of hand-ins (HANDINS=DIR, OUT=DIR): results.json per student, a CSV
# make test       the quick tests (a few minutes; tests/README.md lists them), to the end, then a summary
# make test-all   every test: make test's and the slow ones (Chromium, every lab case, robustness; CI runs it)
# make bench      matmul and training benchmarks, quiet and with a busy core (bench/README.md)
# make sanitize   build everything with AddressSanitizer + UBSan and run the tests
# make valgrind   valgrind's memcheck on ./mlp --epochs 1 and on a small ten-class ./deep_mlp run
# make fuzz       fuzz the IDX, model file and PGM readers and the flags with libFuzzer (FUZZ_SECONDS=60 in all)
# make mutants    make test must fail on each planted mistake (tests/mutants.sh; minutes)
# make compare    ./deep_mlp against the PyTorch float64 reference, config by config (skips without torch)
# make ten-class  the best ten-class network of the guide (exercises/README.md, the record)
# END REPOSITORY ONLY
# make clean      remove what the build made; never out/, where the runs write (their files and
#                 models are yours: delete them yourself)
#
# OPENMP=0 builds without OpenMP. CXX, CXXFLAGS and OMPFLAGS can be overridden: make CXX=clang++.
# Never the fast-math options (Ofast, ffast-math): they reorder sums and break the checker's and
# numpy's numbers.
# -ffp-contract=off keeps the compiler from fusing a*b+c into one rounding (an FMA), so g++ and
# clang++, with and without OpenMP, give the same bits. -fno-math-errno changes no result, only
# that sqrt() need not set errno for a negative argument, which lets Adam's loop use vector sqrt.

CXX      ?= g++
CXXFLAGS ?= -O3 -march=native
WARN     := -std=c++17 -Wall -Wextra -ffp-contract=off -fno-math-errno
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
# LAB: # In the lab a stub leaves its function's parameters and variables unused: no warning for that.
# LAB: WARN += -Wno-unused-parameter -Wno-unused-variable -Wno-unused-but-set-variable

# PLAIN=1: every program on matrix.hpp's plain products alone (no matrix/ kernels): the same bits, slower.
PLAIN    ?= 0
ifeq ($(PLAIN),1)
  WARN += -DMATRIX_PLAIN
endif

ALL_FLAGS := $(WARN) $(CXXFLAGS) $(OMPFLAGS)
# Builds use every core (make -j1: one file at a time).
MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
# Rebuild when the compiler or the flags change (make OPENMP=0 after make, say): .build_flags
# holds the last ones and is rewritten only when they differ.
BUILD_FLAGS := $(CXX) $(ALL_FLAGS)
$(shell echo '$(BUILD_FLAGS)' | cmp -s - .build_flags || echo '$(BUILD_FLAGS)' > .build_flags)
REPORT_ASSETS := program/report/assets.hpp
HEADERS   := matrix.hpp $(wildcard matrix/*.hpp) idx_reader.hpp numpy_random.hpp $(wildcard program/*.hpp) $(REPORT_ASSETS) .build_flags
MNIST     := data/train-images-idx3-ubyte data/train-labels-idx1-ubyte \
             data/t10k-images-idx3-ubyte data/t10k-labels-idx1-ubyte
MNIST_MISSING := $(filter-out $(wildcard $(MNIST)),$(MNIST))

.PHONY: all data check handin lab grade-class test test-all bench sanitize valgrind fuzz compare mutants ten-class clean
.DELETE_ON_ERROR:

EXERCISES := $(wildcard exercises/*.hpp) exercises/exercises.def test_gradients.cpp
TESTS     := test_gradients tests/test_units tests/test_exercises tests/test_files tests/two_units tests/interpose.so

# BEGIN REPOSITORY ONLY
all: mlp deep_mlp exercises/judge exercises/runner $(TESTS) $(if $(MNIST_MISSING),data)
# END REPOSITORY ONLY
# LAB: all: mlp deep_mlp exercises/judge $(if $(MNIST_MISSING),data)
# LAB: # The hand-in: exactly the files you edit, with a manifest, in one archive (exercises/handin.sh).
# LAB: handin:
# LAB: 	sh exercises/handin.sh
# LAB: # The repository's other targets are not in the lab: say so, rather than "nothing to be done".
# LAB: test test-all ten-class compare lab grade-class bench mutants sanitize valgrind fuzz:
# LAB: 	@echo "make $@: not in the lab (the repository has it); here make check grades your work"

# The report page's files (program/report/) as C++ string constants, kReport_page_html and so on,
# which program/report_html.hpp includes: the programs stay single files with nothing to fetch.
REPORT_FILES := program/report/page.html program/report/report.html program/report/style.css program/report/script.js
$(REPORT_ASSETS): $(REPORT_FILES)
	@for f in $(REPORT_FILES); do ! grep -q ')ASSET"' $$f || { echo "$$f holds )ASSET\", which would end its string" >&2; exit 1; }; done
	{ echo '// Generated by make from $(REPORT_FILES): edit those, not this.'; \
	  for f in $(REPORT_FILES); do \
	    printf 'inline const char* const kReport_%s = R"ASSET(\n' "$$(basename $$f | tr -c 'A-Za-z0-9\n' '_')"; \
	    cat $$f; printf ')ASSET";\n'; \
	  done; } > $@.tmp && mv $@.tmp $@

mlp: mlp.cpp $(HEADERS)
	$(CXX) $(ALL_FLAGS) -o $@ mlp.cpp

deep_mlp: exercises/deep_mlp.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	$(CXX) $(ALL_FLAGS) -o $@ exercises/deep_mlp.cpp

# The grader's two programs (exercises/grading.hpp): the judge, which compiles none of the student's
# code, and the runner, which does, at -O1 so that an edit is graded seconds later. make check
# builds the runner itself (exercises/check.sh), so that code that does not compile is named.
RUNNER_BUILD := $(CXX) $(WARN) -O1 $(OMPFLAGS)
export RUNNER_BUILD
exercises/judge: exercises/judge.cpp exercises/grading.hpp exercises/reference_values.hpp exercises/exercises.def test_gradients.cpp \
                 matrix.hpp $(wildcard matrix/*.hpp) numpy_random.hpp idx_reader.hpp .build_flags
	$(CXX) $(WARN) -Wno-unknown-pragmas -O2 -o $@ exercises/judge.cpp
exercises/runner: exercises/runner.cpp exercises/grading.hpp exercises/deep_mlp.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	$(RUNNER_BUILD) -o $@ exercises/runner.cpp

data:
	sh data/fetch_mnist.sh data

# EX and LAB reach the scripts through the environment, never through the shell's parsing.
export EX LAB
# Then the programs, so that ./mlp and ./deep_mlp run what make check graded.
check: exercises/judge $(REPORT_ASSETS) $(if $(MNIST_MISSING),data)
	@sh exercises/check.sh; status=$$?; \
	  if [ -s build/check/not_compiling ]; then echo "(./mlp and ./deep_mlp were not rebuilt: some code does not compile)"; \
	  elif [ $$status -le 1 ]; then $(MAKE) -s mlp deep_mlp >/dev/null 2>&1 || echo "(make could not rebuild ./mlp and ./deep_mlp: run make)"; fi; \
	  exit $$status

# BEGIN REPOSITORY ONLY
lab:
	sh exercises/make_lab.sh

# The instructor's kit: every hand-in in HANDINS graded in a fresh lab of its own (exercises/grade_class.sh).
grade-class: $(if $(MNIST_MISSING),data)
	sh exercises/grade_class.sh

test_gradients: test_gradients.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	$(CXX) $(ALL_FLAGS) -o $@ test_gradients.cpp

# Two translation units that both include the exercises' headers, linked into one program.
tests/two_units: tests/two_units_a.cpp tests/two_units_b.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	$(CXX) $(ALL_FLAGS) -I. -o $@ tests/two_units_a.cpp tests/two_units_b.cpp

# A library the output tests preload, to raise a signal or pause at the instant a file is written or
# renamed (tests/interpose.cpp).
tests/interpose.so: tests/interpose.cpp
	$(CXX) $(WARN) $(CXXFLAGS) -shared -fPIC -o $@ tests/interpose.cpp -ldl

tests/test_units: tests/test_units.cpp tests/check.hpp mlp.cpp $(HEADERS)
	$(CXX) $(ALL_FLAGS) -I. -o $@ tests/test_units.cpp

tests/test_exercises: tests/test_exercises.cpp tests/check.hpp exercises/deep_mlp.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	$(CXX) $(ALL_FLAGS) -I. -o $@ tests/test_exercises.cpp

tests/test_files: tests/test_files.cpp tests/check.hpp exercises/deep_mlp.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	$(CXX) $(ALL_FLAGS) -I. -o $@ tests/test_files.cpp

bench/bench: bench/bench.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	$(CXX) $(ALL_FLAGS) -o $@ bench/bench.cpp

# The plain build beside the default one, at the same flags, for make bench's plain-against-fast table.
BENCH_PLAIN := build/bench-plain
$(BENCH_PLAIN)/mlp: mlp.cpp $(HEADERS)
	@mkdir -p $(BENCH_PLAIN)
	$(CXX) $(ALL_FLAGS) -DMATRIX_PLAIN -o $@ mlp.cpp
$(BENCH_PLAIN)/deep_mlp: exercises/deep_mlp.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	@mkdir -p $(BENCH_PLAIN)
	$(CXX) $(ALL_FLAGS) -DMATRIX_PLAIN -o $@ exercises/deep_mlp.cpp

# The build most students' laptops run: AVX2 and FMA, no AVX-512 (x86-64-v3), for the peers' table,
# beside PyTorch restricted to the same instructions. Built only on a machine that runs it.
BENCH_AVX2 := build/bench-avx2
$(BENCH_AVX2)/deep_mlp: exercises/deep_mlp.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	@mkdir -p $(BENCH_AVX2)
	$(CXX) $(WARN) -O3 -march=x86-64-v3 $(OMPFLAGS) -o $@ exercises/deep_mlp.cpp
HAS_AVX2 := $(shell grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo yes)

bench: mlp deep_mlp bench/bench $(BENCH_PLAIN)/mlp $(BENCH_PLAIN)/deep_mlp $(if $(HAS_AVX2),$(BENCH_AVX2)/deep_mlp) $(if $(MNIST_MISSING),data)
	./bench/bench

# The plain build (make PLAIN=1's matrix.hpp alone) beside the default one, at -O1 (quick to build;
# the same bits at any optimisation), for tests/test_plain.sh.
PLAIN_DIR := build/plain
PLAIN_CXX  = $(CXX) $(WARN) -DMATRIX_PLAIN -O1 $(OMPFLAGS)
$(PLAIN_DIR)/mlp: mlp.cpp $(HEADERS)
	@mkdir -p $(PLAIN_DIR)
	$(PLAIN_CXX) -o $@ mlp.cpp
$(PLAIN_DIR)/deep_mlp: exercises/deep_mlp.cpp mlp.cpp $(EXERCISES) $(HEADERS)
	@mkdir -p $(PLAIN_DIR)
	$(PLAIN_CXX) -o $@ exercises/deep_mlp.cpp
$(PLAIN_DIR)/test_units: tests/test_units.cpp tests/check.hpp mlp.cpp $(HEADERS)
	@mkdir -p $(PLAIN_DIR)
	$(PLAIN_CXX) -I. -o $@ tests/test_units.cpp
PLAIN_BUILDS := $(PLAIN_DIR)/mlp $(PLAIN_DIR)/deep_mlp $(PLAIN_DIR)/test_units

# Every test runs, whatever fails before it; tests/run.sh ends with a summary and the exit code.
# make test: the checker, the units, the lesson against numpy, the exercises against the stored
# PyTorch runs, plain against fast, the flags and files, and the lab's proof on one exercise.
# make test-all: those, and the slow ones: the report pages in Chromium, every case of the lab,
# memory limits and full disks, the download, adding an activation, and the same bits from an
# x86-64 build without AVX, a plain one and a 64-bit ARM one (under qemu).
TEST_PROGRAMS := mlp deep_mlp exercises/judge exercises/runner $(TESTS) $(PLAIN_BUILDS) $(if $(MNIST_MISSING),data)
QUICK_TESTS := ./tests/test_units ./tests/test_exercises ./tests/test_files ./test_gradients ./tests/two_units \
  "sh tests/test_lesson.sh" "sh tests/test_deep_mlp.sh" "sh tests/test_references.sh" "sh tests/test_plain.sh" \
  "sh tests/test_model.sh" "sh tests/test_cli.sh" "sh tests/test_outputs.sh" "sh tests/test_explain.sh"
test: $(TEST_PROGRAMS)
	sh tests/run.sh $(QUICK_TESTS) "sh tests/test_lab.sh quick"
test-all: $(TEST_PROGRAMS)
	sh tests/run.sh $(QUICK_TESTS) "sh tests/test_report.sh" "sh tests/test_robustness.sh" "sh tests/test_fetch.sh" \
	  "sh tests/test_lab.sh" "sh tests/test_add_activation.sh" "sh tests/test_machines.sh"

# AddressSanitizer and UndefinedBehaviorSanitizer: every program built with them, then the tests.
SAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SAN_DIR   := build/sanitize
sanitize: $(REPORT_ASSETS) tests/interpose.so $(if $(MNIST_MISSING),data)
	mkdir -p $(SAN_DIR)/tests
	$(CXX) $(WARN) $(SAN_FLAGS) $(OMPFLAGS) -o $(SAN_DIR)/mlp mlp.cpp
	$(CXX) $(WARN) $(SAN_FLAGS) $(OMPFLAGS) -o $(SAN_DIR)/test_gradients test_gradients.cpp
	$(CXX) $(WARN) $(SAN_FLAGS) $(OMPFLAGS) -I. -o $(SAN_DIR)/tests/test_units tests/test_units.cpp
	$(CXX) $(WARN) $(SAN_FLAGS) $(OMPFLAGS) -I. -o $(SAN_DIR)/tests/test_exercises tests/test_exercises.cpp
	$(CXX) $(WARN) $(SAN_FLAGS) $(OMPFLAGS) -I. -o $(SAN_DIR)/tests/test_files tests/test_files.cpp
	$(CXX) $(WARN) $(SAN_FLAGS) $(OMPFLAGS) -o $(SAN_DIR)/deep_mlp exercises/deep_mlp.cpp
	./$(SAN_DIR)/tests/test_units
	./$(SAN_DIR)/tests/test_exercises
	./$(SAN_DIR)/tests/test_files
	./$(SAN_DIR)/test_gradients
	RUNNER_BUILD="$(CXX) $(WARN) $(SAN_FLAGS) $(OMPFLAGS)" EX= sh exercises/check.sh; status=$$?; rm -f exercises/runner; exit $$status
	SANITIZED=1 MLP=./$(SAN_DIR)/mlp sh tests/test_cli.sh
	SANITIZED=1 MLP=./$(SAN_DIR)/mlp sh tests/test_outputs.sh
	./$(SAN_DIR)/mlp --epochs 2 --out $(SAN_DIR)/out > /dev/null
	./$(SAN_DIR)/deep_mlp --classes 10 --hidden 32,16 --act relu,tanh --batch 64 --optimizer adam --lr 1e-3 \
	  --epochs 1 --limit 2000 --dropout 0.3 --weight-decay 1e-4 --lr-decay 0.9 --out $(SAN_DIR)/out --save $(SAN_DIR)/out/net.model > /dev/null
	./$(SAN_DIR)/deep_mlp --load $(SAN_DIR)/out/net.model --epochs 0 --out $(SAN_DIR)/out > /dev/null
	{ printf 'P5 28 28 255\n'; head -c 784 /dev/zero; } > $(SAN_DIR)/out/blank.pgm
	./$(SAN_DIR)/deep_mlp --load $(SAN_DIR)/out/net.model --predict $(SAN_DIR)/out/blank.pgm > /dev/null
	head -c 1000 $(SAN_DIR)/out/net.model > $(SAN_DIR)/out/cut.model
	! ./$(SAN_DIR)/deep_mlp --load $(SAN_DIR)/out/cut.model --epochs 0 2> /dev/null

# valgrind's memcheck on a one-epoch run. Built for the compiler's default instruction set, since
# valgrind 3.19 cannot decode AVX-512 (which -march=native uses on newer processors), and without
# OpenMP, whose thread pool is never torn down and shows as a "possibly lost" block at exit.
VG_DIR := build/valgrind
valgrind: $(REPORT_ASSETS) $(if $(MNIST_MISSING),data)
	mkdir -p $(VG_DIR)
	$(CXX) $(WARN) -Wno-unknown-pragmas -O2 -g -o $(VG_DIR)/mlp mlp.cpp
	valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
	  --error-exitcode=1 ./$(VG_DIR)/mlp --epochs 1 --out $(VG_DIR)/out
	$(CXX) $(WARN) -Wno-unknown-pragmas -O2 -g -o $(VG_DIR)/deep_mlp exercises/deep_mlp.cpp
	valgrind --error-exitcode=1 ./$(VG_DIR)/deep_mlp --classes 10 --hidden 20,12 --act relu,tanh --batch 50 \
	  --optimizer adam --lr 1e-3 --limit 300 --epochs 1 --dropout 0.3 --out $(VG_DIR)/out_deep

# libFuzzer (clang++) on the IDX reader, the flags (FlagParser with mlp.cpp's and deep_mlp's own
# tables), and the model file and PGM readers: FUZZ_SECONDS=60 in all by default, a third each; the
# corpora grow in fuzz/corpus, fuzz/corpus_args and fuzz/corpus_model.
FUZZ_CXX      ?= clang++
FUZZ_SECONDS  ?= 60
FUZZ_FLAGS    := -std=c++17 -Wall -Wextra -Wno-unknown-pragmas -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_THIRD     = $(shell echo $$(( ($(FUZZ_SECONDS) + 2) / 3 )))
fuzz/fuzz_idx: fuzz/fuzz_idx.cpp idx_reader.hpp
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_idx.cpp

fuzz/fuzz_args: fuzz/fuzz_args.cpp exercises/deep_mlp.cpp $(EXERCISES) mlp.cpp $(HEADERS)
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_args.cpp

fuzz/fuzz_model: fuzz/fuzz_model.cpp program/model_file.hpp program/pgm_image.hpp
	$(FUZZ_CXX) $(FUZZ_FLAGS) -o $@ fuzz/fuzz_model.cpp

fuzz: fuzz/fuzz_idx fuzz/fuzz_args fuzz/fuzz_model
	sh fuzz/seed_corpus.sh fuzz/corpus fuzz/corpus_args
	./fuzz/fuzz_idx -max_total_time=$(FUZZ_THIRD) -max_len=4096 -rss_limit_mb=1024 -print_final_stats=1 fuzz/corpus
	./fuzz/fuzz_args -max_total_time=$(FUZZ_THIRD) -max_len=512 -timeout=5 -dict=fuzz/args.dict -rss_limit_mb=1024 -print_final_stats=1 fuzz/corpus_args
	sh fuzz/seed_model_corpus.sh fuzz/corpus_model
	./fuzz/fuzz_model -max_total_time=$(FUZZ_THIRD) -max_len=4096 -rss_limit_mb=1024 -print_final_stats=1 fuzz/corpus_model

# ./deep_mlp, config by config, against exercises/torch_reference.py (PyTorch float64, autograd,
# torch.optim): losses within 1e-9 relative, shapes and accuracy identical. Skips when no python3
# with torch, numpy and scikit-learn is installed.
# Planted mistakes (gradient ascent, a dropped phi', a wrong softmax delta, Adam without bias
# correction, ...): `make test` must fail on each (several minutes).
mutants: $(if $(MNIST_MISSING),data)
	sh tests/mutants.sh

compare: deep_mlp $(if $(MNIST_MISSING),data)
	sh exercises/compare_torch.sh ./deep_mlp data

# The record of exercises/README.md: the guide's best ten-class network, on all 56,000 training
# images, with the lesson's printed lines (and the training time on stderr).
TEN_CLASS_FLAGS := --classes 10 --hidden 1024,256 --act relu --init he --optimizer adam --lr 1e-3 --beta2 0.99 \
                   --batch 128 --reduction mean --dropout 0.4 --lr-decay 0.94 --epochs 50 --denormals flush
ten-class: deep_mlp $(if $(MNIST_MISSING),data)
	./deep_mlp $(TEN_CLASS_FLAGS) --out out/ten-class
# END REPOSITORY ONLY

clean:
	rm -f mlp deep_mlp exercises/judge exercises/runner $(TESTS) bench/bench .build_flags $(REPORT_ASSETS)
	rm -rf build fuzz/corpus fuzz/fuzz_idx fuzz/corpus_args fuzz/fuzz_args fuzz/corpus_model fuzz/fuzz_model
