// SPDX-License-Identifier: GPL-2.0-only
/*
 * overlay=<file>: the hvl nodes of a board whose base device tree does not
 * have them, applied when hvl_core loads and removed when it unloads.
 *
 * The file is a compiled overlay (.dtbo) read with request_firmware(), so
 * from /lib/firmware.  It may add windows, front-ends and anything else,
 * but not shared memory: reserved-memory is carved out of the page
 * allocator at boot and an overlay cannot add it afterwards, so the base
 * tree must already reserve the regions the overlay's nodes name.
 *
 * Loading fails, with nothing left applied, when the file cannot be read,
 * is not an overlay, targets a node the live tree lacks, or adds a window
 * that does not bind: hvl_core's probe has then said which property is
 * wrong.  A half-working board is worse than a module that refuses to
 * load: the peer would find some devices and wait for the others.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/firmware.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/sched.h>

#include "core.h"

static char *overlay;
module_param(overlay, charp, 0444);
MODULE_PARM_DESC(overlay,
		 "device-tree overlay (.dtbo, a path under /lib/firmware) applied at load, removed at unload");

/* The applied overlay's changeset, 0 for none. */
static int ovcs_id;

/*
 * The task applying our overlay: the overlay notifier chain is global, and
 * another driver's overlay is none of our business.
 */
static struct task_struct *applier;

/* Has the window that @ov (an overlay node) added under @target bound? */
static bool window_bound(struct device_node *target, struct device_node *ov)
{
	struct platform_device *pdev = NULL;
	bool bound;

	for_each_child_of_node_scoped(target, np) {
		if (!strcmp(kbasename(np->full_name), kbasename(ov->full_name))) {
			pdev = of_find_device_by_node(np);
			break;
		}
	}
	bound = pdev && device_is_bound(&pdev->dev) &&
		pdev->dev.driver == &hvl_window_driver.driver;
	platform_device_put(pdev);
	return bound;
}

/*
 * After the changeset and its notifications: the platform devices of the
 * new nodes exist and have been probed (our driver is registered), so a
 * window that is not bound now failed its probe or waits for a supplier.
 * An error here makes of_overlay_fdt_apply() fail; the caller removes the
 * overlay.
 */
static int post_apply(struct notifier_block *nb, unsigned long action,
		      void *arg)
{
	struct of_overlay_notify_data *nd = arg;
	int ret = 0;

	if (action != OF_OVERLAY_POST_APPLY || current != applier)
		return NOTIFY_DONE;

	for_each_available_child_of_node_scoped(nd->overlay, ov) {
		if (!of_device_is_compatible(ov, "hvl,virtio-backend") ||
		    window_bound(nd->target, ov))
			continue;
		pr_err("overlay %s: window %pOF/%s did not bind: invalid (see the error above) or waiting for a supplier (is its mailbox driver loaded?)\n",
		       overlay, nd->target, kbasename(ov->full_name));
		ret = -EINVAL;
	}
	return notifier_from_errno(ret);
}

static struct notifier_block post_apply_nb = {
	.notifier_call = post_apply,
};

/**
 * hvl_overlay_apply() - apply the overlay= file, if any
 *
 * Called from module init, after the window driver is registered, so that
 * the overlay's windows probe while it is applied.
 *
 * Return: 0, or a negative errno with nothing applied.
 */
int hvl_overlay_apply(void)
{
	const struct firmware *fw;
	int ret, id = 0;

	if (!overlay || !*overlay)
		return 0;

	/* Our own message names the file; the loader's would not. */
	ret = firmware_request_nowarn(&fw, overlay, NULL);
	if (ret) {
		pr_err("overlay %s: not applied: cannot read /lib/firmware/%s: %pe\n",
		       overlay, overlay, ERR_PTR(ret));
		return ret;
	}

	ret = of_overlay_notifier_register(&post_apply_nb);
	if (ret)
		goto err_release;
	applier = current;
	/* The blob is copied: the firmware can go right after. */
	ret = of_overlay_fdt_apply(fw->data, fw->size, &id, NULL);
	applier = NULL;
	of_overlay_notifier_unregister(&post_apply_nb);
	if (ret)
		goto err_remove;
	release_firmware(fw);

	ovcs_id = id;
	pr_info("overlay %s applied\n", overlay);
	return 0;

err_remove:
	/* A changeset that failed part way is still registered. */
	if (id)
		of_overlay_remove(&id);
err_release:
	release_firmware(fw);
	pr_err("overlay %s: not applied: %pe\n", overlay, ERR_PTR(ret));
	return ret;
}

/**
 * hvl_overlay_remove() - remove what hvl_overlay_apply() applied
 *
 * Called from module exit after the window driver is unregistered, so the
 * overlay's windows are already unbound; removing the nodes then destroys
 * the platform devices the overlay created.
 */
void hvl_overlay_remove(void)
{
	int ret;

	if (!ovcs_id)
		return;
	ret = of_overlay_remove(&ovcs_id);
	if (ret)
		pr_err("overlay %s: cannot remove it: %pe\n", overlay,
		       ERR_PTR(ret));
}
