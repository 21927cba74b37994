// SPDX-License-Identifier: GPL-2.0-only
/*
 * Liveness of a window, both ways (Documentation/hvl/protocol.rst,
 * Liveness): our beat, which lets the driver side tell a hung device side
 * from a quiet one, and the watch on its beat, which lets us tell a dead
 * peer from a quiet one.
 *
 * A peer that crashed and never comes back would otherwise keep what it
 * had for ever: Linux sockets connected to it wait for data that never
 * comes, its 9P fids hold files open, its net interface keeps its
 * carrier.  A restarted peer announces itself (peer_gen), and that
 * already resets its devices (txn.c); the watch covers the peer that
 * does not restart.  When peer_beat has stood still, with peer_state
 * READY, no doorbell from it and nothing new on its devices (no
 * transaction, no chain made available), for the watchdog time, every
 * device is reset as if the peer had reset it, which frees what it
 * held, and host_gen moves, which tells a peer that was only slow to
 * start its devices again.  The rule itself is shared with hvl_front
 * (<linux/hvl_watchdog.h>): a peer that never beats is never watched.
 *
 * Off by default: the protocol made peer_beat advisory before it said
 * how often to beat, so "hvl,peer-watchdog-ms" (or the module parameter)
 * turns the watch on for a board whose peer beats at least every 500 ms,
 * as hvl_front does (every 100 ms).
 */
#include <kunit/visibility.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/of.h>

#include "core.h"

/*
 * host_beat: a driver side may declare the device side dead after it has
 * stood still for its watchdog time (the protocol promises a beat at
 * least every 500 ms; hvl_front's default watchdog is 2 s).  The beat
 * runs on the window's own workqueue, unbound and high priority: not
 * behind a long work item of another subsystem on a per-CPU system_wq
 * pool, nor behind our own devices' work items (the workqueue runs them
 * concurrently), but not without the CPUs that serve the peer either,
 * whose cpumask it shares.  The watch on the peer ticks with it.
 */
#define BEAT_MS		250

