#!/bin/sh
# Kills the leading replica of balancer 'front' (examples/lb.yaml) with SIGKILL while a client in site C
# (node03) keeps requesting http://192.168.10.200/status through the overlay, one new connection every
# 20 ms, each given 200 ms. Then prints what the client saw and `geostage lb status`.
#   examples/lb-failover.sh [ENVIRONMENT] [SECONDS]      (defaults: seed, 6)
# GEOSTAGE names another geostage command to use (the tests point it at the build they test).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
gs=${GEOSTAGE:-$here/geostage}
env=${1:-seed}
seconds=${2:-6}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The leader and its process; a balancer deployed with --no-wait may still be electing one: up to 10 s.
leader= pid= tries=0
while [ -z "$pid" ] && [ "$tries" -lt 20 ]; do
    [ "$tries" -eq 0 ] || sleep 0.5
    tries=$((tries + 1))
    leader=$("$gs" lb status front --name "$env" --output json | awk '/"leader": "/ { gsub(/[",]/, "", $2); print $2; exit }')
    [ -n "$leader" ] || continue
    pid=$("$gs" ps lb-front --name "$env" --output json |
        awk -v n="$leader" '/"node":/ { gsub(/[",]/, "", $2); node = $2 } /"pid":/ { gsub(/,/, "", $2); if (node == n) { print $2; exit } }')
done
if [ -z "$pid" ]; then
    echo "lb-failover: balancer 'front' has no leader with a running replica in environment '$env'" >&2
    exit 1
fi

# The client: one line per request, "<ms since epoch> <HTTP code, 000 when none>".
"$gs" exec --name "$env" node03 -- sh -c '
    end=$(( $(date +%s) + '"$seconds"' ))
    while [ "$(date +%s)" -lt "$end" ]; do
        code=$(curl -s -o /dev/null -m 0.2 -w "%{http_code}" http://192.168.10.200/status || true)
        echo "$(( $(date +%s%N) / 1000000 )) $code"
        sleep 0.02
    done' > "$out" &
client=$!

sleep 2
killed=$(( $(date +%s%N) / 1000000 ))
kill -9 "$pid"
echo "killed lb-front on $leader (pid $pid), the leader"
wait "$client"

awk -v killed="$killed" '
    $2 == 200 { ok++; if (last && $1 - last > gap) { gap = $1 - last; from = last } last = $1; next }
    { failed++ }
    END {
        printf "client in site C: %d requests answered, %d not", ok, failed
        printf "; longest time between two answers %d ms (%+d to %+d ms from the kill)\n", gap, from - killed, from + gap - killed
    }' "$out"
"$gs" lb status front --name "$env"
