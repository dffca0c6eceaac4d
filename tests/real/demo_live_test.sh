#!/usr/bin/env bash
# scripts/demo-live in a real cgroup (scripts/lib/limited-cgroup.sh): with
# cgview the rows show the cgroup's 1 CPU and 512 MiB, without it the
# machine's; nothing on stderr; every cgroup it made is gone afterwards, and
# so is the cgroup a killed demo left.
#   demo_live_test.sh SOURCE_DIR LIBCGVIEW CGVIEW
# Exit 77 (skip) where no cgroup can be made here, unless
# CGVIEW_TEST_REQUIRE_CGROUPS=1.
set -euo pipefail
src=$1 shim=$2 cli=$3
err=$(mktemp)
trap 'rm -f "$err"' EXIT
. "$src/scripts/lib/limited-cgroup.sh"
# What a demo killed by SIGKILL leaves, under a PID no process can have: the
# demo removes it when it makes its own.
# Where the demo makes its cgroup for a controller: under scripts/test on
# cgroup v2, the cgroup it prepared (which also holds scripts/test's own
# leaf, this test's cgroup); else the own cgroup.
demo_parent() {
  [ -z "${CGVIEW_TEST_CGROUP_PARENT:-}" ] || { echo "$CGVIEW_TEST_CGROUP_PARENT"; return; }
  limited_cgroup_dir "$1" || limited_cgroup_dir ""
}
stale=()
if [ "$(id -u)" = 0 ]; then
  for ctl in cpu memory; do
    dir=$(demo_parent "$ctl") || continue
    d=$dir/cgview-demo-$(($(cat /proc/sys/kernel/pid_max) + 1))
    [ -d "$d" ] || mkdir "$d" 2>/dev/null && stale+=("$d")
  done
fi
out=$("$src/scripts/demo-live" "$shim" "$cli" 2>"$err")
echo "$out"
if grep -q "skipping the live demo" <<<"$out"; then
  for d in "${stale[@]}"; do rmdir "$d"; done
  [ "${CGVIEW_TEST_REQUIRE_CGROUPS:-0}" = 1 ] && { echo "FAIL: no cgroup made (CGVIEW_TEST_REQUIRE_CGROUPS=1)"; exit 1; }
  exit 77
fi
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# The last two cells of the row whose first cell is $1.
cells() { awk -v name="$1" 'index($0, "  " name "  ") == 1 { print $(NF - 1), $NF }' <<<"$out"; }
host_cpus=$(nproc) host_mib=$(free -m | awk '/^Mem:/ {print $2}')
[ "$(cells nproc)" = "$host_cpus 1" ] || fail "nproc: '$(cells nproc)', want '$host_cpus 1'"
[ "$(cells "getconf _NPROCESSORS_ONLN")" = "$host_cpus 1" ] || fail "getconf: '$(cells "getconf _NPROCESSORS_ONLN")'"
[ "$(cells "grep -c ^processor /proc/cpuinfo")" = "$host_cpus 1" ] || fail "cpuinfo: '$(cells "grep -c ^processor /proc/cpuinfo")'"
read -r without with <<<"$(cells "free -m: total memory (MiB)")"
[ "$with" = 512 ] || fail "free with cgview: '$with', want 512"
[ "$without" -ge $((host_mib - 64)) ] 2>/dev/null || fail "free without cgview: '$without', want about $host_mib"
grep -q "^  CPU quota .* 1 " <<<"$out" || fail "cgview show inside: no quota of 1"
[ -s "$err" ] && fail "stderr: $(cat "$err")"
[ ${#stale[@]} -gt 0 ] || fail "no stale cgroup could be planted"
for d in "${stale[@]}"; do
  [ ! -d "$d" ] || { fail "a killed demo's cgroup left: $d"; rmdir "$d"; }
done
own=$(limited_cgroup_dir "" || true)  # not a leftover: this test's own cgroup
for ctl in cpu cpuacct memory; do
  dir=$(demo_parent "$ctl") || continue
  left=$(find "$dir" -maxdepth 1 \( -name 'cgview-demo-*' -o -name 'cgview-leaf-*' \) ! -path "$own")
  [ -z "$left" ] || fail "left behind: $left"
done
[ "$failures" = 0 ] && echo "demo-live: all checks passed"
[ "$failures" = 0 ]
