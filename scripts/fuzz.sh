#!/usr/bin/env bash
# Fuzzing on the stable toolchain: cargo fuzz (libFuzzer, no sanitizer) builds the targets of fuzz/
# and runs each for SECONDS (default 30) from its kept corpus fuzz/corpus/<target>/, failing on the
# first crash (a panic, or an input taking over 10 s or 2 GB) with the input that caused it.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#
# New inputs the fuzzers find go to $CARGO_TARGET_DIR/fuzz/corpus/<target>/ (kept between local runs),
# never into fuzz/corpus/, so that the kept corpus changes only when someone adds a seed on purpose.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
shift $(($# > 0 ? 1 : 0))

target="${CARGO_TARGET_DIR:-$PWD/target}"
tools="$target/fuzz-tools"
version=0.13.2
# cargo-fuzz from crates.io, once, beside the build; libFuzzer itself is C++ built by libfuzzer-sys.
if ! "$tools/bin/cargo-fuzz" --version 2>/dev/null | grep -qF "$version"; then
  echo "installing cargo-fuzz $version into $tools"
  cargo install cargo-fuzz --version "$version" --locked --quiet --root "$tools"
fi
command -v c++ >/dev/null || { echo "libFuzzer needs a C++ compiler: apt-get install g++" >&2; exit 1; }

work="$target/fuzz"
export CARGO_TARGET_DIR="$work"
fuzz=("$tools/bin/cargo-fuzz" fuzz)
# No sanitizer: AddressSanitizer needs nightly, and the product forbids unsafe code anyway. 16 codegen
# units: a quicker build on two cores for somewhat fewer runs per second.
opts=(--sanitizer none --codegen-units 16)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <("${fuzz[@]}" list)
"${fuzz[@]}" build "${opts[@]}"

for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  log="$work/$t.log"
  echo "fuzz $t: ${secs}s"
  if ! "${fuzz[@]}" run "${opts[@]}" "$t" "$work/corpus/$t" "fuzz/corpus/$t" -- \
    -max_total_time="$secs" -timeout=10 -artifact_prefix="$work/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    crash=$(grep -o "Test unit written to .*" "$log" | tail -n 1 | sed 's/Test unit written to //')
    echo "fuzz $t: FAILED. Input: ${crash:-see $log}" >&2
    echo "reproduce: CARGO_TARGET_DIR=$work ${fuzz[*]} run ${opts[*]} $t ${crash:-INPUT}" >&2
    exit 1
  fi
  grep -E "^stat::number_of_executed_units|^Done" "$log" | tr '\n' ' ' | sed "s/^/fuzz $t: /"
  echo
done
