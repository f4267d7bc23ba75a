#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# Prometheus metrics. Each server runs xhb-metrics in its own namespaces,
# listening where its ha.cf's metrics_listen says.
#   1. `xhbctl metrics` and the served /metrics pass `promtool check
#      metrics` and say that srv1 holds group 0; another path is a 404,
#      another method a 405; a second listener on the same address fails
#      with ha.cf:LINE; clients that never finish their request do not
#      delay a scrape.
#   2. A real Prometheus server in the client's namespace scrapes both
#      servers every second and answers xhb_group_held{group="0"} 1 for
#      srv1. srv1's agent stops: Prometheus then answers xhb_agent_up 0
#      for srv1 while srv1's map metrics still come (same evaluation), and
#      srv2 holds the group with one acquisition counted and timed.
#   3. With srv1's agent down, `xhbctl metrics` still reads its maps; the
#      takeover histogram's sum is the group_acquire event's duration; a
#      stopped (SIGSTOP) agent does not hang a scrape; SIGTERM ends the
#      listener with status 0.
source "$(dirname "$0")/lib.bash" prometheus

for tool in prometheus promtool jq; do
	command -v "$tool" >/dev/null 2>&1 || skip "needs $tool (tools/deps.sh installs the prometheus package)"
done
[ -x "$XHB_BUILD/xhb-metrics" ] || {
	echo "FAIL: $XHB_BUILD/xhb-metrics is not built: run make"
	exit 1
}

PORT=9100
PROM=127.0.0.1:9090 # in the client's namespace only
SRV1=${LAB_IP[srv1]}:$PORT
SRV2=${LAB_IP[srv2]}:$PORT
declare -A LISTENER

LAB_HACF_EXTRA="${E2E_PROBE_STEADY}"
lab_setup || fail "lab setup failed"
for node in srv1 srv2; do
	echo "metrics_listen ${LAB_IP[$node]}:$PORT" >>"$LAB_DIR/$node/ha.d/ha.cf"
done
e2e_start_pair # the agents accept the directive they do not use
P=$LAB_DIR/prometheus
mkdir -p "$P/data"

# xhb-metrics for NODE, as its agent sees the world (pins, control socket).
start_listener() { # node
	local d=$LAB_DIR/$1
	lab_node_run "$1" "$d" "$LAB_DIR/bpf/$1" "$XHB_BUILD/xhb-metrics" -c "$d/ha.d" \
		>>"$d/metrics.log" 2>&1 &
	LISTENER[$1]=$!
	e2e_bg $!
}
# `xhbctl metrics` on NODE, in a mount namespace of its own like the
# node's (so it works with the agent down too).
xhbctl_metrics() { # node
	local d=$LAB_DIR/$1
	(lab_node_run "$1" "$d" "$LAB_DIR/bpf/$1" "$XHB_BUILD/xhbctl" -c "$d/ha.d" metrics)
}
scrape() { # from-node target [curl options...]
	local from=$1 target=$2
	shift 2
	lab_exec "$from" curl -s --max-time 3 "$@" "http://$target/metrics"
}
answers() { scrape client "$1" -o /dev/null -f; }
has_line() { # text line: the exact line is in text
	grep -qxF -- "$2" <<<"$1"
}
promtool_ok() { # file what
	local out
	out=$(promtool check metrics <"$1" 2>&1) || fail "promtool check metrics on $2: $out"
	e2e_log "promtool check metrics: $2 passes"
}

start_listener srv1
start_listener srv2
wait_for 10 answers "$SRV1" || fail "xhb-metrics on srv1 does not answer on $SRV1: $(cat "$LAB_DIR/srv1/metrics.log")"
wait_for 10 answers "$SRV2" || fail "xhb-metrics on srv2 does not answer on $SRV2: $(cat "$LAB_DIR/srv2/metrics.log")"
e2e_log "listeners: $(head -n 1 "$LAB_DIR/srv1/metrics.log"); $(head -n 1 "$LAB_DIR/srv2/metrics.log")"

