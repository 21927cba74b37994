/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl_front internals, shared by main.c (platform driver, window, life
 * cycle) and vdev.c (virtio devices and their register transactions).
 *
 * Locking:
 *   hvl_front.lock      life cycle; the only writer of hvl_front.vdevs,
 *                       .online and .gen.  Taken before any txn_lock.
 *                       Never held while a dead device's driver is
 *                       removed (the reaper, vdev.c), only for at most
 *                       LEAVE_WAIT while a new device waits for it.
 *   hvl_front.gone_lock the reaper's list; innermost.
 *   hvl_front_vdev.txn_lock  one register transaction per device.
 *   hvl_front_vdev.vq_lock   the vqs[] array against the doorbell callback,
 *                       which runs vring_interrupt() under it.
 *   hvl_front_vq.lock   one queue's shadow state (shadow.c); taken inside
 *                       vq_lock, and alone by a kick.
 * The doorbell callback walks hvl_front.vdevs under RCU.
 */
#ifndef _HVL_FRONT_H
#define _HVL_FRONT_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hvl.h>
#include <linux/hvl_abi.h>
#include <linux/hvl_watchdog.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/timer.h>
#include <linux/virtio.h>
#include <linux/virtio_ring.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

struct seq_file;
struct virtqueue_info;

/* Period of the watchdog's ticks (and of peer_beat), milliseconds. */
#define HVL_FRONT_WATCH_MS	100

/* Most entries of "hvl,device-types". */
#define HVL_FRONT_MAX_TYPES	32

/* One device table entry, as read once. */
struct hvl_front_entry {
	u32 device_id;
	u32 gen;
	u64 offset;
};

/*
 * The header fields and device table as start() and rescan() read them,
 * once: each validates its copy and registers the devices from it, so
 * that a device side rewriting the table meanwhile cannot slip an
 * unchecked entry in.
 */
struct hvl_front_table {
	u32 magic;
	u16 version;
	u16 hdr_size;
	u32 num_devices;
	u32 table_gen;
	struct hvl_front_entry e[HVL_MAX_DEVICES];
};

/* What the watchdog did; life_changed() and life_work() act on it. */
enum hvl_front_stall {
	HVL_FRONT_LIVE,			/* nothing */
	HVL_FRONT_SILENT,		/* devices broken, to be removed */
	HVL_FRONT_STALLED,		/* removed; waiting for host_beat */
};

struct hvl_front {
	struct device *dev;
	void *base;			/* region 0: header + register pages */
	phys_addr_t phys;
	u64 size;
	bool coherent;			/* region 0 mapped cacheable */
	phys_addr_t pool_base;		/* region 1, the restricted DMA pool */
	phys_addr_t pool_size;
	struct hvl_doorbell db;
	struct mutex lock;		/* see above */
	struct list_head vdevs;		/* struct hvl_front_vdev, RCU */
	bool online;			/* devices registered for @gen */
	u32 gen;			/* host_gen the devices belong to */
	u32 table_gen;			/* table_gen they match */
	u32 serial;			/* devices registered so far */
	bool rejected;			/* window refused at @rejected_gen */
	u32 rejected_gen;
	bool removing;
	struct work_struct life;	/* start/stop on host changes */
	struct workqueue_struct *reaper;	/* removes dead devices (vdev.c) */
	spinlock_t gone_lock;		/* the list below */
	struct list_head gone;		/* hvl_front_vdev.gone_node: devices
					 * the reaper has not removed yet
					 */
	struct timer_list watch;	/* catches lost doorbells; watchdog */
	u32 watchdog_ms;		/* "hvl,watchdog-ms", or U32_MAX */
	struct hvl_wd wd;		/* watch() only */
	unsigned long wd_tick;		/* jiffies of its last tick */
	int stall;			/* enum hvl_front_stall */
	u32 stall_gen;			/* host_gen and host_beat when */
	u32 stall_beat;			/* the devices were removed */
	u32 silences;			/* watchdog expiries (debugfs) */
	u32 silent_ms;			/* the silence of the last one */
	bool mute;			/* testing: peer_beat stands still */
	struct dentry *dbg;
	void *inject_buf;		/* inject.c, under @lock */
	dma_addr_t inject_dma;
	u32 types[HVL_FRONT_MAX_TYPES];	/* device IDs we register */
	unsigned int ntypes;
	struct hvl_front_table table;	/* what the devices were set up
					 * from, under @lock
					 */
	struct hvl_front_table scan;	/* rescan()'s new copy, ditto */
};

struct hvl_front_vdev;

/* A virtqueue on a private ring, and the window's copy (shadow.c). */
struct hvl_front_vq {
	struct virtqueue *vq;
	struct hvl_front_vdev *vd;
	spinlock_t lock;		/* everything below */
	u16 num;
	bool event_idx;			/* of the public ring */
	struct vring priv;		/* what virtio_ring walks */
	void *priv_mem;
	struct vring pub;		/* what the device side sees */
	void *pub_mem;
	dma_addr_t pub_dma;
	size_t pub_size;
	u16 priv_avail;			/* next private avail entry to publish */
	u16 pub_avail;			/* our public avail->idx */
	u16 pub_used;			/* next public used entry to take */
	u16 priv_used;			/* our private used->idx */
	unsigned long *busy;		/* heads the device side holds */
	u32 *wlen;			/* and their device-writable bytes */
	unsigned int busy_out;		/* held heads with none */
	bool out_seen;			/* carried chains without any */
	bool in_seen;			/* and chains with some */
	bool quarantined;		/* device side no longer trusted */
	u64 published, taken, refused;
};

