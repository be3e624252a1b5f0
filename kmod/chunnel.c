// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of chunnel implementations. bertha.ko registers its own
 * fallbacks; other modules register theirs through the exported API. A
 * chunnel type exists while at least one implementation of it is
 * registered, and only then do DAGs that name it validate.
 *
 * Lookups come from process context (setsockopt, negotiation) and are rare
 * next to the data path, so a mutex guards the list. A connection bound to
 * an implementation holds its owner module and counts itself in @users, so
 * unregistering waits for the connections and unloading is refused.
 */
#include <linux/ctype.h>
#include <linux/export.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/wait_bit.h>
#include <net/net_namespace.h>

#include "bertha.h"

static LIST_HEAD(bertha_impls);
static DEFINE_MUTEX(bertha_impls_lock);

static bool bertha_name_valid(const char *name)
{
	size_t len = name ? strnlen(name, BERTHA_NAME_MAX) : 0;

	if (!len || len >= BERTHA_NAME_MAX)
		return false;
	for (; *name; name++)
		if (!islower(*name) && !isdigit(*name) && *name != '_' &&
		    *name != '-')
			return false;
	return true;
}

static bool bertha_impl_visible(const struct bertha_chunnel_impl *impl,
				const struct net *net)
{
	return !impl->net || net_eq(impl->net, net);
}

/* The slot of @type/@name in @net's disabled list, or -1. */
static int bertha_disabled_slot(const struct net *net, const char *type,
				const char *name)
{
	const struct bertha_net *bn = bertha_net(net);
	unsigned int i;

	lockdep_assert_held(&bertha_impls_lock);
	for (i = 0; i < bn->ndisabled; i++)
		if (!strcmp(bn->disabled[i].type, type) &&
		    !strcmp(bn->disabled[i].name, name))
			return i;
	return -1;
}

/* Negotiation may offer and choose it in @net. */
static bool bertha_impl_enabled(const struct bertha_chunnel_impl *impl,
				const struct net *net)
{
	return bertha_impl_visible(impl, net) &&
	       bertha_disabled_slot(net, impl->type, impl->name) < 0;
}

static struct bertha_chunnel_impl *bertha_impl_find(const struct net *net,
						    const char *type,
						    const char *name)
{
	struct bertha_chunnel_impl *impl;

	lockdep_assert_held(&bertha_impls_lock);
	list_for_each_entry(impl, &bertha_impls, list)
		if (bertha_impl_enabled(impl, net) &&
		    !strcmp(impl->type, type) &&
		    (!name || !strcmp(impl->name, name)))
			return impl;
	return NULL;
}

/* Same type and name, and some namespace sees both. */
static bool bertha_impl_clash(const struct bertha_chunnel_impl *new)
{
	struct bertha_chunnel_impl *impl;

	lockdep_assert_held(&bertha_impls_lock);
	list_for_each_entry(impl, &bertha_impls, list)
		if (!strcmp(impl->type, new->type) &&
		    !strcmp(impl->name, new->name) &&
		    (!impl->net || !new->net || net_eq(impl->net, new->net)))
			return true;
	return false;
}

/**
 * bertha_chunnel_register() - offer an implementation of a chunnel type
 * @impl: the implementation; see &struct bertha_chunnel_impl
 *
 * Context: process context; takes a mutex.
 * Return: 0; -EINVAL for a bad name, scope or endpoints value; -EEXIST if
 * an implementation of the same name is already registered for the type
 * where a namespace would see both.
 */
int bertha_chunnel_register(struct bertha_chunnel_impl *impl)
{
	int err = 0;

	if (!bertha_name_valid(impl->type) || !bertha_name_valid(impl->name) ||
	    impl->scope > BERTHA_SCOPE_MAX ||
	    impl->endpoints > BERTHA_ENDPOINTS_MAX)
		return -EINVAL;

	atomic_set(&impl->users, 0);
	impl->retired = false;
	mutex_lock(&bertha_impls_lock);
	if (bertha_impl_clash(impl))
		err = -EEXIST;
	else
		list_add_tail(&impl->list, &bertha_impls);
	mutex_unlock(&bertha_impls_lock);
	if (err)
		return err;
	pr_debug("bertha: chunnel %s/%s registered\n", impl->type, impl->name);
	/* Userspace registrations announce themselves with their details. */
	if (!impl->release)
		bertha_genl_impl_event(impl, BERTHA_CMD_IMPL_ADD_NTF);
	return 0;
}
EXPORT_SYMBOL_GPL(bertha_chunnel_register);

/**
 * bertha_chunnel_unregister() - withdraw an implementation
 * @impl: an implementation bertha_chunnel_register() accepted
 *
 * After this returns, new DAGs can no longer name the type unless another
 * implementation of it remains, and no connection uses @impl: the call
 * waits for connections bound to it to close. (A module's exit never
 * waits: while a connection uses an implementation, the module that
 * provides it cannot be unloaded.)
 *
 * Context: process context; takes a mutex and may sleep.
 */
