#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The manual pages, as make builds them from docs/man/*.scd into
# build/man/: each renders with man -l at 80 columns without a roff
# warning and no wider than the terminal, its title and NAME line are
# right (lexgrog reads NAME as whatis and apropos will), and the pages
# cover what the code has:
#   xhb.conf(5)  every directive of ha.cf's table in user/config_hacf.c as
#                a definition, xhb's own marked "(xhb)" and no other; every
#                ignored Heartbeat directive; every authkeys method and
#                address resource the readers compare against; every
#                agent of resource_agent.c's OCF parameter table;
#   xhb-events(7) every field of docs/events.schema.json whole, at the
#                start of a table row;
#   xhbd(8)      every option of xhbd --help, every signal it handles;
#   xhbctl(8)    every command and option of xhbctl --help, every XDP
#                counter of include/xhb_maps.h.
# No namespace, no daemon, no root. Exit 0 pass, 77 skip (the last line
# says why), else fail.
set -uo pipefail
cd "$(dirname "$0")/../.."
build=${XHB_BUILD:-$PWD/build}
failures=0
fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

for tool in man lexgrog groff; do
	command -v "$tool" >/dev/null ||
		{ echo "$tool is not installed (apt-get install man-db groff-base)"; exit 77; }
done
export LC_ALL=C.UTF-8 MANWIDTH=80
# man-db keeps groff's stderr only when asked; no pager.
export MAN_KEEP_STDERR=1 MANPAGER=cat PAGER=cat
tmp=$(mktemp -d /tmp/xhb-man.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The page as a terminal shows it; with "nh", unhyphenated, for grep.
render() { # page [nh]
	if [ "${2:-}" = nh ]; then
		man --nh --nj -l "$1" 2>/dev/null
	else
		man -l "$1" 2>/dev/null
	fi
}

# The lines of one section (SECTION) or subsection (   Subsection) of a
# rendered page, up to the next heading of the same or a higher level.
section_of() { # heading < rendered page
	awk -v head="$1" '
		$0 == head { on = 1; next }
		on && (/^[^ ]/ || (head ~ /^   / && /^   [^ ]/)) { exit }
		on { print }'
}

# A definition term: a line indented exactly as the section text, starting
# with the word (man(7)'s .TP/.RS terms, and first table columns).
has_term() { # rendered-file word [rest-of-line ERE]
	grep -Eq "^ {7}$2( |,|:|\$)${3:-}" "$1"
}

required="xhbd.8 xhbctl.8 xhb.conf.5 xhb-events.7"
pages=""
for src in docs/man/*.scd; do
	pages+=" $(basename "$src" .scd)"
done
for page in $required; do
	[[ " $pages " == *" $page "* ]] || fail "docs/man/$page.scd is missing"
done

# ---- every page: warnings, width, title, NAME ---------------------------
for page in $pages; do
	built=$build/man/$page
	name=${page%.*} section=${page##*.}
	if [ ! -s "$built" ]; then
		fail "$built is not built: run make"
		continue
	fi
	if [ "docs/man/$page.scd" -nt "$built" ]; then
		fail "$built is older than docs/man/$page.scd: run make"
		continue
	fi
	warnings=$(man --warnings=w -l "$built" 2>&1 >/dev/null
		groff -t -man -ww -z -Tutf8 "$built" 2>&1)
	[ -z "$warnings" ] || fail "$page: roff warnings:"$'\n'"$(head -n 6 <<<"$warnings")"

	render "$built" >"$tmp/$page.txt"
	render "$built" nh >"$tmp/$page.nh.txt"
	wide=$(awk 'length > 80 { printf "line %d (%d columns): %s\n", NR, length, $0 }' \
		"$tmp/$page.txt" | head -3)
	[ -z "$wide" ] || fail "$page: wider than 80 columns: $wide"

	title=$(head -n 1 "$tmp/$page.txt")
	[[ $title == "$name($section) "* ]] || fail "$page: the title line is not $name($section): $title"
	# lexgrog: what mandb puts in the whatis database, one line a name.
	whatis=$(lexgrog "$built" 2>&1)
	[[ $(head -n 1 <<<"$whatis") == "$built: \"$name - "?*'"' ]] ||
		fail "$page: NAME does not start with '$name - description': $whatis"
	section_of NAME <"$tmp/$page.txt" | head -n 1 | grep -Eq "^ {7}$name[ ,]" ||
		fail "$page: the rendered NAME line does not start with $name"
done

# ---- xhb.conf(5): the directives the readers know ------------------------
conf=$tmp/xhb.conf.5.nh.txt
hacf=user/config_hacf.c
if [ -s "$conf" ]; then
	# {"keepalive", dir_time, ...} rows; those after "/* xhb's */" are ours.
	table=$(sed -n '/^static const struct directive directives\[\] = {/,/^};/p' "$hacf")
	heartbeat=$(sed -n '1,/\/\* xhb.s \*\//p' <<<"$table" | grep -o '{"[a-z0-9_]*", dir_' | cut -d'"' -f2)
	ours=$(sed -n '/\/\* xhb.s \*\//,$p' <<<"$table" | grep -o '{"[a-z0-9_]*", dir_' | cut -d'"' -f2)
	ignored=$(sed -n '/^static const char \*const ignored_directives\[\] = {/,/^};/p' "$hacf" |
		grep -v '^\s*/\*' | grep -o '"[a-z0-9_]*"' | tr -d '"')
	methods=$(grep -o 'strcmp(method, "[a-z0-9]*")' user/config_authkeys.c | cut -d'"' -f2 | sort -u)
	agents=$(grep -o 'strcmp(r->agent, "[A-Za-z0-9]*")' user/config_haresources.c | cut -d'"' -f2 | sort -u)
	# The OCF parameter names of Heartbeat's wrappers, by agent.
	ocf_agents=$(sed -n '/ocf_maps\[\] = {/,/^};/p' user/resource_agent.c |
		grep -o '^ *{"[A-Za-z0-9]*", ' | cut -d'"' -f2)
	# A reader rewritten another way must not make this test vacuous.
	[ "$(wc -w <<<"$heartbeat")" -ge 20 ] && [ "$(wc -w <<<"$ours")" -ge 5 ] &&
		[ "$(wc -w <<<"$ignored")" -ge 20 ] && [ "$(wc -w <<<"$methods")" -ge 4 ] &&
		[ "$(wc -w <<<"$agents")" -ge 3 ] && [ "$(wc -w <<<"$ocf_agents")" -ge 10 ] ||
		fail "cannot read the directive tables of $hacf, the authkeys/haresources readers and user/resource_agent.c: their layout changed, update this test"

	for d in $heartbeat; do
		if ! has_term "$conf" "$d"; then
			fail "xhb.conf.5: ha.cf directive '$d' ($hacf) is not described"
		elif has_term "$conf" "$d" '.*\(xhb\)$'; then
			fail "xhb.conf.5: Heartbeat's directive '$d' is marked (xhb)"
		fi
	done
	for d in $ours; do
		has_term "$conf" "$d" '.*\(xhb\)$' ||
			fail "xhb.conf.5: xhb's directive '$d' ($hacf) is not described with the mark (xhb)"
	done
	unused=$(section_of '   Heartbeat directives xhb does not use' <"$conf")
	[ -n "$unused" ] || fail "xhb.conf.5: no subsection 'Heartbeat directives xhb does not use'"
	for d in $ignored; do
		grep -qw -- "$d" <<<"$unused" ||
			fail "xhb.conf.5: ignored Heartbeat directive '$d' ($hacf) is not listed"
	done
	for m in auth $methods; do
		has_term "$conf" "$m" || fail "xhb.conf.5: authkeys keyword '$m' is not described"
	done
	for a in $agents; do
		grep -Eq "^ {7}$a::" "$conf" || fail "xhb.conf.5: haresources resource '$a::' is not described"
	done
	ocf_section=$(section_of '   Resource agents' <"$conf")
	for a in $ocf_agents; do
		grep -Eq "^ {7}$a\$" <<<"$ocf_section" ||
			fail "xhb.conf.5: the OCF parameters of $a (user/resource_agent.c) are not described under Resource agents"
	done
fi

# ---- xhb-events(7): field names stay whole in the tables -----------------
# (tools/validate-events.py --check-docs, a unit test, compares the page's
# source with the schema; here: what the terminal shows.)
events=$tmp/xhb-events.7.txt
if [ -s "$events" ]; then
	fields=$(python3 -c '
import json, sys
schema = json.load(open(sys.argv[1]))
names = set(schema["properties"])
for event in schema["$defs"].values():
    names |= set(event.get("properties", {}))
print("\n".join(sorted(names)))' docs/events.schema.json)
	[ "$(wc -w <<<"$fields")" -ge 20 ] || fail "cannot read the fields of docs/events.schema.json"
	for f in $fields; do
		has_term "$events" "$f" || fail "xhb-events.7: field $f is not a whole word at the start of a table row"
	done
fi

# ---- xhbd(8) and xhbctl(8): what --help and the code list ---------------
options_of() { # binary: "-c --config" lines from its --help
	"$1" --help 2>&1 | sed -En 's/^  (-[a-zA-Z]), (--[a-z-]+).*/\1 \2/p'
}
for tool in xhbd xhbctl; do
	text=$tmp/$tool.8.nh.txt
	[ -s "$text" ] || continue
	if [ ! -x "$build/$tool" ]; then
		fail "$build/$tool is not built: run make"
		continue
	fi
	opts=$(options_of "$build/$tool")
	[ "$(wc -l <<<"$opts")" -ge 4 ] || fail "cannot read the options of $tool --help"
	while read -r short long; do
		[ -n "$short" ] || continue
		has_term "$text" "$short, $long" || fail "$tool.8: option $short, $long is not described"
	done <<<"$opts"
done

if [ -s "$tmp/xhbd.8.nh.txt" ]; then
	handled=$(grep -o 'sigaddset(&set, SIG[A-Z0-9]*)' user/agent_open.c | grep -o 'SIG[A-Z0-9]*')
	[ "$(wc -w <<<"$handled")" -ge 3 ] || fail "cannot read the signals of user/agent_open.c"
	signals=$(section_of SIGNALS <"$tmp/xhbd.8.nh.txt")
	for sig in $handled; do
		grep -qw "$sig" <<<"$signals" || fail "xhbd.8: SIGNALS does not describe $sig"
	done
fi

if [ -s "$tmp/xhbctl.8.nh.txt" ] && [ -x "$build/xhbctl" ]; then
	commands=$("$build/xhbctl" --help 2>&1 |
		sed -n '/^commands:/,/^options:/p' | sed -En 's/^  ([a-z][a-z_-]*).*/\1/p')
	[ "$(wc -w <<<"$commands")" -ge 5 ] || fail "cannot read the commands of xhbctl --help"
	for c in $commands; do
		has_term "$tmp/xhbctl.8.nh.txt" "$c" || fail "xhbctl.8: command '$c' is not described"
	done
	counters=$(sed -n '/^#define XHB_STATS(X)/,/^$/p' include/xhb_maps.h | grep -o 'X([a-z_]*)' | tr -d 'X()')
	[ "$(wc -w <<<"$counters")" -ge 10 ] || fail "cannot read XHB_STATS in include/xhb_maps.h"
	for c in $counters; do
		has_term "$tmp/xhbctl.8.nh.txt" "$c" || fail "xhbctl.8: XDP counter '$c' is not described"
	done
fi

echo "pages:$pages; $failures failures"
[ "$failures" = 0 ]
