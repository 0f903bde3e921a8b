#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz and runs each for SECONDS (default 30) from a copy
# of its corpus in tests/fuzz/corpus/<target>/ (the repository's corpus is not grown).
#   tests/fuzz/run.sh [SECONDS]
# Prints one line per target; exits 1 when any target found a crash, leak, UB, failed property,
# uncaught exception or timeout. Its input is kept as build-fuzz/fuzz/<target>/crash-* (or
# leak-*, timeout-*), its report in build-fuzz/fuzz/<target>.log; replay one with
#   build-fuzz/bin/<target>_fuzz build-fuzz/fuzz/<target>/crash-...
# Needs clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes); llvm for
# symbolized stack traces.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "usage: tests/fuzz/run.sh [SECONDS]" >&2; exit 64; }
targets=(task_snapshot webhook_event hook_lines timestamp http_outcome field_mapping)

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DENABLE_FUZZING=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWARNINGS_AS_ERRORS=ON >/dev/null
cmake --build build-fuzz --target fuzz_targets -j"$(nproc 2>/dev/null || echo 2)"

out=build-fuzz/fuzz
rm -rf "$out"
mkdir -p "$out"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for target in "${targets[@]}"; do
  work=$out/$target
  mkdir -p "$work/corpus"
  cp tests/fuzz/corpus/"$target"/* "$work/corpus/"
  log=$out/$target.log
  status=0
  build-fuzz/bin/"$target"_fuzz -max_total_time="$seconds" -timeout=10 -detect_leaks=1 \
    -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' "$log" | tail -n 1)
  artifact=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' -o -name 'slow-unit-*' \) | head -n 1)
  if [ "$status" -eq 0 ] && [ -z "$artifact" ]; then
    printf '%-14s runs=%-9s ok\n' "$target" "${runs:-?}"
  else
    failed=1
    finding=$(grep -m1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|fuzz: property|terminate called|==[0-9]+== ERROR)' "$log" || true)
    printf '%-14s runs=%-9s FOUND (exit %s) %s: %s\n' "$target" "${runs:-?}" "$status" \
      "${artifact:-no artifact}" "${finding:-see $log}"
  fi
done
exit "$failed"
