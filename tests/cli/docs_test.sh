#!/usr/bin/env bash
# The manual page and the bash completion: the page renders without a single
# groff warning, names every command and every CGVIEW_* variable the code
# reads (so does the README); the completion loads in a plain bash and
# completes commands, options and directories. Every link in the README and
# docs/*.md reaches a file or heading.
#   docs_test.sh MAN_PAGE COMPLETION CLI SOURCE_DIR
set -uo pipefail
page=$1 completion=$2 cli=$3 src=$4
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# --- the manual page ---------------------------------------------------------
warnings=$(groff -man -ww -z "$page" 2>&1)
[ -z "$warnings" ] || fail "groff -man -ww warns: $warnings"
warnings=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
[ -z "$warnings" ] || fail "man --warnings warns: $warnings"
text=$(MANWIDTH=80 man -l "$page" 2>/dev/null)
grep -q '@' "$page" && grep -q '@[A-Z_]*@' "$page" && fail "unsubstituted @VAR@ in $page"
commands="show cat run doctor stats enable disable"
for c in $commands; do
  grep -Eq "^ {7}$c( |$)" <<<"$text" || fail "the man page does not describe the command '$c'"
done
# Every variable the configuration reads (lib/config.cpp's table).
variables=$(grep -o '{"CGVIEW_[A-Z_]*"' "$src/lib/config.cpp" | tr -d '{"')
[ "$(wc -w <<<"$variables")" -ge 8 ] || fail "found only: $variables"
for v in $variables; do
  grep -q "$v" <<<"$text" || fail "the man page does not describe $v"
  grep -q "\`$v" "$src/README.md" || fail "README.md does not describe $v"
done
for heading in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS ENVIRONMENT "EXIT STATUS" FILES EXAMPLES LIMITATIONS; do
  grep -q "^$heading" <<<"$text" || fail "the man page has no $heading section"
done
# The commands --help lists are all in the page.
for c in $("$cli" --help | sed -n 's/^  \([a-z][a-z]*\) .*/\1/p; s/^  \([a-z][a-z]*\)$/\1/p'); do
  grep -Eq "^ {7}$c( |$)" <<<"$text" || fail "cgview --help lists '$c', the man page does not"
done

# --- the bash completion -----------------------------------------------------
complete_line() {  # complete_line WORD... : COMPREPLY for the last word, one per line
  bash --norc --noprofile -c '
    source "$1" || exit 1
    shift
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    _cgview cgview "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf "%s\n" "${COMPREPLY[@]}"' bash "$completion" "$@"
}
registered=$(bash --norc --noprofile -c 'source "$1" && complete -p cgview' bash "$completion" 2>&1)
[ "$registered" = "complete -F _cgview cgview" ] || fail "completion not registered: $registered"
expect() {  # expect "WANTED" WORD...
  local want=$1
  shift
  local got
  got=$(complete_line "$@" | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] || fail "completing '$*' gave '$got', expected '$want'"
}
expect "show" cgview sh
expect "show stats" cgview s
expect "$commands" cgview ''
expect "--sysroot --version --help" cgview --
expect "--json --sysroot --help" cgview show --
expect "--sysroot --help" cgview cat --
expect "--interval --count --json --sysroot --help" cgview stats --
expect "--json --root --env-file --library-path --user --sysroot --help" cgview doctor --
expect "--root --help" cgview enable --
expect "/proc/meminfo" cgview cat /proc/me
expect "--cpus" cgview run --cp
expect "doctor" cgview --sysroot /tmp doc
tmp=$(mktemp -d)
mkdir "$tmp/somedir" && touch "$tmp/somefile"
expect "$tmp/somedir" cgview --sysroot "$tmp/some"
expect "$tmp/somedir" cgview doctor --root "$tmp/some"
expect "$tmp/somedir" cgview doctor --library-path "$tmp/some"
# bash splits a list at ':': each of its directories is completed as the first.
expect "$tmp/somedir" cgview doctor --library-path /usr : "$tmp/some"
expect "$tmp/somedir" cgview doctor --library-path = /usr : /opt : "$tmp/some"
expect "$tmp/somedir" cgview doctor --library-path : "$tmp/some"
(cd "$tmp" && complete_line cgview doctor --library-path /usr :) | grep -qx somedir ||
  fail "--library-path /usr: does not offer the directories here"
expect "$tmp/somedir $tmp/somefile" cgview doctor /usr : "$tmp/some"
# A ':' elsewhere is left as it is: not taken for an empty word (every command in PATH, the
# subcommands, the files here).
expect ":" cgview doctor /usr :
expect "" cgview --sysroot /x :
expect "" cgview run -- ls /a :
expect "$tmp/somedir $tmp/somefile" cgview doctor --env-file "$tmp/some"
expect "$tmp/somedir $tmp/somefile" cgview run -- /bin/true "$tmp/some"
expect "$tmp/somedir $tmp/somefile" cgview doctor "$tmp/some"
# `--sysroot=DIR` as bash splits it: "--sysroot" "=" "DIR".
expect "$tmp/somedir" cgview --sysroot = "$tmp/some"
expect "$tmp/somedir" cgview doctor --root = "$tmp/some"
expect "doctor" cgview --sysroot = /tmp doc
(cd "$tmp" && complete_line cgview --sysroot =) | grep -qx somedir || fail "--sysroot= does not offer the directories here"
expect "" cgview show --json =
expect "" cgview doctor --json =
rm -r "$tmp"
grep -qx 'bash' <<<"$(complete_line cgview run -- bas)" || fail "run -- bas does not offer the command bash"

# --- the Markdown files' links ------------------------------------------------
(cd "$src" && python3 "$src/tests/cli/markdown_links.py" "$src" README.md docs/*.md) ||
  fail "a link in the Markdown files reaches nothing (above)"

[ $failures -eq 0 ] && echo "docs: all checks passed"
exit $((failures > 0))
