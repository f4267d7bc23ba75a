# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# One pipeline: bpf/X.bpf.c -> build/X.bpf.o -> build/X.skel.h -> binaries.
# Everything lands in build/. `make V=1` shows the full commands.
#
#   make          build xhbd, xhbctl, the tools and the test binaries
#   make progs    build only what `make install` installs (no test dependencies)
#   make test     install what is missing, build, run every test
#   make demo     install what is missing, build, run the two-node lab
#   make bench    failover, service-crash and data-plane benchmarks (results in bench/results)
#   make bench-routed  routed failover: xhb + BIRD vs BIRD with BFD alone (bench/routed.sh)
#   make bench-idle    an idle agent's CPU, wake-ups and lateness at probe 1ms (bench/agent_idle.sh)
#   make man      the manual pages, docs/man/*.scd -> build/man/ (scdoc)
#   make vmlinux  regenerate vmlinux.h from this kernel's BTF

BUILD     := build
CLANG     ?= clang
BPFTOOL   ?= bpftool
LLVM_STRIP ?= llvm-strip
SCDOC     ?= scdoc
PKGS      := libbpf libelf zlib jansson libmnl libsodium
ARCH      := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

CFLAGS    ?= -g -O2
XCFLAGS   := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Iuser -I$(BUILD) \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -MMD -MP
LDLIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Wextra -Werror -I. -Iinclude

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
# Only the agent's program has a skeleton: xdp_pass.bpf.o is attached by
# `ip link` in the lab, as an object file.
SKELS     := $(BUILD)/xhb.skel.h
# Every user/*.c but the daemon's main() is a module in libxhb.a.
LIB_SRCS  := $(filter-out user/xhbd.c,$(wildcard user/*.c))
LIB_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
# tools/xhbctl_*.c are parts of xhbctl, not tools of their own.
XHBCTL_PARTS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/xhbctl_*.c))
TOOL_SRCS := $(filter-out tools/xhbctl_%.c,$(wildcard tools/*.c))
TOOLS     := $(patsubst tools/%.c,$(BUILD)/%,$(TOOL_SRCS))
# Heartbeat's commands: xhbctl under their names (xhbctl_hb.c)
HB_CMDS   := $(addprefix $(BUILD)/,cl_status hb_standby hb_takeover hb_addnode hb_delnode)
# bench/X.bpf.c: a bench program's XDP half, built into build/bench/X.skel.h
# for the bench binary that includes it (pktgen: live_gen); bench/run.sh
# attaches build/bench/xdp_turn.bpf.o with `ip link`, as an object file.
BENCH_BPF_SRCS := $(wildcard bench/*.bpf.c)
BENCH_SKELS := $(patsubst bench/%.bpf.c,$(BUILD)/bench/%.skel.h,$(BENCH_BPF_SRCS))
BENCH_SRCS := $(filter-out $(BENCH_BPF_SRCS),$(wildcard bench/*.c))
BENCHES   := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
UNIT_SRCS := $(wildcard selftests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(UNIT_SRCS))
UNIT_BIN  := $(BUILD)/selftests/unit
FUZZ_SRCS := $(wildcard selftests/fuzz/*.c)
# One scdoc source a page: docs/man/NAME.SECTION.scd -> build/man/NAME.SECTION
MAN_SRCS  := $(wildcard docs/man/*.scd)
MAN_PAGES := $(patsubst docs/man/%.scd,$(BUILD)/man/%,$(MAN_SRCS))

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all progs test demo bench bench-routed bench-idle vmlinux clean deps install man FORCE
.DEFAULT_GOAL := all

# What `make install` installs, and nothing that needs the tests'
# packages (Criterion): the Debian package builds this.
PROGS     := $(BUILD)/xhbd $(BUILD)/xhbctl $(BUILD)/xhb-metrics $(MAN_PAGES)

all: progs $(TOOLS) $(HB_CMDS) $(BENCHES) $(UNIT_BIN) $(BPF_OBJS)

progs: $(PROGS)

man: $(MAN_PAGES)

deps:
	$(Q)tools/deps.sh

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)selftests/run.sh

bench-routed: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/routed.sh

bench-idle: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/agent_idle.sh

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tools/lab.sh demo

bench: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)bench/run.sh

$(BUILD) $(BUILD)/obj/user $(BUILD)/obj/tools $(BUILD)/obj/bench $(BUILD)/obj/selftests/unit $(BUILD)/selftests $(BUILD)/bench $(BUILD)/man:
	$(Q)mkdir -p $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c vmlinux.h $(wildcard include/*.h bpf/*.h) | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c vmlinux.h $(wildcard include/*.h bench/*.h) | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -Ibench -c $< -o $@
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(BUILD)/obj/%.o: %.c | $(SKELS)
	@mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(XCFLAGS) -c $< -o $@

# The page's date is its source's last commit (SOURCE_DATE_EPOCH, which
# scdoc reads), so a rebuild gives the same page. Three lines after .TH,
# for groff 1.22's man macros on a terminal: scdoc's "no hyphenation,
# ragged right" comes before .TH, which resets both (identifiers broke
# across lines: config_ig-nored); and continuous rendering (cR) starts with
# an 11-inch page, whose end falling inside a table leaves blank lines in
# it and a tbl warning: one page long enough for the whole manual instead.
$(MAN_PAGES): $(BUILD)/man/%: docs/man/%.scd Makefile | $(BUILD)/man
	$(call msg,SCDOC,$@)
	$(Q)when=$$(git log -1 --format=%ct -- $< 2>/dev/null); \
	SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$${when:-$$(date +%s)}} $(SCDOC) < $< > $@.scdoc
	$(Q)sed 's/^\.TH .*/&\n.nh\n.ad l\n.if \\n[cR] .pl 100000v/' $@.scdoc > $@
	$(Q)rm -f $@.scdoc

# The commit xhb_build_info names; rewritten only when it changes, so
# that it rebuilds what uses it then and only then.
$(BUILD)/xhb_commit.h: FORCE | $(BUILD)
	$(Q)c=$$(git -C $(CURDIR) describe --always --dirty --abbrev=12 2>/dev/null || echo unknown); \
	printf '#define XHB_COMMIT "%s"\n' "$$c" >$@.tmp; \
	cmp -s $@.tmp $@ || mv $@.tmp $@; rm -f $@.tmp
$(BUILD)/obj/user/metrics_collect.o: $(BUILD)/xhb_commit.h

$(BUILD)/libxhb.a: $(LIB_OBJS) | $(BUILD)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/xhbd: $(BUILD)/obj/user/xhbd.o $(BUILD)/libxhb.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/%: $(BUILD)/obj/tools/%.o $(BUILD)/libxhb.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -lm -o $@

$(BUILD)/xhbctl: $(BUILD)/obj/tools/xhbctl.o $(XHBCTL_PARTS) $(BUILD)/libxhb.a
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -lm -o $@

$(HB_CMDS): $(BUILD)/xhbctl
	$(call msg,LN,$@)
	$(Q)ln -sf xhbctl $@

# Only the metrics listener serves HTTP: only it links libmicrohttpd.
$(BUILD)/obj/tools/xhb-metrics.o: XCFLAGS += $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
$(BUILD)/xhb-metrics: LDLIBS += $(shell pkg-config --libs libmicrohttpd 2>/dev/null)

$(BUILD)/obj/bench/pktgen.o $(BUILD)/obj/bench/xdp_paths.o: $(BENCH_SKELS)

$(BUILD)/bench/%: $(BUILD)/obj/bench/%.o $(BUILD)/libxhb.a | $(BUILD)/bench
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -lm -lpthread -o $@

$(UNIT_BIN): $(UNIT_OBJS) $(BUILD)/obj/tools/xhbctl_hb.o $(BUILD)/libxhb.a | $(BUILD)/selftests
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -lcriterion -lsodium -lz -o $@

# ---- fuzzing and sanitizers ---------------------------------------------
#   make fuzz     libFuzzer harnesses (selftests/fuzz/fuzz_*.c) built with
#                 clang's fuzzer, ASan and UBSan into build/fuzz/, each run
#                 for FUZZ_SECONDS (default 60); findings in build/fuzz/crashes
#   make check    the unit tests built with ASan and UBSan in build/check/
#                 and run, then xhbd under valgrind (selftests/e2e/valgrind.sh)
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_TARGETS  := $(patsubst selftests/fuzz/fuzz_%.c,%,$(FUZZ_SRCS))
FUZZ_BINS     := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_TARGETS))
# Only what the harnesses reach: the parsers and the wire format.
FUZZ_LIB_SRCS := $(wildcard user/config*.c) user/resource_agent.c \
                 user/syslog_client.c user/wire.c
