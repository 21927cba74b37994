/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl: hypervisor-less virtio backends in the kernel.
 *
 * The in-kernel API between hvl_core (window, register transactions,
 * doorbells, rings) and the device modules (console, vsock, 9p, ...).  A
 * device module is a driver on the "hvl" bus; hvl_core creates one
 * struct hvl_device per device-tree child of a window and binds it by
 * virtio device ID, so modprobe of the module (or its modalias
 * "hvl:dNNNNNNNN") is all it takes.
 *
 * Execution model: everything that touches the rings of a device runs in
 * that device's work item (an unbound workqueue, never concurrently with
 * itself).  The core calls ->reset(), ->activate() and ->poll() from
 * there; a device module that has new data for the peer calls
 * hvl_device_kick() from any context to get ->poll() run.
 */
#ifndef _LINUX_HVL_H
#define _LINUX_HVL_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/mailbox_client.h>
#include <linux/of.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <linux/virtio_ring.h>
#include <asm/barrier.h>

struct hvl_window;
struct hvl_device;
struct mbox_chan;
struct reserved_mem;
struct seq_file;

/*
 * Doorbells: payload-free notifications through the Linux mailbox
 * framework, in both directions, or a poll timer on boards without a free
 * mailbox.  Used by both sides (hvl_core's windows and hvl_front).
 *
 * Rings coalesce: while one message is in flight (not yet tx-done) further
 * rings set a flag and one more message follows the completion, so the
 * peer always sees a doorbell after our last update and the controller's
 * queue never overflows.
 */
struct hvl_doorbell {
	struct mbox_client cl_tx, cl_rx;
	struct mbox_chan *tx, *rx;	/* rx == NULL: tx is bidirectional */
	void (*notify)(struct hvl_doorbell *db);	/* atomic context */
	unsigned long flags;
	struct hrtimer poll;
	ktime_t poll_period;		/* 0: doorbells, else polling */
	atomic64_t rung;		/* messages sent */
	atomic64_t coalesced;		/* rings folded into one in flight */
	atomic64_t received;		/* doorbells (or polls) from the peer */
	atomic64_t errors;		/* send failures */
};

int hvl_doorbell_init(struct hvl_doorbell *db, struct device *dev,
		      void (*notify)(struct hvl_doorbell *db));
void hvl_doorbell_ring(struct hvl_doorbell *db);
void hvl_doorbell_spin(struct hvl_doorbell *db);
void hvl_doorbell_fini(struct hvl_doorbell *db);

/*
 * Address translation: remote bus addresses -> kernel pointers.
 *
 * A window is one or more memory regions.  Each has a kernel mapping and
 * the bus address the peer uses for its base.  A range is accepted only if
 * it lies entirely inside one region; nothing else is ever dereferenced.
 */
struct hvl_region {
	u64 bus;		/* peer's address of the first byte */
	u64 size;
	void *va;		/* our mapping of the first byte */
	phys_addr_t phys;	/* our physical address of the first byte */
};

struct hvl_xlate {
	unsigned int nr;
	struct hvl_region *regions;
	bool wc;		/* mapped write-combining: see hvl_map_wmb() */
};

void *hvl_xlate(const struct hvl_xlate *x, u64 bus, u64 len, size_t align);

/*
 * Mapping of the window (core/map.c) and the barriers that order our
 * accesses to it as the peer sees them: payload before the index or
 * sequence number that publishes it (hvl_map_wmb()), and the index before
 * what it publishes (hvl_map_rmb()).  A cacheable (dma-coherent) window is
 * ordered by dma_wmb()/dma_rmb(); a write-combining one is not: on x86
 * those are compiler barriers only, and WC stores and loads need sfence
 * and lfence, which is what wmb() and rmb() are.  mb() orders either.
 */
int hvl_map_read_coherent(struct device *dev, bool *coherent);
void *hvl_map_region(struct device *dev, int index,
		     const struct reserved_mem *rmem, bool coherent);

/* Stores to the window before later stores to it, as the peer sees them. */
static inline void hvl_map_wmb(const struct hvl_xlate *x)
{
	if (x->wc)
		wmb();		/* sfence on x86, which orders WC stores */
	else
		dma_wmb();	/* enough for cacheable memory */
}

/* Loads from the window before later loads from it. */
static inline void hvl_map_rmb(const struct hvl_xlate *x)
{
	if (x->wc)
		rmb();		/* lfence on x86: WC loads may pass each other */
	else
		dma_rmb();	/* enough for cacheable memory */
}

/*
 * Device side of a split virtqueue.  The rings live in memory the peer
 * can rewrite at any moment, so the ring code reads every shared field
 * exactly once into a local, validates it, and keeps its own copies of
 * the indices (it never trusts used->idx, which it owns, after a reload).
 */
