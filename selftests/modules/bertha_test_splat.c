// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_test_splat: deliberately misbehaves when loaded, so the runner's
 * own selftest can prove that a kernel splat turns a run red.
 *   what=warn  WARN()           what=bug   a NULL dereference (an oops)
 *   what=leak  leak 128 bytes, found by kmemleak on the debug lane
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *what = "warn";
module_param(what, charp, 0444);
MODULE_PARM_DESC(what, "warn, bug or leak");

static int __init splat_init(void)
{
	int *null_target = NULL;
	void *leaked;

	if (!strcmp(what, "warn")) {
		WARN(1, "bertha_test_splat: deliberate warning\n");
	} else if (!strcmp(what, "bug")) {
		/* hidden from the optimiser, which would drop a known-NULL store */
		OPTIMIZER_HIDE_VAR(null_target);
		WRITE_ONCE(*null_target, 1);
	} else if (!strcmp(what, "leak")) {
		leaked = kmalloc(128, GFP_KERNEL);
		pr_info("bertha_test_splat: leaking %p\n", leaked);
	} else {
		return -EINVAL;
	}
	return 0;
}

static void __exit splat_exit(void)
{
}

module_init(splat_init);
module_exit(splat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bertha selftest: trigger kernel splats on purpose");
