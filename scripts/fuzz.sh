#!/usr/bin/env bash
# Runs every fuzz target for a while: scripts/fuzz.sh 30s
set -euo pipefail
time=${1:-20s}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "== $pkg $target"
    # Minimising a large interesting input (a PDF) can take a minute; keep it short.
    go test -tags ci -run '^$' -fuzz "^${target}\$" -fuzztime "$time" -fuzzminimizetime 3s "$pkg"
  done
done