struct hvl_vq_stats {
	u64 popped;		/* chains taken from the avail ring */
	u64 notifies;		/* interrupts the device asked for */
	u64 suppressed;		/* interrupts EVENT_IDX/NO_INTERRUPT saved */
	u64 coalesced;		/* packets whose interrupt was held */
	u64 coal_timeouts;	/* held interrupts the time released */
	u64 errors;		/* malformed rings or chains */
};

struct hvl_vq {
	const struct hvl_xlate *xlate;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	u16 num;		/* negotiated size, 0 if not set up */
	u16 num_max;		/* QueueNumMax from the device tree */
	u16 last_avail;		/* next avail entry to consume */
	u16 avail_seen;		/* avail->idx as we last read it */
	u16 used_idx;		/* our copy of used->idx */
	u16 signalled_used;	/* used_idx when we last notified */
	bool signalled_valid;
	bool event_idx;		/* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;		/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	bool ready;		/* rings translated and validated */
	bool broken;		/* a validation error was seen */
	unsigned int index;
	/*
	 * Notification coalescing, as the driver set it (core/coalesce.c):
	 * the work item's, and 0 after a reset.
	 */
	u32 coal_usecs;		/* longest an interrupt is held */
	u32 coal_packets;	/* packets that ring at once */
	u32 coal_pending;	/* packets used since the last interrupt */
	ktime_t coal_due;	/* when the held interrupt goes */
	struct hvl_vq_stats stats;
};

/*
 * A descriptor chain as popped from the avail ring: device-readable
 * segments first (out), then device-writable ones (in), as the spec
 * requires.  The kvecs point into the window; the data there is shared
 * with the peer and must be copied before it is parsed.
 */
struct hvl_chain {
	u16 head;
	unsigned int nr_out, nr_in;
	size_t out_len, in_len;
	unsigned int max;	/* capacity of @iov */
	struct kvec *iov;
};

/* Most segments in one chain, direct and indirect together. */
#define HVL_CHAIN_MAX	1024u

int hvl_vq_init(struct hvl_vq *vq, const struct hvl_xlate *x,
		unsigned int index, u16 num, u64 desc, u64 avail, u64 used,
		bool event_idx, bool indirect);
void hvl_vq_reset(struct hvl_vq *vq);
int hvl_vq_pop(struct hvl_vq *vq, struct hvl_chain *c);
int hvl_vq_next(struct hvl_vq *vq, struct hvl_chain *c, int *budget);
void hvl_vq_push(struct hvl_vq *vq, const struct hvl_chain *c, u32 written);
void hvl_vq_push_n(struct hvl_vq *vq, const u16 *heads, const u32 *written,
		   unsigned int n);
void hvl_vq_unpop(struct hvl_vq *vq, unsigned int n);
bool hvl_vq_should_notify(struct hvl_vq *vq);
void hvl_vq_disable_notify(struct hvl_vq *vq);
bool hvl_vq_enable_notify(struct hvl_vq *vq);
bool hvl_vq_has_work(struct hvl_vq *vq);
void hvl_vq_defer(struct hvl_vq *vq);

void hvl_chain_out_iter(const struct hvl_chain *c, struct iov_iter *it);
void hvl_chain_in_iter(const struct hvl_chain *c, struct iov_iter *it);

/*
 * Backend devices and their drivers.
 */
struct hvl_device_stats {
	u64 txns;		/* register writes handled */
	u64 txn_errors;		/* register writes refused */
	u64 irqs_out;		/* interrupts raised towards the peer */
	u64 resets;		/* device resets (driver- or peer-initiated) */
	u64 needs_reset;	/* times DEVICE_NEEDS_RESET was raised */
	u64 runs;		/* work item runs that took the lock */
	u64 busy_ns;		/* time those runs held it */
};

struct hvl_device {
	struct device dev;
	struct hvl_window *win;
	struct device_node *of_node;
	unsigned int index;	/* position in the device table */
	u32 device_id;		/* virtio device ID from the device tree */
	u32 status;		/* virtio status byte as the driver set it */
	u64 host_features;	/* offered: DT bits & driver bits & transport */
	u64 guest_features;	/* as the peer wrote them: see hvl_device_feature() */
	unsigned int num_queues;
	struct hvl_vq *vqs;
	void *config;		/* the device's config bytes in the window */
	unsigned int config_size;
	struct hvl_device_stats stats;
	void *priv;		/* device module's data */
};

