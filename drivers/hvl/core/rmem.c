// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reserved-memory regions of a window, looked up for the backend
 * windows and for the front-end (hvl_front).
 *
 * of_reserved_mem_lookup() answers for every reserved-memory node the
 * kernel saw at boot, including nodes whose memory is not reserved at all:
 * a reusable (CMA) shared-dma-pool lends its pages to the page allocator,
 * and a node whose setup failed (say, a restricted-dma-pool marked no-map)
 * keeps its table entry while fdt_init_reserved_mem_node() hands its
 * memory back.  A window there would write its header, device table and
 * register pages over live kernel pages, so such regions are refused.
 */
#include <kunit/visibility.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/hvl.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>

#include "core.h"

/*
 * Does the region run past the top of the physical address space?  The
 * kernel does not refuse such a node at boot, and every end computed from
 * it would wrap: still_reserved() would check no page at all and the
 * window's bounds would be nonsense.
 */
VISIBLE_IF_KUNIT bool hvl_rmem_wraps(phys_addr_t base, phys_addr_t size)
{
	return size && base + (size - 1) < base;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_rmem_wraps);

/*
 * Did the kernel give the region's memory back at boot?  It runs the
 * setup of a node whose compatible it knows (RESERVEDMEM_OF_DECLARE),
 * and when that fails it returns the memory to memblock, whose later
 * allocations (KASAN's shadow, the stack depot's table) may then land
 * there: their pages are PageReserved as ours are, so still_reserved()
 * cannot tell.  (Seen: a larger initramfs moved memblock's allocations
 * down into a failed restricted-dma-pool, and a window bound over them.)
 * The pools' setups set ->ops when they succeed, and only then.  A
 * shared-dma-pool with no setup built in (-ENOENT) stays reserved.
 */
static bool given_back(const struct reserved_mem *rmem, struct device_node *np)
{
	if (rmem->ops)
		return false;
	if (of_device_is_compatible(np, "restricted-dma-pool"))
		return IS_ENABLED(CONFIG_DMA_RESTRICTED_POOL);
	if (of_device_is_compatible(np, "shared-dma-pool"))
		return IS_ENABLED(CONFIG_DMA_DECLARE_COHERENT) ||
		       IS_ENABLED(CONFIG_DMA_CMA);
	return false;
}

/* Every page the kernel has a struct page for must still be reserved. */
static bool still_reserved(const struct reserved_mem *rmem, phys_addr_t *bad)
{
	unsigned long pfn, end = PHYS_PFN(rmem->base + rmem->size - 1);

	for (pfn = PHYS_PFN(rmem->base); pfn <= end; pfn++) {
		if (pfn_valid(pfn) && !PageReserved(pfn_to_page(pfn))) {
			*bad = PFN_PHYS(pfn);
			return false;
		}
	}
	return true;
}

/**
 * hvl_rmem_lookup() - entry @index of the device's "memory-region"
 * @dev: the window's device, for its node and messages
 * @index: entry of "memory-region"
 *
 * Return: the region, or ERR_PTR(-EINVAL) after a message naming the
 * entry and its node.
 */
struct reserved_mem *hvl_rmem_lookup(struct device *dev, int index)
{
	struct device_node *rnp = of_parse_phandle(dev->of_node,
						   "memory-region", index);
	struct reserved_mem *rmem = rnp ? of_reserved_mem_lookup(rnp) : NULL;
	phys_addr_t bad;
	int ret = -EINVAL;

	if (!rmem || !rmem->size)
		dev_err(dev, "\"memory-region\" entry %d is not a reserved-memory region (%pOF)\n",
			index, rnp);
	else if (hvl_rmem_wraps(rmem->base, rmem->size))
		dev_err(dev, "\"memory-region\" entry %d (%pOF): %pa+%pa wraps past the top of the address space\n",
			index, rnp, &rmem->base, &rmem->size);
	else if (of_property_read_bool(rnp, "reusable"))
		dev_err(dev, "\"memory-region\" entry %d (%pOF) is reusable: its pages belong to the page allocator\n",
			index, rnp);
	else if (given_back(rmem, rnp))
		dev_err(dev, "\"memory-region\" entry %d (%pOF): its setup failed at boot and the kernel took its memory back\n",
			index, rnp);
	else if (!still_reserved(rmem, &bad))
		dev_err(dev, "\"memory-region\" entry %d (%pOF): %pa is not reserved (its setup failed at boot?)\n",
			index, rnp, &bad);
	else
		ret = 0;
	of_node_put(rnp);
	return ret ? ERR_PTR(ret) : rmem;
}
EXPORT_SYMBOL_GPL(hvl_rmem_lookup);

static void release_rmem(void *dev)
{
	of_reserved_mem_device_release(dev);
}

/**
 * hvl_rmem_release_on_unbind() - pair every pool attachment with a release
 * @dev: a window's or front-end's device, at the start of its probe
 *
 * of_dma_configure() attaches a restricted-dma-pool listed in
 * "memory-region" before every probe (of_dma_set_restricted_buffer()),
 * each time adding an entry to a global list, and nothing in the driver
 * core releases it: every failed or deferred probe left one behind,
 * pointing at the device.  This releases them, and whatever the driver
 * attached itself, when the probe fails or the driver unbinds.
 *
 * Return: 0 or -ENOMEM (then released already).
 */
int hvl_rmem_release_on_unbind(struct device *dev)
{
	return devm_add_action_or_reset(dev, release_rmem, dev);
}
EXPORT_SYMBOL_GPL(hvl_rmem_release_on_unbind);
