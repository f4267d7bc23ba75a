/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/* version: xhb's release, said by agent_start and xhb_build_info. */
#ifndef XHB_VERSION_H
#define XHB_VERSION_H

#define XHB_VERSION_STRING "0.1.0"

#endif /* XHB_VERSION_H */
