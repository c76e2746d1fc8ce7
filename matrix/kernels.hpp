// matrix/kernels.hpp: the kernels' room. matrix.hpp (section 6) includes it unless built plain
// (make PLAIN=1), and hands it the products and the element-wise ranges:
//   threads.hpp   the share-out between threads, exceptions carried out of them, the load watch
//                 that gives way to a busy core, and denormal flushing
//   sparse.hpp    the products with a SparseMatrix: vector registers, prefetching, panels, tiles
//   dense.hpp     the dense products: register blocks, packed strips, AVX-512, zeros skipped
// Each file starts with what it speeds up, and by how much (make bench). Every product adds every
// sum's terms in the order of matrix.hpp's plain loops: the same bits (tests/test_units.cpp compares
// each with the naive products, and make test compares the programs' output with a plain build's).
#pragma once

#include "threads.hpp"
#include "sparse.hpp"
#include "dense.hpp"
