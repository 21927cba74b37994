// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_front: Linux as the driver side ("peer") of an hvl window, so that
 * unmodified virtio drivers use the backends of a device side (hvl_core on
 * another OS instance, or in the same kernel for tests) through shared
 * memory and doorbells, with no hypervisor.
 *
 * The front end is instantiated by a Device Tree node, eg.:
 *
 *		reserved-memory {
 *			hvl_regs: hvl-regs@30000000 {
 *				reg = <0x0 0x30000000 0x0 0x100000>;
 *				no-map;
 *			};
 *			hvl_pool: hvl-pool@30100000 {
 *				compatible = "restricted-dma-pool";
 *				reg = <0x0 0x30100000 0x0 0x1000000>;
 *			};
 *		};
 *
 *		virtio-frontend {
 *			compatible = "hvl,virtio-frontend";
 *			memory-region = <&hvl_regs>, <&hvl_pool>;
 *			mboxes = <&hvl_mbox 1>;
 *		};
 *
 * memory-region 0 is the window's region 0 (header, device table, register
 * pages); memory-region 1 becomes the device's restricted DMA pool, so the
 * DMA API places every ring and bounces every buffer into the window.
 * Instead of "mboxes", "hvl,poll-interval-us" selects polling.
 * "hvl,device-types" lists the virtio device IDs that are registered
 * (default: console, vsock, 9P, net).
 *
 * Life cycle (Documentation/hvl/protocol.rst): the header is validated at
 * probe; if the device side is not READY yet, the front end waits for it in
 * a work item run by doorbells and by a slow timer that covers lost ones.
 * Once READY it announces itself (peer_state, peer_gen) and registers one
 * virtio device per table entry (vdev.c).  When host_gen changes or
 * host_state leaves READY, every device is dropped and the window is
 * scanned again once the device side is READY.
 */
#include <linux/debugfs.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>

#include "front.h"

#define WATCH_PERIOD	msecs_to_jiffies(HVL_FRONT_WATCH_MS)

static struct dentry *front_root;

/* For front-ends without "hvl,watchdog-ms"; read at every tick. */
static unsigned int watchdog_ms = 2000;
module_param_cb(watchdog_ms, &hvl_watchdog_param_ops, &watchdog_ms, 0644);
MODULE_PARM_DESC(watchdog_ms,
		 "remove the devices when host_beat and doorbells stop for this long, once host_beat was seen moving; 0 off, else 1000 to 3600000 (default 2000); \"hvl,watchdog-ms\" overrides");

/*
 * Work is due when the devices no longer match the device side, or when
 * it is READY and we have no devices (and did not refuse this generation).
 */
static bool life_changed(struct hvl_front *f)
{
	const struct hvl_win_hdr *h = f->base;
	u32 state = front_get(&h->host_state);
	u32 gen = front_get(&h->host_gen);

	if (READ_ONCE(f->online))
		return state != HVL_STATE_READY || gen != READ_ONCE(f->gen) ||
		       front_get(&h->table_gen) != READ_ONCE(f->table_gen) ||
		       READ_ONCE(f->stall) == HVL_FRONT_SILENT;
	if (READ_ONCE(f->stall) == HVL_FRONT_STALLED &&
	    gen == READ_ONCE(f->stall_gen) &&
	    front_get(&h->host_beat) == READ_ONCE(f->stall_beat))
		return false;	/* still silent */
	return state == HVL_STATE_READY &&
	       !(READ_ONCE(f->rejected) && gen == READ_ONCE(f->rejected_gen));
}

/* Doorbell from the device side (or a poll tick): atomic context. */
static void notify(struct hvl_doorbell *db)
{
	struct hvl_front *f = container_of(db, struct hvl_front, db);

	if (life_changed(f))
		queue_work(system_unbound_wq, &f->life);
	hvl_front_vdev_notify_all(f);
}

/*
 * A restarted driver side (peer_state INIT, peer_gen + 1, doorbell): a
 * device side that sees it resets every device before it serves a queue
 * again.  The watchdog's timer calls it; atomic context.
 */
