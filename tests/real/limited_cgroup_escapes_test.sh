#!/bin/bash
# scripts/lib/limited-cgroup.sh finds this process's cgroup directory under a
# hierarchy mounted at a path with a blank, a backslash and a tab, which
# mountinfo writes as \040, \134 and \011: the path it gives is the real one,
# not the escapes.
# In a private mount namespace the hierarchy (v1's cpu, else v2) is mounted
# again at such a path and its usual mount removed, so only the new one is
# left to find.
#   limited_cgroup_escapes_test.sh SOURCE_DIR
# Exit 77 (skip) where no hierarchy can be mounted here, unless
# CGVIEW_TEST_REQUIRE_CGROUPS=1.
set -u
source "$1/scripts/lib/limited-cgroup.sh"

skip() {
  echo "SKIP: $*"
  [ "${CGVIEW_TEST_REQUIRE_CGROUPS:-}" = 1 ] && exit 1
  exit 77
}

# v1's cpu hierarchy (with the controllers mounted beside it), else v2.
controllers=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ { print $2; exit }' /proc/self/cgroup)
if [ -n "$controllers" ]; then ctl=cpu; type=cgroup; options=$controllers
else ctl=; type=cgroup2; options=
fi
before=$(limited_cgroup_dir "$ctl") || skip "no cgroup hierarchy found for cpu"
old_mount=$(awk -v t="$type" '{ for (i = 7; $i != "-"; i++); if ($(i + 1) == t && (t == "cgroup2" || $(i + 3) ~ /(^|,)cpu(,|$)/)) { print $5; exit } }' /proc/self/mountinfo)

point="/tmp/cgview mount \\ tab"$'\t'"$$"
mkdir -p "$point" || skip "cannot make $point"
trap 'rmdir "$point"' EXIT
after=$(unshare -m --propagation private bash -c '
  source "$1/scripts/lib/limited-cgroup.sh"
  mount -t "$2" ${3:+-o "$3"} cgroup "$4" && umount "$5" || exit 3
  limited_cgroup_dir "$6"' sh "$1" "$type" "$options" "$point" "$old_mount" "$ctl")
rc=$?
[ $rc = 3 ] && skip "cannot mount the $type hierarchy again here"

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
[ $rc = 0 ] || fail "limited_cgroup_dir failed under $point (status $rc)"
expected="$point${before#"$old_mount"}"
[ "$after" = "$expected" ] || fail "limited_cgroup_dir gave '$after', expected '$expected'"
echo "own $type directory: '$before', under the escaped mount point: '$after'"

# A tab in the mount's root, the field before the mount point: a child cgroup
# named with one, bind-mounted alone at the point, with this process moved in.
child="$before/tab"$'\t'"root-$$"
if mkdir "$child" 2>/dev/null; then
  trap 'rmdir "$child"; rmdir "$point"' EXIT
  in_child=$(unshare -m --propagation private bash -c '
    source "$1/scripts/lib/limited-cgroup.sh"
    mount --bind "$2" "$3" && umount "$4" || exit 3
    echo $BASHPID > "$3/cgroup.procs" || exit 3
    limited_cgroup_dir "$5"' sh "$1" "$child" "$point" "$old_mount" "$ctl")
  rc=$?
  if [ $rc = 3 ]; then echo "(no bind mount of a child cgroup here: the root case not run)"
  else
    [ $rc = 0 ] || fail "limited_cgroup_dir failed with a tab in the root (status $rc)"
    [ "$in_child" = "$point" ] || fail "with a tab in the root it gave '$in_child', expected '$point'"
    echo "in a child cgroup with a tab in its name, bind-mounted there: '$in_child'"
  fi
else
  echo "(cannot make a child cgroup here: the root case not run)"
fi
[ $failures = 0 ] && echo PASS
exit $((failures > 0))
