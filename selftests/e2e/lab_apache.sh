#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# The lab's web server is Debian's apache2, one private instance in each
# server's namespace (tools/lab.sh), never the system's:
#   1. the client's curl to the VIP gets IT WORKS SRV1 with an Apache
#      Server header; each instance runs in its node's network namespace
#      from the lab's own configuration, its workers as www-data;
#   2. lab_web_stop srv1 (a crash: SIGKILL of all its processes) leaves
#      srv1's own address refusing connections, srv2's page still served;
#   3. lab_web_start srv1 brings it back: srv1's address and the VIP answer
#      again, from a new apache2.
source "$(dirname "$0")/lib.bash" lab-apache

[ -x "$LAB_APACHE" ] || skip "needs apache2 ($LAB_APACHE; tools/deps.sh installs it)"

SRV1=${LAB_IP[srv1]}

# curl's exit status for http://ADDR/ from the client (7: connection refused).
curl_status() { # addr
	lab_exec client curl -s -o /dev/null --max-time 1 "http://$1/" 2>/dev/null
	echo $?
}
refused() { [ "$(curl_status "$1")" = 7 ]; }

# NODE's apache2: its main pid from the lab, in NODE's network namespace,
# started from the lab's configuration, with workers running as www-data.
expect_private_apache() { # node
	local node=$1 pid conf workers
	pid=$(lab_web_pid "$node") || fail "lab_web_pid $node: no web server running"
	[ "$(cat "/proc/$pid/comm")" = apache2 ] || fail "$node's web server (pid $pid) is $(cat "/proc/$pid/comm"), not apache2"
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = "$(stat -L -c %i "/run/netns/$(lab_ns "$node")")" ] ||
		fail "$node's apache2 (pid $pid) does not run in the network namespace $(lab_ns "$node")"
	conf=$(lab_web_dir "$node")/apache2/apache2.conf
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-f $conf" ||
		fail "$node's apache2 (pid $pid) was not started from $conf: $(tr '\0' ' ' <"/proc/$pid/cmdline")"
	workers=$(ps -o user= --ppid "$pid" | sort -u | tr '\n' ' ')
	[ "$workers" = "www-data " ] || fail "$node's apache2 workers run as '$workers', expected www-data"
}

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}"
lab_setup || fail "lab setup failed"
e2e_start_pair

# 1. The seed's page through the VIP, from apache2.
head=$(lab_exec client curl -s -i --max-time 2 "http://$LAB_VIP/")
e2e_log "client: curl -i http://$LAB_VIP/ -> $(grep -i '^Server:' <<<"$head" | tr -d '\r'), $(tail -n 1 <<<"$head")"
grep -qi '^HTTP/1.1 200' <<<"$head" || fail "curl -i http://$LAB_VIP/: no 200: $head"
grep -qiE '^Server: Apache(/|$)' <<<"$head" || fail "curl -i http://$LAB_VIP/: Server is not Apache: $head"
[ "$(tail -n 1 <<<"$head")" = "IT WORKS SRV1" ] || fail "curl -i http://$LAB_VIP/: expected the page IT WORKS SRV1: $head"
for node in srv1 srv2; do
	expect_private_apache "$node"
done
old=$(lab_web_pid srv1)
[ "$old" != "$(lab_web_pid srv2)" ] || fail "srv1 and srv2 share one apache2 (pid $old)"
e2e_log "apache2: srv1 pid $old, srv2 pid $(lab_web_pid srv2), each in its namespace, workers as www-data"

# 2. srv1's web server crashes: its address refuses, srv2 serves on.
lab_web_stop srv1 || fail "lab_web_stop srv1 failed"
status=$(curl_status "$SRV1")
e2e_log "lab_web_stop srv1: curl http://$SRV1/ -> exit $status"
[ "$status" = 7 ] || fail "after lab_web_stop srv1, curl http://$SRV1/ exited $status, expected 7 (connection refused)"
refused "$LAB_VIP" || fail "after lab_web_stop srv1, the VIP (on srv1) still accepts connections"
! lab_web_pid srv1 >/dev/null || fail "after lab_web_stop srv1, lab_web_pid srv1 still says $(lab_web_pid srv1)"
! lab_group_alive "$old" || fail "after lab_web_stop srv1, processes of its apache2 remain: $(ps -o pid=,stat=,args= -g "$old")"
expect_curl "IT WORKS SRV2" "${LAB_IP[srv2]}"

# 3. Started again: srv1's address and the VIP answer, from a new apache2.
lab_web_start srv1 || fail "lab_web_start srv1 failed"
expect_curl "IT WORKS SRV1" "$SRV1"
expect_curl "IT WORKS SRV1"
expect_private_apache srv1
[ "$(lab_web_pid srv1)" != "$old" ] || fail "lab_web_start srv1: the same pid $old as before the crash"
e2e_log "lab_web_start srv1: pid $(lab_web_pid srv1), http://$SRV1/ and http://$LAB_VIP/ answer IT WORKS SRV1"
exit 0