static void announce_restart(struct hvl_front *f)
{
	struct hvl_win_hdr *h = f->base;

	front_put(&h->peer_state, HVL_STATE_INIT);
	front_put(&h->peer_gen, front_get(&h->peer_gen) + 1);
	/* Visible before the doorbell. */
	wmb();
	hvl_doorbell_ring(&f->db);
}

/*
 * The watchdog, at every tick of watch(); the rule is in hvl_watchdog.h.
 * Dead: every device is broken at once and a restarted driver side is
 * announced, here, before any ring is freed: by life_work() removing the
 * devices, or by remove() or a driver's unbind under way, which
 * life_work() would not wait for.  Then life_work() removes them and
 * waits until host_beat moves again (or the device side re-initialises)
 * to register them anew.
 */
static void watchdog(struct hvl_front *f)
{
	const struct hvl_win_hdr *h = f->base;
	unsigned int ms = jiffies_to_msecs(jiffies - f->wd_tick);
	u32 limit = hvl_watchdog_limit(f->watchdog_ms, &watchdog_ms);
	u32 beat = front_get(&h->host_beat);

	f->wd_tick = jiffies;
	if (!hvl_wd_tick(&f->wd, READ_ONCE(f->online), READ_ONCE(f->gen), beat,
			 f->db.poll_period ? 0 :
			 atomic64_read(&f->db.received), ms, limit) ||
	    READ_ONCE(f->stall) != HVL_FRONT_LIVE)
		return;

	hvl_front_vdev_break_all(f);
	announce_restart(f);
	WRITE_ONCE(f->stall, HVL_FRONT_SILENT);
	WRITE_ONCE(f->silent_ms, f->wd.silent_ms);
	WRITE_ONCE(f->silences, f->silences + 1);
	dev_err(f->dev, "window %pa: device side silent for %u ms (host_beat %u, host_state READY): devices broken and removed until it beats again\n",
		&f->phys, f->wd.silent_ms, beat);
}

static void watch(struct timer_list *t)
{
	struct hvl_front *f = from_timer(f, t, watch);
	struct hvl_win_hdr *h = f->base;

	if (READ_ONCE(f->online) && !READ_ONCE(f->mute))
		front_put(&h->peer_beat, front_get(&h->peer_beat) + 1);
	watchdog(f);
	if (life_changed(f))
		queue_work(system_unbound_wq, &f->life);
	mod_timer(&f->watch, jiffies + WATCH_PERIOD);
}

/*
 * Version 1 windows too: there table_gen and every entry's gen are
 * reserved, zero, so they never move, and every change of the table
 * comes as a new host_gen, as version 1 has it.
 */
static int bad_version(struct hvl_front *f, u16 version, bool verbose)
{
	if (version >= HVL_WIN_VERSION_MIN && version <= HVL_WIN_VERSION)
		return 0;
	if (verbose)
		dev_err(f->dev, "window header: version is %u, expected %u to %u\n",
			version, HVL_WIN_VERSION_MIN, HVL_WIN_VERSION);
	return -EINVAL;
}

static int bad_field(struct hvl_front *f, const char *field, u32 val, u32 want,
		     bool verbose)
{
	if (verbose)
		dev_err(f->dev, "window header: %s is %#x, expected %#x\n",
			field, val, want);
	return -EINVAL;
}

/*
 * Copy the header fields and the device table into @t, each read once:
 * check_table() validates the copy and start() registers from it.
 */
static void read_table(struct hvl_front *f, struct hvl_front_table *t)
{
	const struct hvl_win_hdr *h = f->base;
	const struct hvl_dev_entry *e = f->base + HVL_HDR_SIZE;
	u32 i;

	t->magic = front_get(&h->magic);
	t->version = le16_to_cpu(READ_ONCE(h->version));
	t->hdr_size = le16_to_cpu(READ_ONCE(h->hdr_size));
	t->num_devices = front_get(&h->num_devices);
	t->table_gen = front_get(&h->table_gen);
	/* An entry's gen moves before table_gen: read in the other order. */
	rmb();
	for (i = 0; i < min(t->num_devices, HVL_MAX_DEVICES); i++) {
		t->e[i].gen = front_get(&e[i].gen);
		/* device_id is written before gen: at least as new as it. */
		rmb();
		t->e[i].device_id = front_get(&e[i].device_id);
		t->e[i].offset = le64_to_cpu(READ_ONCE(e[i].offset));
	}
}

