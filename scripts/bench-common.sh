# Shared by scripts/bench and scripts/bench-scale (sourced).

# $EPOCHREALTIME costs no process, unlike date(1), whose start alone takes
# milliseconds here.
now_ns() { local t=${EPOCHREALTIME/./}; echo "${t}000"; }
summary() {  # summary LABEL values_ms...
  local label=$1; shift
  printf '%s\n' "$@" | sort -n | awk -v label="$label" '
    { v[NR] = $1 } END { printf "%-24s median %7.1f ms   min %7.1f   max %7.1f   (n=%d)\n",
                         label, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
}
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
# "median (min-max)" of values in ms, shown in seconds.
seconds_summary() {
  printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
    printf "%.2f s (%.2f-%.2f)", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000 }'
}
median_ms() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
median_seconds() { awk -v m="$(median_ms "$@")" 'BEGIN { printf "%.2f s", m / 1000 }'; }

# The kernel frees removed namespaces in the background, holding locks that
# the next creation needs: each measured step starts on a settled kernel
# (SETTLE seconds, or the caller's settle_seconds).
settle() { sleep "${SETTLE:-${settle_seconds:-0.5}}"; }
# What a floor's `ip -batch` made, should the bench stop half way.
remove_floor_namespaces() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^floor-$$\." || true); do ip netns del "$ns"; done
}