# ---- 1. the text, checked by promtool; the HTTP surface ----
xhbctl_metrics srv1 >"$P/xhbctl-srv1.prom" || fail "xhbctl metrics on srv1 failed"
promtool_ok "$P/xhbctl-srv1.prom" "xhbctl metrics on srv1"
text=$(scrape client "$SRV1")
printf '%s\n' "$text" >"$P/scraped-srv1.prom"
promtool_ok "$P/scraped-srv1.prom" "GET http://$SRV1/metrics"
for f in "$P/xhbctl-srv1.prom" "$P/scraped-srv1.prom"; do
	t=$(cat "$f")
	for line in 'xhb_agent_up 1' 'xhb_dataplane_up{iface="ens192"} 1' 'xhb_group_held{group="0"} 1' \
		'xhb_group_owner{group="0",node="srv1"} 1' 'xhb_peer_state{peer="srv2",state="up"} 1' \
		'xhb_node_state{state="active"} 1' 'xhb_fenced{iface="ens192"} 0' \
		'xhb_peer_link_up{peer="srv2",iface="ens192"} 1'; do
		has_line "$t" "$line" || fail "$f: no line '$line': $t"
	done
	grep -qE '^xhb_xdp_packets_total\{iface="ens192",verdict="reply_accepted"\} [1-9][0-9]*$' <<<"$t" ||
		fail "$f: srv1's XDP accepted no reply of srv2: $(grep xdp_packets <<<"$t")"
	grep -qE '^xhb_lease_remaining_seconds\{iface="ens192"\} [0-9.]+$' <<<"$t" &&
		! has_line "$t" 'xhb_lease_remaining_seconds{iface="ens192"} 0' ||
		fail "$f: srv1 holds group 0 with no lease left: $(grep lease <<<"$t")"
done
e2e_log "srv1 says: $(grep -E '^xhb_(group_held|agent_up|peer_detection)' "$P/scraped-srv1.prom" | tr '\n' ';')"

head=$(scrape client "$SRV1" -I)
grep -qi '^HTTP/1.1 200' <<<"$head" || fail "HEAD /metrics: $head"
grep -qi '^Content-Type: text/plain; version=0.0.4; charset=utf-8' <<<"$head" || fail "HEAD /metrics: content type: $head"
code=$(lab_exec client curl -s --max-time 3 -o /dev/null -w '%{http_code}' "http://$SRV1/")
[ "$code" = 404 ] || fail "GET / answered $code, expected 404"
code=$(lab_exec client curl -s --max-time 3 -o /dev/null -w '%{http_code}' "http://$SRV1/metrics/x")
[ "$code" = 404 ] || fail "GET /metrics/x answered $code, expected 404"
out=$(lab_exec client curl -s --max-time 3 -i -X POST --data x=1 "http://$SRV1/metrics")
grep -q '^HTTP/1.1 405' <<<"$out" && grep -qi '^Allow: GET, HEAD' <<<"$out" ||
	fail "POST /metrics: expected 405 with Allow: GET, HEAD, got: $out"
e2e_log "HTTP: HEAD 200 with the 0.0.4 content type, / and /metrics/x 404, POST 405"

# The address is taken: a second listener says where it came from, ends.
out=$( (lab_node_run srv1 "$LAB_DIR/srv1" "$LAB_DIR/bpf/srv1" timeout 10 "$XHB_BUILD/xhb-metrics" \
	-c "$LAB_DIR/srv1/ha.d") 2>&1)
rc=$?
want="$LAB_DIR/srv1/ha.d/ha.cf:$(grep -n '^metrics_listen' "$LAB_DIR/srv1/ha.d/ha.cf" | cut -d: -f1): cannot listen on $SRV1: Address already in use"
[ "$rc" = 1 ] && grep -qF "$want" <<<"$out" || fail "a second listener on $SRV1: exit $rc, expected 1 and '$want', got: $out"
e2e_log "a second listener: exit 1, $out"

