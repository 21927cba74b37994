// SPDX-License-Identifier: GPL-2.0-only
/*
 * A window: the platform device bound to an "hvl,virtio-backend" node.
 *
 * The node names the shared memory (memory-region, reserved-memory nodes,
 * possibly no-map), the doorbells (mboxes) and one child per backend
 * device (Documentation/devicetree/bindings/hvl/hvl,virtio-backend.yaml).
 * Probe validates all of it before touching the window, so a malformed
 * tree fails with a message naming the property and registers nothing.
 * Then it writes the header and one register page per child, registers
 * the children on the hvl bus (device modules bind to them) and declares
 * the window READY.  Per-device work lives in bus.c.
 */
#include <kunit/visibility.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/virtio_ids.h>

#include "core.h"

/*
 * Testing: registering the child in this device-table slot fails, so
 * that the unwinding of a half-registered window can be exercised
 * (tests/integration/11-probe-unwind.sh).  Nothing in a device tree can
 * make device_add() fail on purpose.
 */
static int fail_add_child = -1;
module_param(fail_add_child, int, 0444);
MODULE_PARM_DESC(fail_add_child,
		 "testing: registering the child in this table slot fails with -EIO (default -1: none)");

/* Ring the peer, unless the window is going away (see remove()). */
void hvl_window_ring(struct hvl_window *win)
{
	rcu_read_lock();
	if (READ_ONCE(win->live))
		hvl_doorbell_ring(&win->db);
	rcu_read_unlock();
}

/**
 * hvl_window_table_update() - publish a device-table change
 * @cd: the device whose entry changes
 * @device_id: the ID now served, 0 for none
 *
 * The entry's gen moves with every write of its device ID, so that a peer
 * that looks only after an unbind and a bind still sees that the device
 * it drove is gone; table_gen then tells the peer to look.  host_gen, which
 * would make the peer drop every device, stays: reloading one backend
 * module must not take the peer's other devices (a 9P mount, vsock
 * connections) with it, nor re-register them once per backend bound
 * (Documentation/hvl/protocol.rst, "Hot-plug").
 */
void hvl_window_table_update(struct hvl_core_dev *cd, u32 device_id)
{
	struct hvl_window *win = cd->hdev.win;
	struct hvl_dev_entry *e = cd->entry;

	mutex_lock(&win->table_lock);
	/* The register page (DeviceID) before the entry that points at it. */
	hvl_map_wmb(&win->xlate);
	hvl_hdr_put(&e->device_id, device_id);
	hvl_map_wmb(&win->xlate);	/* device_id before gen (protocol.rst) */
	hvl_hdr_put(&e->gen, hvl_hdr_get(&e->gen) + 1);
	hvl_map_wmb(&win->xlate);	/* entry before table_gen */
	hvl_hdr_put(&win->hdr->table_gen,
		    hvl_hdr_get(&win->hdr->table_gen) + 1);
	mutex_unlock(&win->table_lock);
	hvl_window_ring(win);
}

static void notify(struct hvl_doorbell *db)
{
	struct hvl_window *win = container_of(db, struct hvl_window, db);

	if (!READ_ONCE(win->frozen))
		hvl_bus_kick_all(win);
}

/**
 * hvl_window_check_regions() - regions must not wrap or overlap
 * @dev: for messages
 * @r: the regions, bus address and size filled in
 * @n: how many
 *
 * The peer names memory by bus address, so two regions sharing a bus
 * address would make a translation ambiguous.
 *
 * Return: 0 or -EINVAL after a dev_err.
 */
