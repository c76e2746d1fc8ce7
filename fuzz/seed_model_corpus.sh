#!/bin/sh
# Writes the model fuzzer's seed corpus into DIR: tiny model files (2x2-pixel inputs; their CRC is
# left zero, the fuzzer computes it) and PGM images, valid ones and near misses.
set -eu
dir=${1:-fuzz/corpus_model}
mkdir -p "$dir"
# u32 little-endian as printf octal escapes
u32() { printf "\\$(printf '%03o' $(($1 & 255)))\\$(printf '%03o' $(($1 >> 8 & 255)))\\$(printf '%03o' $(($1 >> 16 & 255)))\\$(printf '%03o' $(($1 >> 24 & 255)))"; }
# NAME CLASSES K UNITS ACT: a model of 2x2 inputs, K hidden layers of UNITS units, weights 0.
model() {
    name=$1 classes=$2 k=$3 units=$4 act=$5
    out=1
    [ "$classes" -eq 10 ] && out=10
    {
        printf 'MLPMODEL'; u32 1; u32 "$classes"; u32 2; u32 2; u32 "$k"
        i=0; while [ $i -lt "$k" ]; do u32 "$units"; u32 "$act"; i=$((i + 1)); done
        n_in=4 doubles=0 i=0
        while [ $i -le "$k" ]; do
            n=$units; [ $i -eq "$k" ] && n=$out
            doubles=$((doubles + n_in * n + n)); n_in=$n; i=$((i + 1))
        done
        head -c $((8 * doubles)) /dev/zero
        u32 0
    } >"$dir/$name"
}
model model_2class_1x3_sigmoid 2 1 3 0
model model_10class_2x2_relu 10 2 2 2
model model_2class_1x1_tanh 2 1 1 1
printf 'MLPMODEL\002\000\000\000' >"$dir/model_version_2"
printf 'P5 2 2 255\n\000\177\200\377' >"$dir/pgm_p5_2x2"
printf 'P2\n# a comment\n2 2\n1000\n0 500\n999 1000\n' >"$dir/pgm_p2_2x2"
printf 'P5 1 2 65535\n\000\001\377\377' >"$dir/pgm_p5_16bit"
printf 'P5 3 3 255\n\000\000' >"$dir/pgm_truncated"