static int watchdog_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (ms && (ms < HVL_WATCHDOG_MIN_MS || ms > HVL_WATCHDOG_MAX_MS)) {
		/*
		 * Named as set, module and all: these ops serve hvl_front's
		 * watchdog_ms too.  Built in, kp->name has the prefix.
		 */
		pr_err("%s%s%s=%u: 0 (off) or %u to %u\n",
		       kp->mod ? module_name(kp->mod) : "",
		       kp->mod ? "." : "", kp->name, ms,
		       HVL_WATCHDOG_MIN_MS, HVL_WATCHDOG_MAX_MS);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

/* A watchdog time in milliseconds: 0 (off) or HVL_WATCHDOG_MIN/MAX_MS. */
const struct kernel_param_ops hvl_watchdog_param_ops = {
	.set = watchdog_param_set,
	.get = param_get_uint,
};
EXPORT_SYMBOL_GPL(hvl_watchdog_param_ops);

/* For windows without "hvl,peer-watchdog-ms"; read at every tick. */
static unsigned int peer_watchdog_ms;
module_param_cb(peer_watchdog_ms, &hvl_watchdog_param_ops, &peer_watchdog_ms,
		0644);
MODULE_PARM_DESC(peer_watchdog_ms,
		 "reset the devices when peer_beat and doorbells stop for this long, once peer_beat was seen moving; 0 off (default), else 1000 to 3600000; \"hvl,peer-watchdog-ms\" overrides");

/**
 * hvl_watchdog_read() - read a watchdog time from the device tree
 * @dev: the device, for messages
 * @name: the property of @dev's node
 * @ms: the time; U32_MAX if the property is absent (the caller's module
 *	parameter applies)
 *
 * Return: 0, or -EINVAL after a message naming the property.
 */
int hvl_watchdog_read(struct device *dev, const char *name, u32 *ms)
{
	int ret = hvl_of_read_u32(dev->of_node, name, ms);

	if (ret == -EINVAL ||
	    (!ret && *ms && (*ms < HVL_WATCHDOG_MIN_MS ||
			     *ms > HVL_WATCHDOG_MAX_MS)))
		return dev_err_probe(dev, -EINVAL,
				     "\"%s\" must be one 32-bit cell, 0 (off) or %u to %u\n",
				     name, HVL_WATCHDOG_MIN_MS,
				     HVL_WATCHDOG_MAX_MS);
	if (ret)
		*ms = U32_MAX;
	return 0;
}
EXPORT_SYMBOL_GPL(hvl_watchdog_read);

/* The watchdog time in force for @win, 0 when off. */
u32 hvl_liveness_limit(const struct hvl_window *win)
{
	return hvl_watchdog_limit(win->peer_wd_ms, &peer_watchdog_ms);
}

/*
 * The peer is dead: reset every device as the peer's own reset would
 * (the backends free its connections, fids and frames), then move
 * host_gen, so that a peer that was only slow rescans and starts its
 * devices again rather than drive devices reset under it.  A work item
 * of its own, not the beat's: a reset may take long (9P may free a large
 * unlinked file, the last fid of it gone), and host_beat must go on
 * meanwhile, or a peer that was only slow would take us for dead in
 * turn.
 */
static void peer_lost(struct work_struct *work)
{
	struct hvl_window *win = container_of(work, struct hvl_window,
					      peer_lost);
	/* Pairs with the release in add_children(): devs[i] is set up. */
	unsigned int i, n = smp_load_acquire(&win->nr_devs);

	for (i = 0; i < n; i++) {
		struct hvl_core_dev *cd = win->devs[i];

		mutex_lock(&cd->lock);
		if (cd->hdev.status) {
			hvl_txn_reset(cd);
			hvl_txn_publish(cd);
		}
		mutex_unlock(&cd->lock);
	}
	mutex_lock(&win->table_lock);
	hvl_hdr_put(&win->hdr->host_gen, hvl_hdr_get(&win->hdr->host_gen) + 1);
	mutex_unlock(&win->table_lock);
	hvl_window_ring(win);
}

/* One tick of the watch on the peer: beat() calls it. */
static void watch_peer(struct hvl_window *win)
{
	const struct hvl_win_hdr *h = win->hdr;
	unsigned int ms = jiffies_to_msecs(jiffies - win->peer_wd_tick);
	u32 state = hvl_hdr_get(&h->peer_state);
	u32 gen = hvl_hdr_get(&h->peer_gen);
	u32 beat = hvl_hdr_get(&h->peer_beat);
	s64 life;

	win->peer_wd_tick = jiffies;
	/* Given up for dead: nothing more to do until it moves. */
	if (win->peer_dead) {
		if (gen == win->peer_wd.gen && beat == win->peer_wd.beat)
			return;
		WRITE_ONCE(win->peer_dead, false);
		dev_info(win->dev, "peer %s (peer_gen %u, peer_beat %u): watched again\n",
			 gen == win->peer_wd.gen ? "beats again" : "restarted",
			 gen, beat);
	}
	/*
	 * Signs of life besides the beat: its doorbells, and what it did
	 * on the devices, which also moves when it does not ring (polling,
	 * or a ring we never stopped reading).
	 */
	life = hvl_bus_activity(win);
	if (!win->db.poll_period)
		life += atomic64_read(&win->db.received);
	if (!hvl_wd_tick(&win->peer_wd, state == HVL_STATE_READY, gen, beat,
			 life, ms, hvl_liveness_limit(win)))
		return;
	WRITE_ONCE(win->peer_dead, true);
	WRITE_ONCE(win->peer_silences, win->peer_silences + 1);
	/* At most one a second: each takes a silence of that long. */
	dev_err(win->dev, "peer silent for %u ms (peer_beat %u, peer_state READY): its devices are reset, what they held is freed, host_gen tells it to start again\n",
		win->peer_wd.silent_ms, beat);
	queue_work(win->wq, &win->peer_lost);
}

static void beat(struct work_struct *work)
{
	struct hvl_window *win = container_of(to_delayed_work(work),
					      struct hvl_window, beat);

	/* A frozen window is a hung device side: it neither beats nor watches. */
	if (!READ_ONCE(win->frozen)) {
		hvl_hdr_put(&win->hdr->host_beat,
			    hvl_hdr_get(&win->hdr->host_beat) + 1);
		watch_peer(win);
	}
	queue_delayed_work(win->wq, &win->beat, msecs_to_jiffies(BEAT_MS));
}

/**
 * hvl_liveness_init() - read the window's watchdog time, before the beat
 * @win: the window
 *
 * Return: 0, or -EINVAL after a message.
 */
int hvl_liveness_init(struct hvl_window *win)
{
	win->peer_wd = (struct hvl_wd)HVL_WD_INIT(BEAT_MS);
	win->peer_wd_tick = jiffies;
	INIT_DELAYED_WORK(&win->beat, beat);
	INIT_WORK(&win->peer_lost, peer_lost);
	return hvl_watchdog_read(win->dev, "hvl,peer-watchdog-ms",
				 &win->peer_wd_ms);
}

/* Once the window is READY. */
void hvl_liveness_start(struct hvl_window *win)
{
	queue_delayed_work(win->wq, &win->beat, msecs_to_jiffies(BEAT_MS));
}

void hvl_liveness_stop(struct hvl_window *win)
{
	/* The beat queues peer_lost: it goes first. */
	cancel_delayed_work_sync(&win->beat);
	cancel_work_sync(&win->peer_lost);
}

/**
 * hvl_window_freeze() - testing: stop or resume serving the window
 * @win: the window
 * @frozen: true to stop
 *
 * Frozen, the window looks like a device side that hung with its state
 * still READY: doorbells and polls are ignored, the devices' work items
 * return at once (a run already under way completes) and host_beat
 * stands still.  Nothing is lost: resuming runs every device's work
 * item.  For tests of the driver side's watchdog only (debugfs).
 */
void hvl_window_freeze(struct hvl_window *win, bool frozen)
{
	WRITE_ONCE(win->frozen, frozen);
	dev_info(win->dev, "%s (testing)\n", frozen ? "frozen" : "resumed");
	/*
	 * Every device, not only those the peer did something for: the
	 * work items returned at once for the backends' own kicks too (a
	 * 9P worker's reply, tty output), which left nothing in the window
	 * for hvl_bus_peer_news() to see.
	 */
	if (!frozen)
		hvl_bus_run_all(win);
}
EXPORT_SYMBOL_IF_KUNIT(hvl_window_freeze);

/**
 * hvl_window_beat_once() - testing: one beat from a frozen window
 * @win: the window, frozen (beat() then leaves host_beat alone)
 *
 * A device side that beats once and hangs again ("beat, stop, beat, stop"):
 * host_beat moves once, nothing else is served.  For tests of the driver
 * side's watchdog only (debugfs "freeze" 2).
 */
void hvl_window_beat_once(struct hvl_window *win)
{
	hvl_hdr_put(&win->hdr->host_beat,
		    hvl_hdr_get(&win->hdr->host_beat) + 1);
	dev_info(win->dev, "one beat, still frozen (testing)\n");
}
