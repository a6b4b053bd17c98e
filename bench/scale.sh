#!/usr/bin/env bash
# Scale benchmark: `geostage up` (every ordered pair checked through the overlay) and `down` for the seed,
# 10 x 10, 10 x 50 and 20 x 50, one overlay at a time, one environment at a time, each in a private
# GEOSTAGE_STATE_DIR and always taken down again (also on failure or Ctrl+C).
#
#   sudo bench/scale.sh [openvpn|wireguard] [TOPOLOGY...]     TOPOLOGY: seed 10x10 10x50 20x50 (default: all)
#
# Prints one line per topology: up wall time and the time inside up, pairs reachable/total, each up step's
# start (as up prints it), down time, overlay processes, their RSS and PSS summed, the control daemon's RSS
# and CPU over 10 s, and the load average before and after (2 cores shared: read the figures with it).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
overlay="${1:-openvpn}"
shift || true
topologies=("$@")
[ ${#topologies[@]} -eq 0 ] && topologies=(seed 10x10 10x50 20x50)
geostage="$here/geostage"
work="$(mktemp -d /tmp/geostage-scale.XXXXXX)"
export GEOSTAGE_STATE_DIR="$work/state"
mkdir -p "$GEOSTAGE_STATE_DIR"
current=""

cleanup() {
  if [ -n "$current" ]; then
    "$geostage" down --name "$current" >/dev/null 2>&1 || true
    current=""
  fi
}
trap 'cleanup; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# grid NAME SITES PER_SITE: one /24 per site, nodes addressed by GeoStage (as Topologies.Grid).
grid() {
  local name=$1 sites=$2 per=$3 s n
  echo "name: $name"; echo "wan: 10.200.0.0/16"; echo "sites:"
  for ((s = 0; s < sites; s++)); do echo "  - { name: s$s, cidr: 10.$((s + 1)).0.0/24, router: 10.200.0.$((s + 1)) }"; done
  echo "nodes:"
  for ((s = 0; s < sites; s++)); do for ((n = 0; n < per; n++)); do echo "  - { name: s${s}n$n, site: s$s }"; done; done
  printf 'overlay:\n  backend: %s\n  topology: mesh\n' "$overlay"
}

seed() {
  sed -e "s/^name: .*/name: $1/" -e "s/^  backend: .*/  backend: $overlay/" "$here/examples/seed.yaml"
}

# Sum of VmRSS and Pss (KiB) of every process in the environment's router namespaces: the overlay's.
overlay_memory() {
  local name=$1 pids=() ns p rss=0 pss=0
  for ns in $(ip netns list | awk '{print $1}' | grep "_${name}_" ); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$p"); done
  done
  for p in $(printf '%s\n' "${pids[@]}" | sort -u); do
    rss=$((rss + $(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
    pss=$((pss + $(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "$(printf '%s\n' "${pids[@]}" | sort -u | grep -c .) $((rss / 1024)) $((pss / 1024))"
}

daemon_figures() {
  local name=$1 pid t0 t1
  pid=$(pgrep -f "geostage.dll serve --name $name\$" | head -1)
  [ -z "$pid" ] && { echo "- -"; return; }
  t0=$(awk '{print $14 + $15}' "/proc/$pid/stat"); sleep 10; t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  echo "$(( $(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") / 1024 )) $(( (t1 - t0) * 100 / $(getconf CLK_TCK) / 10 ))"
}

printf '%-6s %-9s %8s %8s %17s %7s %6s %9s %9s %10s %9s  %s\n' topology overlay "up wall" "inside" "pairs" "down" procs "RSS MiB" "PSS MiB" "daemon MiB" "daemon %" "load before/after; steps"
for topology in "${topologies[@]}"; do
  name="sc$(date +%s | tail -c 5)${topology//x/}"
  case "$topology" in
    seed) seed "$name" > "$work/$name.yaml" ;;
    *x*) grid "$name" "${topology%x*}" "${topology#*x}" > "$work/$name.yaml" ;;
    *) echo "unknown topology $topology" >&2; exit 2 ;;
  esac
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  current="$name"
  start=$(date +%s.%N)
  "$geostage" up "$work/$name.yaml" > "$work/up.out" 2>&1
  code=$?
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  steps=$(grep -E '^ +[0-9.]+s [a-z]+' "$work/up.out" | awk '{printf "%s %s, ", $2, $1}')
  inside=$(grep -oE 'is up in [0-9.]+ s' "$work/up.out" | grep -oE '[0-9.]+')
  pairs=$(grep -oE 'after the overlay: +[0-9]+/[0-9]+' "$work/up.out" | grep -oE '[0-9]+/[0-9]+')
  if [ $code -ne 0 ]; then
    echo "$topology: up failed ($code): $(tail -1 "$work/up.out")"
  fi
  read -r procs rss pss <<< "$(overlay_memory "$name")"
  read -r drss dcpu <<< "$(daemon_figures "$name")"
  start=$(date +%s.%N)
  "$geostage" down --name "$name" > /dev/null 2>&1
  down=$(echo "$(date +%s.%N) - $start" | bc)
  current=""
  printf '%-6s %-9s %7.2fs %7ss %17s %6.2fs %6s %9s %9s %10s %9s  %s/%s; %s\n' "$topology" "$overlay" "$wall" "${inside:--}" "${pairs:--}" "$down" "$procs" "$rss" "$pss" "$drss" "$dcpu" "$load_before" "$(cut -d' ' -f1 /proc/loadavg)" "$steps"
done
