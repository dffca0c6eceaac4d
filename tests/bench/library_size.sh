#!/bin/sh
# The shim's size budget, a row of scripts/bench's table checked at every test
# run: libcgview.so stripped at most 150 KiB (it is mapped into every process
# of a container). A size, not a timing: one toolchain gives the same bytes at
# every run, so this fails only when the code grew past the budget.
#   library_size.sh STRIP LIBCGVIEW
set -eu
budget=$((150 * 1024))
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
"$1" -o "$tmp" "$2"
bytes=$(stat -c %s "$tmp")
kib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1024 }')
if [ "$bytes" -gt "$budget" ]; then
  echo "libcgview.so stripped: $bytes bytes ($kib KiB), over its budget of 150 KiB" >&2
  exit 1
fi
echo "libcgview.so stripped: $bytes bytes ($kib KiB), budget 150 KiB"
