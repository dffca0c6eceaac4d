#!/usr/bin/env bash
# scripts/install-deps when the mirror fails, against stand-ins for apt-get,
# dpkg-query, dpkg and sleep (nothing is installed, nothing fetched):
#   - only a cross architecture's list cannot be fetched (a mirror caught
#     mid-sync, as bookworm-security's i386 list was for days): update is
#     tried three times, 15 and 30 s apart; the install that apt cannot pair
#     is tried once more at the point release (pinned, nothing removed,
#     downgrades allowed), naming first the packages that go back;
#   - this machine's own list cannot be fetched: no second try, a failure;
#   - the lists are fine but the install fails: no second try, a failure;
#   - all is well: one update, one install.
# Usage: install_deps_test.sh SOURCE_DIR
set -u
source_dir=${1:?usage: install_deps_test.sh SOURCE_DIR}
script=$source_dir/scripts/install-deps
work=$(mktemp -d /tmp/cgview-install-deps-XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

mkdir "$work/bin"
# apt-get: logs each call; SCENARIO says how update and the first install end.
cat >"$work/bin/apt-get" <<'EOF'
#!/usr/bin/env bash
echo "apt-get $*" >>"$LOG"
pinned=""
for a in "$@"; do case $a in Dir::Etc::Preferences=*) pinned=${a#Dir::Etc::Preferences=} ;; esac; done
if [ "$1" = update ]; then
  case $SCENARIO in
    foreign) echo "E: Failed to fetch http://deb.debian.org/debian-security/dists/bookworm-security/main/binary-i386/Packages.xz  File has unexpected size (371952 != 372316). Mirror sync in progress? [IP: 127.0.0.1 80]" >&2
             echo "E: Some index files failed to download. They have been ignored, or old ones used instead." >&2
             exit 100 ;;
    own) echo "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz  Hash Sum mismatch" >&2
         exit 100 ;;
    *) exit 0 ;;
  esac
fi
if [ -n "$pinned" ]; then
  cat "$pinned" >>"$LOG"
  for a in "$@"; do
    if [ "$a" = -s ]; then
      echo "Inst linux-libc-dev [6.1.187-1] (6.1.176-1 Debian:12.12/stable [amd64])"
      echo "Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian:12.12/stable [amd64])"
      echo "Inst libc6:i386 (2.36-9+deb12u13 Debian:12.12/stable [i386])"
      exit 0
    fi
  done
  exit 0
fi
case $SCENARIO in
  fine) exit 0 ;;
  *) echo "E: Unable to correct problems, you have held broken packages." >&2; exit 100 ;;
esac
EOF
# dpkg-query: nothing is installed. dpkg: every cross architecture known already.
printf '#!/bin/sh\nexit 1\n' >"$work/bin/dpkg-query"
cat >"$work/bin/dpkg" <<'EOF'
#!/bin/sh
[ "$1" = --print-foreign-architectures ] && { printf 'arm64\ni386\nppc64el\n'; exit 0; }
exec /usr/bin/dpkg "$@"
EOF
printf '#!/bin/sh\necho "sleep $*" >>"$LOG"\n' >"$work/bin/sleep"
chmod +x "$work/bin/"*

# Runs install-deps --cross under SCENARIO; sets rc, out (stdout and stderr), log.
run() {
  : >"$work/log"
  out=$(SCENARIO=$1 LOG=$work/log PATH="$work/bin:$PATH" bash "$script" --cross 2>&1)
  rc=$?
  log=$(cat "$work/log")
}
count() { grep -c -- "$1" <<<"$2"; }
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")

run foreign
[ $rc = 0 ] || fail "foreign list: exit $rc, want 0: $out"
[ "$(count '^apt-get update' "$log")" = 3 ] || fail "foreign list: update not tried three times: $log"
grep -qx 'sleep 15' <<<"$log" && grep -qx 'sleep 30' <<<"$log" || fail "foreign list: not 15 and 30 s apart: $log"
[ "$(count '^apt-get install' "$log")" = 3 ] || fail "foreign list: want the install, a simulation, the pinned install: $log"
grep -q "Pin: release o=Debian,n=$codename" <<<"$log" && grep -q 'Pin-Priority: 1001' <<<"$log" ||
  fail "foreign list: not pinned to $codename's point release: $log"
pinned_install=$(grep '^apt-get install -y' <<<"$log" | tail -1)
for option in --no-remove --allow-downgrades; do
  grep -q -- "$option" <<<"$pinned_install" || fail "foreign list: the pinned install lacks $option: $pinned_install"
done
grep -q "these go back to $codename's point release: linux-libc-dev 6.1.187-1 -> 6.1.176-1$" <<<"$out" ||
  fail "foreign list: the downgrade is not named (and alone): $out"
grep -q 'libssl3' <<<"$out" && fail "foreign list: an upgrade named as going back: $out"

run own
[ $rc != 0 ] || fail "own list: exit 0, want a failure: $out"
[ "$(count '^apt-get install' "$log")" = 1 ] || fail "own list: installed again: $log"
grep -q 'point release' <<<"$out" && fail "own list: pinned to the point release: $out"

run broken
[ $rc != 0 ] || fail "broken install: exit 0, want a failure: $out"
[ "$(count '^apt-get update' "$log")" = 1 ] || fail "broken install: update tried again: $log"
[ "$(count '^apt-get install' "$log")" = 1 ] || fail "broken install: installed again: $log"

run fine
[ $rc = 0 ] || fail "all well: exit $rc: $out"
[ "$(count '^apt-get update' "$log")" = 1 ] && [ "$(count '^apt-get install' "$log")" = 1 ] ||
  fail "all well: want one update and one install: $log"

if [ $failures = 0 ]; then echo "install-deps: 4 mirror cases passed"; exit 0; fi
exit 1
