/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * The VIPs a node's XDP knows (xhb_vips, read from the pins, agent or
 * not): held (served while the lease runs) or staged (fenced_standby:
 * configured here, fenced always), and whether XDP fences each now.
 */
#ifndef XHBCTL_VIPS_H
#define XHBCTL_VIPS_H

#include <stdbool.h>

#include "dataplane.h"

/* `xhbctl vips`: a table, or one JSON document. 0 or -errno (said). */
int xhbctl_vips(struct xhb_dataplane *dp, bool json);
/* `xhbctl detach` would unfence them: the staged VIPs configured on an
 * interface of this host, each said on stderr; how many. */
int xhbctl_staged_configured(struct xhb_dataplane *dp);

#endif /* XHBCTL_VIPS_H */