FUZZ_LIB_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(FUZZ_LIB_SRCS))
# Not alignment: frames are byte buffers read through struct iphdr and
# friends at offset 14, as every packet parser does on x86 and arm64.
SAN_FLAGS     := -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
                 -fno-sanitize=alignment -fno-sanitize-recover=all
CHECK_BUILD   := $(BUILD)/check

.PHONY: fuzz fuzz-build check

fuzz: fuzz-build
	$(Q)FUZZ_SECONDS=$(FUZZ_SECONDS) XHB_BUILD=$(BUILD) selftests/fuzz/run.sh $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_BINS)

$(BUILD)/fuzz/obj/%.o: %.c Makefile
	@mkdir -p $(@D)
	$(call msg,CC-FUZZ,$@)
	$(Q)$(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer-no-link $(XCFLAGS) -c $< -o $@

$(BUILD)/fuzz/fuzz_%: selftests/fuzz/fuzz_%.c selftests/fuzz/fuzz_targets.h $(FUZZ_LIB_OBJS) Makefile
	$(call msg,FUZZER,$@)
	$(Q)$(FUZZ_CC) $(SAN_FLAGS) -fsanitize=fuzzer $(filter-out -MMD -MP,$(XCFLAGS)) \
		$< $(FUZZ_LIB_OBJS) -o $@

-include $(shell find $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null)

# A second tree, so the sanitized objects never mix with build/'s.
check: deps
	$(Q)$(MAKE) --no-print-directory BUILD=$(CHECK_BUILD) CFLAGS="$(SAN_FLAGS)" \
		$(CHECK_BUILD)/selftests/unit
	$(call msg,CHECK,$(CHECK_BUILD)/selftests/unit (ASan + UBSan))
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
		LSAN_OPTIONS=suppressions=$(CURDIR)/selftests/fuzz/lsan.supp:print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(CHECK_BUILD)/selftests/unit -j2 --short-filename
	$(Q)$(MAKE) --no-print-directory all
	$(call msg,CHECK,xhbd under valgrind)
	$(Q)log=$$(mktemp /tmp/xhb-valgrind.XXXXXX); \
	timeout --kill-after=10 600 bash selftests/e2e/valgrind.sh >"$$log" 2>&1; \
	case $$? in \
	0) echo "PASS e2e/valgrind" ;; \
	77) echo "SKIP e2e/valgrind ($$(tail -n 1 "$$log"))" ;; \
	*) echo "FAIL e2e/valgrind (log $$log)"; tail -n 40 "$$log"; exit 1 ;; \
	esac