/*
 * Validate the copy of the header and device table; return num_devices or
 * -EINVAL.  Quiet unless @verbose: a read racing with a re-initialisation
 * of the device side is no error.
 */
static int check_table(struct hvl_front *f, const struct hvl_front_table *t,
		       bool verbose)
{
	u32 n = t->num_devices;
	u32 i, j;
	u64 o;

	if (t->magic != HVL_WIN_MAGIC)
		return bad_field(f, "magic", t->magic, HVL_WIN_MAGIC, verbose);
	if (bad_version(f, t->version, verbose))
		return -EINVAL;
	if (t->hdr_size != HVL_HDR_SIZE)
		return bad_field(f, "hdr_size", t->hdr_size, HVL_HDR_SIZE,
				 verbose);
	if (n > HVL_MAX_DEVICES) {
		if (verbose)
			dev_err(f->dev, "window header: num_devices is %u, at most %u\n",
				n, HVL_MAX_DEVICES);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		o = t->e[i].offset;
		if (o < HVL_PAGE_SIZE || !IS_ALIGNED(o, HVL_PAGE_SIZE) ||
		    o > f->size - HVL_PAGE_SIZE) {
			if (verbose)
				dev_err(f->dev,
					"device table entry %u: offset %#llx is not a 4 KiB page of memory-region 0 after the header\n",
					i, o);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (t->e[j].offset != o)
				continue;
			if (verbose)
				dev_err(f->dev,
					"device table entry %u: offset %#llx is also used by entry %u\n",
					i, o, j);
			return -EINVAL;
		}
	}
	return n;
}

/* Is @id in "hvl,device-types" (or its default)? */
static bool type_allowed(const struct hvl_front *f, u32 id)
{
	unsigned int i;

	for (i = 0; i < f->ntypes; i++)
		if (f->types[i] == id)
			return true;
	return false;
}

static bool entry_changed(const struct hvl_front_table *t,
			  const struct hvl_front_table *cur, u32 i)
{
	return t->e[i].gen != cur->e[i].gen ||
	       t->e[i].device_id != cur->e[i].device_id;
}

/* Register the device of checked entry @i, if it has one we take. */
static bool add_entry(struct hvl_front *f, u32 i,
		      const struct hvl_front_entry *e)
{
	if (!e->device_id)
		return false;
	if (!type_allowed(f, e->device_id)) {
		dev_err_ratelimited(f->dev,
				    "device table entry %u: device ID %u is not in hvl,device-types: not registered\n",
			i, e->device_id);
		return false;
	}
	return !hvl_front_vdev_add(f, i, e);
}

/*
 * If the device side is READY: validate the window, announce the driver
 * side and register the devices.  Return 0 (also when not READY), or
 * -EINVAL after a dev_err() naming the bad field; then nothing is
 * registered and this host_gen is not tried again.
 */
