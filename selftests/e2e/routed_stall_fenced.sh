#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# routed_stall.sh with `fenced_standby on` (issue 15): routing mode's
# groups are never staged, so the stall and its takeover go as without
# it, and nothing is staged on either node; see E2E_FENCED_STANDBY there.
E2E_FENCED_STANDBY=1
source "$(dirname "$0")/routed_stall.sh"
