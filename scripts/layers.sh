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

rank() {  # a folder's place in the order, or -1 when it is not a layer
  local i
  for i in "${!layers[@]}"; do
    [ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }
  done
  echo -1
}

bad=0
for i in "${!layers[@]}"; do
  folder=${layers[$i]}
  [ -d "$root/$folder" ] || continue
  while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    target=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\.\/\([^/"]*\)\/.*/\1/p' <<<"${rest#*:}")
    [ -n "$target" ] || continue
    r=$(rank "$target")
    if [ "$r" -lt 0 ] || [ "$r" -ge "$i" ]; then
      header=$(sed -n 's/.*"\.\.\/\([^"]*\)".*/\1/p' <<<"${rest#*:}")
      below=${layers[*]:0:$i}
      echo "${file#"$root"/}:$line: $folder may not include $header" \
           "(it may include ${below:+$below and }its own headers)" >&2
      bad=1
    fi
  done < <(grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' \
             "$root/$folder"/*.c "$root/$folder"/*.h 2>/dev/null || true)
done
if [ "$bad" -ne 0 ]; then
  echo "layers: an include goes against the layer order (${layers[*]})" >&2
  exit 1
fi
echo "layers: every include follows the order ${layers[*]}"