PREFIX  ?= /usr
DESTDIR ?=
# One line a file. The Debian package is this target run with
# DESTDIR=debian/xhb PREFIX=/usr: a file added here is in the package.
# Heartbeat's commands where Heartbeat had them: cl_status in bin,
# hb_standby, hb_takeover, hb_addnode and hb_delnode in share/heartbeat. The schema is data for
# programs (tools/validate-events.py --schema), so under share/xhb, where
# the package leaves it uncompressed.
install: progs
	install -D -m 0755 $(BUILD)/xhbd $(DESTDIR)$(PREFIX)/sbin/xhbd
	install -D -m 0755 $(BUILD)/xhbctl $(DESTDIR)$(PREFIX)/sbin/xhbctl
	install -D -m 0755 $(BUILD)/xhb-metrics $(DESTDIR)$(PREFIX)/sbin/xhb-metrics
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/heartbeat
	ln -sf ../sbin/xhbctl $(DESTDIR)$(PREFIX)/bin/cl_status
	ln -sf ../../sbin/xhbctl $(DESTDIR)$(PREFIX)/share/heartbeat/hb_standby
	ln -sf ../../sbin/xhbctl $(DESTDIR)$(PREFIX)/share/heartbeat/hb_takeover
	ln -sf ../../sbin/xhbctl $(DESTDIR)$(PREFIX)/share/heartbeat/hb_addnode
	ln -sf ../../sbin/xhbctl $(DESTDIR)$(PREFIX)/share/heartbeat/hb_delnode
	install -D -m 0644 tools/systemd/xhbd.service $(DESTDIR)/lib/systemd/system/xhbd.service
	install -D -m 0644 tools/logrotate/xhb $(DESTDIR)/etc/logrotate.d/xhb
	install -D -m 0644 tools/systemd/xhb-metrics.service $(DESTDIR)/lib/systemd/system/xhb-metrics.service
	install -d $(foreach s,5 7 8,$(DESTDIR)$(PREFIX)/share/man/man$(s))
	install -m 0644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 0644 $(filter %.7,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 0644 $(filter %.8,$(MAN_PAGES)) $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	printf '.so man8/xhbctl.8\n' >$(DESTDIR)$(PREFIX)/share/man/man1/cl_status.1
	install -D -m 0644 docs/events.schema.json $(DESTDIR)$(PREFIX)/share/xhb/events.schema.json
	install -D -m 0644 selftests/fixtures/lab/ha.cf $(DESTDIR)$(PREFIX)/share/doc/xhb/examples/ha.cf
	install -D -m 0644 selftests/fixtures/lab/haresources $(DESTDIR)$(PREFIX)/share/doc/xhb/examples/haresources
	install -D -m 0644 docs/examples/authkeys $(DESTDIR)$(PREFIX)/share/doc/xhb/examples/authkeys

vmlinux:
	$(call msg,GEN,vmlinux.h)
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h

clean:
	$(Q)rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