void bertha_chunnel_unregister(struct bertha_chunnel_impl *impl)
{
	mutex_lock(&bertha_impls_lock);
	list_del(&impl->list);
	mutex_unlock(&bertha_impls_lock);
	bertha_genl_impl_event(impl, BERTHA_CMD_IMPL_DEL_NTF);
	wait_var_event(&impl->users, !atomic_read(&impl->users));
}
EXPORT_SYMBOL_GPL(bertha_chunnel_unregister);

/**
 * bertha_chunnel_type_known() - is @name a chunnel type this kernel has?
 * @net: the namespace asking
 * @name: NUL-terminated type name
 *
 * Return: true while an implementation of @name visible in @net is
 * registered.
 */
bool bertha_chunnel_type_known(const struct net *net, const char *name)
{
	bool known;

	mutex_lock(&bertha_impls_lock);
	known = bertha_impl_find(net, name, NULL);
	mutex_unlock(&bertha_impls_lock);
	return known;
}

static void bertha_impl_info_fill(struct bertha_impl_info *info,
				  const struct bertha_chunnel_impl *impl)
{
	strscpy(info->type, impl->type, sizeof(info->type));
	strscpy(info->name, impl->name, sizeof(info->name));
	info->priority = impl->priority;
	info->scope = impl->scope;
	info->endpoints = impl->endpoints;
	info->usable = !impl->capacity ||
		       atomic_read(&impl->users) < impl->capacity;
}

/**
 * bertha_chunnel_list() - describe the implementations @net sees
 * @net: the namespace asking
 * @type: only this type, or NULL for every type
 * @info: where the descriptions go
 * @max: room in @info
 *
 * Return: the number of descriptions written (at most @max).
 */
unsigned int bertha_chunnel_list(const struct net *net, const char *type,
				 struct bertha_impl_info *info,
				 unsigned int max)
{
	struct bertha_chunnel_impl *impl;
	unsigned int n = 0;

	mutex_lock(&bertha_impls_lock);
	list_for_each_entry(impl, &bertha_impls, list) {
		if (n == max)
			break;
		if (!bertha_impl_enabled(impl, net) ||
		    (type && strcmp(impl->type, type)))
			continue;
		bertha_impl_info_fill(&info[n++], impl);
	}
	mutex_unlock(&bertha_impls_lock);
	return n;
}

/**
 * bertha_chunnel_hold() - bind a connection to an implementation
 * @net: the connection's namespace
 * @type: chunnel type
 * @name: implementation name
 *
 * Return: the implementation, with its module and a use counted; NULL if
 * it is gone, at capacity or its module is unloading.
 */
struct bertha_chunnel_impl *bertha_chunnel_hold(const struct net *net,
						const char *type,
						const char *name)
{
	struct bertha_chunnel_impl *impl;

	mutex_lock(&bertha_impls_lock);
	impl = bertha_impl_find(net, type, name);
	if (impl && ((impl->capacity &&
		      atomic_read(&impl->users) >= impl->capacity) ||
		     !try_module_get(impl->owner)))
		impl = NULL;
	if (impl)
		atomic_inc(&impl->users);
	mutex_unlock(&bertha_impls_lock);
	return impl;
}

/**
 * bertha_chunnel_put() - undo bertha_chunnel_hold()
 * @impl: the implementation
 */
void bertha_chunnel_put(struct bertha_chunnel_impl *impl)
{
	struct module *owner = impl->owner;
	bool release = false;

	mutex_lock(&bertha_impls_lock);
	/* The waker only hashes the address: safe if unregister returns and
	 * the registrant frees @impl right after the decrement.
	 */
	if (atomic_dec_and_test(&impl->users)) {
		release = impl->retired;
		if (!release)
			wake_up_var(&impl->users);
	}
	mutex_unlock(&bertha_impls_lock);
	if (release)
		impl->release(impl);
	module_put(owner);
}

/**
 * bertha_chunnel_retire() - withdraw a registration made from userspace
 * @impl: registered, with @impl->release set
 *
 * Unlike bertha_chunnel_unregister() this never waits: connections bound
 * to @impl keep it, and the last of them calls @impl->release.
 *
 * Context: process context; takes a mutex.
 */
void bertha_chunnel_retire(struct bertha_chunnel_impl *impl)
{
	bool release;

	mutex_lock(&bertha_impls_lock);
	list_del(&impl->list);
	release = !atomic_read(&impl->users);
	impl->retired = !release;
	mutex_unlock(&bertha_impls_lock);
	if (release)
		impl->release(impl);
}

/**
 * bertha_chunnel_disable() - disable or enable an implementation in a
 *	namespace
 * @net: the namespace
 * @type: chunnel type
 * @name: implementation name
 * @disable: true to disable, false to enable
 *
 * A disabled implementation stays registered (and bound connections keep
 * it) but negotiation in @net neither offers nor chooses it, and new DAGs
 * in @net cannot name a type whose every implementation is disabled.
 *
 * Return: 0; -ENOENT when @net sees no such implementation; -ENOSPC when
 * %BERTHA_NET_DISABLED_MAX are disabled already.
 */
