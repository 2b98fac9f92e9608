#!/usr/bin/env bash
# Measures pkiodesk as a process, as a user and a script see it, and beside
# XCA (Debian's xca, `xca --no-gui --import`) on the same files in one run:
#
#   scripts/bench-import.sh            # 2,001 PEM files vs XCA, then 100,000 certificates
#   XCA=0 scripts/bench-import.sh      # without XCA
#   SMALL=0 scripts/bench-import.sh    # only the 100,000-certificate figures
#
# Needs: go, hyperfine, /usr/bin/time (GNU time), and for the comparison
# xca, sqlite3 and script (util-linux). The results go to stdout as the
# rows of docs/BENCHMARKS.md. RUNS (default 5) sets hyperfine's runs.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
N=${N:-2001}
XCA=${XCA:-1}
SMALL=${SMALL:-1}
for tool in go hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bench-import: $tool is missing (apt-get install hyperfine python3)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench-import: GNU time is missing (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d /tmp/pkiodesk-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
go build -o "$work/pkiodesk" ./cmd/pkiodesk
P="$work/pkiodesk"
# The command line is what is measured; Fyne's locale warning is noise.
export LANG=nl_NL.UTF-8

mean() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$1"; }
ms() { python3 -c 'import sys; print(f"{float(sys.argv[1])*1000:.0f} ms")' "$1"; }

if [ "$SMALL" = 1 ]; then
  go run ./internal/benchdata -n "$N" -out "$work/pem"
  echo "== import of $N PEM files into a new database" >&2
  cat >"$work/prep-pk.sh" <<EOF
#!/bin/sh
rm -f $work/p.db && $P --db $work/p.db init >/dev/null 2>&1
EOF
  chmod +x "$work/prep-pk.sh"
  hyperfine --runs "$RUNS" --warmup 1 --prepare "$work/prep-pk.sh" \
    --export-json "$work/pk.json" "$P --db $work/p.db import $work/pem >/dev/null 2>&1" >&2
  pk=$(mean "$work/pk.json")
  "$P" --db "$work/p.db" list --status alle 2>/dev/null | tail -1 >&2
  echo "| import of $N PEM files (one certificate each) into a new database, as a process | $(ms "$pk") |"

  if [ "$XCA" = 1 ] && command -v xca >/dev/null; then
    # XCA asks for its database's key password once, on a terminal: make a
    # template database on a pseudo-terminal, then copy it for every run.
    go run ./internal/benchdata -n 1 -seed 99 -out "$work/seed"
    ( (sleep 2; printf 'geheim\r'; sleep 1; printf 'geheim\r'; sleep 2) |
      QT_QPA_PLATFORM=offscreen script -qec "xca --no-gui --database=$work/template.xdb --import $work/seed/cert-000000.pem" /dev/null >/dev/null ) || true
    sqlite3 "$work/template.xdb" "select count(*) from certs" >/dev/null 2>&1 ||
      { echo "bench-import: could not make an XCA database" >&2; exit 1; }
    cat >"$work/prep-xca.sh" <<EOF
#!/bin/sh
cp $work/template.xdb $work/x.xdb
EOF
    chmod +x "$work/prep-xca.sh"
    echo "== the same with XCA ($(xca --version 2>/dev/null | tail -1))" >&2
    QT_QPA_PLATFORM=offscreen hyperfine --runs "$(( RUNS < 3 ? RUNS : 3 ))" --prepare "$work/prep-xca.sh" \
      --export-json "$work/xca.json" \
      "xca --no-gui --database=$work/x.xdb --password=pass:geheim --import $work/pem/*.pem </dev/null >/dev/null 2>&1" >&2
    xc=$(mean "$work/xca.json")
    echo "XCA holds $(sqlite3 "$work/x.xdb" "select count(*) from certs") certificates (1 from the template)" >&2
    echo "| the same with XCA 2.4 (\`xca --no-gui --import\`), same run | $(ms "$xc") |"
    python3 -c 'import sys; print(f"| pkiodesk faster than XCA | {float(sys.argv[2])/float(sys.argv[1]):.0f}× |")' "$pk" "$xc"
  fi
fi

echo "== 100,000 certificates in ten PEM bundles of 10,000 (11.4 MB each)" >&2
go run ./internal/benchdata -n 100000 -per 10000 -out "$work/bundles"
rm -f "$work/big.db"
"$P" --db "$work/big.db" init >/dev/null 2>&1
/usr/bin/time -f "%e %M" -o "$work/time.txt" "$P" --db "$work/big.db" import "$work/bundles" >/dev/null 2>&1
read -r secs kb <"$work/time.txt"
echo "| import of 100,000 certificates (ten bundles) into a new database, as a process | ${secs} s, $(( kb / 1024 )) MB resident |"
echo "database: $(du -h "$work/big.db" | cut -f1)" >&2
hyperfine -N --runs "$((RUNS * 2))" --warmup 2 --export-json "$work/list.json" \
  "$P --db $work/big.db list --filter zzz" >&2
/usr/bin/time -f "%M" -o "$work/time.txt" "$P" --db "$work/big.db" list --filter zzz >/dev/null 2>&1
echo "| open the 100,000-certificate database and answer \`list --filter zzz\`, as a process | $(ms "$(mean "$work/list.json")"), $(( $(cat "$work/time.txt") / 1024 )) MB resident |"
hyperfine -N --runs "$((RUNS * 2))" --warmup 2 --export-json "$work/version.json" "$P version" >&2
echo "| \`pkiodesk version\` (process start, no database) | $(ms "$(mean "$work/version.json")") |"
