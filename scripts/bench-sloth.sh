#!/usr/bin/env bash
# bench-sloth.sh: `stackc build` and Sloth v0.16.0 `generate` side by side on
# the same SLOs, whole processes: wall time and peak RSS, median of RUNS.
#
#   make bench-sloth                 # 1,000 and 10,000 SLOs, 3 runs each
#   SERVICES="100" RUNS=5 scripts/bench-sloth.sh
#
# SERVICES lists spec sizes in services; each service has 5 endpoints with one
# availability and one latency SLO each (10 SLOs per service, see
# compiler/internal/benchspec). Sloth is built from the Go module proxy into
# the shared tools directory (go run ./tools/install sloth); GNU time measures
# both processes.
set -euo pipefail
cd "$(dirname "$0")/.."

SERVICES=${SERVICES:-"100 1000"}
RUNS=${RUNS:-3}
GO=${GO:-go}

if ! /usr/bin/time --version 2>&1 | grep -q GNU; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "installing GNU time (apt-get install time)" >&2
		apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
	else
		echo "bench-sloth: needs GNU time at /usr/bin/time (Debian: apt-get install time)" >&2
		exit 1
	fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "building stackc and sloth v0.16.0 ..." >&2
$GO build -o "$work/stackc" ./compiler/cmd/stackc
sloth=$($GO run ./tools/install sloth | tail -1)

# measure TOOL DIR ARGS...: runs the command RUNS times in DIR and prints
# "median-wall-seconds median-peak-KiB".
measure() {
	local dir=$1
	shift
	local walls=() rss=()
	for _ in $(seq "$RUNS"); do
		rm -rf "$dir/out" "$dir/sloth-rules.yml"
		(cd "$dir" && /usr/bin/time -o "$dir/time" -f "%e %M" "$@" >/dev/null 2>"$dir/stderr") || {
			echo "bench-sloth: $* failed:" >&2
			cat "$dir/stderr" >&2
			exit 1
		}
		read -r w m <"$dir/time"
		walls+=("$w")
		rss+=("$m")
	done
	local mw mr
	mw=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p")
	mr=$(printf '%s\n' "${rss[@]}" | sort -g | sed -n "$(((RUNS + 1) / 2))p")
	echo "$mw $mr"
}

printf '| SLOs | stackc wall | stackc peak RSS | Sloth wall | Sloth peak RSS | wall stackc/Sloth | RSS stackc/Sloth | stackc ms/SLO | Sloth ms/SLO |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for n in $SERVICES; do
	dir="$work/$n"
	$GO run ./compiler/internal/benchspec/benchgen -services "$n" -dir "$dir"
	slos=$((n * 10))
	read -r sw sm < <(measure "$dir" "$work/stackc" build -o out stack.jsonnet)
	read -r lw lm < <(measure "$dir" "$sloth" generate -i sloth.yaml -o sloth-rules.yml)
	awk -v n="$slos" -v sw="$sw" -v sm="$sm" -v lw="$lw" -v lm="$lm" 'BEGIN {
		printf "| %d | %.2f s | %.0f MiB | %.2f s | %.0f MiB | %.2f | %.2f | %.2f | %.2f |\n",
			n, sw, sm / 1024, lw, lm / 1024, sw / lw, sm / lm, 1000 * sw / n, 1000 * lw / n
	}'
done
echo
echo "median of $RUNS runs; $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%d)"
