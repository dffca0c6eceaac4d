#!/bin/sh
# cgview stats and its served files on cgroup v2, for the v2 VM suite to call
# as root inside the VM:  stats-v2-check.sh /path/to/cgview /path/to/libcgview.so
# Makes one child cgroup of this shell's own v2 cgroup (removed on exit) and
# checks, against the cgroup's own files:
#   - I/O: 8 MiB written with O_DIRECT show in io.stat, in `cgview stats --json`
#     and in /proc/diskstats and `vmstat -d` under the shim;
#   - working set: 32 MiB written to a file count in cache, not in the working set;
#   - OOM: a 256 MiB hog under memory.max 64M is killed; memory.events oom_kill,
#     `stats --json` and `show --json` agree;
#   - pressure: /proc/pressure/cpu under the shim is the cgroup's cpu.pressure;
#   - swap: with memory.swap.max, /proc/swaps under the shim has one area of
#     min(swap.max, host swap) kB.
# Prints one "ok"/"FAIL" line per check; exits 1 on any failure.
set -u
CGVIEW=${1:?usage: stats-v2-check.sh CGVIEW LIBCGVIEW}
SHIM=${2:?usage: stats-v2-check.sh CGVIEW LIBCGVIEW}
status=0
# Written with O_DIRECT: a file system on a block device (the VM's scratch disk).
io_file=${CGVIEW_STATS_IO_DIR:-/var/tmp}/cgview-stats-io
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; status=1; }
json() { python3 -c "import json,sys; d=json.loads(sys.stdin.read().splitlines()[-1]); print($1)"; }

own=$(sed -n 's/^0:://p' /proc/self/cgroup)
parent=/sys/fs/cgroup${own%/}
[ -f "$parent/cgroup.controllers" ] || { echo "FAIL no cgroup v2 at $parent"; exit 1; }
# A v2 cgroup with processes cannot enable controllers for children: move this
# shell into a leaf first, then enable io, memory, cpu, pids below the parent.
leaf=$parent/cgview-stats-shell-$$
dir=$parent/cgview-stats-$$
mkdir "$leaf" && echo $$ > "$leaf/cgroup.procs"
echo "+io +memory +cpu +pids" > "$parent/cgroup.subtree_control" 2>/dev/null
mkdir "$dir"
cleanup() {
  echo $$ > "$parent/cgroup.procs" 2>/dev/null
  rmdir "$dir" "$leaf" 2>/dev/null
  rm -f "$io_file"
}
trap cleanup EXIT
# Runs its arguments inside $dir.
inside() { sh -c 'echo $$ > "$0/cgroup.procs" && shift && exec "$@"' "$dir" - "$@"; }