int hvl_window_check_regions(struct device *dev, const struct hvl_region *r,
			     unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (!r[i].size || r[i].bus + r[i].size - 1 < r[i].bus)
			return dev_err_probe(dev, -EINVAL,
					     "\"memory-region\" entry %u: bus range %#llx+%#llx is empty or wraps\n",
					     i, r[i].bus, r[i].size);
		for (j = 0; j < i; j++)
			if (r[i].bus <= r[j].bus + (r[j].size - 1) &&
			    r[j].bus <= r[i].bus + (r[i].size - 1))
				return dev_err_probe(dev, -EINVAL,
						     "\"memory-region\" entries %u and %u overlap on the peer's bus\n",
						     j, i);
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_window_check_regions);

static int map_regions(struct hvl_window *win)
{
	struct device *dev = win->dev;
	struct device_node *np = dev->of_node;
	struct reserved_mem *rmem[HVL_MAX_REGIONS];
	u64 bus[HVL_MAX_REGIONS];
	struct hvl_region *r;
	int n, nbus, i, ret;

	n = of_count_phandle_with_args(np, "memory-region", NULL);
	if (n <= 0 || n > HVL_MAX_REGIONS)
		return dev_err_probe(dev, -EINVAL,
				     "\"memory-region\" must list 1 to %d reserved-memory nodes\n",
				     HVL_MAX_REGIONS);
	/*
	 * Present or not decides, not the count: of_property_count_u64_elems()
	 * says -EINVAL for a length that is not a multiple of 8 as well as for
	 * a missing property, and such a typo would have the peer's addresses
	 * taken for physical ones.
	 */
	nbus = 0;
	if (of_property_present(np, "hvl,bus-addresses")) {
		nbus = of_property_count_u64_elems(np, "hvl,bus-addresses");
		if (nbus != n ||
		    of_property_read_u64_array(np, "hvl,bus-addresses", bus, n))
			return dev_err_probe(dev, -EINVAL,
					     "\"hvl,bus-addresses\" needs one 64-bit address per \"memory-region\" entry (%d of them)\n",
					     n);
	}

	for (i = 0; i < n; i++) {
		r = &win->regions[i];
		rmem[i] = hvl_rmem_lookup(dev, i);
		if (IS_ERR(rmem[i]))
			return PTR_ERR(rmem[i]);
		/*
		 * The header and the register pages are 4 KiB pages of region
		 * 0: a Linux peer (hvl_front) refuses any other, and a window
		 * READY here would only fail there.
		 */
		if (!i && (!IS_ALIGNED(rmem[i]->base, HVL_PAGE_SIZE) ||
			   rmem[i]->size < HVL_PAGE_SIZE))
			return dev_err_probe(dev, -EINVAL,
					     "memory-region 0: %pa+%pa is not 4 KiB aligned or too small\n",
					     &rmem[i]->base, &rmem[i]->size);
		/* Before anything maps it: a live window may own it. */
		ret = hvl_region_claim(dev, HVL_SIDE_BACKEND, i, rmem[i]);
		if (ret)
			return ret;
		r->phys = rmem[i]->base;
		r->size = rmem[i]->size;
		r->bus = nbus > 0 ? bus[i] : rmem[i]->base;
	}
	ret = hvl_window_check_regions(dev, win->regions, n);
	if (ret)
		return ret;

	/* Cacheable only if the peer snoops our caches (map.c). */
	for (i = 0; i < n; i++) {
		r = &win->regions[i];
		r->va = hvl_map_region(dev, i, rmem[i], win->coherent);
		if (IS_ERR(r->va))
			return PTR_ERR(r->va);
	}
	win->xlate.wc = !win->coherent;
	win->xlate.nr = n;
	win->xlate.regions = win->regions;
	win->hdr = win->regions[0].va;
	return 0;
}

/**
 * hvl_window_check_queues() - check the values of "hvl,queue-sizes"
 * @dev: for messages
 * @np: the child node, for messages
 * @v: the values
 * @n: how many (negative: the property is missing or malformed)
 * @max: most queues allowed
 * @sizes: out, one QueueNumMax per queue
 *
 * Return: the number of queues, or -EINVAL after a dev_err.
 */
