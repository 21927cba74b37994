// SPDX-License-Identifier: GPL-2.0-only
/*
 * Claims on the memory of windows: no two windows of one side over the
 * same memory, for the backend windows and for the front-end (hvl_front).
 *
 * Nothing else stops them.  of_reserved_mem_lookup() hands a region to
 * whoever names it, and request_mem_region() cannot be used: on x86 a
 * reserved-memory region, no-map or not, is still part of a busy "System
 * RAM" resource, where every request fails.  A second backend window over
 * the memory of a live one would write its header, device table and
 * register pages over the first one's, under that window's peer.
 *
 * A claim is per side, not global: a backend and a front-end map the same
 * regions when both sides of a window run in one kernel (the tests, and
 * Linux-to-Linux partitions folded into one device tree), and for them
 * sharing the memory is the point.
 */
#include <linux/device.h>
#include <linux/hvl.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/slab.h>

struct claim {
	struct list_head node;
	struct device *dev;	/* alive: the claim is in its devres */
	enum hvl_side side;
	int index;		/* its entry of the device's "memory-region" */
	phys_addr_t base, size;
};

static LIST_HEAD(claims);
static DEFINE_MUTEX(claims_lock);

static void unclaim(void *data)
{
	struct claim *c = data;

	mutex_lock(&claims_lock);
	list_del(&c->node);
	mutex_unlock(&claims_lock);
	kfree(c);
}

/* Sizes are never 0 (hvl_rmem_lookup() refuses those): no wrap below. */
static bool overlap(const struct claim *a, const struct claim *b)
{
	return a->base <= b->base + (b->size - 1) &&
	       b->base <= a->base + (a->size - 1);
}

/**
 * hvl_region_claim() - take entry @index of the device's "memory-region"
 * @dev: the window's device, for its node, messages and devres
 * @side: whose windows may not share the memory
 * @index: entry of "memory-region"
 * @rmem: that entry, as hvl_rmem_lookup() returned it
 *
 * The claim goes away with @dev's devres, after the mapping made after it.
 *
 * Return: 0, -EBUSY after a message naming both windows' nodes if a window
 * of @side (@dev itself included, through another entry) already has any
 * of the memory, or -ENOMEM.
 */
int hvl_region_claim(struct device *dev, enum hvl_side side, int index,
		     const struct reserved_mem *rmem)
{
	struct claim *c, *other;
	struct device_node *rnp;
	int ret = 0;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	c->dev = dev;
	c->side = side;
	c->index = index;
	c->base = rmem->base;
	c->size = rmem->size;

	mutex_lock(&claims_lock);
	list_for_each_entry(other, &claims, node) {
		if (other->side != side || !overlap(c, other))
			continue;
		rnp = of_parse_phandle(dev->of_node, "memory-region", index);
		dev_err(dev, "\"memory-region\" entry %d (%pOF) is in use by %pOF (its entry %d): two windows over the same memory would overwrite each other\n",
			index, rnp, other->dev->of_node, other->index);
		of_node_put(rnp);
		ret = -EBUSY;
		break;
	}
	if (!ret)
		list_add(&c->node, &claims);
	mutex_unlock(&claims_lock);
	if (ret) {
		kfree(c);
		return ret;
	}
	return devm_add_action_or_reset(dev, unclaim, c);
}
EXPORT_SYMBOL_GPL(hvl_region_claim);
