/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl_core internals: the window (one device-tree node, its regions and
 * doorbell) and the core's per-device state around struct hvl_device.
 */
#ifndef _HVL_CORE_H
#define _HVL_CORE_H

#include <linux/hvl.h>
#include <linux/hvl_abi.h>
#include <linux/hvl_watchdog.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#define HVL_MAX_REGIONS		4
/* Chains a device serves per work-item run before it yields the CPU. */
#define HVL_BUDGET		64

struct dentry;

struct hvl_window {
	struct device *dev;
	struct hvl_xlate xlate;
	struct hvl_region regions[HVL_MAX_REGIONS];
	struct hvl_win_hdr *hdr;	/* regions[0].va */
	struct hvl_doorbell db;
	struct workqueue_struct *wq;
	struct delayed_work beat;
	unsigned int nr_devs;		/* registered on the bus */
	unsigned int nr_alloc;		/* allocated (references held) */
	struct hvl_core_dev **devs;
	bool live;			/* doorbell usable, see remove() */
	/* Serialises host_gen and device table updates. */
	struct mutex table_lock;
	struct dentry *debugfs;
	bool coherent;			/* "dma-coherent": mapped cacheable */
	/*
	 * Testing (debugfs "freeze"): the window acts as a hung device side:
	 * no doorbell, work item or heartbeat is served until it is cleared.
	 */
	bool frozen;
	/* The watch on the peer's beat (liveness.c), beat() only. */
	struct hvl_wd peer_wd;
	unsigned long peer_wd_tick;	/* jiffies of its last tick */
	u32 peer_wd_ms;			/* "hvl,peer-watchdog-ms", U32_MAX: none */
	bool peer_dead;			/* given up, until it moves */
	struct work_struct peer_lost;	/* the resets that giving up takes */
	u32 peer_silences;		/* times it was given up */
};

static inline void hvl_hdr_put(__le32 *field, u32 v)
{
	WRITE_ONCE(*field, cpu_to_le32(v));
}

static inline u32 hvl_hdr_get(const __le32 *field)
{
	return le32_to_cpu(READ_ONCE(*field));
}

/* Driver-written queue registers, latched until QueueReady=1. */
struct hvl_qregs {
	u32 num;
	u64 desc, avail, used;
};

/*
 * Core state of one backend device.  Everything below @lock is touched only
 * by the device's work item or by bind/unbind, both under @lock; @isr has
 * its own spinlock because hvl_device_config_changed() may come from any
 * context.
 */
struct hvl_core_dev {
	struct hvl_device hdev;
	void *page;			/* register page */
	struct hvl_txn *txn;
	struct hvl_dev_entry *entry;
	u64 dt_features;		/* device-type bits allowed by the DT */
	u32 reg_offset, reg_size;	/* "reg" of the DT child */
	u16 *queue_max;			/* per queue, from the DT */
	struct work_struct work;

	struct mutex lock;		/* see above */
	struct hvl_driver *drv;		/* bound driver, NULL if none */
	u32 last_seq;			/* last acknowledged transaction */
	u32 peer_gen;			/* peer generation we served */
	u32 dfsel, gfsel, qsel, shmsel;
	struct hvl_qregs *qregs;
	bool active;			/* DRIVER_OK accepted, driver started */
	bool irq;			/* ring the peer at the end of this run */
	unsigned long activity;		/* the peer's, see hvl_bus_activity() */
	atomic_long_t kicks;		/* doorbells that ran the work item */
	atomic_long_t kicks_idle;	/* doorbells with nothing for it */

	spinlock_t isr_lock;		/* isr, config_gen, hdev.status */
	u32 isr;
	u32 config_gen;
	struct hrtimer coal_timer;	/* held interrupts: coalesce.c */
};

static inline struct hvl_core_dev *to_core_dev(struct hvl_device *hdev)
{
	return container_of(hdev, struct hvl_core_dev, hdev);
}

