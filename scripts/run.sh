#!/usr/bin/env bash
# Builds 强基 optimised and serves the demo city from data/qiangji.db (created on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release -p qiangji -- serve --demo "$@"
