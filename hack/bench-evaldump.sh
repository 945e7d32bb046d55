#!/usr/bin/env bash
# Print everything secshim derives from every test document, for byte
# comparison of two builds (performance work must not change any of it):
#
#   hack/bench-evaldump.sh > before.txt ... (change) ... hack/bench-evaldump.sh > after.txt
#
# Documents: the fixtures, every JSON file under tests/, and a seeded random
# corpus (control characters, escapes, non-BMP, odd numbers) built by
# hack/bench/evaldump-corpus.py; under the three shipped policies, with the
# fake and the real host.  Not a test.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fixtures=${SECSHIM_FIXTURES:-$top/tests/fixtures}
out=$top/build/bench
mkdir -p "$out"
make -s build/libsecshim.a
${CC:-cc} -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -fPIE -Iinclude -pie \
  -o "$out/evaldump" hack/bench/evaldump.c build/libsecshim.a -lyajl -lseccomp -laudit -lcap-ng -lapparmor -lnettle
corpus=$out/evaldump-corpus
rm -rf "$corpus"
python3 hack/bench/evaldump-corpus.py "$fixtures/docker-20.10/default.config.json" "$corpus" 300
mapfile -t docs < <( { find "$fixtures" tests -name '*.json' -type f; find "$corpus" -type f; } | LC_ALL=C sort)
for pol in policy/default.json policy/restricted.json policy/audit.json -; do
  for h in fake real; do
    echo "##### policy $pol host $h"
    EVALDUMP_HOST=$h "$out/evaldump" "$pol" "${docs[@]}" 2>&1 | sed "s|$top/||g"
  done
done