static int start(struct hvl_front *f)
{
	struct hvl_win_hdr *h = f->base;
	struct hvl_front_table *t = &f->table;
	u32 gen, i, count = 0;
	int n;

	lockdep_assert_held(&f->lock);

	/*
	 * Probe calls us too, and in polling mode the timer may already have
	 * had life_work() start the devices: registering them twice would
	 * put two drivers on the same rings.
	 */
	if (f->online)
		return 0;
	gen = front_get(&h->host_gen);
	if (front_get(&h->host_state) != HVL_STATE_READY ||
	    (f->rejected && f->rejected_gen == gen))
		return 0;
	/* The device side filled the header and table before READY. */
	rmb();
	read_table(f, t);
	/* Re-read the state after the table: did it change meanwhile? */
	rmb();
	if (!front_host_live(f, gen))
		return 0;	/* changed under us: the next doorbell retries */
	n = check_table(f, t, false);
	if (n < 0) {
		check_table(f, t, true);	/* now say what is wrong */
		WRITE_ONCE(f->rejected_gen, gen);
		WRITE_ONCE(f->rejected, true);
		return n;
	}
	WRITE_ONCE(f->rejected, false);

	/* The device side resets every device when peer_gen changes. */
	front_put(&h->peer_state, HVL_STATE_INIT);
	front_put(&h->peer_gen, front_get(&h->peer_gen) + 1);
	/* Header stores visible before the doorbell (the window may be WC). */
	wmb();
	hvl_doorbell_ring(&f->db);
	front_put(&h->peer_state, HVL_STATE_READY);
	/* As above. */
	wmb();
	hvl_doorbell_ring(&f->db);

	WRITE_ONCE(f->gen, gen);
	WRITE_ONCE(f->table_gen, t->table_gen);
	WRITE_ONCE(f->online, true);
	/* From the checked copy: the table may have changed since. */
	for (i = 0; i < n; i++) {
		/*
		 * The watchdog fired meanwhile: stall() removes what is
		 * registered, and each device more would wait its first
		 * transaction out (TXN_TIMEOUT) under our lock.
		 */
		if (READ_ONCE(f->stall) == HVL_FRONT_SILENT)
			break;
		count += add_entry(f, i, &t->e[i]);
	}
	dev_info(f->dev, "device side ready (host_gen %u): %u of %d entries registered\n",
		 gen, count, n);
	return 0;
}

/*
 * Every device is dead at once and goes to the reaper; a new device
 * waits for the removals it depends on (vdev.c).  The doorbell goes on:
 * the next start() needs it.
 */
static void stop(struct hvl_front *f)
{
	lockdep_assert_held(&f->lock);

	hvl_front_vdev_leave_all(f);
	WRITE_ONCE(f->online, false);
}

/* The device side restarted or went: drop every device, say INIT. */
static void drop(struct hvl_front *f)
{
	struct hvl_win_hdr *h = f->base;

	lockdep_assert_held(&f->lock);

	WRITE_ONCE(f->stall, HVL_FRONT_LIVE);
	stop(f);
	front_put(&h->peer_state, HVL_STATE_INIT);
	/* Visible before the doorbell. */
	wmb();
	hvl_doorbell_ring(&f->db);
}

/* Does @t keep the entries, and their places, of @cur? */
static bool same_places(const struct hvl_front_table *t,
			const struct hvl_front_table *cur)
{
	u32 i;

	if (t->num_devices != cur->num_devices)
		return false;
	for (i = 0; i < t->num_devices; i++)
		if (t->e[i].offset != cur->e[i].offset)
			return false;
	return true;
}

/*
 * The device side bound or unbound backends (table_gen moved, host_gen
 * did not): replace the devices of the entries whose gen moved, and only
 * those, so that the peer's other devices carry on.  The number of
 * entries and their places belong to the host_gen: a device side that
 * changes them without a new one is refused until it has one, as a bad
 * table is at start().
 */
static void rescan(struct hvl_front *f)
{
	struct hvl_front_table *t = &f->scan, *cur = &f->table;
	u32 i, added = 0, removed = 0;
	int n;

	lockdep_assert_held(&f->lock);

	read_table(f, t);
	/* As in start(): a re-initialisation under way voids the copy. */
	rmb();
	if (!front_host_live(f, f->gen))
		return;		/* life_work() drops the devices next */
	n = check_table(f, t, true);
	if (n >= 0 && !same_places(t, cur)) {
		dev_err(f->dev, "device table: entries moved without a new host_gen (num_devices %u, was %u)\n",
			t->num_devices, cur->num_devices);
		n = -EINVAL;
	}
	if (n < 0) {
		dev_err(f->dev, "dropping every device until host_gen moves (now %u)\n",
			f->gen);
		WRITE_ONCE(f->rejected_gen, f->gen);
		WRITE_ONCE(f->rejected, true);
		drop(f);
		return;
	}
	/* Entries that change from here on move it again. */
	WRITE_ONCE(f->table_gen, t->table_gen);
	/*
	 * Every changed device is given up before any new one is set up: a
	 * new device may wait for a removal (vdev.c), and meanwhile the
	 * users of another changed device would wait on queues nobody
	 * serves (a console writer spinning its 2 s out).
	 */
	for (i = 0; i < n; i++)
		if (entry_changed(t, cur, i))
			removed += hvl_front_vdev_leave(f, i);
	for (i = 0; i < n; i++) {
		if (!entry_changed(t, cur, i))
			continue;
		cur->e[i] = t->e[i];
		/* As in start(): stall() is next, and removes everything. */
		if (READ_ONCE(f->stall) == HVL_FRONT_SILENT)
			continue;
		added += add_entry(f, i, &t->e[i]);
	}
	if (removed || added)
		dev_info_ratelimited(f->dev, "device table changed (table_gen %u): %u device(s) removed, %u added\n",
				     t->table_gen, removed, added);
}