/* Device-type feature bits, as the virtio specification numbers them. */
#define HVL_DEVICE_TYPE_FEATURES	(GENMASK_ULL(23, 0) | GENMASK_ULL(63, 50))

/* bus.c */
void hvl_bus_signal_used(struct hvl_core_dev *cd, struct hvl_vq *vq);
extern const struct bus_type hvl_bus;
struct hvl_core_dev *hvl_bus_alloc(struct hvl_window *win,
				   struct device_node *np, unsigned int index,
				   u32 device_id, const u16 *queue_max,
				   unsigned int nq);
int hvl_bus_add(struct hvl_core_dev *cd);
void hvl_bus_del(struct hvl_core_dev *cd);
void hvl_bus_kick_all(struct hvl_window *win);
void hvl_bus_run_all(struct hvl_window *win);
unsigned long hvl_bus_activity(struct hvl_window *win);

/* coalesce.c */
void hvl_coal_init(struct hvl_core_dev *cd);
void hvl_coal_stop(struct hvl_core_dev *cd);
bool hvl_coal_hold(struct hvl_core_dev *cd, struct hvl_vq *vq);
void hvl_coal_run(struct hvl_core_dev *cd);

/* vring.c */
bool hvl_vq_peer_news(const struct hvl_vq *vq);

/* txn.c */
enum hvl_txn_status hvl_txn_write(struct hvl_core_dev *cd, u32 offset,
				  u32 width, u32 value);
bool hvl_txn_run(struct hvl_core_dev *cd);
#if IS_ENABLED(CONFIG_KUNIT)
/* Seams for the KUnit suites (VISIBLE_IF_KUNIT). */
u16 hvl_vq_avail_idx(struct hvl_vq *vq);
bool hvl_txn_serve(struct hvl_core_dev *cd, u32 seq, u32 gen);
u32 hvl_txn_peer_gen(struct hvl_core_dev *cd);
bool hvl_rmem_wraps(phys_addr_t base, phys_addr_t size);
unsigned long hvl_bus_peer_activity(struct hvl_core_dev *cd);
bool hvl_bus_peer_news(struct hvl_core_dev *cd);
#endif
void hvl_txn_publish(struct hvl_core_dev *cd);
void hvl_txn_reset(struct hvl_core_dev *cd);
void hvl_txn_bind(struct hvl_core_dev *cd, struct hvl_driver *drv);
void hvl_txn_init(struct hvl_core_dev *cd, void *page, unsigned int nq);

/* window.c */
extern struct platform_driver hvl_window_driver;
void hvl_window_ring(struct hvl_window *win);
void hvl_window_table_update(struct hvl_core_dev *cd, u32 device_id);
int hvl_window_check_queues(struct device *dev, const struct device_node *np,
			    const u32 *v, int n, unsigned int max, u16 *sizes);
int hvl_window_check_regions(struct device *dev, const struct hvl_region *r,
			     unsigned int n);
int hvl_window_check_child(struct device *dev, const struct device_node *np,
			   u64 region_size, u32 offset, u32 size,
			   const u32 *taken, unsigned int nr_taken);

/* liveness.c */
int hvl_liveness_init(struct hvl_window *win);
void hvl_liveness_start(struct hvl_window *win);
void hvl_liveness_stop(struct hvl_window *win);
u32 hvl_liveness_limit(const struct hvl_window *win);
void hvl_window_freeze(struct hvl_window *win, bool frozen);
void hvl_window_beat_once(struct hvl_window *win);

/* overlay.c */
int hvl_overlay_apply(void);
void hvl_overlay_remove(void);

/* debugfs.c */
void hvl_debugfs_init(void);
void hvl_debugfs_exit(void);
void hvl_debugfs_window_add(struct hvl_window *win);
void hvl_debugfs_window_del(struct hvl_window *win);

#endif /* _HVL_CORE_H */
