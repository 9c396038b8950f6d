#!/usr/bin/env bash
# layers.sh [ROOT] - each folder is one layer and includes only from the
# layers below it (docs/ARCHITECTURE.md):
#
#   ga  <  surrogates  <  problems  <  exec  <  sweeps  <  cli
#
# A C file or header in a layer may include its own folder's headers and
# those of the layers left of it; tests/ and tests/fuzz/ may include any.
# Prints each include that goes up or sideways as FILE:LINE: FOLDER may not
# include FOLDER/HEADER, and exits 1 when there is one; 0 otherwise.
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
layers=(ga surrogates problems exec sweeps cli)

# every '#include "../FOLDER/..."' of a layer's files, judged in one awk pass
for folder in "${layers[@]}"; do
  [ -d "$root/$folder" ] || continue
  grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' \
    "$root/$folder"/*.c "$root/$folder"/*.h 2>/dev/null || true
done | awk -v root="$root/" -v order="${layers[*]}" '
  BEGIN { n = split(order, l, " "); for (i = 1; i <= n; i++) rank[l[i]] = i }
  {
    file = $0; sub(/:.*/, "", file)
    rest = substr($0, length(file) + 2)
    line = rest; sub(/:.*/, "", line)
    header = rest; sub(/^[^"]*"\.\.\//, "", header); sub(/".*/, "", header)
    target = header; sub(/\/.*/, "", target)
    rel = substr(file, length(root) + 1)
    folder = rel; sub(/\/.*/, "", folder)
    if (!(target in rank) || rank[target] >= rank[folder]) {
      below = ""
      for (i = 1; i < rank[folder]; i++) below = below l[i] " "
      printf "%s:%s: %s may not include %s (it may include %sits own " \
             "headers)\n", rel, line, folder, header,
             below == "" ? "" : below "and " > "/dev/stderr"
      bad = 1
    }
  }
  END { exit bad }' && ok=1 || ok=0
if [ "$ok" -ne 1 ]; then
  echo "layers: an include goes against the layer order (${layers[*]})" >&2
  exit 1
fi
echo "layers: every include follows the order ${layers[*]}"