struct hvl_driver {
	struct device_driver driver;
	u32 device_id;		/* virtio device ID served */
	/*
	 * The device-type properties ("hvl,...") of a child node it reads,
	 * NULL-terminated; a child with any other one is not bound (bus.c).
	 */
	const char * const *of_properties;
	u64 features;		/* device-type feature bits implemented */
	/*
	 * Optional: of @features, those this device offers, after the
	 * device tree's "hvl,device-features" took its share: not those its
	 * node gives no queue for, nor those whose prerequisite is no longer
	 * there.  It can only take bits away.  Under the device's lock.
	 */
	u64 (*offer)(const struct hvl_device *hdev, u64 features);
	unsigned int config_size;
	int (*probe)(struct hvl_device *hdev);
	void (*remove)(struct hvl_device *hdev);
	/*
	 * DRIVER_OK was set: queues are ready. Work item context.  On
	 * failure the device needs a reset, and ->reset() is not called
	 * for it: undo what was done before returning the error.
	 */
	int (*activate)(struct hvl_device *hdev);
	/* Device reset by the peer (or peer gone). Work item context. */
	void (*reset)(struct hvl_device *hdev);
	/* Serve the queues; return true if budget ran out. Work item context. */
	bool (*poll)(struct hvl_device *hdev, int budget);
	/*
	 * Optional, instead of ->poll() while the device needs a reset:
	 * answer with an error what a driver spins on until it is answered
	 * (virtio-net's control commands), and touch nothing else.  Return
	 * true if budget ran out.  Work item context.
	 */
	bool (*poll_failed)(struct hvl_device *hdev, int budget);
	/* The peer wrote config space (already stored). Work item context. */
	int (*config_write)(struct hvl_device *hdev, unsigned int offset,
			    unsigned int width, u32 value);
	/* Device-specific lines for debugfs. Under the device's lock. */
	void (*show)(struct hvl_device *hdev, struct seq_file *s);
};

#define to_hvl_device(d) container_of_const(d, struct hvl_device, dev)
#define to_hvl_driver(d) container_of_const(d, struct hvl_driver, driver)

int __hvl_driver_register(struct hvl_driver *drv, struct module *owner);
#define hvl_driver_register(drv) __hvl_driver_register(drv, THIS_MODULE)
void hvl_driver_unregister(struct hvl_driver *drv);
#define module_hvl_driver(__drv) \
	module_driver(__drv, hvl_driver_register, hvl_driver_unregister)
/*
 * Devices announce MODALIAS=hvl:dXXXXXXXX (virtio device ID, 8 hex digits);
 * a device module says e.g. MODULE_ALIAS("hvl:d00000003") for autoloading.
 */

void hvl_device_kick(struct hvl_device *hdev);
void hvl_device_interrupt(struct hvl_device *hdev, struct hvl_vq *vq);
/* Longest a driver may have an interrupt held: 100 ms, any NIC's range. */
#define HVL_COAL_MAX_USECS	100000
/* Shorter holds are a run's own batching (core/coalesce.c). */
#define HVL_COAL_MIN_USECS	10
int hvl_device_set_coalescing(struct hvl_device *hdev, unsigned int index,
			      u32 usecs, u32 packets);
void hvl_device_config_changed(struct hvl_device *hdev);
void hvl_device_needs_reset(struct hvl_device *hdev, const char *why);
bool hvl_device_ready(const struct hvl_device *hdev);
bool hvl_device_feature(const struct hvl_device *hdev, unsigned int bit);

struct reserved_mem *hvl_rmem_lookup(struct device *dev, int index);
int hvl_rmem_release_on_unbind(struct device *dev);

int hvl_of_check_properties(struct device *dev, const struct device_node *np,
			    const char * const *known,
			    const char * const *more);

/* Whose windows may not share memory (core/claim.c). */
enum hvl_side {
	HVL_SIDE_BACKEND,
	HVL_SIDE_FRONTEND,
};

int hvl_region_claim(struct device *dev, enum hvl_side side, int index,
		     const struct reserved_mem *rmem);

/**
 * hvl_of_read_u32() - read a property that must be exactly one u32 cell
 * @np: device node
 * @name: property name
 * @val: where to store the value
 *
 * of_property_read_u32() checks only that a property is long enough, so
 * "hvl,uid = /bits/ 64 <1000>" reads as 0 (root) without a word.  Callers
 * report -EINVAL naming the property.
 *
 * Return: 0, -ENOENT if absent, -EINVAL if not exactly 4 bytes long.
 */
static inline int hvl_of_read_u32(const struct device_node *np,
				  const char *name, u32 *val)
{
	int len;

	if (!of_find_property(np, name, &len))
		return -ENOENT;
	if (len != sizeof(u32))
		return -EINVAL;
	return of_property_read_u32(np, name, val);
}

#endif /* _LINUX_HVL_H */