int bertha_chunnel_disable(const struct net *net, const char *type,
			   const char *name, bool disable)
{
	struct bertha_net *bn = bertha_net(net);
	struct bertha_chunnel_impl *impl;
	bool seen = false;
	int slot, err = 0;

	mutex_lock(&bertha_impls_lock);
	list_for_each_entry(impl, &bertha_impls, list)
		if (bertha_impl_visible(impl, net) &&
		    !strcmp(impl->type, type) && !strcmp(impl->name, name))
			seen = true;
	slot = bertha_disabled_slot(net, type, name);
	if (!seen && (disable || slot < 0)) {
		err = -ENOENT;
	} else if (disable && slot < 0) {
		if (bn->ndisabled == BERTHA_NET_DISABLED_MAX) {
			err = -ENOSPC;
		} else {
			strscpy(bn->disabled[bn->ndisabled].type, type,
				BERTHA_NAME_MAX);
			strscpy(bn->disabled[bn->ndisabled].name, name,
				BERTHA_NAME_MAX);
			bn->ndisabled++;
		}
	} else if (!disable && slot >= 0) {
		bn->disabled[slot] = bn->disabled[--bn->ndisabled];
	}
	mutex_unlock(&bertha_impls_lock);
	return err;
}

/**
 * bertha_chunnel_disabled() - is an implementation disabled in a namespace
 * @net: the namespace
 * @impl: the implementation; the caller holds the registry (a walk)
 *
 * Return: true if @net disabled it.
 */
bool bertha_chunnel_disabled(const struct net *net,
			     const struct bertha_chunnel_impl *impl)
{
	return bertha_disabled_slot(net, impl->type, impl->name) >= 0;
}

/**
 * bertha_chunnel_walk() - call @fn for the implementations @net sees
 * @net: the namespace
 * @skip: how many to pass over first (a dump's resume point)
 * @fn: called with the registry locked; a non-zero return stops the walk
 * @arg: for @fn
 *
 * Return: the position of the first implementation not handed to @fn
 * successfully, to resume from.
 */
int bertha_chunnel_walk(const struct net *net, unsigned int skip,
			int (*fn)(const struct bertha_chunnel_impl *impl,
				  void *arg),
			void *arg)
{
	struct bertha_chunnel_impl *impl;
	unsigned int pos = 0;

	mutex_lock(&bertha_impls_lock);
	list_for_each_entry(impl, &bertha_impls, list) {
		if (!bertha_impl_visible(impl, net))
			continue;
		if (pos >= skip && fn(impl, arg))
			break;
		pos++;
	}
	mutex_unlock(&bertha_impls_lock);
	return pos;
}

/* bertha.ko's own fallbacks. "identity" passes messages through unchanged
 * (the tests' no-op chunnel); "select" offers alternatives of which
 * negotiation picks one; "reliable" delivers exactly once, in order.
 */
static struct bertha_chunnel_impl bertha_builtin_impls[] = {
	{
		.type		= "identity",
		.name		= "kernel",
		.scope		= BERTHA_SCOPE_APPLICATION,
		.endpoints	= BERTHA_ENDPOINTS_ONE,
		.owner		= THIS_MODULE,
	},
	{
		.type		= BERTHA_SELECT_TYPE,
		.name		= "kernel",
		.scope		= BERTHA_SCOPE_APPLICATION,
		.endpoints	= BERTHA_ENDPOINTS_ONE,
		.owner		= THIS_MODULE,
	},
	{
		/* runs in the transport (reliable.c), not through ops */
		.type		= "reliable",
		.name		= "kernel",
		.scope		= BERTHA_SCOPE_APPLICATION,
		.endpoints	= BERTHA_ENDPOINTS_BOTH,
		.owner		= THIS_MODULE,
	},
};

/**
 * bertha_chunnel_init() - register bertha.ko's built-in implementations
 *
 * Return: 0 or the error of registering one of them.
 */
int __init bertha_chunnel_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(bertha_builtin_impls); i++) {
		err = bertha_chunnel_register(&bertha_builtin_impls[i]);
		if (err) {
			while (i--)
				bertha_chunnel_unregister(&bertha_builtin_impls[i]);
			return err;
		}
	}
	err = bertha_shard_register();
	if (err)
		for (i = ARRAY_SIZE(bertha_builtin_impls); i--; )
			bertha_chunnel_unregister(&bertha_builtin_impls[i]);
	return err;
}

/**
 * bertha_chunnel_exit() - withdraw bertha.ko's built-in implementations
 */
void bertha_chunnel_exit(void)
{
	int i;

	bertha_shard_unregister();
	for (i = 0; i < ARRAY_SIZE(bertha_builtin_impls); i++)
		bertha_chunnel_unregister(&bertha_builtin_impls[i]);
}
