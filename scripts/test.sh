#!/usr/bin/env bash
# Every check, on a fresh Debian machine: installs what the tests need (a PostgreSQL server for the
# throwaway test cluster, Chromium and its driver for the browser tests, CJK fonts so that Chinese
# renders, g++ for libFuzzer), then formatting, lints with warnings as errors, docs, the whole test
# suite, and every fuzz target for a bounded time (QIANGJI_FUZZ_SECONDS each, default 15; 0 skips).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
command -v psql >/dev/null || need+=(postgresql-client)
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import ensurepip' 2>/dev/null || need+=(python3-venv)
command -v c++ >/dev/null || need+=(g++)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "缺少测试依赖：${need[*]}。请以 root 运行，或先安装：apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup)" >&2; exit 1; }

# An independent reader for the workbooks the browser test downloads: openpyxl from PyPI.
target="${CARGO_TARGET_DIR:-$PWD/target}"
venv="$target/test-python"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import openpyxl" 2>/dev/null || "$venv/bin/python" -m pip install --quiet "openpyxl==3.1.5"
export QIANGJI_PYTHON="$venv/bin/python"

cargo fmt --all --check
(cd fuzz && cargo fmt --check)
cargo clippy --workspace --all-targets --quiet -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
cargo test --workspace

fuzz_seconds="${QIANGJI_FUZZ_SECONDS:-15}"
[ "$fuzz_seconds" = 0 ] || ./scripts/fuzz.sh "$fuzz_seconds"
