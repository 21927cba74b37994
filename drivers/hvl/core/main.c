// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvl_core: hypervisor-less virtio, device side.  Only init and exit live
 * here; see window.c for how devices come to exist and overlay.c for the
 * overlay= parameter.
 */
#include <linux/module.h>
#include <linux/platform_device.h>

#include "core.h"

static int __init hvl_init(void)
{
	int ret;

	ret = bus_register(&hvl_bus);
	if (ret)
		return ret;
	hvl_debugfs_init();
	ret = platform_driver_register(&hvl_window_driver);
	if (ret)
		goto err_bus;
	/* After the driver: the overlay's windows must probe as it applies. */
	ret = hvl_overlay_apply();
	if (ret)
		goto err_driver;
	return 0;

err_driver:
	platform_driver_unregister(&hvl_window_driver);
err_bus:
	hvl_debugfs_exit();
	bus_unregister(&hvl_bus);
	return ret;
}

static void __exit hvl_exit(void)
{
	/* Windows unbound first: the overlay's nodes then go with no user. */
	platform_driver_unregister(&hvl_window_driver);
	hvl_overlay_remove();
	hvl_debugfs_exit();
	bus_unregister(&hvl_bus);
}

module_init(hvl_init);
module_exit(hvl_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Hypervisor-less virtio: in-kernel backends over shared memory");