struct hvl_front_vdev {
	struct virtio_device vdev;
	struct hvl_front *front;
	struct list_head node;		/* in hvl_front.vdevs */
	void *regs;			/* register page in the window */
	unsigned int index;		/* device table entry */
	const struct hvl_dev_entry *entry;	/* ... in the window */
	u32 gen;			/* host_gen at registration */
	u32 entry_gen;			/* and the entry's gen */
	u32 serial;			/* which device of the front-end's:
					 * virtio's names are reused
					 */
	bool registered;		/* register_virtio_device() returned */
	bool dead;			/* transactions fail at once */
	u8 status;			/* as the driver set it, 0 after reset */
	struct mutex txn_lock;
	unsigned long setup_time;	/* jiffies in transactions since the
					 * last reset, until DRIVER_OK; under
					 * txn_lock
					 */
	spinlock_t cfg_lock;		/* the two below */
	u32 cfg_gen;			/* ConfigGeneration last returned */
	unsigned int cfg_changes;	/* consecutive reads that saw it change */
	wait_queue_head_t txn_wq;	/* woken by every doorbell */
	spinlock_t vq_lock;
	bool cbs;			/* DRIVER_OK set, no reset since, and
					 * for a console its probe returned
					 * and it is not on hold
					 */
	bool take;			/* DRIVER_OK set, no reset since: used
					 * entries go to the driver,
					 * callbacks or not
					 */
	bool on_hold;			/* a console at DRIVER_OK while
					 * hold_consoles was set, not released
					 * since: its receive queues keep their
					 * used entries (vdev.c)
					 */
	bool wait_bound;		/* a console: see bound() in vdev.c */
	bool held;			/* inject.c: no callbacks until reset */
	struct hvl_front_vq *vqs[HVL_MAX_QUEUES];
	u64 host_features;		/* offered by the device side */
	bool event_idx;			/* negotiated for the public rings */
	struct work_struct config_work;	/* InterruptACK + config_changed */
	struct work_struct serve_work;	/* callbacks after hvl_front_vdev_kill() */
	struct work_struct leave_work;	/* the reaper's removal */
	struct list_head gone_node;	/* in hvl_front.gone, during it */
	struct completion released;	/* ... the register page let go */
	struct completion gone;		/* ... the driver removed */
	bool waited_out;		/* waited for in vain, under
					 * hvl_front.lock
					 */
	atomic64_t txns;		/* transactions sent */
	atomic64_t timeouts;		/* of which never acknowledged */
	atomic64_t errors;		/* of which refused by the device */
	atomic64_t kicks;		/* queue notifications (doorbells) */
};

/* The window is plain (shared) memory, little-endian, written by both sides. */
static inline u32 front_get(const void *p)
{
	return le32_to_cpu(READ_ONCE(*(const __le32 *)p));
}

static inline void front_put(void *p, u32 v)
{
	WRITE_ONCE(*(__le32 *)p, cpu_to_le32(v));
}

/* Is the device side still READY in generation @gen? */
static inline bool front_host_live(const struct hvl_front *f, u32 gen)
{
	const struct hvl_win_hdr *h = f->base;

	if (front_get(&h->host_state) != HVL_STATE_READY)
		return false;
	/* host_gen is written before READY: read it after. */
	rmb();
	return front_get(&h->host_gen) == gen;
}

/* ... and still serving @vd's entry as it did when @vd was set up? */
static inline bool front_vdev_live(const struct hvl_front_vdev *vd)
{
	return front_host_live(vd->front, vd->gen) &&
	       front_get(&vd->entry->gen) == vd->entry_gen;
}

struct hvl_front_vq *hvl_front_vq_create(struct hvl_front_vdev *vd,
					 unsigned int index, u16 num,
					 bool event_idx,
					 const struct virtqueue_info *info);
void hvl_front_vq_destroy(struct hvl_front_vq *sq);
void hvl_front_vq_give_up(struct hvl_front_vq *sq);
dma_addr_t hvl_front_vq_addr(const struct hvl_front_vq *sq, const void *part);
bool hvl_front_vq_take_used(struct hvl_front_vq *sq, bool out_only);
void hvl_front_vq_show(struct hvl_front_vq *sq, struct seq_file *s);

void hvl_front_vdev_kill(struct hvl_front_vdev *vd, const char *why);
int hvl_front_vdev_add(struct hvl_front *f, unsigned int index,
		       const struct hvl_front_entry *e);
bool hvl_front_vdev_leave(struct hvl_front *f, unsigned int index);
void hvl_front_vdev_leave_all(struct hvl_front *f);
unsigned int hvl_front_vdev_leaving(struct hvl_front *f);
void hvl_front_vdev_unregister_all(struct hvl_front *f);
void hvl_front_vdev_free_all(struct hvl_front *f);
void hvl_front_vdev_break_all(struct hvl_front *f);
void hvl_front_vdev_notify_all(struct hvl_front *f);
void hvl_front_vdev_show(struct hvl_front *f, struct seq_file *s);
void hvl_front_vdev_exit(void);
void hvl_front_inject_init(struct hvl_front *f);
void hvl_front_inject_fini(struct hvl_front *f);

#endif /* _HVL_FRONT_H */