# --- I/O ---
if [ -f "$dir/io.stat" ]; then
  inside dd if=/dev/zero of="$io_file" bs=1M count=8 oflag=direct 2>/dev/null
  dev=$(awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^wbytes=/ && substr($i, 8) + 0 >= 8388608) { print $1; exit } }' "$dir/io.stat")
  if [ -z "$dev" ]; then
    fail "io.stat has no device with 8 MiB written: $(cat "$dir/io.stat")"
  else
    wbytes=$(awk -v d="$dev" '$1 == d { for (i = 2; i <= NF; i++) if ($i ~ /^wbytes=/) print substr($i, 8) }' "$dir/io.stat")
    wios=$(awk -v d="$dev" '$1 == d { for (i = 2; i <= NF; i++) if ($i ~ /^wios=/) print substr($i, 6) }' "$dir/io.stat")
    got=$(inside "$CGVIEW" stats --json --count 1 --interval 0.1 | json "d['io']['write_bytes']")
    [ "$got" = "$wbytes" ] && ok "stats io.write_bytes = io.stat wbytes ($wbytes)" || fail "stats io.write_bytes $got, io.stat $wbytes"
    maj=${dev%%:*} min=${dev##*:}
    line=$(inside env LD_PRELOAD="$SHIM" cat /proc/diskstats | awk -v a="$maj" -v b="$min" '$1 == a && $2 == b')
    set -- $line
    if [ "${8:-}" = "$wios" ] && [ "${10:-}" = "$((wbytes / 512))" ]; then ok "/proc/diskstats $3: $wios writes, $((wbytes / 512)) sectors"
    else fail "/proc/diskstats line '$line', io.stat wios=$wios wbytes=$wbytes"; fi
    name=${3:-}
    vm=$(inside env LD_PRELOAD="$SHIM" vmstat -d | awk -v n="$name" '$1 == n { print $6, $8 }')
    [ "$vm" = "$wios $((wbytes / 512))" ] && ok "vmstat -d $name: $vm" || fail "vmstat -d $name: '$vm'"
  fi
else
  fail "no io.stat in $dir (io controller not enabled)"
fi

# --- working set: 32 MiB just written (buffered) sits on the inactive file list ---
ws_file=${CGVIEW_STATS_IO_DIR:-/var/tmp}/cgview-stats-ws
got=$(inside sh -c "dd if=/dev/zero of=$ws_file bs=1M count=32 2>/dev/null && \"$CGVIEW\" stats --json --count 1" |
  json "(d['memory']['cache'] >= 30 << 20, 0 < d['memory']['working_set'] <= d['memory']['usage'] - (16 << 20), d['memory'])")
rm -f "$ws_file"
case "$got" in
  "(True, True,"*) ok "stats memory.working_set leaves out the inactive page cache" ;;
  *) fail "stats memory: $got" ;;
esac

# --- OOM ---
echo 64M > "$dir/memory.max"
echo 0 > "$dir/memory.swap.max" 2>/dev/null
inside python3 -c "b = b'x' * (256 << 20)" 2>/dev/null && fail "the 256 MiB hog was not killed"
kills=$(awk '$1 == "oom_kill" { print $2 }' "$dir/memory.events")
[ "${kills:-0}" -ge 1 ] && ok "memory.events oom_kill $kills" || fail "memory.events: $(cat "$dir/memory.events")"
got=$(inside "$CGVIEW" stats --json --count 1 --interval 0.1 | json "d['oom']['kills']")
[ "$got" = "$kills" ] && ok "stats oom.kills $got" || fail "stats oom.kills $got, memory.events $kills"
got=$(inside "$CGVIEW" show --json | python3 -c "import json,sys; print(json.load(sys.stdin)['stats']['oom']['kills'])")
[ "$got" = "$kills" ] && ok "show stats.oom.kills $got" || fail "show stats.oom.kills $got, memory.events $kills"

# --- pressure ---
if [ -f "$dir/cpu.pressure" ]; then
  served=$(inside env LD_PRELOAD="$SHIM" cat /proc/pressure/cpu | sed -n 's/^some .*total=//p')
  own_total=$(sed -n 's/^some .*total=//p' "$dir/cpu.pressure")
  host_total=$(sed -n 's/^some .*total=//p' /proc/pressure/cpu)
  # The cgroup's total only grows, and stays below the host's.
  if [ -n "$served" ] && [ "$served" -le "$own_total" ] && [ "$own_total" -le "$host_total" ]; then
    ok "/proc/pressure/cpu is the cgroup's (total $served, host $host_total)"
  else fail "/proc/pressure/cpu total '$served', cgroup $own_total, host $host_total"; fi
fi

# --- swap ---
host_swap=$(awk '$1 == "SwapTotal:" { print $2 }' /proc/meminfo)
if [ -f "$dir/memory.swap.max" ]; then
  echo 32M > "$dir/memory.swap.max"
  want=$((32768 < host_swap ? 32768 : host_swap))
  size=$(inside env LD_PRELOAD="$SHIM" cat /proc/swaps | awk 'NR == 2 { print $3 }')
  [ "${size:-0}" = "$want" ] || { [ "$want" = 0 ] && [ -z "$size" ]; } && ok "/proc/swaps size ${size:-none} (want $want)" || fail "/proc/swaps size '$size', want $want"
fi
exit $status