int hvl_window_check_queues(struct device *dev, const struct device_node *np,
			    const u32 *v, int n, unsigned int max, u16 *sizes)
{
	int i;

	if (n <= 0 || n > max)
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: \"hvl,queue-sizes\" must list 1 to %u queue sizes\n",
				     np, max);
	for (i = 0; i < n; i++) {
		if (!v[i] || v[i] > HVL_QUEUE_MAX || !is_power_of_2(v[i]))
			return dev_err_probe(dev, -EINVAL,
					     "%pOF: \"hvl,queue-sizes\" entry %d (%u) must be a power of two up to %u\n",
					     np, i, v[i], HVL_QUEUE_MAX);
		sizes[i] = v[i];
	}
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_window_check_queues);

/**
 * hvl_window_check_child() - check a child's "reg" against the window
 * @dev: for messages
 * @np: the child node, for messages
 * @region_size: size of region 0
 * @offset: the child's register page offset
 * @size: the child's area
 * @taken: (offset, size) pairs of the children before it
 * @nr_taken: number of pairs in @taken
 *
 * Return: 0 or -EINVAL after a dev_err.
 */
int hvl_window_check_child(struct device *dev, const struct device_node *np,
			   u64 region_size, u32 offset, u32 size,
			   const u32 *taken, unsigned int nr_taken)
{
	unsigned int i;

	if (offset < HVL_PAGE_SIZE || !IS_ALIGNED(offset, HVL_PAGE_SIZE) ||
	    size < HVL_PAGE_SIZE || (u64)offset + size > region_size)
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: \"reg\" <%#x %#x>: must be 4 KiB aligned, at least 4 KiB, after the header and inside the first memory-region (%#llx bytes)\n",
				     np, offset, size, region_size);
	for (i = 0; i < nr_taken; i++)
		if ((u64)offset < (u64)taken[2 * i] + taken[2 * i + 1] &&
		    (u64)taken[2 * i] < (u64)offset + size)
			return dev_err_probe(dev, -EINVAL,
					     "%pOF: \"reg\" <%#x %#x> overlaps <%#x %#x>\n",
					     np, offset, size, taken[2 * i],
					     taken[2 * i + 1]);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hvl_window_check_child);

/*
 * The device IDs served by hvl's own modules.  Others are legal (an
 * out-of-tree module may serve them) but most likely a typo, so noted.
 */
static bool known_id(u32 id)
{
	return id == VIRTIO_ID_NET || id == VIRTIO_ID_CONSOLE ||
	       id == VIRTIO_ID_9P || id == VIRTIO_ID_VSOCK;
}

