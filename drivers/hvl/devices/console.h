/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * hvl_console internals shared with its KUnit suite: the device's poll
 * on rings the suite lays out, the driver for the suite to bind
 * through the core, and probe()/remove() with a tty device.
 */
#ifndef _HVL_CONSOLE_H
#define _HVL_CONSOLE_H

#include <linux/hvl.h>

#if IS_ENABLED(CONFIG_KUNIT)
bool hvl_console_poll(struct hvl_device *hdev, int budget);
int hvl_console_kunit_add(struct hvl_device *hdev);
void hvl_console_kunit_del(struct hvl_device *hdev);
size_t hvl_console_kunit_input(struct hvl_device *hdev, const u8 *buf,
			       size_t len);
struct hvl_driver *hvl_console_kunit_driver(void);
u64 hvl_console_kunit_taken(struct hvl_device *hdev);
int hvl_console_kunit_probe(struct hvl_device *hdev, struct device *parent,
			    dev_t *devt);
void hvl_console_kunit_remove(struct hvl_device *hdev);
#endif

#endif /* _HVL_CONSOLE_H */
