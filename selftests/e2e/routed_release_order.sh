#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Routing mode, the order of a release: the route goes first. Group 0 is
# the VIP and a script whose stop waits for the test (slowstop). srv1
# holds it; `xhbctl standby` on srv1 releases it: while the script's stop
# runs, srv1's host route is already gone and the router has withdrawn
# srv1's path, though srv1's VIP is still on lo (the address goes last).
# Then the stop ends, srv1 lets go, and srv2 takes the group.
source "$(dirname "$0")/lib.bash" routed-release-order
source "$E2E_DIR/routed.bash"

slow_stop_script() {
	local node d
	for node in srv1 srv2; do
		d=$LAB_DIR/$node/ha.d
		mkdir -p "$d/resource.d"
		cat >"$d/resource.d/slowstop" <<EOF
#!/bin/sh
# stop: say it began, then wait until the test lets it end, or the lab
# is gone (an agent stopped at the teardown runs it too)
case "\$1" in
stop)
	touch "$LAB_DIR/$node/stopping"
	while [ ! -e "$LAB_DIR/$node/stop-go" ] && [ -d "$LAB_DIR/$node" ]; do sleep 0.05; done ;;
esac
exit 0
EOF
		chmod 755 "$d/resource.d/slowstop"
		# the interface (and its label) and prefix a line may give are not
		# used in routing mode: the VIP goes on lo as a /32
		echo "srv1 IPaddr::$LAB_VIP/24/ens192:1 slowstop" >"$d/haresources"
	done
}
ROUTED_BEFORE_START=slow_stop_script
routed_up 'announce 0 route\nresource_timeout slowstop stop 20s\n'
ev_wait 3 srv1 resource_start resource=slowstop || fail "srv1 did not start slowstop: $(ev_names srv1)"

lab_in_node srv1 "$XHB_BUILD/xhbctl" standby >/dev/null || fail "xhbctl standby on srv1"
wait_for 5 test -e "$LAB_DIR/srv1/stopping" || fail "srv1 never began slowstop's stop: $(ev_names srv1)"
# the stop is under way: the route must be gone already, the address not
not routed_has_route srv1 || fail "srv1's host route is still there while its script stops"
routed_has_vip srv1 || fail "srv1's VIP went before its script stopped"
ev_has srv1 route_removed metric=1000 || fail "no route_removed on srv1: $(ev_names srv1)"
wait_for 3 routed_path_is "" || fail "the router still has a path ('$(routed_path)') while srv1's script stops"
e2e_log "srv1's release: route withdrawn, router without a path, the VIP still on lo while the stop runs"

touch "$LAB_DIR/srv1/stop-go"
ev_wait 5 srv1 group_release reason=standby_request || fail "srv1 did not finish its release: $(ev_names srv1)"
not routed_has_vip srv1 || fail "srv1 kept its VIP after the release"
wait_for 5 routed_path_is srv2 || fail "the router's path is '$(routed_path)', expected srv2"
expect_curl "IT WORKS SRV2"
e2e_log "srv1's stop done: srv2 holds the group, the router's path is srv2"
