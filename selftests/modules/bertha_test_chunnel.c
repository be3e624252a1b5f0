// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_test_chunnel: a module that offers a chunnel implementation
 * through bertha.ko's exported registry, for the selftests.
 *   type=, name=   what to register (default "test-echo"/"kernel")
 *   mode=ok        register once
 *   mode=dup       register the same type/name twice; the load fails with
 *                  the second registration's error
 *   mode=badscope  register with an out-of-range scope; the load fails
 */
#include <linux/module.h>
#include <linux/string.h>

#include <bertha/chunnel.h>

static char *type = "test-echo";
module_param(type, charp, 0444);
MODULE_PARM_DESC(type, "chunnel type to implement");

static char *name = "kernel";
module_param(name, charp, 0444);
MODULE_PARM_DESC(name, "implementation name");

static char *mode = "ok";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "ok, dup or badscope");

static struct bertha_chunnel_impl test_impl = {
	.priority	= 10,
	.scope		= BERTHA_SCOPE_HOST,
	.endpoints	= BERTHA_ENDPOINTS_BOTH,
	.owner		= THIS_MODULE,
};

static struct bertha_chunnel_impl test_dup;

static int __init test_chunnel_init(void)
{
	int err;

	test_impl.type = type;
	test_impl.name = name;
	if (!strcmp(mode, "badscope"))
		test_impl.scope = BERTHA_SCOPE_MAX + 1;
	err = bertha_chunnel_register(&test_impl);
	if (err || strcmp(mode, "dup"))
		return err;

	test_dup = test_impl;
	err = bertha_chunnel_register(&test_dup);
	bertha_chunnel_unregister(&test_impl);
	return err ? err : -EINVAL;
}

static void __exit test_chunnel_exit(void)
{
	bertha_chunnel_unregister(&test_impl);
}

module_init(test_chunnel_init);
module_exit(test_chunnel_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bertha selftest: register a chunnel implementation");