static struct hvl_core_dev *parse_child(struct hvl_window *win,
					struct device_node *np,
					unsigned int index, u32 *taken)
{
	struct device *dev = win->dev;
	struct hvl_core_dev *cd;
	u16 sizes[HVL_MAX_QUEUES];
	u32 q[HVL_MAX_QUEUES];
	u32 reg[2], id;
	u64 features = ~0ULL;
	bool has_features;
	int nq, ret;

	/* #address-cells and #size-cells of the window are 1 (add_children). */
	if (of_property_count_u32_elems(np, "reg") != 2 ||
	    of_property_read_u32_array(np, "reg", reg, 2)) {
		dev_err(dev, "%pOF: \"reg\" must be <offset size>, one cell each\n", np);
		return ERR_PTR(-EINVAL);
	}
	ret = hvl_window_check_child(dev, np, win->regions[0].size, reg[0],
				     reg[1], taken, index);
	if (ret)
		return ERR_PTR(ret);
	taken[2 * index] = reg[0];
	taken[2 * index + 1] = reg[1];

	ret = hvl_of_read_u32(np, "hvl,device-id", &id);
	if (ret == -EINVAL) {
		dev_err(dev, "%pOF: \"hvl,device-id\" must be one 32-bit cell\n", np);
		return ERR_PTR(-EINVAL);
	}
	if (ret || !id) {
		dev_err(dev, "%pOF: missing or zero \"hvl,device-id\"\n", np);
		return ERR_PTR(-EINVAL);
	}
	nq = of_property_count_u32_elems(np, "hvl,queue-sizes");
	if (nq > 0 && nq <= HVL_MAX_QUEUES)
		of_property_read_u32_array(np, "hvl,queue-sizes", q, nq);
	nq = hvl_window_check_queues(dev, np, q, nq, HVL_MAX_QUEUES, sizes);
	if (nq < 0)
		return ERR_PTR(nq);
	has_features = of_property_present(np, "hvl,device-features");
	if (has_features &&
	    (of_property_count_u64_elems(np, "hvl,device-features") != 1 ||
	     of_property_read_u64(np, "hvl,device-features", &features))) {
		dev_err(dev, "%pOF: \"hvl,device-features\" must be one 64-bit value\n",
			np);
		return ERR_PTR(-EINVAL);
	}
	/*
	 * Transport bits are never the DT's to withhold, nor to grant: a
	 * node that names them was written for another meaning of the
	 * property, and dropping them quietly would hide that.
	 */
	if (has_features && (features & ~HVL_DEVICE_TYPE_FEATURES)) {
		dev_err(dev, "%pOF: \"hvl,device-features\" (%#llx): bits 24 to 49 belong to the transport, only device-type bits 0-23 and 50-63 may be given\n",
			np, features);
		return ERR_PTR(-EINVAL);
	}
	if (!known_id(id))
		dev_notice(dev, "%pOF: no hvl module serves device ID %u: the device waits for one\n",
			   np, id);

	cd = hvl_bus_alloc(win, np, index, id, sizes, nq);
	if (!cd)
		return ERR_PTR(-ENOMEM);
	cd->dt_features = features & HVL_DEVICE_TYPE_FEATURES;
	cd->reg_offset = reg[0];
	cd->reg_size = reg[1];
	return cd;
}

/* Lay out a validated device in the window: table entry, register page. */
static void init_child(struct hvl_window *win, struct hvl_core_dev *cd)
{
	struct hvl_dev_entry *e = (void *)win->hdr + HVL_HDR_SIZE +
				  cd->hdev.index * sizeof(*e);

	cd->entry = e;
	hvl_hdr_put(&e->device_id, 0);
	hvl_hdr_put(&e->flags, 0);
	WRITE_ONCE(e->offset, cpu_to_le64(cd->reg_offset));
	WRITE_ONCE(e->size, cpu_to_le64(cd->reg_size));
	/* gen keeps counting: only its changes mean anything. */
	hvl_hdr_put(&e->reserved, 0);
	hvl_txn_init(cd, win->regions[0].va + cd->reg_offset,
		     cd->hdev.num_queues);
}

static void del_children(struct hvl_window *win, unsigned int n)
{
	unsigned int i;

	for (i = win->nr_devs; i > 0; i--)
		hvl_bus_del(win->devs[i - 1]);
	win->nr_devs = 0;
	for (i = 0; i < n; i++)
		if (win->devs[i])
			put_device(&win->devs[i]->hdev.dev);
}

