#!/bin/sh
# Writes the fuzzers' seed corpora: into IDX_DIR small valid IDX files and a few near misses (for
# fuzz_idx), and into ARGS_DIR, when given, a few argument lists, split by zero bytes (for fuzz_args).
set -eu
dir=${1:-fuzz/corpus}
mkdir -p "$dir"
# 2 images of 2x3 pixels
printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\003\001\002\003\004\005\006\007\010\011\012\013\014' >"$dir/images_2x2x3"
# 3 labels
printf '\000\000\010\001\000\000\000\003\000\001\011' >"$dir/labels_3"
# one 28x28 image, as MNIST's
{ printf '\000\000\010\003\000\000\000\001\000\000\000\034\000\000\000\034'; head -c 784 /dev/zero; } >"$dir/images_1x28x28"
# near misses: truncated payload, wrong type, gzip magic
printf '\000\000\010\003\000\000\000\002\000\000\000\002\000\000\000\003\001\002' >"$dir/images_truncated"
printf '\000\000\015\001\000\000\000\001\000' >"$dir/labels_float_type"
printf '\037\213\010\000' >"$dir/gzip_magic"

[ $# -ge 2 ] || exit 0
args=$2
mkdir -p "$args"
printf -- '--lr\0001e-4\000--epochs\00030' >"$args/rate_and_epochs"
printf -- '--seed=7\000--hidden\00016\000--data\000data\000--out=out' >"$args/all_flags"
printf -- '--help' >"$args/help"
printf -- '--lr\000 0.001' >"$args/spaced_rate"
printf -- '--seed\00099999999999999999999' >"$args/huge_seed"