/*
 * The watchdog broke the devices and announced a restarted driver side
 * (watchdog()), before the drivers free their rings: a device side that
 * comes back resets every device on seeing peer_gen before it serves a
 * queue again, and never writes into rings that are ours again.  Remove
 * them.  start() announces another restart when it comes back.
 */
static void stall(struct hvl_front *f)
{
	struct hvl_win_hdr *h = f->base;

	lockdep_assert_held(&f->lock);

	WRITE_ONCE(f->stall_gen, f->gen);
	WRITE_ONCE(f->stall_beat, front_get(&h->host_beat));
	stop(f);
	WRITE_ONCE(f->stall, HVL_FRONT_STALLED);
}

/* After the watchdog removed the devices, only a beat brings them back. */
static bool may_start(struct hvl_front *f)
{
	struct hvl_win_hdr *h = f->base;
	u32 beat = front_get(&h->host_beat);

	lockdep_assert_held(&f->lock);

	if (READ_ONCE(f->stall) == HVL_FRONT_STALLED) {
		if (front_get(&h->host_gen) == f->stall_gen &&
		    beat == f->stall_beat)
			return false;
		dev_info(f->dev, "device side beats again (host_beat %u, host_gen %u): starting again\n",
			 beat, front_get(&h->host_gen));
	}
	/* Or SILENT: the devices went another way (host_gen) meanwhile. */
	WRITE_ONCE(f->stall, HVL_FRONT_LIVE);
	return true;
}

static void life_work(struct work_struct *work)
{
	struct hvl_front *f = container_of(work, struct hvl_front, life);
	struct hvl_win_hdr *h = f->base;

	mutex_lock(&f->lock);
	if (f->removing)
		goto unlock;
	if (f->online && !front_host_live(f, f->gen)) {
		dev_info(f->dev, "device side restarted or gone (host_state %u host_gen %u, devices of %u): dropping them\n",
			 front_get(&h->host_state), front_get(&h->host_gen),
			 f->gen);
		drop(f);
	} else if (f->online && READ_ONCE(f->stall) == HVL_FRONT_SILENT) {
		stall(f);
	} else if (f->online &&
		   front_get(&h->table_gen) != READ_ONCE(f->table_gen)) {
		rescan(f);
	}
	if (!f->online && may_start(f))
		start(f);
unlock:
	mutex_unlock(&f->lock);
}

/*
 * Region 0 is mapped as the backend maps its windows (hvl_map_region()).
 * The ordering in this file and in vdev.c is wmb()/rmb() whatever the
 * mapping: correct for a write-combining window too, and off every hot
 * path (rings are virtio_ring's, through the DMA API).
 */
