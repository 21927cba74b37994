// SPDX-License-Identifier: GPL-2.0-only
/*
 * How Linux maps the memory of a window, for the backend windows and for
 * the front-end (hvl_front).  The barriers that order the protocol's
 * accesses to that mapping are hvl_map_wmb() and hvl_map_rmb() in
 * <linux/hvl.h>.
 *
 * A window whose node says "dma-coherent" is accessed by a peer that
 * snoops Linux's caches: it is mapped cacheable.  Any other window is
 * mapped write-combining (Normal non-cacheable on arm64), and then each of
 * its regions must be no-map, so that no cacheable alias of memory the peer
 * writes behind the caches stays in the kernel's linear map.
 *
 * Coherency is read from the window's own node, not inherited:
 * of_dma_is_coherent() walks the parents and falls back to the
 * architecture's default, which is "coherent" on x86, RISC-V, PowerPC and
 * MIPS, so a window whose peer does not snoop would silently be mapped
 * cacheable there.
 */
#include <linux/device.h>
#include <linux/err.h>
#include <linux/hvl.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>

/**
 * hvl_map_read_coherent() - is the window behind @dev dma-coherent?
 * @dev: the window's device (backend or front-end), for its node and messages
 * @coherent: out, true only if the node itself has "dma-coherent"
 *
 * "dma-noncoherent" says the default explicitly; both at once are refused.
 *
 * Return: 0, or -EINVAL after a message naming the properties.
 */
int hvl_map_read_coherent(struct device *dev, bool *coherent)
{
	bool yes = of_property_read_bool(dev->of_node, "dma-coherent");
	bool no = of_property_read_bool(dev->of_node, "dma-noncoherent");

	if (yes && no)
		return dev_err_probe(dev, -EINVAL,
				     "both \"dma-coherent\" and \"dma-noncoherent\": the window's mapping would be a guess\n");
	*coherent = yes;
	return 0;
}
EXPORT_SYMBOL_GPL(hvl_map_read_coherent);

/*
 * Not memremap(MEMREMAP_WC): it refuses, with a WARN, any range that is
 * System RAM, and on x86 a no-map region still is (x86 keeps all RAM in
 * its direct map whatever the device tree says).  ioremap_wc() accepts
 * reserved RAM there and has PAT switch the direct map's alias of it to
 * write-combining too, so no cacheable alias remains.  Where no-map takes
 * a region out of the linear map (arm64, RISC-V) it is not System RAM and
 * memremap() would call ioremap_wc() anyway.
 *
 * The window is memory, read and written with plain loads and stores,
 * memcpy() and iov_iter as a memremap() mapping is: write-combining
 * (Normal-NC) allows that, unlike device memory, hence the __force.
 */
static void *map_wc(struct device *dev, int index, struct device_node *rnp,
		    const struct reserved_mem *rmem)
{
	void __iomem *io;

	if (!of_property_read_bool(rnp, "no-map")) {
		dev_err(dev, "\"memory-region\" entry %d (%pOF) must be no-map: the window is not dma-coherent, so it is mapped write-combining, and the kernel's cacheable mapping of the region would alias it\n",
			index, rnp);
		return ERR_PTR(-EINVAL);
	}
	io = devm_ioremap_wc(dev, rmem->base, rmem->size);
	if (!io) {
		dev_err(dev, "cannot map \"memory-region\" entry %d (%pOF) write-combining\n",
			index, rnp);
		return ERR_PTR(-ENOMEM);
	}
	return (__force void *)io;
}

/**
 * hvl_map_region() - map entry @index of the device's "memory-region"
 * @dev: the window's device, for its node, messages and devres
 * @index: entry of "memory-region"
 * @rmem: that entry, as hvl_rmem_lookup() returned it
 * @coherent: from hvl_map_read_coherent()
 *
 * Cacheable if @coherent, else write-combining, which needs a no-map
 * region.  The mapping goes away with @dev's devres.
 *
 * Return: our address of the region's first byte, or an ERR_PTR() after a
 * message naming the entry.
 */
void *hvl_map_region(struct device *dev, int index,
		     const struct reserved_mem *rmem, bool coherent)
{
	struct device_node *rnp = of_parse_phandle(dev->of_node,
						   "memory-region", index);
	void *va;

	if (!coherent) {
		va = map_wc(dev, index, rnp, rmem);
	} else {
		va = devm_memremap(dev, rmem->base, rmem->size, MEMREMAP_WB);
		if (IS_ERR(va))
			dev_err(dev, "cannot map \"memory-region\" entry %d (%pOF): %pe\n",
				index, rnp, va);
	}
	of_node_put(rnp);
	return va;
}
EXPORT_SYMBOL_GPL(hvl_map_region);
