#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
# one_way_loss.sh with `fenced_standby on` (issue 15): the standby keeps the VIP
# configured but fenced (staged), and every assertion of one_way_loss.sh
# must hold with "holds the VIP" read from ip addr and xhb_vips' flag
# (lib.bash vip_held); see E2E_FENCED_STANDBY there.
E2E_FENCED_STANDBY=1
source "$(dirname "$0")/one_way_loss.sh"