static int add_children(struct hvl_window *win)
{
	struct device *dev = win->dev;
	unsigned int n = 0, i = 0;
	u32 *taken, ac, sc;
	int ret;

	for_each_available_child_of_node_scoped(dev->of_node, np)
		if (of_device_is_compatible(np, "hvl,virtio-device"))
			n++;
	if (!n || n > HVL_MAX_DEVICES)
		return dev_err_probe(dev, -EINVAL,
				     "need 1 to %u \"hvl,virtio-device\" children, found %u\n",
				     HVL_MAX_DEVICES, n);
	/*
	 * A child's "reg" is read as <offset size>, so the window must say
	 * it is.  Its own properties, not of_n_addr_cells(): that one falls
	 * back to the parents', and a missing or other value would otherwise
	 * surface as a misleading "reg" error on the first child.
	 */
	if (of_property_read_u32(dev->of_node, "#address-cells", &ac) ||
	    of_property_read_u32(dev->of_node, "#size-cells", &sc) ||
	    ac != 1 || sc != 1)
		return dev_err_probe(dev, -EINVAL,
				     "%pOF: a window with children needs #address-cells = <1> and #size-cells = <1>\n",
				     dev->of_node);

	win->devs = devm_kcalloc(dev, n, sizeof(*win->devs), GFP_KERNEL);
	taken = kcalloc(2 * n, sizeof(*taken), GFP_KERNEL);
	if (!win->devs || !taken) {
		kfree(taken);
		return -ENOMEM;
	}

	/* Validate and lay out everything before anything is registered. */
	for_each_available_child_of_node_scoped(dev->of_node, np) {
		struct hvl_core_dev *cd;

		if (!of_device_is_compatible(np, "hvl,virtio-device"))
			continue;
		cd = parse_child(win, np, i, taken);
		if (IS_ERR(cd)) {
			ret = PTR_ERR(cd);
			goto err_put;
		}
		win->devs[i++] = cd;
	}
	kfree(taken);
	taken = NULL;
	win->nr_alloc = n;

	/* Only now, with the whole tree valid, do we write to the window. */
	hvl_hdr_put(&win->hdr->host_state, HVL_STATE_INIT);
	/* A peer must see INIT before the page changes under it. */
	hvl_map_wmb(&win->xlate);
	memset(win->hdr->reserved, 0, sizeof(win->hdr->reserved));
	WRITE_ONCE(win->hdr->version, cpu_to_le16(HVL_WIN_VERSION));
	WRITE_ONCE(win->hdr->hdr_size, cpu_to_le16(HVL_HDR_SIZE));
	hvl_hdr_put(&win->hdr->num_devices, n);
	for (i = 0; i < n; i++)
		init_child(win, win->devs[i]);

	for (i = 0; i < n; i++) {
		ret = i == fail_add_child ? -EIO : hvl_bus_add(win->devs[i]);
		if (ret) {
			dev_err(dev, "cannot register device %u: %d\n", i, ret);
			goto err_offline;
		}
		/* The doorbell handler walks devs[0..nr_devs). */
		smp_store_release(&win->nr_devs, i + 1);
	}
	return 0;

err_offline:
	/* The caller stops notifications, then calls del_children(). */
	hvl_hdr_put(&win->hdr->host_state, HVL_STATE_OFFLINE);
	return ret;

err_put:
	kfree(taken);
	del_children(win, n);
	win->nr_alloc = 0;
	return ret;
}

/* The window's own "hvl," properties: map_regions(), the doorbell, liveness.c. */
static const char * const window_properties[] = {
	"hvl,bus-addresses", "hvl,poll-interval-us", "hvl,peer-watchdog-ms",
	NULL
};

