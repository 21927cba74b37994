/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl_front's watchdog rule, on its own so that a KUnit suite
 * (drivers/hvl/tests/front_wd_kunit.c) can play it tick by tick.
 *
 * The device side is dead when, for the watchdog time, host_beat stood
 * still and no doorbell came from it: with doorbells, a device side too
 * busy to beat on time still rings as it serves (polling gives no such
 * sign).  Only a beat that stops counts: until host_beat has moved in
 * this host_gen nothing is watched, so a device side that never beats
 * (version 1 allowed it) is never declared dead.  A beat seen while the
 * devices were not registered counts too: it is the beat that brings
 * them back after the watchdog removed them, and a device side that
 * beats once and stops again must not keep them for ever.  Silence is
 * counted only with the devices registered, from their registration
 * on, in ticks, each for at most two periods: when
 * the driver side did not run for a while (the instance was stopped, a
 * hypervisor descheduled it) the device side may not have run either,
 * and that is no proof of its death.
 */
#ifndef _HVL_FRONT_WATCHDOG_H
#define _HVL_FRONT_WATCHDOG_H

#include <linux/minmax.h>
#include <linux/types.h>

/* Period of the ticks, milliseconds. */
#define HVL_FRONT_WATCH_MS	100

struct hvl_front_wd {
	bool seen;			/* @gen and @beat hold a tick's values */
	bool armed;			/* host_beat moved in @gen */
	bool online;			/* devices registered at the last tick */
	u32 gen;			/* host_gen of the state below */
	u32 beat;			/* host_beat at the last tick */
	s64 rx;				/* doorbells received, ditto */
	unsigned int silent_ms;		/* counted silence */
};

/**
 * hvl_front_wd_tick() - one tick of the watchdog
 * @wd: its state, zeroed at first
 * @online: the devices are registered
 * @gen: the host_gen they belong to
 * @beat: host_beat now
 * @rx: doorbells received from the device side so far (0 when polling)
 * @ms: milliseconds since the previous tick
 * @limit: the watchdog time, milliseconds; 0: off
 *
 * Return: true once the silence reaches @limit: the device side is dead.
 * The caller stops ticking (or takes the devices offline) after that.
 */
static inline bool hvl_front_wd_tick(struct hvl_front_wd *wd, bool online,
				     u32 gen, u32 beat, s64 rx,
				     unsigned int ms, u32 limit)
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
	wd->silent_ms += min(ms, 2 * HVL_FRONT_WATCH_MS);
	return wd->silent_ms >= limit;
}

#endif /* _HVL_FRONT_WATCHDOG_H */
