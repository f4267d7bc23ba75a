#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# OCF resource agents run by xhbd, as haresources names them
# (user/resource_agent.c). With OCF_ROOT in the agents' environment
# pointing at a tree of the test's, each node's group is
#   srv1 IPaddr::VIP/16/ens192 Filesystem::/dev/fake::/srv/data::ext4::run_fsck=no
#        [ocf:heartbeat:Dummy::state=LAB_DIR/NODE/dummy.state]
# Filesystem there is a fake that records its arguments and its OCF_ and
# HA_ variables: the wrapper's positional names (device, directory,
# fstype), KEY=VALUE, OCF_ROOT and the rest, and no positional argument.
# Dummy is resource-agents' own, when it is installed: its state file
# must follow the group. xhbctl standby moves the group to srv2: srv1
# stops both agents, srv2 starts them.
source "$(dirname "$0")/lib.bash" ocf-agent

lab_setup || fail "lab setup failed"
ocf=$LAB_DIR/ocf
mkdir -p "$ocf/resource.d/heartbeat"
# HA_DIR is the node's configuration directory: its parent is the node's.
cat >"$ocf/resource.d/heartbeat/Filesystem" <<'EOF'
#!/bin/sh
[ -d "$HA_DIR" ] || { echo "no HA_DIR in the environment" >&2; exit 6; }
node=$HA_DIR/..
{ echo "args: $*"; env | grep -E '^(OCF|HA)_' | sort; } >"$node/ocf.$1.new"
mv "$node/ocf.$1.new" "$node/ocf.$1"
case "$1" in
start) touch "$node/fake.running" ;;
stop) rm -f "$node/fake.running" ;;
monitor) [ -e "$node/fake.running" ] || exit 7 ;;
esac
exit 0
EOF
chmod 755 "$ocf/resource.d/heartbeat/Filesystem"
dummy=
real=/usr/lib/ocf/resource.d/heartbeat/Dummy
if [ -x "$real" ] && [ -d /usr/lib/ocf/lib/heartbeat ]; then
	ln -s "$real" "$ocf/resource.d/heartbeat/Dummy"
	ln -s /usr/lib/ocf/lib "$ocf/lib"
	dummy=yes
else
	e2e_log "resource-agents is not installed: the fake agent only"
fi
for node in srv1 srv2; do
	line="srv1 IPaddr::$LAB_VIP/16/ens192"
	line+=" Filesystem::/dev/fake::/srv/data::ext4::run_fsck=no"
	[ -n "$dummy" ] && line+=" ocf:heartbeat:Dummy::state=$LAB_DIR/$node/dummy.state"
	echo "$line" >"$LAB_DIR/$node/ha.d/haresources"
done
export OCF_ROOT=$ocf
e2e_start_pair

# ---- srv1 started the agents, with their environment
wait_for 5 test -e "$LAB_DIR/srv1/ocf.start" || fail "srv1 never ran the OCF agent's start: $(ev_names srv1)"
rec=$(cat "$LAB_DIR/srv1/ocf.start")
for want in "args: start" \
	OCF_RESKEY_device=/dev/fake OCF_RESKEY_directory=/srv/data \
	OCF_RESKEY_fstype=ext4 OCF_RESKEY_run_fsck=no \
	"OCF_ROOT=$ocf" OCF_RA_VERSION_MAJOR=1 OCF_RA_VERSION_MINOR=0 \
	OCF_RESOURCE_TYPE=Filesystem OCF_RESOURCE_PROVIDER=heartbeat \
	OCF_RESOURCE_INSTANCE=Filesystem_dev_fake \
	"HA_DIR=$LAB_DIR/srv1/ha.d" HA_debug=0 HA_LOGFACILITY=local0; do
	grep -qxF -- "$want" <<<"$rec" || fail "the agent's start lacks '$want'; it had:"$'\n'"$rec"
done
[ "$(grep -c '^OCF_RESKEY_' <<<"$rec")" = 4 ] || fail "OCF_RESKEY_ beyond the four given:"$'\n'"$rec"
ev_wait 5 srv1 resource_start resource=Filesystem::/dev/fake::/srv/data::ext4::run_fsck=no ||
	fail "no resource_start for the agent on srv1: $(ev_names srv1)"
if [ -n "$dummy" ]; then
	wait_for 5 test -e "$LAB_DIR/srv1/dummy.state" || fail "Dummy did not start on srv1: $(ev_names srv1)"
fi
[ ! -e "$LAB_DIR/srv2/ocf.start" ] || fail "srv2 started the agent while srv1 holds the group"

# ---- standby: the group and its agents move to srv2
lab_in_node srv1 "$XHB_BUILD/xhbctl" standby >/dev/null || fail "xhbctl standby"
wait_for 10 vip_on srv2 || fail "srv2 did not take the VIP on standby: $(ev_names srv2)"
wait_for 5 test -e "$LAB_DIR/srv2/ocf.start" || fail "srv2 never ran the agent's start: $(ev_names srv2)"
grep -qxF "args: stop" "$LAB_DIR/srv1/ocf.stop" 2>/dev/null || fail "srv1 did not stop the agent: $(ev_names srv1)"
grep -qxF "HA_DIR=$LAB_DIR/srv2/ha.d" "$LAB_DIR/srv2/ocf.start" || fail "srv2's agent ran without its HA_DIR"
[ ! -e "$LAB_DIR/srv1/fake.running" ] || fail "the fake agent still runs on srv1"
if [ -n "$dummy" ]; then
	[ ! -e "$LAB_DIR/srv1/dummy.state" ] || fail "Dummy still runs on srv1 after the standby"
	wait_for 5 test -e "$LAB_DIR/srv2/dummy.state" || fail "Dummy did not start on srv2: $(ev_names srv2)"
fi
for node in srv1 srv2; do
	! ev_has "$node" resource_failed || fail "$node: a resource failed: $(ev_select "$node" resource_failed)"
done
expect_vip_only srv2
exit 0
