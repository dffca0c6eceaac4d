# Sourced by scripts/demo-live, scripts/bench and scripts/test: child cgroups
# of this process's own cgroup with a CPU quota and a memory limit, on cgroup
# v1 or v2. Needs root. Touches nothing outside the own cgroup's subtree.
#
#   limited_cgroup_make NAME QUOTA_US PERIOD_US MEMORY_BYTES
#       Makes the cgroup (QUOTA_US 0: no quota; MEMORY_BYTES 0: no limit).
#       Success: limited_cgroup_dirs holds every directory a process must
#       enter (v1: one per hierarchy, cpuacct too where it is mounted apart
#       from cpu; v2: one), limited_cgroup_version is 1 or 2. Failure: returns
#       1, limited_cgroup_why says why. Call it more than once for more cgroups.
#   limited_cgroup_enter DIR...   moves the calling shell ($BASHPID) into them
#   limited_cgroup_remove         removes every cgroup made, undoes the rest
#   limited_cgroup_test_setup "$@"   scripts/test, cgroup v2: re-runs the
#       calling script in a scope of its own where systemd can make one,
#       prepares its cgroup to hold the test suites' cgroups and exports its
#       directory as CGVIEW_TEST_CGROUP_PARENT, where the suites make theirs
#       (and limited_cgroup_make too); an EXIT trap undoes it
#
# cgroup v2 lets a cgroup hold limits only where its parent enables the cpu
# and memory controllers for its children (cgroup.subtree_control), and
# refuses to enable them in a cgroup that holds processes itself, unless it is
# the hierarchy's root. So the own cgroup must be the root (a VM, a machine
# without systemd), enable them already (a delegated cgroup prepared so), or
# hold no process but this script: then the script moves itself one level
# down, to a leaf of its own, and enables them. A login shell's cgroup under
# systemd holds the shell too: there, run the script in a cgroup of its own
# (`systemd-run --scope -p Delegate=yes ...`; limited_cgroup_delegate does it).

limited_cgroup_dirs=()
limited_cgroup_version=
limited_cgroup_why=
limited_cgroup_made=()    # directories made, removed in reverse order
limited_cgroup_enabled=   # v2: the controllers we enabled in limited_cgroup_base
limited_cgroup_before=    # v2: what its cgroup.subtree_control held before
limited_cgroup_base=      # v2: the own cgroup the children are made in
limited_cgroup_leaf=      # v2: the leaf this script moved itself into

