// SPDX-License-Identifier: GPL-2.0-only
/*
 * overlay=<file>: the hvl nodes of a board whose base device tree does not
 * have them, applied when hvl_core loads and removed when it unloads.
 *
 * The file is a compiled overlay (.dtbo) read with request_firmware(), so
 * from /lib/firmware.  It may only add nodes: not change or add a property
 * of a node the live tree has, nor add anything in or under an existing
 * window or front-end.  A window that is bound keeps running on the values
 * it probed with, so a changed property would show in /proc/device-tree
 * and be in effect nowhere, and a property added to a base node (status =
 * "okay" on a disabled window) would bring up devices no check sees: the
 * parameter is there for hvl's nodes, not as a general overlay loader.
 * Nor can it add shared memory: reserved-memory is carved out of the page
 * allocator at boot and an overlay cannot add it afterwards, so the base
 * tree must already reserve the regions the overlay's nodes name.
 *
 * Loading fails, with nothing left applied, when the file cannot be read,
 * is not an overlay, targets a node the live tree lacks, does more than add
 * nodes, or adds a window, at any depth, that does not bind: hvl_core's
 * probe has then said which property is wrong.  A half-working board is
 * worse than a module that refuses to load: the peer would find some
 * devices and wait for the others.
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

static bool is_hvl_node(const struct device_node *np)
{
	return of_device_is_compatible(np, "hvl,virtio-backend") ||
	       of_device_is_compatible(np, "hvl,virtio-frontend");
}

/* The child of @parent (live) that overlay node @ov merges into, if any. */
static struct device_node *live_child(struct device_node *parent,
				      const struct device_node *ov)
{
	for_each_child_of_node_scoped(parent, np)
		if (!of_node_cmp(kbasename(np->full_name),
				 kbasename(ov->full_name)))
			return of_node_get(np);
	return NULL;
}

/*
 * May @ov be merged into @np, a node of the live tree?  Only if it brings
 * new nodes and nothing else: none of its properties (the overlay's own
 * "name" and phandles are not applied to live nodes), and nothing in an hvl
 * node.  Its children that exist already are held to the same rule.
 */
static int check_merge(struct device_node *np, struct device_node *ov)
{
	struct property *pp;
	int ret = 0;

	for_each_property_of_node(ov, pp) {
		if (!of_prop_cmp(pp->name, "name") ||
		    !of_prop_cmp(pp->name, "phandle") ||
		    !of_prop_cmp(pp->name, "linux,phandle"))
			continue;
		pr_err("overlay %s: %pOF: would set property \"%s\" of a node of the live tree: an overlay may only add nodes\n",
		       overlay, np, pp->name);
		return -EINVAL;
	}
	if (is_hvl_node(np)) {
		pr_err("overlay %s: %pOF: would add to an hvl window or front-end of the live tree, which does not see what is added after its probe\n",
		       overlay, np);
		return -EINVAL;
	}
	for_each_child_of_node_scoped(ov, oc) {
		struct device_node *nc = live_child(np, oc);

		if (nc)
			ret = check_merge(nc, oc);
		of_node_put(nc);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Before anything is applied, for each fragment in turn: its target is a
 * live node.  Fragment /__symbols__ only adds the overlay's labels, which
 * name its own nodes.
 */
static int pre_apply(struct of_overlay_notify_data *nd)
{
	struct device_node *np;

	if (of_node_name_eq(nd->target, "__symbols__") &&
	    of_node_is_root(nd->target->parent))
		return 0;
	for (np = of_get_parent(nd->target); np; np = of_get_next_parent(np)) {
		if (is_hvl_node(np)) {
			pr_err("overlay %s: %pOF: would change a node inside the hvl window or front-end %pOF\n",
			       overlay, nd->target, np);
			of_node_put(np);
			return -EINVAL;
		}
	}
	return check_merge(nd->target, nd->overlay);
}

static bool window_bound(struct device_node *np)
{
	struct platform_device *pdev = of_find_device_by_node(np);
	bool bound;

	bound = pdev && device_is_bound(&pdev->dev) &&
		pdev->dev.driver == &hvl_window_driver.driver;
	platform_device_put(pdev);
	return bound;
}

static int not_bound(const struct device_node *np)
{
	pr_err("overlay %s: window %pOF did not bind: invalid (see the error above), waiting for a supplier (is its mailbox driver loaded?) or on a bus that is not populated\n",
	       overlay, np);
	return -EINVAL;
}

/*
 * Every window that the children of @ov (an overlay node merged into @np,
 * a live node) added, at any depth, must have bound.  Disabled nodes are
 * skipped with what they contain: nothing creates their devices.
 * Front-ends are left to hvl_front, which cannot be loaded yet (it needs
 * hvl_core) and reports their errors when it probes them.
 */
static int check_added(struct device_node *np, struct device_node *ov)
{
	int ret = 0;

	for_each_child_of_node_scoped(ov, oc) {
		struct device_node *nc = live_child(np, oc);
		int r = 0;

		if (nc && of_device_is_available(nc)) {
			if (!of_device_is_compatible(nc, "hvl,virtio-backend"))
				r = check_added(nc, oc);
			else if (!window_bound(nc))
				r = not_bound(nc);
		}
		of_node_put(nc);
		if (r)
			ret = r;
	}
	return ret;
}

/*
 * Pre-apply refuses what an overlay may not do, before anything is
 * applied.  Post-apply comes after the changeset and its notifications:
 * the platform devices of the new nodes exist and have been probed (our
 * driver is registered, and probes synchronously), so a window that is
 * not bound now failed its probe or waits for a supplier.  An error makes
 * of_overlay_fdt_apply() fail; the caller removes the overlay.
 */
static int overlay_event(struct notifier_block *nb, unsigned long action,
			 void *arg)
{
	struct of_overlay_notify_data *nd = arg;
	int ret;

	if (current != applier)
		return NOTIFY_DONE;
	if (action == OF_OVERLAY_PRE_APPLY)
		ret = pre_apply(nd);
	else if (action == OF_OVERLAY_POST_APPLY)
		ret = check_added(nd->target, nd->overlay);
	else
		return NOTIFY_DONE;
	return notifier_from_errno(ret);
}

static struct notifier_block overlay_nb = {
	.notifier_call = overlay_event,
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
	/*
	 * Without these the calls below are stubs that fail with -ENOTSUPP
	 * or -EINVAL, which says nothing of what the kernel lacks.
	 */
	if (!IS_ENABLED(CONFIG_OF_OVERLAY) || !IS_REACHABLE(CONFIG_FW_LOADER)) {
		pr_err("overlay %s: not applied: the kernel has no %s\n",
		       overlay, IS_ENABLED(CONFIG_OF_OVERLAY) ?
		       "CONFIG_FW_LOADER (built in, or a module when hvl_core is)" :
		       "CONFIG_OF_OVERLAY");
		return -EOPNOTSUPP;
	}

	/* Our own message names the file; the loader's would not. */
	ret = firmware_request_nowarn(&fw, overlay, NULL);
	if (ret) {
		pr_err("overlay %s: not applied: cannot read /lib/firmware/%s: %pe\n",
		       overlay, overlay, ERR_PTR(ret));
		return ret;
	}

	ret = of_overlay_notifier_register(&overlay_nb);
	if (ret)
		goto err_release;
	applier = current;
	/* The blob is copied: the firmware can go right after. */
	ret = of_overlay_fdt_apply(fw->data, fw->size, &id, NULL);
	applier = NULL;
	of_overlay_notifier_unregister(&overlay_nb);
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
