// SPDX-License-Identifier: GPL-2.0-only
/*
 * /sys/kernel/debug/hvl/<window>/{doorbell,<device>}: what a developer
 * bringing up a board needs to see: negotiated state, queue sizes and
 * every counter (doorbells, interrupts, transactions, ring errors).
 * <window>/freeze is a test knob (see freeze_set()).
 *
 * The counters are written by the device's work item without locks; a
 * reader may see a value that is one event old, which is fine here.
 */
#include <linux/debugfs.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/virtio_byteorder.h>

#include "core.h"

static struct dentry *root;

static int device_show(struct seq_file *s, void *unused)
{
	struct hvl_core_dev *cd = s->private;
	struct hvl_device *hdev = &cd->hdev;
	const struct hvl_device_stats *st = &hdev->stats;
	unsigned int i;

	mutex_lock(&cd->lock);
	seq_printf(s, "device_id: %u\nbound: %s\nstatus: %#x\nactive: %d\n",
		   hdev->device_id, cd->drv ? cd->drv->driver.name : "-",
		   hdev->status, cd->active);
	seq_printf(s, "host_features: %#018llx\nguest_features: %#018llx\n",
		   hdev->host_features, hdev->guest_features);
	seq_printf(s, "txns: %llu\ntxn_errors: %llu\nresets: %llu\nneeds_reset: %llu\nirqs_out: %llu\nruns: %llu\nbusy_us: %llu\n",
		   st->txns, st->txn_errors, st->resets, st->needs_reset,
		   st->irqs_out, st->runs, div_u64(st->busy_ns, NSEC_PER_USEC));
	seq_printf(s, "kicks: %ld\nkicks_idle: %ld\n",
		   atomic_long_read(&cd->kicks), atomic_long_read(&cd->kicks_idle));
	for (i = 0; i < hdev->num_queues; i++) {
		const struct hvl_vq *vq = &hdev->vqs[i];

		seq_printf(s, "queue%u: num=%u max=%u ready=%d broken=%d last_avail=%u used=%u popped=%llu notifies=%llu suppressed=%llu errors=%llu\n",
			   i, vq->num, vq->num_max, vq->ready, vq->broken,
			   vq->last_avail, vq->used_idx, vq->stats.popped,
			   vq->stats.notifies, vq->stats.suppressed,
			   vq->stats.errors);
		if (vq->coal_usecs || vq->coal_packets || vq->stats.coalesced)
			seq_printf(s, "queue%u coalescing: usecs=%u packets=%u pending=%u coalesced=%llu timeouts=%llu\n",
				   i, vq->coal_usecs, vq->coal_packets,
				   vq->coal_pending, vq->stats.coalesced,
				   vq->stats.coal_timeouts);
		/*
		 * The rings as the window has them, for a queue that
		 * stalled: who waits for whose doorbell.  avail_event is
		 * ours, used_event the peer's (only printed).  Under
		 * cd->lock, as hvl_vq_init() and hvl_vq_reset() are.
		 */
		if (vq->ready)
			seq_printf(s, "queue%u window: avail_idx=%u avail_seen=%u avail_event=%u used_idx=%u used_event=%u signalled_used=%u%s\n",
				   i, __virtio16_to_cpu(true, READ_ONCE(vq->avail->idx)),
				   READ_ONCE(vq->avail_seen),
				   __virtio16_to_cpu(true, READ_ONCE(vring_avail_event(vq))),
				   __virtio16_to_cpu(true, READ_ONCE(vq->used->idx)),
				   __virtio16_to_cpu(true, READ_ONCE(vring_used_event(vq))),
				   vq->signalled_used,
				   vq->signalled_valid ? "" : " (not yet)");
	}
	if (cd->drv && cd->drv->show)
		cd->drv->show(hdev, s);
	mutex_unlock(&cd->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(device);

static int doorbell_show(struct seq_file *s, void *unused)
{
	struct hvl_window *win = s->private;
	struct hvl_doorbell *db = &win->db;

	seq_printf(s, "mode: %s\nrung: %lld\ncoalesced: %lld\nreceived: %lld\nerrors: %lld\n",
		   db->poll_period ? "poll" : "mailbox",
		   atomic64_read(&db->rung), atomic64_read(&db->coalesced),
		   atomic64_read(&db->received), atomic64_read(&db->errors));
	/* doorbell.c's bits: 1 a ring in flight, 2 another folded behind. */
	seq_printf(s, "flags: %#lx\n", READ_ONCE(db->flags));
	/* How the window is mapped (map.c) decides its barriers. */
	seq_printf(s, "mapping: %s\n",
		   win->xlate.wc ? "write-combining" : "cacheable");
	seq_printf(s, "host_gen: %u\ntable_gen: %u\npeer_gen: %u\npeer_state: %u\nhost_beat: %u\n",
		   hvl_hdr_get(&win->hdr->host_gen),
		   hvl_hdr_get(&win->hdr->table_gen),
		   hvl_hdr_get(&win->hdr->peer_gen),
		   hvl_hdr_get(&win->hdr->peer_state),
		   hvl_hdr_get(&win->hdr->host_beat));
	/* The watch on the peer (liveness.c). */
	seq_printf(s, "peer_beat: %u\npeer_watchdog_ms: %u\npeer_silences: %u\npeer_dead: %d\n",
		   hvl_hdr_get(&win->hdr->peer_beat), hvl_liveness_limit(win),
		   READ_ONCE(win->peer_silences), READ_ONCE(win->peer_dead));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(doorbell);

/*
 * "freeze", a test knob (root only, as all of debugfs): 1 makes the
 * window a hung device side, 0 resumes it (hvl_window_freeze()), 2 keeps
 * it frozen and moves host_beat once (hvl_window_beat_once()): a device
 * side that beats once and hangs again.  Only for testing a driver side's
 * watchdog (tests/integration/47-watchdog.sh).
 */
static int freeze_get(void *data, u64 *val)
{
	struct hvl_window *win = data;

	*val = READ_ONCE(win->frozen);
	return 0;
}

static int freeze_set(void *data, u64 val)
{
	struct hvl_window *win = data;

	if (val > 2)
		return -EINVAL;
	if (val == 2) {
		/* Frozen first, so that beat() leaves host_beat alone. */
		if (!READ_ONCE(win->frozen))
			hvl_window_freeze(win, true);
		hvl_window_beat_once(win);
		return 0;
	}
	hvl_window_freeze(win, val);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(freeze_fops, freeze_get, freeze_set, "%llu\n");

void hvl_debugfs_window_add(struct hvl_window *win)
{
	unsigned int i;

	win->debugfs = debugfs_create_dir(dev_name(win->dev), root);
	debugfs_create_file("doorbell", 0444, win->debugfs, win, &doorbell_fops);
	debugfs_create_file_unsafe("freeze", 0600, win->debugfs, win,
				   &freeze_fops);
	for (i = 0; i < win->nr_devs; i++)
		debugfs_create_file(dev_name(&win->devs[i]->hdev.dev), 0444,
				    win->debugfs, win->devs[i], &device_fops);
}

void hvl_debugfs_window_del(struct hvl_window *win)
{
	debugfs_remove(win->debugfs);
	win->debugfs = NULL;
}

void hvl_debugfs_init(void)
{
	root = debugfs_create_dir("hvl", NULL);
}

void hvl_debugfs_exit(void)
{
	debugfs_remove(root);
}