# The directory of a cgroup path (from /proc/self/cgroup) under a mount whose
# root and mount point are given: the path with the mount's root stripped.
limited_cgroup_under_mount() {  # path root mount-point
  local path=$1 root=$2 mnt=$3
  [ -n "$mnt" ] || return 1
  [ "$path" = / ] && path=
  if [ "$root" = / ]; then echo "${mnt%/}$path"
  elif [[ $path == "$root" || $path == "$root"/* ]]; then echo "$mnt${path#"$root"}"
  else echo "$mnt"
  fi
}

# This process's cgroup directory for a v1 controller (under the mount whose
# super options name it), or with "" for cgroup v2 (the "0::" line, under
# the cgroup2 mount). (No process substitution: it needs /dev/fd, which a
# bare devtmpfs lacks.)
limited_cgroup_dir() {
  local ctl=$1 hid ctrls path found
  while IFS=: read -r hid ctrls path; do
    if [ -z "$ctl" ]; then
      [ "$hid" = 0 ] && [ -z "$ctrls" ] || continue
    else
      [[ ",$ctrls," == *",$ctl,"* ]] || continue
    fi
    # The root and mount point as mountinfo spells them: a blank, tab,
    # newline or backslash in either is an octal escape (\040, \011, \012,
    # \134), so one blank separates the two; limited_cgroup_unescape turns
    # them back into bytes after the split.
    found=$(awk -v ctl="$ctl" '
      function found() { print $4 " " $5; exit }
      {
        for (i = 7; i <= NF; i++) if ($i == "-") break
        if (ctl == "") { if ($(i + 1) == "cgroup2") found(); next }
        if ($(i + 1) != "cgroup") next
        n = split($(i + 3), o, ",")
        for (j = 1; j <= n; j++) if (o[j] == ctl) found()
      }' /proc/self/mountinfo) || return 1
    [ -n "$found" ] || return 1
    local root mount
    limited_cgroup_unescape root "${found%% *}"
    limited_cgroup_unescape mount "${found#* }"
    limited_cgroup_under_mount "$path" "$root" "$mount"
    return
  done </proc/self/cgroup
  return 1
}

# Sets variable $1 to mountinfo field $2 with its octal escapes undone: every
# backslash there starts one (a backslash itself is \134), and printf's %b
# reads an escape as \0NNN.
limited_cgroup_unescape() {
  printf -v "$1" '%b' "${2//\\/\\0}"
}

limited_cgroup_fail() { limited_cgroup_why=$1; return 1; }

# Removes what a run killed before its cleanup (SIGKILL) left beside a new
# NAME-$$: the empty NAME-PID cgroups (and NAME-...-PID ones) of PIDs that no
# longer exist. rmdir refuses a cgroup holding a process or a child.
limited_cgroup_sweep() {  # parent name
  local prefix=${2%-*} d pid
  [ "$2" = "$prefix-$$" ] || return 0
  for d in "$1/$prefix"-*; do
    pid=${d##*-}
    [[ $pid =~ ^[0-9]+$ ]] && [ "$pid" != $$ ] && [ ! -d "/proc/$pid" ] && rmdir "$d" 2>/dev/null
  done
  return 0
}

limited_cgroup_mkdir() {  # parent name -> the new directory in $REPLY
  local err
  limited_cgroup_sweep "$1" "$2"
  REPLY=$1/$2
  err=$(mkdir "$REPLY" 2>&1) || limited_cgroup_fail "cannot create $REPLY: ${err##*: }" || return 1
  limited_cgroup_made+=("$REPLY")
}

limited_cgroup_make_v1() {  # name quota period memory
  local cpu mem acct dirs=()
  cpu=$(limited_cgroup_dir cpu) && mem=$(limited_cgroup_dir memory) ||
    limited_cgroup_fail "no cgroup v1 cpu and memory hierarchies" || return 1
  if [ "$3" != 0 ] || [ "$2" != 0 ]; then
    limited_cgroup_mkdir "$cpu" "$1" || return 1
    dirs+=("$REPLY")
    if [ "$2" != 0 ]; then
      { echo "$3" >"$REPLY/cpu.cfs_period_us" && echo "$2" >"$REPLY/cpu.cfs_quota_us"; } 2>/dev/null ||
        limited_cgroup_fail "cannot set the CPU quota in $REPLY" || return 1
    fi
    # Where cpuacct is mounted apart, its own child counts the processes' CPU time.
    acct=$(limited_cgroup_dir cpuacct) && [ "$acct" != "$cpu" ] && {
      limited_cgroup_mkdir "$acct" "$1" || return 1
      dirs+=("$REPLY")
    }
  fi
  # memory mounted with cpu (one hierarchy): the same child holds both.
  if [ "$mem" != "$cpu" ] || [ ${#dirs[@]} = 0 ]; then
    limited_cgroup_mkdir "$mem" "$1" || return 1
    dirs+=("$REPLY")
  else
    REPLY=${dirs[0]}
  fi
  if [ "$4" != 0 ]; then
    echo "$4" >"$REPLY/memory.limit_in_bytes" 2>/dev/null ||
      limited_cgroup_fail "cannot set the memory limit in $REPLY" || return 1
  fi
  limited_cgroup_dirs=("${dirs[@]}")
  limited_cgroup_version=1
}

# Enables the controllers named (cpu and memory when none are) for the
# children of $limited_cgroup_base, moving this script to a leaf of its own
# first where it is the only process there.
limited_cgroup_enable_v2() {
  local base=$limited_cgroup_base want=() c p others=0
  [ $# -gt 0 ] || set -- cpu memory
  for c in "$@"; do
    [[ " $(<"$base/cgroup.controllers") " == *" $c "* ]] ||
      limited_cgroup_fail "cgroup v2's $c controller is not available in $base (its parent does not pass it down)" ||
      return 1
    [[ " $(<"$base/cgroup.subtree_control") " == *" $c "* ]] || want+=("$c")
  done
  [ ${#want[@]} = 0 ] && return 0
  limited_cgroup_before=$(<"$base/cgroup.subtree_control")
  if ! echo "${want[@]/#/+}" >"$base/cgroup.subtree_control" 2>/dev/null; then
    # Refused: the base holds processes. Only this script's own: step aside.
    while read -r p; do [ "$p" = "$$" ] || others=$((others + 1)); done <"$base/cgroup.procs"
    [ "$others" = 0 ] && [ "$BASHPID" = "$$" ] ||
      limited_cgroup_fail "$base holds other processes too, and cgroup v2 gives no limits below a cgroup that holds processes; run this alone in a cgroup of its own (systemd-run --scope -p Delegate=yes ...)" ||
      return 1
    limited_cgroup_mkdir "$base" "cgview-leaf-$$" || return 1
    limited_cgroup_leaf=$REPLY
    echo "$$" >"$limited_cgroup_leaf/cgroup.procs" &&
      echo "${want[@]/#/+}" >"$base/cgroup.subtree_control" 2>/dev/null ||
      limited_cgroup_fail "cannot enable ${want[*]} for the children of $base" || return 1
  fi
  limited_cgroup_enabled="${want[*]}"
}

limited_cgroup_make_v2() {  # name quota period memory
  if [ -z "$limited_cgroup_base" ]; then
    # Under scripts/test the own cgroup is a leaf holding the suite: its
    # prepared parent gives the children their limits.
    limited_cgroup_base=${CGVIEW_TEST_CGROUP_PARENT:-}
    [ -n "$limited_cgroup_base" ] ||
      limited_cgroup_base=$(limited_cgroup_dir "") || limited_cgroup_fail "no cgroup v1 cpu and memory hierarchies, and no cgroup v2" || return 1
    limited_cgroup_enable_v2 || return 1
  fi
  limited_cgroup_mkdir "$limited_cgroup_base" "$1" || return 1
  if [ "$2" != 0 ]; then
    echo "$2 $3" >"$REPLY/cpu.max" 2>/dev/null || limited_cgroup_fail "cannot set the CPU quota in $REPLY" || return 1
  fi
  if [ "$4" != 0 ]; then
    echo "$4" >"$REPLY/memory.max" 2>/dev/null || limited_cgroup_fail "cannot set the memory limit in $REPLY" || return 1
  fi
  limited_cgroup_dirs=("$REPLY")
  limited_cgroup_version=2
}

limited_cgroup_make() {  # name quota_us period_us memory_bytes
  limited_cgroup_dirs=() limited_cgroup_why=
  [ "$(id -u)" = 0 ] || limited_cgroup_fail "not root" || return 1
  # v1 wherever it holds both controllers (a hybrid host too), as cgview reads it.
  if limited_cgroup_dir cpu >/dev/null && limited_cgroup_dir memory >/dev/null; then
    limited_cgroup_make_v1 "$@"
  else
    limited_cgroup_make_v2 "$@"
  fi
}

limited_cgroup_enter() {
  local d
  for d in "$@"; do echo "$BASHPID" >"$d/cgroup.procs" || return 1; done
}

# Where limited_cgroup_enable_v2 turned controllers on for children, turns off
# every one that was off before: its own, and those a container runtime turned
# on since (runc and crun enable every controller on each cgroup above a
# --cgroup-parent, and v2 lets no process back into a cgroup that keeps them).
limited_cgroup_disable_v2() {
  local c off=
  [ -n "$limited_cgroup_enabled" ] || return 0
  for c in $(<"$limited_cgroup_base/cgroup.subtree_control"); do
    [[ " $limited_cgroup_before " == *" $c "* ]] || off+=" -$c"
  done
  [ -z "$off" ] || echo "$off" >"$limited_cgroup_base/cgroup.subtree_control" 2>/dev/null
  limited_cgroup_enabled=
}

limited_cgroup_remove() {
  local - i d
  set +e  # from an EXIT trap under set -e: a refused write must not end the cleanup
  for ((i = ${#limited_cgroup_made[@]} - 1; i >= 0; i--)); do
    d=${limited_cgroup_made[i]}
    if [ "$d" = "$limited_cgroup_leaf" ]; then
      # Back to where this script was: the controllers off first (v2 lets no
      # process into a cgroup that enables them for children).
      limited_cgroup_disable_v2
      echo "$$" >"$limited_cgroup_base/cgroup.procs" 2>/dev/null
    fi
    # Processes may still be leaving: a few tries.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      [ -d "$d" ] || break
      rmdir "$d" 2>/dev/null && break
      sleep 0.1
    done
    [ -d "$d" ] && echo "cgview: could not remove the cgroup $d" >&2
  done
  limited_cgroup_disable_v2
  limited_cgroup_made=() limited_cgroup_enabled= limited_cgroup_before= limited_cgroup_leaf= limited_cgroup_base=
}

# On a systemd host with cgroup v2, re-runs the calling script ("$0" "$@") in
# a transient scope of its own with delegation, where it is the only process
# and limited_cgroup_make can step aside to a leaf. Returns (does nothing)
# elsewhere, once inside, or where systemd-run cannot make the scope.
limited_cgroup_delegate() {
  local base
  [ -z "${LIMITED_CGROUP_SCOPE:-}" ] && [ -z "${CGVIEW_TEST_CGROUP_PARENT:-}" ] || return 0
  [ "$(id -u)" = 0 ] && [ -d /run/systemd/system ] && command -v systemd-run >/dev/null || return 0
  limited_cgroup_dir cpu >/dev/null && limited_cgroup_dir memory >/dev/null && return 0
  # Already a cgroup that gives its children cpu and memory (the root, one
  # delegated and prepared so): nothing to move to.
  base=$(limited_cgroup_dir "") || return 0
  [[ " $(<"$base/cgroup.subtree_control") " == *" cpu "*" memory "* ]] && return 0
  systemd-run --scope --quiet --collect -p Delegate=yes -- true 2>/dev/null || return 0
  LIMITED_CGROUP_SCOPE=1 exec systemd-run --scope --quiet --collect -p Delegate=yes -- "$BASH" "$0" "$@"
}

# For scripts/test, after limited_cgroup_delegate, on cgroup v2: the test
# suites (tests/support/real_cgroup.cpp, tests/compat, tests/docker,
# tests/podman, scripts/bench) make their cgroups beside this script, not
# below it, since a cgroup that holds processes gives its children no limits.
# This script steps aside to a leaf of the own cgroup, enables cpu, cpuset,
# memory and pids for the own cgroup's children, and exports the own cgroup's
# directory as CGVIEW_TEST_CGROUP_PARENT; limited_cgroup_remove undoes it.
# cgroup v1 (the suites make children of their own cgroups there), or a v2
# cgroup that cannot be prepared (it holds other processes): exports nothing,
# says why on stderr, and the real-cgroup tests report themselves skipped.
limited_cgroup_test_parent() {
  [ "$(id -u)" = 0 ] || return 0
  limited_cgroup_dir cpu >/dev/null && limited_cgroup_dir memory >/dev/null && return 0
  limited_cgroup_base=$(limited_cgroup_dir "") || return 0
  if ! limited_cgroup_enable_v2 cpu cpuset memory pids; then
    echo "scripts/test: no cgroup v2 parent for the real-cgroup tests: $limited_cgroup_why" >&2
    limited_cgroup_remove
    return 0
  fi
  export CGVIEW_TEST_CGROUP_PARENT=$limited_cgroup_base
  echo "scripts/test: the test suites make their cgroups in $limited_cgroup_base${limited_cgroup_leaf:+ (this run stepped aside to $limited_cgroup_leaf)}" >&2
}

# scripts/test's whole preparation (and the VM suite's, which checks it): a
# scope of its own, the parent prepared, undone at exit. Before any `cd`: the
# re-run names the script as it was started ($0).
limited_cgroup_test_setup() {
  limited_cgroup_delegate "$@"
  trap limited_cgroup_remove EXIT
  limited_cgroup_test_parent
}