static int map_window(struct hvl_front *f)
{
	struct reserved_mem *rmem = hvl_rmem_lookup(f->dev, 0);
	int ret;

	if (IS_ERR(rmem))
		return PTR_ERR(rmem);
	ret = hvl_map_read_coherent(f->dev, &f->coherent);
	if (ret)
		return ret;
	if (!IS_ALIGNED(rmem->base, HVL_PAGE_SIZE) || rmem->size < HVL_PAGE_SIZE)
		return dev_err_probe(f->dev, -EINVAL,
				     "memory-region 0: %pa+%pa is not 4 KiB aligned or too small\n",
				     &rmem->base, &rmem->size);

	/* Two front-ends would both announce themselves as the peer. */
	ret = hvl_region_claim(f->dev, HVL_SIDE_FRONTEND, 0, rmem);
	if (ret)
		return ret;
	f->phys = rmem->base;
	f->size = rmem->size;
	f->base = hvl_map_region(f->dev, 0, rmem, f->coherent);
	return PTR_ERR_OR_ZERO(f->base);
}

/*
 * memory-region 1 becomes this device's restricted DMA pool (swiotlb).
 * of_dma_configure() normally attached it already; saying it here makes the
 * dependency explicit.  hvl_rmem_release_on_unbind() releases both.
 */
static int attach_pool(struct hvl_front *f)
{
	struct device_node *np = f->dev->of_node, *pool;
	struct reserved_mem *rmem;
	bool ok;
	int ret;

	pool = of_parse_phandle(np, "memory-region", 1);
	ok = pool && of_device_is_available(pool) &&
	     of_device_is_compatible(pool, "restricted-dma-pool");
	of_node_put(pool);
	if (!ok)
		return dev_err_probe(f->dev, -EINVAL,
				     "memory-region 1 must be an available restricted-dma-pool\n");
	/* The checks every window region gets (wrap, reusable, reserved). */
	rmem = hvl_rmem_lookup(f->dev, 1);
	if (IS_ERR(rmem))
		return PTR_ERR(rmem);
	/*
	 * The pool is the front-end's as much as the window is: two
	 * front-ends sharing it (or a pool over a window's registers) would
	 * see each other's bounce buffers.  The kernel lets any number of
	 * devices share one restricted pool, so claim it here.
	 */
	ret = hvl_region_claim(f->dev, HVL_SIDE_FRONTEND, 1, rmem);
	if (ret)
		return ret;
	ret = of_reserved_mem_device_init_by_idx(f->dev, np, 1);
	if (ret)
		return dev_err_probe(f->dev, ret,
				     "cannot attach memory-region 1 as DMA pool\n");
	/* shadow.c reads the bounced indirect tables there. */
	f->pool_base = rmem->base;
	f->pool_size = rmem->size;
	return 0;
}

