// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit: device-tree validation of a window (core/window.c) and the
 * address translation every peer-supplied address goes through
 * (core/xlate.c).  The property readers are thin; what can go wrong is
 * in the values, and that is what these validators see.  The integration
 * test 10-dt-errors boots real malformed nodes.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <kunit/visibility.h>

#include "../core/core.h"

static struct device *test_dev(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "hvl-dt-kunit");

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	return dev;
}

struct child_case {
	const char *name;
	u32 offset, size;
	int ret;
};

static const u32 taken[] = { 0x1000, 0x1000, 0x4000, 0x2000 };

static const struct child_case child_cases[] = {
	{ "good", 0x2000, 0x1000, 0 },
	{ "good, ends at region end", 0xf000, 0x1000, 0 },
	{ "overlaps header page", 0x0, 0x1000, -EINVAL },
	{ "not 4 KiB aligned", 0x2800, 0x1000, -EINVAL },
	{ "smaller than a page", 0x2000, 0x800, -EINVAL },
	{ "beyond region", 0xf000, 0x2000, -EINVAL },
	{ "u32 wrap", 0xfffff000, 0x2000, -EINVAL },
	{ "overlaps first", 0x1000, 0x1000, -EINVAL },
	{ "overlaps second's tail", 0x5000, 0x1000, -EINVAL },
	{ "covers a neighbour", 0x3000, 0x4000, -EINVAL },
};

static void child_desc(const struct child_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(child, child_cases, child_desc);

static void check_child(struct kunit *test)
{
	const struct child_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, hvl_window_check_child(test_dev(test), NULL,
						     0x10000, c->offset,
						     c->size, taken, 2),
			c->ret);
}

static void check_queues(struct kunit *test)
{
	struct device *dev = test_dev(test);
	const u32 good[] = { 1, 256, HVL_QUEUE_MAX };
	const u32 not_pow2[] = { 64, 100 };
	const u32 zero[] = { 0 };
	const u32 too_big[] = { 2 * HVL_QUEUE_MAX };
	u16 sizes[HVL_MAX_QUEUES];

	KUNIT_EXPECT_EQ(test, hvl_window_check_queues(dev, NULL, good, 3, 8, sizes), 3);
	KUNIT_EXPECT_EQ(test, sizes[0], 1);
	KUNIT_EXPECT_EQ(test, sizes[1], 256);
	KUNIT_EXPECT_EQ(test, sizes[2], HVL_QUEUE_MAX);
	KUNIT_EXPECT_EQ(test, hvl_window_check_queues(dev, NULL, not_pow2, 2, 8, sizes), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_window_check_queues(dev, NULL, zero, 1, 8, sizes), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_window_check_queues(dev, NULL, too_big, 1, 8, sizes), -EINVAL);
	/* Missing property (-EINVAL from the reader), empty, too many. */
	KUNIT_EXPECT_EQ(test, hvl_window_check_queues(dev, NULL, good, -EINVAL, 8, sizes), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_window_check_queues(dev, NULL, good, 0, 8, sizes), -EINVAL);
	KUNIT_EXPECT_EQ(test, hvl_window_check_queues(dev, NULL, good, 3, 2, sizes), -EINVAL);
}

static void check_regions(struct kunit *test)
{
	struct device *dev = test_dev(test);
	struct hvl_region r[3] = {
		{ .bus = 0x1000, .size = 0x1000 },
		{ .bus = 0x2000, .size = 0x1000 },	/* adjacent: fine */
		{ .bus = 0x8000, .size = 0x1000 },
	};

	KUNIT_EXPECT_EQ(test, hvl_window_check_regions(dev, r, 3), 0);
	r[2].bus = 0x2fff;
	KUNIT_EXPECT_EQ(test, hvl_window_check_regions(dev, r, 3), -EINVAL);
	r[2].bus = 0;
	r[2].size = 0x1001;
	KUNIT_EXPECT_EQ(test, hvl_window_check_regions(dev, r, 3), -EINVAL);
	r[2].bus = ~0ULL - 0xfff;
	r[2].size = 0x1000;			/* ends at 2^64 - 1: fine */
	KUNIT_EXPECT_EQ(test, hvl_window_check_regions(dev, r, 3), 0);
	r[2].size = 0x1001;			/* wraps */
	KUNIT_EXPECT_EQ(test, hvl_window_check_regions(dev, r, 3), -EINVAL);
	r[2].size = 0;
	KUNIT_EXPECT_EQ(test, hvl_window_check_regions(dev, r, 3), -EINVAL);
}

static void xlate(struct kunit *test)
{
	static u8 a[64], b[64];
	struct hvl_region r[2] = {
		{ .bus = 0x1000, .size = sizeof(a), .va = a },
		{ .bus = 0x1000 + sizeof(a), .size = sizeof(b), .va = b },
	};
	struct hvl_xlate x = { .nr = 2, .regions = r };

	KUNIT_EXPECT_PTR_EQ(test, hvl_xlate(&x, 0x1000, 64, 1), (void *)a);
	KUNIT_EXPECT_PTR_EQ(test, hvl_xlate(&x, 0x1010, 16, 16), (void *)&a[16]);
	KUNIT_EXPECT_PTR_EQ(test, hvl_xlate(&x, 0x1040, 64, 1), (void *)b);
	/* Straddling two regions, even adjacent ones, is refused. */
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, 0x1030, 32, 1));
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, 0x1000, 65, 1));
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, 0xfff, 1, 1));
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, 0x1080, 1, 1));
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, 0x1008, 8, 16));
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, ~0ULL - 4, 16, 1));
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, 0x1000, ~0ULL, 1));
	KUNIT_EXPECT_NULL(test, hvl_xlate(&x, 0x1001, ~0ULL, 1));
}

/* A reserved-memory region must not run past the top of the address space. */
static void rmem_wraps(struct kunit *test)
{
	const phys_addr_t top = ~(phys_addr_t)0;

	KUNIT_EXPECT_FALSE(test, hvl_rmem_wraps(0x31400000, 0x10000));
	KUNIT_EXPECT_FALSE(test, hvl_rmem_wraps(top - 0xfff, 0x1000));
	KUNIT_EXPECT_FALSE(test, hvl_rmem_wraps(top, 1));
	KUNIT_EXPECT_FALSE(test, hvl_rmem_wraps(0, top));
	KUNIT_EXPECT_TRUE(test, hvl_rmem_wraps(top - 0xfff, 0x2000));
	KUNIT_EXPECT_TRUE(test, hvl_rmem_wraps(top, 2));
	KUNIT_EXPECT_TRUE(test, hvl_rmem_wraps(2, top));
}

static struct kunit_case dt_cases[] = {
	KUNIT_CASE_PARAM(check_child, child_gen_params),
	KUNIT_CASE(check_queues),
	KUNIT_CASE(check_regions),
	KUNIT_CASE(xlate),
	KUNIT_CASE(rmem_wraps),
	{}
};

static struct kunit_suite dt_suite = {
	.name = "hvl_window",
	.test_cases = dt_cases,
};

kunit_test_suite(dt_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for hvl window validation and translation");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