# Four clients that never finish their request (the most one address may
# hold) do not delay a scrape from another address.
# (ip netns exec, not lab_exec: $! is then the process itself, which the
# teardown can end)
# They hold until the test has scraped (slow.done), 30 s at most.
ip netns exec "$(lab_ns client)" python3 - "${LAB_IP[srv1]}" "$PORT" "$P/slow.ready" "$P/slow.done" <<'EOF' &
import os, socket, sys, time
held = []
for _ in range(4):
    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")  # never ends
    held.append(s)
open(sys.argv[3], "w").close()
end = time.monotonic() + 30
while not os.path.exists(sys.argv[4]) and time.monotonic() < end:
    time.sleep(0.05)
EOF
slow=$!
e2e_bg $slow
wait_for 10 test -e "$P/slow.ready" || fail "the slow clients did not connect to $SRV1"
t0=$(date +%s%N)
text=$(scrape srv2 "$SRV1")
took=$((($(date +%s%N) - t0) / 1000000))
has_line "$text" 'xhb_agent_up 1' || fail "with four slow clients on $SRV1, a scrape from srv2 got: $text"
[ "$took" -lt 2000 ] || fail "with four slow clients on $SRV1, a scrape from srv2 took $took ms"
e2e_log "four half-sent requests held on $SRV1: a scrape from srv2 took $took ms"
kill -0 "$slow" 2>/dev/null || fail "the slow clients let go before the scrape ended: not a test of them"
touch "$P/slow.done"
wait "$slow"

# ---- 2. a Prometheus server scraping both ----
cat >"$P/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: xhb
    static_configs:
      - targets: ['$SRV1', '$SRV2']
EOF
ip netns exec "$(lab_ns client)" prometheus --config.file="$P/prometheus.yml" \
	--storage.tsdb.path="$P/data" --web.listen-address="$PROM" --log.level=warn \
	>"$P/prometheus.log" 2>&1 &
PROM_PID=$!
e2e_bg $PROM_PID
prom_ready() { lab_exec client curl -sf --max-time 2 "http://$PROM/-/ready" >/dev/null; }
wait_for 90 prom_ready || fail "prometheus did not get ready within 90 s: $(tail -n 20 "$P/prometheus.log")"
e2e_log "prometheus ready on $PROM (client's namespace)"

# "INSTANCE VALUE" for each series of an instant query.
prom_query() { # promql
	lab_exec client curl -s --max-time 2 -G "http://$PROM/api/v1/query" --data-urlencode "query=$1" |
		jq -r '.data.result[] | "\(.metric.instance) \(.value[1])"' 2>/dev/null
}
prom_is() { # promql instance value: the query gives value for instance
	[ "$(prom_query "$1" | awk -v i="$2" '$1 == i { print $2 }')" = "$3" ]
}
expect_prom() { # seconds promql instance value
	wait_for "$1" prom_is "$2" "$3" "$4" ||
		fail "prometheus: $2 for $3 is not $4 within $1 s; it answers: $(prom_query "$2" | tr '\n' ';')"
	e2e_log "prometheus: $2 = $4 for $3"
}

expect_prom 30 'up{job="xhb"}' "$SRV1" 1
expect_prom 10 'up{job="xhb"}' "$SRV2" 1
expect_prom 10 'xhb_group_held{group="0"}' "$SRV1" 1
expect_prom 10 'xhb_group_held{group="0"}' "$SRV2" 0

# srv1's agent stops (releases, tells srv2, which takes the VIP); its XDP
# program and maps stay pinned.
lab_stop srv1 TERM
wait_for 10 lab_has_vip srv2 || fail "srv2 did not take $LAB_VIP after srv1's agent stopped"
e2e_log "srv1's agent stopped; srv2 holds $LAB_VIP"
expect_prom 15 'xhb_agent_up' "$SRV1" 0
# in one evaluation: the agent is down and the maps still answer
expect_prom 10 'xhb_dataplane_up{iface="ens192"} and on(instance) (xhb_agent_up == 0)' "$SRV1" 1
verdicts=$(grep -c '^xhb_xdp_packets_total{iface="ens192",' "$P/scraped-srv1.prom")
expect_prom 10 'count by (instance) (xhb_xdp_packets_total{iface="ens192"}) and on(instance) (xhb_agent_up == 0)' \
	"$SRV1" "$verdicts"