static int probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct hvl_window *win;
	struct hvl_win_hdr *h;
	unsigned int i;
	int ret;

	ret = hvl_of_check_properties(dev, dev->of_node, window_properties,
				      NULL);
	if (ret)
		return ret;
	win = devm_kzalloc(dev, sizeof(*win), GFP_KERNEL);
	if (!win)
		return -ENOMEM;
	win->dev = dev;
	/* A region that is a restricted-dma-pool: of_dma_configure()'s. */
	ret = hvl_rmem_release_on_unbind(dev);
	if (ret)
		return ret;
	ret = hvl_map_read_coherent(dev, &win->coherent);
	if (ret)
		return ret;
	mutex_init(&win->table_lock);
	ret = hvl_liveness_init(win);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, win);

	ret = map_regions(win);
	if (ret)
		return ret;

	h = win->hdr;
	/*
	 * WQ_SYSFS: on an AMP board, confine the backend to Linux's cores.
	 * WQ_MEM_RECLAIM: a rescuer.  The peer may spin with interrupts off
	 * until a work item of ours has run (virtio_console's put_chars(),
	 * whose limit is 2 s in hvl_front), and a pool whose last idle worker
	 * takes an item first creates another worker: that needs memory,
	 * kthreadd and a new thread scheduled, whose wakeups the scheduler may
	 * queue on any CPU (in the one-kernel tests, on the peer's spinning
	 * one: 23-console-worker).  When creation stalls, the rescuer runs
	 * the items after a few milliseconds instead.
	 */
	win->wq = alloc_workqueue("hvl-%s", WQ_UNBOUND | WQ_HIGHPRI | WQ_SYSFS |
				  WQ_MEM_RECLAIM, 0, dev_name(dev));
	if (!win->wq) {
		/* Say so: not only memory fails it (WQ_SYSFS adds a device). */
		dev_err(dev, "cannot allocate the workqueue\n");
		return -ENOMEM;
	}

	/* Before the children: its notify walks only registered devices. */
	ret = hvl_doorbell_init(&win->db, dev, notify);
	if (ret)
		goto err_wq;
	WRITE_ONCE(win->live, true);

	ret = add_children(win);
	if (ret)
		goto err_doorbell;

	hvl_hdr_put(&h->magic, HVL_WIN_MAGIC);
	hvl_hdr_put(&h->host_gen, hvl_hdr_get(&h->host_gen) + 1);
	hvl_map_wmb(&win->xlate);	/* everything before READY */
	hvl_hdr_put(&h->host_state, HVL_STATE_READY);
	hvl_window_ring(win);
	hvl_liveness_start(win);
	hvl_debugfs_window_add(win);
	dev_info(dev, "%u device(s), %u region(s), %s\n", win->nr_devs,
		 win->xlate.nr, win->db.poll_period ? "polling" : "mailbox");
	return 0;

err_doorbell:
	/*
	 * As in remove(): the doorbell (or poll timer) queues the work of
	 * every registered child until it is stopped, and a work item queued
	 * after del_children() cancelled it would run on a freed device.
	 * Backends bound meanwhile go first, while the doorbell works.
	 */
	for (i = 0; i < win->nr_devs; i++)
		device_release_driver(&win->devs[i]->hdev.dev);
	WRITE_ONCE(win->live, false);
	synchronize_rcu();
	hvl_doorbell_fini(&win->db);
	del_children(win, win->nr_alloc);
	win->nr_alloc = 0;
err_wq:
	destroy_workqueue(win->wq);
	return ret;
}

static void remove(struct platform_device *pdev)
{
	struct hvl_window *win = platform_get_drvdata(pdev);
	unsigned int i;

	hvl_debugfs_window_del(win);
	hvl_hdr_put(&win->hdr->host_state, HVL_STATE_OFFLINE);
	hvl_window_ring(win);

	/* Stop the backends while the doorbell still works for them. */
	for (i = 0; i < win->nr_devs; i++)
		device_release_driver(&win->devs[i]->hdev.dev);

	/* No ring may race with freeing the channels. */
	WRITE_ONCE(win->live, false);
	synchronize_rcu();
	hvl_doorbell_fini(&win->db);
	hvl_liveness_stop(win);

	del_children(win, win->nr_alloc);
	destroy_workqueue(win->wq);
}

static const struct of_device_id ids[] = {
	{ .compatible = "hvl,virtio-backend" },
	{ }
};
MODULE_DEVICE_TABLE(of, ids);

struct platform_driver hvl_window_driver = {
	.driver = {
		.name = "hvl-backend",
		.of_match_table = ids,
		/*
		 * overlay.c checks that the windows an overlay adds are bound
		 * as soon as the overlay is applied: an asynchronous probe
		 * (async_probe=1, driver_async_probe=) would not have run
		 * yet, and every overlay would be refused.
		 */
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
	.probe = probe,
	.remove = remove,
};
