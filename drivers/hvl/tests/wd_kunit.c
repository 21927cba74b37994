// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: the liveness rule of both sides (include/linux/hvl_watchdog.h),
 * tick by tick, as hvl_front plays it (host_beat, host_gen): a beat that
 * stops is death after the watchdog time, a device side that never beat
 * is never dead, doorbells from it are life, late ticks count for two
 * periods at most, a new host_gen starts afresh, and going offline
 * restarts the silence but not the arming: a device side that beats once
 * to get its devices back and stops again is caught.  hvl_core plays the
 * same function with peer_beat and peer_gen.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include <linux/hvl_watchdog.h>

/* hvl_front's period. */
#define P	100

/* @n ticks of @ms each with nothing moving: is the device side dead? */
static bool quiet(struct hvl_wd *wd, unsigned int n, unsigned int ms,
		  u32 limit)
{
	bool dead = false;

	while (n--)
		dead = hvl_wd_tick(wd, true, 1, wd->beat, wd->rx, ms, limit);
	return dead;
}

/* @n ticks offline with nothing moving: never dead. */
static bool quiet_offline(struct hvl_wd *wd, unsigned int n)
{
	bool dead = false;

	while (n--)
		dead |= hvl_wd_tick(wd, false, 1, wd->beat, wd->rx, P, 1000);
	return dead;
}

/* The same in host_gen 0. */
static bool quiet0(struct hvl_wd *wd, unsigned int n, unsigned int ms,
		   u32 limit)
{
	bool dead = false;

	while (n--)
		dead = hvl_wd_tick(wd, true, 0, wd->beat, wd->rx, ms, limit);
	return dead;
}

/* Online in generation 1, host_beat seen moving once: armed. */
static void arm(struct kunit *test, struct hvl_wd *wd)
{
	KUNIT_ASSERT_FALSE(test, hvl_wd_tick(wd, true, 1, 7, 0, P, 1000));
	KUNIT_ASSERT_FALSE(test, hvl_wd_tick(wd, true, 1, 8, 0, P, 1000));
	KUNIT_ASSERT_TRUE(test, wd->armed);
}

static void beat_stops(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	arm(test, &wd);
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 9, P, 1000));
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 1, P, 1000));
	KUNIT_EXPECT_EQ(test, wd.silent_ms, 1000);
}

static void beating_lives(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);
	u32 beat = 8;
	int i;

	arm(test, &wd);
	/* One beat every 900 ms, ticks every 100 ms: never 1000 of silence. */
	for (i = 0; i < 100; i++) {
		if (!(i % 9))
			beat++;
		KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 1, beat, 0, P,
						     1000));
	}
}

static void never_beat(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	/* host_beat 0 (or any value) that never moves: not watched. */
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 1, 0, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 1000, P, 1000));
	KUNIT_EXPECT_FALSE(test, wd.armed);
}

static void doorbells_are_life(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);
	s64 rx = 0;
	int i;

	arm(test, &wd);
	/* The beat is late, but the device side rings as it serves. */
	for (i = 0; i < 100; i++) {
		if (!(i % 5))
			rx++;
		KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 1, 8, rx, P,
						     1000));
	}
	/* And then it stops doing either. */
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 10, P, 1000));
}

static void late_ticks(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	arm(test, &wd);
	/* We did not run for 5 s: that counts as two periods. */
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 1, 5000, 1000));
	KUNIT_EXPECT_EQ(test, wd.silent_ms, 2 * P);
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 3, 5000, 1000));
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 1, 5000, 1000));
}

static void new_generation(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	arm(test, &wd);
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 9, P, 1000));
	/* The device side re-initialised: silence and arming start over. */
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 2, 8, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, wd.armed);
	KUNIT_EXPECT_EQ(test, wd.silent_ms, 0);
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 2, 8, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, wd.armed);
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 2, 9, 0, P, 1000));
	KUNIT_EXPECT_TRUE(test, wd.armed);
}

static void offline_resets(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	arm(test, &wd);
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 9, P, 1000));
	/* Offline, nothing is counted; the beat moved in this host_gen. */
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, false, 1, 8, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, quiet_offline(&wd, 100));
	KUNIT_EXPECT_EQ(test, wd.silent_ms, 0);
	KUNIT_EXPECT_TRUE(test, wd.armed);
	/* Back online: the silence counts from the registration. */
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 1, 8, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 9, P, 1000));
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 1, P, 1000));
}

/*
 * Removed by the watchdog, the devices come back when host_beat moves
 * again.  That beat was seen in this host_gen: they are watched from
 * their registration on, whether the device side beats after it or not
 * ("beat, stop, beat once, stop").
 */
static void back_after_one_beat(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	arm(test, &wd);
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 10, P, 1000));
	/* Removed; one beat (9) brings the devices back. */
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, false, 1, 8, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, false, 1, 9, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 1, 9, 0, P, 1000));
	KUNIT_EXPECT_TRUE(test, wd.armed);
	/* Silent again: dead after the watchdog time, counted from then. */
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 9, P, 1000));
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 1, P, 1000));

	/* The same when the beat that brings them back is seen online. */
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, false, 1, 9, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 1, 10, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 9, P, 1000));
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 1, P, 1000));
}

/* The first tick knows no earlier beat: host_gen 0 is not "the same". */
static void first_tick(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	KUNIT_EXPECT_FALSE(test, hvl_wd_tick(&wd, true, 0, 5, 0, P, 1000));
	KUNIT_EXPECT_FALSE(test, wd.armed);
	KUNIT_EXPECT_FALSE(test, quiet0(&wd, 100, P, 1000));
}

static void off(struct kunit *test)
{
	struct hvl_wd wd = HVL_WD_INIT(P);

	arm(test, &wd);
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 1000, P, 0));
	/* Switched on later: the silence counts from then. */
	KUNIT_EXPECT_FALSE(test, quiet(&wd, 9, P, 1000));
	KUNIT_EXPECT_TRUE(test, quiet(&wd, 1, P, 1000));
}

static struct kunit_case front_wd_cases[] = {
	KUNIT_CASE(beat_stops),
	KUNIT_CASE(beating_lives),
	KUNIT_CASE(never_beat),
	KUNIT_CASE(doorbells_are_life),
	KUNIT_CASE(late_ticks),
	KUNIT_CASE(new_generation),
	KUNIT_CASE(offline_resets),
	KUNIT_CASE(off),
	KUNIT_CASE(back_after_one_beat),
	KUNIT_CASE(first_tick),
	{}
};

static struct kunit_suite wd_suite = {
	.name = "hvl_watchdog",
	.test_cases = front_wd_cases,
};

kunit_test_suite(wd_suite);

MODULE_DESCRIPTION("KUnit tests for hvl_front's watchdog rule");
MODULE_LICENSE("GPL");