expect_prom 10 'xhb_lease_remaining_seconds{iface="ens192"}' "$SRV1" 0
expect_prom 10 'xhb_group_held{group="0"}' "$SRV2" 1
expect_prom 10 'xhb_group_owner{group="0",node="srv2"}' "$SRV2" 1
expect_prom 10 'xhb_group_transitions_total{group="0",transition="acquire"}' "$SRV2" 1
expect_prom 10 'xhb_takeover_duration_seconds_bucket{group="0",le="+Inf"}' "$SRV2" 1
expect_prom 10 'xhb_peer_state{peer="srv1",state="up"}' "$SRV2" 0
[ -z "$(prom_query 'xhb_group_held{instance="'"$SRV1"'"}')" ] ||
	fail "prometheus still has xhb_group_held for srv1, whose agent is down: $(prom_query 'xhb_group_held')"

# ---- 3. the agent down, xhbctl; the histogram; a hung agent; SIGTERM ----
xhbctl_metrics srv1 >"$P/xhbctl-srv1-down.prom" || fail "xhbctl metrics on srv1 with its agent down failed"
promtool_ok "$P/xhbctl-srv1-down.prom" "xhbctl metrics on srv1, its agent down"
t=$(cat "$P/xhbctl-srv1-down.prom")
has_line "$t" 'xhb_agent_up 0' && has_line "$t" 'xhb_dataplane_up{iface="ens192"} 1' &&
	! grep -q '^xhb_group_' <<<"$t" || fail "xhbctl metrics on srv1, its agent down: $t"

xhbctl_metrics srv2 >"$P/xhbctl-srv2.prom" || fail "xhbctl metrics on srv2 failed"
sum=$(sed -n 's/^xhb_takeover_duration_seconds_sum{group="0"} //p' "$P/xhbctl-srv2.prom")
ms=$(ev_field srv2 group_acquire duration_ms)
[ -n "$sum" ] && [ -n "$ms" ] && awk -v s="$sum" -v m="$ms" 'BEGIN { d = s - m / 1000; exit !(d < 1e-6 && d > -1e-6) }' ||
	fail "srv2's takeover histogram sums to '$sum' s, its group_acquire took '$ms' ms"
e2e_log "srv2's takeover: $sum s in the histogram, $ms ms in group_acquire"

# A stopped agent: the scrape waits for it a bounded time, then says so.
pid=$(lab_pid srv2) || fail "no agent on srv2"
kill -STOP "$pid"
t0=$(date +%s%N)
text=$(scrape client "$SRV2")
took=$((($(date +%s%N) - t0) / 1000000))
kill -CONT "$pid"
has_line "$text" 'xhb_agent_up 0' && has_line "$text" 'xhb_dataplane_up{iface="ens192"} 1' ||
	fail "a scrape of srv2 with its agent stopped: $text"
[ "$took" -lt 2500 ] || fail "a scrape of srv2 with its agent stopped took $took ms"
e2e_log "srv2's agent stopped (SIGSTOP): the scrape answered in $took ms with xhb_agent_up 0"

kill -TERM "${LISTENER[srv1]}"
wait_for 5 lab_gone "${LISTENER[srv1]}" || fail "xhb-metrics on srv1 still runs 5 s after SIGTERM"
wait "${LISTENER[srv1]}"
rc=$?
[ "$rc" = 0 ] || fail "xhb-metrics on srv1 exited $rc after SIGTERM: $(cat "$LAB_DIR/srv1/metrics.log")"
grep -q 'stopping' "$LAB_DIR/srv1/metrics.log" || fail "xhb-metrics on srv1 did not say it stopped: $(cat "$LAB_DIR/srv1/metrics.log")"
not answers "$SRV1" || fail "$SRV1 still answers after its listener ended"
e2e_log "SIGTERM: xhb-metrics on srv1 ended with status 0"
kill -TERM "$PROM_PID"
wait_for 20 lab_gone "$PROM_PID" || fail "prometheus (pid $PROM_PID) still runs 20 s after SIGTERM"
exit 0