static int status_show(struct seq_file *s, void *unused)
{
	struct hvl_front *f = s->private;
	struct hvl_win_hdr *h = f->base;

	seq_printf(s, "window %pa+%#llx %s\n", &f->phys, f->size,
		   f->coherent ? "cacheable" : "write-combining");
	seq_printf(s, "host_state %u host_gen %u table_gen %u host_beat %u peer_state %u peer_gen %u\n",
		   front_get(&h->host_state), front_get(&h->host_gen),
		   front_get(&h->table_gen), front_get(&h->host_beat),
		   front_get(&h->peer_state), front_get(&h->peer_gen));
	/* flags: doorbell.c's, 1 a ring in flight, 2 another folded behind. */
	seq_printf(s, "doorbell rung %lld coalesced %lld received %lld errors %lld flags %#lx\n",
		   atomic64_read(&f->db.rung), atomic64_read(&f->db.coalesced),
		   atomic64_read(&f->db.received), atomic64_read(&f->db.errors),
		   READ_ONCE(f->db.flags));
	if (mutex_lock_interruptible(&f->lock))
		return -EINTR;
	seq_printf(s, "online %d gen %u table_gen %u leaving %u\n", f->online,
		   f->gen, f->table_gen, hvl_front_vdev_leaving(f));
	hvl_front_vdev_show(f, s);
	mutex_unlock(&f->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(status);

/* The node's "hvl," properties: the doorbell's, the allow-list, the watchdog's. */
static const char * const front_properties[] = {
	"hvl,poll-interval-us", "hvl,device-types", "hvl,watchdog-ms", NULL
};

/* Without "hvl,device-types": console, vsock, 9P, net. */
static const u32 default_types[] = { 3, 19, 9, 1 };

/*
 * The device types this front-end registers.  A device side names the
 * type of each device, and a stock driver trusts the device it binds to
 * (virtio-blk waits for ever on an unanswered request, virtio-pmem maps
 * the physical range its configuration names), so only the types the
 * board expects are registered.
 */
static int read_types(struct hvl_front *f)
{
	struct device_node *np = f->dev->of_node;
	const char *name = "hvl,device-types";
	int n, i, ret;

	if (!of_find_property(np, name, NULL)) {
		memcpy(f->types, default_types, sizeof(default_types));
		f->ntypes = ARRAY_SIZE(default_types);
		return 0;
	}
	n = of_property_count_u32_elems(np, name);
	if (n <= 0 || n > HVL_FRONT_MAX_TYPES)
		return dev_err_probe(f->dev, -EINVAL,
				     "%pOF: \"%s\" must list 1 to %u virtio device IDs, one 32-bit cell each\n",
				     np, name, HVL_FRONT_MAX_TYPES);
	ret = of_property_read_u32_array(np, name, f->types, n);
	if (ret)
		return dev_err_probe(f->dev, ret, "%pOF: cannot read \"%s\"\n",
				     np, name);
	for (i = 0; i < n; i++)
		if (!f->types[i])
			return dev_err_probe(f->dev, -EINVAL,
					     "%pOF: \"%s\" entry %d is 0, which is no device type\n",
					     np, name, i);
	f->ntypes = n;
	return 0;
}

/*
 * Not under the lock, unlike status: a removal may hold it for long (the
 * stock 9P transport's waits for the mount to go).
 */
static int watchdog_show(struct seq_file *s, void *unused)
{
	struct hvl_front *f = s->private;

	seq_printf(s, "limit_ms: %u\nstate: %d\nexpired: %u\nlast_silence_ms: %u\n",
		   hvl_watchdog_limit(f->watchdog_ms, &watchdog_ms),
		   READ_ONCE(f->stall),
		   READ_ONCE(f->silences), READ_ONCE(f->silent_ms));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(watchdog);

/*
 * "beat", a test knob (root only): 0 stops peer_beat, as a driver side
 * that hung would, while everything else goes on; 1 resumes it.  For
 * tests of the device side's watch on the peer only
 * (tests/integration/49-peer-watchdog.sh).
 */
static int beat_get(void *data, u64 *val)
{
	struct hvl_front *f = data;

	*val = !READ_ONCE(f->mute);
	return 0;
}

static int beat_set(void *data, u64 val)
{
	struct hvl_front *f = data;

	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(f->mute, !val);
	dev_info(f->dev, "peer_beat %s (testing)\n", val ? "resumed" : "stopped");
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(beat_fops, beat_get, beat_set, "%llu\n");

static int hvl_front_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct hvl_win_hdr *h;
	struct hvl_front *f;
	u32 magic;
	int ret;

	ret = hvl_of_check_properties(dev, dev->of_node, front_properties,
				      NULL);
	if (ret)
		return ret;
	f = devm_kzalloc(dev, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->dev = dev;
	ret = read_types(f);
	if (ret)
		return ret;
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->vdevs);
	spin_lock_init(&f->gone_lock);
	INIT_LIST_HEAD(&f->gone);
	INIT_WORK(&f->life, life_work);
	timer_setup(&f->watch, watch, 0);
	f->wd = (struct hvl_wd)HVL_WD_INIT(HVL_FRONT_WATCH_MS);
	platform_set_drvdata(pdev, f);
	ret = hvl_watchdog_read(dev, "hvl,watchdog-ms", &f->watchdog_ms);
	if (ret)
		return ret;
	/* First, so that it runs last, after remove() or any failure. */
	ret = hvl_rmem_release_on_unbind(dev);
	if (ret)
		return ret;

	ret = map_window(f);
	if (ret)
		return ret;
	/* magic 0: the device side has not initialised the window yet. */
	h = f->base;
	magic = front_get(&h->magic);
	if (magic && magic != HVL_WIN_MAGIC)
		return bad_field(f, "magic", magic, HVL_WIN_MAGIC, true);
	if (magic && bad_version(f, le16_to_cpu(READ_ONCE(h->version)), true))
		return -EINVAL;

	ret = attach_pool(f);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(32));
	if (ret)
		dev_warn(dev, "no usable DMA mask, trying to continue\n");

	/* Not ordered: one 9P removal waiting must not hold up the others. */
	f->reaper = alloc_workqueue("hvl_front_reaper", WQ_UNBOUND, 0);
	if (!f->reaper)
		return -ENOMEM;
	ret = hvl_doorbell_init(&f->db, dev, notify);
	if (ret)
		goto err_reaper;

	mutex_lock(&f->lock);
	ret = start(f);
	if (ret)
		f->removing = true;
	else if (!f->online)
		dev_info(dev, "waiting for the device side (host_state %u)\n",
			 front_get(&h->host_state));
	mutex_unlock(&f->lock);
	if (ret)
		goto err_doorbell;

	mod_timer(&f->watch, jiffies + WATCH_PERIOD);
	f->dbg = debugfs_create_dir(dev_name(dev), front_root);
	debugfs_create_file("status", 0444, f->dbg, f, &status_fops);
	debugfs_create_file("watchdog", 0444, f->dbg, f, &watchdog_fops);
	debugfs_create_file_unsafe("beat", 0600, f->dbg, f, &beat_fops);
	hvl_front_inject_init(f);
	return 0;

err_doorbell:
	hvl_doorbell_fini(&f->db);
	cancel_work_sync(&f->life);
err_reaper:
	destroy_workqueue(f->reaper);
	return ret;
}

static void hvl_front_remove(struct platform_device *pdev)
{
	struct hvl_front *f = platform_get_drvdata(pdev);
	struct hvl_win_hdr *h = f->base;

	debugfs_remove_recursive(f->dbg);

	/* Drivers reset live devices on the way out; dead ones fail fast. */
	mutex_lock(&f->lock);
	f->removing = true;
	if (f->online)
		hvl_front_vdev_unregister_all(f);
	WRITE_ONCE(f->online, false);
	mutex_unlock(&f->lock);
	/*
	 * life_work() gives the reaper no more devices.  Those it has are
	 * dead: their drivers need no doorbell, but a 9P device whose mount
	 * is in use keeps us here until its unmount, as with any virtio
	 * transport.
	 */
	destroy_workqueue(f->reaper);

	timer_shutdown_sync(&f->watch);
	front_put(&h->peer_state, HVL_STATE_OFFLINE);
	/* Visible before the doorbell. */
	wmb();
	hvl_doorbell_ring(&f->db);
	hvl_doorbell_fini(&f->db);
	/* Neither the timer nor the doorbell callback runs again. */
	mutex_lock(&f->lock);
	hvl_front_vdev_free_all(f);
	mutex_unlock(&f->lock);
	/* Queued by the last doorbells; sees ->removing and does nothing. */
	cancel_work_sync(&f->life);
	hvl_front_inject_fini(f);
}

static const struct of_device_id hvl_front_of_match[] = {
	{ .compatible = "hvl,virtio-frontend" },
	{ }
};
MODULE_DEVICE_TABLE(of, hvl_front_of_match);

static struct platform_driver hvl_front_driver = {
	.probe = hvl_front_probe,
	.remove = hvl_front_remove,
	.driver = {
		.name = "hvl-virtio-frontend",
		.of_match_table = hvl_front_of_match,
	},
};

static int __init hvl_front_init(void)
{
	int ret;

	front_root = debugfs_create_dir("hvl_front", NULL);
	ret = platform_driver_register(&hvl_front_driver);
	if (ret)
		debugfs_remove(front_root);
	return ret;
}
module_init(hvl_front_init);

static void __exit hvl_front_exit(void)
{
	platform_driver_unregister(&hvl_front_driver);
	hvl_front_vdev_exit();
	debugfs_remove(front_root);
}
module_exit(hvl_front_exit);

MODULE_DESCRIPTION("hvl: virtio transport for the driver side of an hvl window");
MODULE_LICENSE("GPL");
