/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The liveness rule of an hvl window (Documentation/hvl/protocol.rst,
 * Liveness), the same for both sides: hvl_front watches the device
 * side's host_beat, hvl_core the driver side's peer_beat.  A header of
 * its own so that a KUnit suite (drivers/hvl/tests/wd_kunit.c) can play
 * it tick by tick.
 *
 * The other side is dead when, for the watchdog time, its beat stood
 * still and no doorbell came from it: with doorbells, a side too busy
 * to beat on time still rings as it serves (polling gives no such
 * sign).  Only a beat that stops counts: until the beat has moved in
 * this generation (host_gen, peer_gen) nothing is watched, so a side
 * that never beats (version 1 allowed it) is never declared dead.  A
 * beat seen while the other side was not online counts too: it is the
 * beat that brings it back after the watchdog gave it up, and a side
 * that beats once and stops again must not be kept for ever.  Silence
 * is counted only while the other side is online (for hvl_front: its
 * devices registered; for hvl_core: peer_state READY), from then on,
 * in ticks, each for at most two periods: when the watching side did
 * not run for a while (the instance was stopped, a hypervisor
 * descheduled it) the other side may not have run either, and that is
 * no proof of its death.
 */
#ifndef _HVL_WATCHDOG_H
#define _HVL_WATCHDOG_H

#include <linux/compiler.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/moduleparam.h>
#include <linux/types.h>

struct device;

/*
 * Watchdog times, milliseconds.  Each side promises a beat at least every
 * 500 ms (protocol.rst, Liveness); twice that is the least silence taken
 * for death.
 */
#define HVL_WATCHDOG_MIN_MS	1000
#define HVL_WATCHDOG_MAX_MS	3600000

/* hvl_core (core/liveness.c): a module parameter, and a DT property. */
extern const struct kernel_param_ops hvl_watchdog_param_ops;
int hvl_watchdog_read(struct device *dev, const char *name, u32 *ms);

/*
 * The time in force, 0 when off: @dt_ms from hvl_watchdog_read(), or the
 * module parameter @param_ms where the device tree said nothing (read
 * each time: the parameter is writable at run time).
 */
static inline u32 hvl_watchdog_limit(u32 dt_ms, const u32 *param_ms)
{
	return dt_ms == U32_MAX ? READ_ONCE(*param_ms) : dt_ms;
}

/* A watchdog that ticks every @period milliseconds. */
#define HVL_WD_INIT(period)	{ .period_ms = (period) }

struct hvl_wd {
	unsigned int period_ms;		/* of the ticks, set at first */
	bool seen;			/* @gen and @beat hold a tick's values */
	bool armed;			/* the beat moved in @gen */
	bool online;			/* the other side, at the last tick */
	u32 gen;			/* its generation, ditto */
	u32 beat;			/* its beat, ditto */
	s64 rx;				/* doorbells received, ditto */
	unsigned int silent_ms;		/* counted silence */
};

/**
 * hvl_wd_tick() - one tick of the watchdog
 * @wd: its state, HVL_WD_INIT() at first
 * @online: the other side is online (see the top of this file)
 * @gen: its generation now
 * @beat: its beat now
 * @rx: doorbells received from it so far (0 when polling)
 * @ms: milliseconds since the previous tick
 * @limit: the watchdog time, milliseconds; 0: off
 *
 * Return: true once the silence reaches @limit: the other side is dead.
 * The caller stops ticking (or takes it offline) after that.
 */
static inline bool hvl_wd_tick(struct hvl_wd *wd, bool online, u32 gen,
			       u32 beat, s64 rx, unsigned int ms, u32 limit)
{
	if (!online || !wd->online || gen != wd->gen || beat != wd->beat ||
	    rx != wd->rx) {
		wd->armed = wd->seen && gen == wd->gen &&
			    (wd->armed || beat != wd->beat);
		wd->seen = true;
		wd->online = online;
		wd->gen = gen;
		wd->beat = beat;
		wd->rx = rx;
		wd->silent_ms = 0;
		return false;
	}
	if (!wd->armed || !limit)
		return false;
	wd->silent_ms += min(ms, 2 * wd->period_ms);
	return wd->silent_ms >= limit;
}

#endif /* _HVL_WATCHDOG_H */
