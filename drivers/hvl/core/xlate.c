// SPDX-License-Identifier: GPL-2.0-only
/*
 * Remote bus address -> kernel pointer, for addresses the peer publishes.
 *
 * This is the only place that turns a peer-supplied number into something
 * we dereference, so it is deliberately strict: the whole range must sit
 * inside one region (adjacent regions are not merged: their mappings need
 * not be contiguous), the arithmetic must not wrap, and the start must be
 * aligned as the caller's structure requires.
 */
#include <linux/hvl.h>
#include <linux/export.h>
#include <linux/overflow.h>

/**
 * hvl_xlate() - translate a peer bus range into our mapping
 * @x: the window's regions
 * @bus: first byte, as the peer addresses it
 * @len: length in bytes; 0 is allowed and only checks @bus
 * @align: required alignment of @bus (power of two), 1 for none
 *
 * Return: kernel pointer to @bus, or NULL if the range is not entirely
 * inside one region or misaligned.
 */
void *hvl_xlate(const struct hvl_xlate *x, u64 bus, u64 len, size_t align)
{
	unsigned int i;
	u64 end;

	if (!IS_ALIGNED(bus, align) || check_add_overflow(bus, len, &end))
		return NULL;

	for (i = 0; i < x->nr; i++) {
		const struct hvl_region *r = &x->regions[i];

		/* bus >= r->bus and end <= r->bus + r->size, without wrapping. */
		if (bus < r->bus || bus - r->bus > r->size ||
		    len > r->size - (bus - r->bus))
			continue;
		return r->va + (bus - r->bus);
	}
	return NULL;
}
EXPORT_SYMBOL_GPL(hvl_xlate);
