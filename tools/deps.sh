#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Install what xhb needs on Debian 12 (as root), only what is missing, and
# mount a bpffs at /sys/fs/bpf when none is there. Safe to run again.
set -euo pipefail

packages=(
	# build
	make gcc clang llvm pkg-config libbpf-dev libelf-dev zlib1g-dev
	libjansson-dev libmnl-dev bpftool scdoc libmicrohttpd-dev
	# run: addresses, links, namespaces, lab
	iproute2 ethtool nftables procps psmisc util-linux python3 curl jq
	iputils-ping
	# tests
	libcriterion-dev libsodium-dev python3-jsonschema valgrind
	libclang-rt-14-dev man-db groff-base
	# the OCF agents operators run: resource-agents' own Dummy
	# (unit/resource_agent::real_dummy_agent, e2e/ocf_agent), skipped
	# without it
	resource-agents
	# e2e: syslog and logrotate as operators run them
	rsyslog logrotate
	# the Debian package (selftests/e2e/debian_package.sh): its build,
	# lintian, systemd-analyze verify
	build-essential dpkg-dev debhelper lintian systemd
	# e2e: promtool, and a Prometheus server that scrapes a lab node
	prometheus
	# the demo and e2e: the seed's web server, one private instance per
	# server namespace (tools/lab.sh lab_web_start), never the system one
	apache2
	# e2e and bench: the routed lab (selftests/e2e/routed_*.sh,
	# tools/lab_routed.sh), one private bird per namespace, never the
	# system one
	bird2
	# bench: where an idle agent's CPU goes (bench/agent_idle.sh)
	linux-perf
)
[ "${XHB_EXTRA_PACKAGES:-}" ] && read -r -a extra <<<"$XHB_EXTRA_PACKAGES" && packages+=("${extra[@]}")

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages ${missing[*]}: run as root (apt-get install them)" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Daemons the tests run (rsyslog, prometheus, apache2, bird) are
	# started by the tests, in their own namespaces: the packages must not
	# start one on this machine. policy-rc.d says no to every start while
	# apt runs (unless the machine already has its own policy).
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\n# xhb tools/deps.sh: no daemon starts while it installs\nexit 101\n' >"$policy"
		chmod 0755 "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	[ -z "$policy" ] || rm -f "$policy"
	# Debian enables the services of a daemon it installs; the lab runs
	# its own apache2 instances, so the system's is disabled again (only
	# when installed here: an apache2 the machine already had is left be).
	if [[ " ${missing[*]} " == *" apache2 "* ]]; then
		for s in apache2 apache-htcacheclean; do
			update-rc.d "$s" disable >/dev/null 2>&1 || true
		done
	fi
	# the same for bird2: the routed lab runs one bird per namespace
	if [[ " ${missing[*]} " == *" bird2 "* ]]; then
		systemctl disable bird >/dev/null 2>&1 || update-rc.d bird disable >/dev/null 2>&1 || true
	fi
fi

if [ "$(id -u)" = 0 ] && ! mountpoint -q /sys/fs/bpf 2>/dev/null; then
	mount -t bpf bpffs /sys/fs/bpf
fi
exit 0
