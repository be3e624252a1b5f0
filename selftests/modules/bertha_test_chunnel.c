// SPDX-License-Identifier: GPL-2.0
/*
 * bertha_test_chunnel: a module that offers a chunnel implementation
 * through bertha.ko's exported registry, for the selftests.
 *   type=, name=   what to register (default "test-echo"/"kernel")
 *   mode=ok        register once
 *   mode=dup       register the same type/name twice; the load fails with
 *                  the second registration's error
 *   mode=badscope  register with an out-of-range scope; the load fails
 *   priority=, endpoints=one|both, scope=application|host|network
 *   xform=none|xor xor: the send op XORs every byte with 0x5a and the
 *                  receive op undoes it, so data only arrives intact when
 *                  both ends bound this implementation; "sent" and
 *                  "received" count the messages the ops saw, "live" the
 *                  connections between init and teardown
 *   this_netns=1   visible only in the network namespace insmod ran in
 */
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/string.h>
#include <net/net_namespace.h>

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

static uint priority = 10;
module_param(priority, uint, 0444);
MODULE_PARM_DESC(priority, "implementation priority");

static char *endpoints = "both";
module_param(endpoints, charp, 0444);
MODULE_PARM_DESC(endpoints, "one or both");

static char *scope = "host";
module_param(scope, charp, 0444);
MODULE_PARM_DESC(scope, "application, host or network");

static char *xform = "none";
module_param(xform, charp, 0444);
MODULE_PARM_DESC(xform, "none or xor");

static bool this_netns;
module_param(this_netns, bool, 0444);
MODULE_PARM_DESC(this_netns, "visible only in the loading netns");

static atomic_long_t sent, received, live;

static int test_counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(kp->arg));
}

static const struct kernel_param_ops test_counter_ops = {
	.get = test_counter_get,
};

module_param_cb(sent, &test_counter_ops, &sent, 0444);
MODULE_PARM_DESC(sent, "messages the send op transformed");
module_param_cb(received, &test_counter_ops, &received, 0444);
MODULE_PARM_DESC(received, "messages the receive op transformed");
module_param_cb(live, &test_counter_ops, &live, 0444);
MODULE_PARM_DESC(live, "connections initialised and not torn down");

static void test_xor(struct sk_buff *skb)
{
	unsigned int i;

	for (i = 0; i < skb->len; i++)
		skb->data[i] ^= 0x5a;
}

static int test_init(struct bertha_chunnel_conn *cc)
{
	atomic_long_inc(&live);
	return 0;
}

static void test_teardown(struct bertha_chunnel_conn *cc)
{
	atomic_long_dec(&live);
}

static int test_send(struct bertha_chunnel_conn *cc, struct sk_buff *skb)
{
	test_xor(skb);
	atomic_long_inc(&sent);
	return 0;
}

static int test_recv(struct bertha_chunnel_conn *cc, struct sk_buff *skb)
{
	/* Reassembled datagrams may be fragmented or shared: own the bytes. */
	if (skb_linearize(skb) || skb_ensure_writable(skb, skb->len))
		return -ENOMEM;
	test_xor(skb);
	atomic_long_inc(&received);
	return 0;
}

static const struct bertha_chunnel_ops test_counting_ops = {
	.init		= test_init,
	.teardown	= test_teardown,
};

static const struct bertha_chunnel_ops test_xor_ops = {
	.init		= test_init,
	.teardown	= test_teardown,
	.send		= test_send,
	.recv		= test_recv,
};

static struct bertha_chunnel_impl test_impl = {
	.owner		= THIS_MODULE,
};

static struct bertha_chunnel_impl test_dup;

static int test_parse_params(void)
{
	static const char *const scopes[] = {
		[BERTHA_SCOPE_ANY] = "any",
		[BERTHA_SCOPE_APPLICATION] = "application",
		[BERTHA_SCOPE_HOST] = "host",
		[BERTHA_SCOPE_NETWORK] = "network",
	};
	int i;

	test_impl.type = type;
	test_impl.name = name;
	test_impl.priority = priority;
	if (!strcmp(endpoints, "one"))
		test_impl.endpoints = BERTHA_ENDPOINTS_ONE;
	else if (!strcmp(endpoints, "both"))
		test_impl.endpoints = BERTHA_ENDPOINTS_BOTH;
	else
		return -EINVAL;
	i = match_string(scopes, ARRAY_SIZE(scopes), scope);
	if (i < 0)
		return i;
	test_impl.scope = i;
	if (!strcmp(mode, "badscope"))
		test_impl.scope = BERTHA_SCOPE_MAX + 1;
	if (!strcmp(xform, "xor"))
		test_impl.ops = &test_xor_ops;
	else if (!strcmp(xform, "none"))
		test_impl.ops = &test_counting_ops;
	else
		return -EINVAL;
	return 0;
}

static int __init test_chunnel_init(void)
{
	int err;

	err = test_parse_params();
	if (err)
		return err;
	if (this_netns)
		test_impl.net = get_net(current->nsproxy->net_ns);
	err = bertha_chunnel_register(&test_impl);
	if (err && test_impl.net)
		put_net(test_impl.net);
	if (err || strcmp(mode, "dup"))
		return err;

	test_dup = test_impl;
	err = bertha_chunnel_register(&test_dup);
	bertha_chunnel_unregister(&test_impl);
	if (test_impl.net)
		put_net(test_impl.net);
	return err ? err : -EINVAL;
}

static void __exit test_chunnel_exit(void)
{
	bertha_chunnel_unregister(&test_impl);
	if (test_impl.net)
		put_net(test_impl.net);
}

module_init(test_chunnel_init);
module_exit(test_chunnel_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bertha selftest: register a chunnel implementation");
