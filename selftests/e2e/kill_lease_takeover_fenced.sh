#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# kill_lease_takeover.sh with `fenced_standby on` (issue 15): the standby keeps the VIP
# configured but fenced (staged); see E2E_FENCED_STANDBY there.
E2E_FENCED_STANDBY=1
source "$(dirname "$0")/kill_lease_takeover.sh"
