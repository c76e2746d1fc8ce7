#!/bin/sh
# Downloads the four MNIST files into a folder (default: data), checks each one's sha256 and
# unpacks it. A file that is already there is kept. A failed or partial download leaves nothing
# behind: everything is written to a .part file first and renamed only once it is whole.
#
#   sh data/fetch_mnist.sh [DIR]
#   MNIST_MIRROR="URL [URL ...]" sh data/fetch_mnist.sh     other mirrors (file:///path/ works too)
set -u
dir=${1:-data}
mirrors=${MNIST_MIRROR:-"https://ossci-datasets.s3.amazonaws.com/mnist/ https://storage.googleapis.com/cvdf-datasets/mnist/ http://yann.lecun.com/exdb/mnist/"}

# name and sha256 of each .gz file, as published with the dataset (torchvision and TFDS check the same)
files="train-images-idx3-ubyte 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609
train-labels-idx1-ubyte 3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c
t10k-images-idx3-ubyte 8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6
t10k-labels-idx1-ubyte f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"

say() { echo "fetch_mnist: $*" >&2; }

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
    elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
    else say "neither sha256sum nor shasum is installed; cannot verify the download"; return 1
    fi
}

# fetch URL OUT: copies a file:// URL, else downloads with curl or wget, whichever exists.
fetch() {
    case $1 in
        file://*) cp "${1#file://}" "$2" 2>/dev/null ;;
        *) if command -v curl >/dev/null 2>&1; then curl -fsSL --retry 2 --connect-timeout 20 -o "$2" "$1"
           elif command -v wget >/dev/null 2>&1; then wget -q -T 20 -t 2 -O "$2" "$1"
           else say "neither curl nor wget is installed: install one, or download the files by hand (see data/README.md)"; return 2
           fi ;;
    esac
}

mkdir -p "$dir" || { say "cannot create folder $dir"; exit 1; }
partial=""
trap 'rm -f $partial' EXIT
trap 'exit 1' INT TERM HUP

while read -r name sum; do
    if [ -f "$dir/$name" ]; then continue; fi
    gz="$dir/$name.gz.part"; raw="$dir/$name.part"
    partial="$gz $raw"
    ok=""
    for mirror in $mirrors; do
        case $mirror in */) ;; *) mirror="$mirror/" ;; esac
        url="$mirror$name.gz"
        rm -f "$gz"
        fetch "$url" "$gz"; rc=$?
        if [ $rc -eq 2 ]; then rm -f "$gz"; exit 1; fi
        if [ $rc -ne 0 ] || [ ! -s "$gz" ]; then say "could not download $url"; continue; fi
        got=$(sha256_of "$gz") || { rm -f "$gz"; exit 1; }
        if [ "$got" != "$sum" ]; then say "$url: checksum mismatch (got $got, expected $sum): a partial or wrong file; trying the next mirror"; continue; fi
        ok=yes; break
    done
    if [ -z "$ok" ]; then
        rm -f "$gz"
        say "no mirror gave a good $name.gz; check the connection, or set MNIST_MIRROR to a mirror or a folder (file:///path/) holding the four .gz files"
        exit 1
    fi
    if ! gunzip -c "$gz" > "$raw"; then
        rm -f "$gz" "$raw"
        say "could not unpack $name.gz into $dir (disk full?)"
        exit 1
    fi
    mv "$raw" "$dir/$name" && rm -f "$gz" || { rm -f "$gz" "$raw"; say "cannot write $dir/$name"; exit 1; }
    echo "fetch_mnist: $dir/$name"
done <<END
$files
END
partial=""
exit 0
