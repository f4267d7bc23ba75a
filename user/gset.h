/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * A set of resource groups: bit g of word g / 32 says group g is in it.
 * What a node holds, asks for and refuses is one of these in the agent,
 * in decide's input and in what peers said; XHB_MAX_GROUPS (xhb_wire.h)
 * sizes it. Passed by value where that reads best: it is small.
 *
 * Include <linux/types.h> and xhb_wire.h before this header.
 */
#ifndef XHB_GSET_H
#define XHB_GSET_H

#include <stdbool.h>

#define XHB_GSET_WORDS ((XHB_MAX_GROUPS + 31) / 32)

struct xhb_gset {
	__u32 w[XHB_GSET_WORDS];
};

static inline bool xhb_gset_has(const struct xhb_gset *s, unsigned int g)
{
	return g < XHB_MAX_GROUPS && (s->w[g / 32] >> (g % 32)) & 1;
}

static inline void xhb_gset_add(struct xhb_gset *s, unsigned int g)
{
	if (g < XHB_MAX_GROUPS)
		s->w[g / 32] |= 1U << (g % 32);
}

static inline void xhb_gset_del(struct xhb_gset *s, unsigned int g)
{
	if (g < XHB_MAX_GROUPS)
		s->w[g / 32] &= ~(1U << (g % 32));
}

/* Groups 0..n-1: "every group" of a configuration with n of them. */
static inline struct xhb_gset xhb_gset_first(unsigned int n)
{
	struct xhb_gset s = {{0}};

	for (unsigned int i = 0; i < XHB_GSET_WORDS && n; i++) {
		s.w[i] = n >= 32 ? ~0U : (1U << n) - 1;
		n = n >= 32 ? n - 32 : 0;
	}
	return s;
}

/* Word 0 alone: groups 0..31 from a 32-bit mask. */
static inline struct xhb_gset xhb_gset_of32(__u32 mask)
{
	struct xhb_gset s = {{0}};

	s.w[0] = mask;
	return s;
}

static inline bool xhb_gset_empty(const struct xhb_gset *s)
{
	for (unsigned int i = 0; i < XHB_GSET_WORDS; i++)
		if (s->w[i])
			return false;
	return true;
}

static inline bool xhb_gset_eq(const struct xhb_gset *a,
			       const struct xhb_gset *b)
{
	for (unsigned int i = 0; i < XHB_GSET_WORDS; i++)
		if (a->w[i] != b->w[i])
			return false;
	return true;
}

static inline struct xhb_gset xhb_gset_or(struct xhb_gset a,
					  const struct xhb_gset *b)
{
	for (unsigned int i = 0; i < XHB_GSET_WORDS; i++)
		a.w[i] |= b->w[i];
	return a;
}

static inline struct xhb_gset xhb_gset_and(struct xhb_gset a,
					   const struct xhb_gset *b)
{
	for (unsigned int i = 0; i < XHB_GSET_WORDS; i++)
		a.w[i] &= b->w[i];
	return a;
}

/* a without b */
static inline struct xhb_gset xhb_gset_minus(struct xhb_gset a,
					     const struct xhb_gset *b)
{
	for (unsigned int i = 0; i < XHB_GSET_WORDS; i++)
		a.w[i] &= ~b->w[i];
	return a;
}

static inline unsigned int xhb_gset_count(const struct xhb_gset *s)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < XHB_GSET_WORDS; i++)
		n += (unsigned int)__builtin_popcount(s->w[i]);
	return n;
}

#endif /* XHB_GSET_H */
