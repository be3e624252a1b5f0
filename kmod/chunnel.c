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

#include <net/netlink.h>

#include "bertha.h"
#include "genl.h"
#include "netns.h"
#include "registry.h"
#include "wire.h"

/* How long autoloading rests after a modprobe that found nothing. */
#define BERTHA_AUTOLOAD_QUIET	(2 * HZ)

static LIST_HEAD(bertha_impls);
static LIST_HEAD(bertha_types);	/* RCU for port_rcv */
static DEFINE_MUTEX(bertha_impls_lock);

/* Counter slots handed to types, by type name, kept across reloads so a
 * socket's counters stay where they were.
 */
static struct {
	char type[BERTHA_NAME_MAX];
	unsigned int base;
	unsigned int n;
} bertha_counter_slots[BERTHA_CHUNNEL_COUNTERS_MAX];
static unsigned int bertha_counter_nslots, bertha_counters_used;

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
 * Return: 0; -EINVAL for a bad name, scope, endpoints, side or flags; -EEXIST if
 * an implementation of the same name is already registered for the type
 * where a namespace would see both.
 */
int bertha_chunnel_register(struct bertha_chunnel_impl *impl)
{
	int err = 0;

	if (!bertha_name_valid(impl->type) || !bertha_name_valid(impl->name) ||
	    impl->scope > BERTHA_SCOPE_MAX ||
	    impl->endpoints > BERTHA_ENDPOINTS_MAX ||
	    impl->side > BERTHA_SIDE_LISTENER ||
	    (impl->flags & ~BERTHA_CHUNNEL_F_ELIDE_LOCAL))
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

/**
 * bertha_chunnel_type_request() - is @name known, after asking for the
 *	module that provides it?
 * @net: the namespace asking
 * @name: NUL-terminated type name, validated
 *
 * A type nobody registered makes the kernel load "bertha-chunnel-@name"
 * (MODULE_ALIAS_BERTHA_CHUNNEL), as TCP does for ULPs: only for a caller
 * with CAP_NET_ADMIN, and not within %BERTHA_AUTOLOAD_QUIET of a modprobe
 * that did not provide its type, so that DAGs naming types that do not
 * exist cost one modprobe every so often, not one each.
 *
 * Context: process context, no locks held (request_module() sleeps).
 * Return: true while an implementation of @name visible in @net exists.
 */
bool bertha_chunnel_type_request(const struct net *net, const char *name)
{
	static unsigned long quiet_until;
	bool known;

	if (bertha_chunnel_type_known(net, name))
		return true;
	if (!bertha_name_valid(name) || !capable(CAP_NET_ADMIN) ||
	    (READ_ONCE(quiet_until) &&
	     time_before(jiffies, READ_ONCE(quiet_until))))
		return false;
	known = !request_module("bertha-chunnel-%s", name) &&
		bertha_chunnel_type_known(net, name);
	if (!known)
		WRITE_ONCE(quiet_until, jiffies + BERTHA_AUTOLOAD_QUIET);
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
	info->side = impl->side;
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
 * bertha_chunnel_hello_put() - an implementation's own attributes for a
 *	HELLO that offers it
 * @net: the connection's namespace
 * @type: chunnel type
 * @name: implementation name
 * @skb: the HELLO, inside the implementation's nest
 *
 * Return: 0 or -EMSGSIZE.
 */
int bertha_chunnel_hello_put(const struct net *net, const char *type,
			     const char *name, struct sk_buff *skb)
{
	struct bertha_chunnel_impl *impl;
	struct nlattr *nest;
	int err = 0;

	mutex_lock(&bertha_impls_lock);
	impl = bertha_impl_find(net, type, name);
	if (impl && impl->ops && impl->ops->hello_put) {
		nest = nla_nest_start(skb, BERTHA_WIRE_C_OWN);
		err = nest ? impl->ops->hello_put(impl, skb) : -EMSGSIZE;
		if (nest && err)
			nla_nest_cancel(skb, nest);
		else if (nest)
			nla_nest_end(skb, nest);
	}
	mutex_unlock(&bertha_impls_lock);
	return err;
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

static struct bertha_chunnel_type *bertha_type_find(const char *name)
{
	struct bertha_chunnel_type *t;

	list_for_each_entry(t, &bertha_types, list)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* A range of counter slots for @t: the one its name had before, or a new
 * one.
 */
static int bertha_counters_assign(struct bertha_chunnel_type *t)
{
	unsigned int i;

	for (i = 0; i < bertha_counter_nslots; i++) {
		if (strcmp(bertha_counter_slots[i].type, t->name))
			continue;
		if (bertha_counter_slots[i].n < t->ncounters)
			return -ENOSPC;
		t->counter_base = bertha_counter_slots[i].base;
		return 0;
	}
	if (!t->ncounters) {
		t->counter_base = 0;
		return 0;
	}
	if (bertha_counters_used + t->ncounters > BERTHA_CHUNNEL_COUNTERS_MAX ||
	    bertha_counter_nslots == ARRAY_SIZE(bertha_counter_slots))
		return -ENOSPC;
	strscpy(bertha_counter_slots[i].type, t->name, BERTHA_NAME_MAX);
	bertha_counter_slots[i].base = bertha_counters_used;
	bertha_counter_slots[i].n = t->ncounters;
	bertha_counter_nslots++;
	t->counter_base = bertha_counters_used;
	bertha_counters_used += t->ncounters;
	return 0;
}

/* The fields of struct bertha_stats and attributes chunnels once had; only
 * bertha.ko's own chunnels fill them.
 */
static bool bertha_counter_legacy_ok(const struct bertha_chunnel_type *t,
				     const struct bertha_chunnel_counter *c)
{
	const size_t first = offsetof(struct bertha_stats, rel_retransmits);
	const size_t end = sizeof(struct bertha_stats);
	size_t off = c->sock_legacy - 1;

	if (!c->sock_legacy && !c->net_legacy)
		return true;
	if (t->owner != THIS_MODULE)
		return false;
	if (c->sock_legacy && (off < first || off + sizeof(u64) > end ||
			       (off - first) % sizeof(u64)))
		return false;
	return !c->net_legacy ||
	       (c->net_legacy >= BERTHA_STATS_A_REL_RETRANSMITS &&
		c->net_legacy <= BERTHA_STATS_A_SHARD_DROPPED &&
		c->net_legacy != BERTHA_STATS_A_SETUP_REQUESTS &&
		c->net_legacy != BERTHA_STATS_A_FALLBACK_SETUP_TIMEOUT &&
		c->net_legacy != BERTHA_STATS_A_FALLBACK_SETUP_FAILED);
}

/**
 * bertha_chunnel_type_register() - register what a chunnel type owns
 * @type: see &struct bertha_chunnel_type
 *
 * Context: process context; takes a mutex.
 * Return: 0; -EINVAL for a bad name, flag or counter; -EEXIST if the type is
 * registered already; -ENOSPC when the counters of all types would exceed
 * %BERTHA_CHUNNEL_COUNTERS_MAX.
 */
int bertha_chunnel_type_register(struct bertha_chunnel_type *type)
{
	unsigned int i;
	int err;

	if (!bertha_name_valid(type->name) ||
	    (type->ncounters && !type->counters))
		return -EINVAL;
	if (type->flags & ~(BERTHA_CHUNNEL_T_HOLDS | BERTHA_CHUNNEL_T_STEERS))
		return -EINVAL;
	for (i = 0; i < type->ncounters; i++)
		if (!bertha_name_valid(type->counters[i].name) ||
		    !bertha_counter_legacy_ok(type, &type->counters[i]))
			return -EINVAL;
	mutex_lock(&bertha_impls_lock);
	err = bertha_type_find(type->name) ? -EEXIST :
	      bertha_counters_assign(type);
	if (!err)
		list_add_tail_rcu(&type->list, &bertha_types);
	mutex_unlock(&bertha_impls_lock);
	return err;
}
EXPORT_SYMBOL_GPL(bertha_chunnel_type_register);

/**
 * bertha_chunnel_type_unregister() - withdraw a type's registration
 * @type: registered with bertha_chunnel_type_register()
 *
 * Connections and sockets that use the type hold its module, so a module
 * withdraws its type from its exit function only once they are gone.
 *
 * Context: process context; sleeps for an RCU grace period.
 */
void bertha_chunnel_type_unregister(struct bertha_chunnel_type *type)
{
	mutex_lock(&bertha_impls_lock);
	list_del_rcu(&type->list);
	mutex_unlock(&bertha_impls_lock);
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(bertha_chunnel_type_unregister);

/**
 * bertha_chunnel_type_get() - the registration of a type, held
 * @name: the type name
 *
 * Return: the type with its module referenced, or NULL if it has no
 * registration (or its module is going).
 */
struct bertha_chunnel_type *bertha_chunnel_type_get(const char *name)
{
	struct bertha_chunnel_type *t;

	mutex_lock(&bertha_impls_lock);
	t = bertha_type_find(name);
	if (t && !try_module_get(t->owner))
		t = NULL;
	mutex_unlock(&bertha_impls_lock);
	return t;
}

/**
 * bertha_chunnel_type_flags() - a type's &bertha_chunnel_type.flags
 * @name: the type name
 *
 * Return: the flags, or 0 for a type without a registration.
 */
u32 bertha_chunnel_type_flags(const char *name)
{
	struct bertha_chunnel_type *t = bertha_chunnel_type_get(name);
	u32 flags = t ? t->flags : 0;

	bertha_chunnel_type_put(t);
	return flags;
}

/**
 * bertha_chunnel_type_put() - undo bertha_chunnel_type_get()
 * @t: the type, or NULL
 */
void bertha_chunnel_type_put(const struct bertha_chunnel_type *t)
{
	if (t)
		module_put(t->owner);
}

/**
 * bertha_chunnel_check_args() - validate a DAG node's arguments
 * @type: the node's type
 * @args: its %BERTHA_NODE_A_ARGS, or NULL
 * @extack: for the reason, or NULL
 * @flags: set to the type's &bertha_chunnel_type.flags (0 without one)
 *
 * Context: process context.
 * Return: 0, or the type's check_args error.
 */
int bertha_chunnel_check_args(const char *type, const struct nlattr *args,
			      struct netlink_ext_ack *extack, u32 *flags)
{
	struct bertha_chunnel_type *t = bertha_chunnel_type_get(type);
	int err = 0;

	*flags = t ? t->flags : 0;
	if (t && t->check_args)
		err = t->check_args(args, extack);
	bertha_chunnel_type_put(t);
	return err;
}

/**
 * bertha_chunnel_sock_bind() - tell the types that a socket was bound
 * @bs: a SOCK_DGRAM socket, locked
 *
 * Each type with a sock_bind hook sees it; the socket holds the type's
 * module until bertha_chunnel_sock_release().
 */
void bertha_chunnel_sock_bind(struct bertha_sock *bs)
{
	struct bertha_chunnel_type *t;
	unsigned int n = 0;

	mutex_lock(&bertha_impls_lock);
	list_for_each_entry(t, &bertha_types, list) {
		if (!t->sock_bind || n == BERTHA_SOCK_TYPES_MAX)
			continue;
		if (!try_module_get(t->owner))
			continue;
		bs->sock_types[n++] = t;
		t->sock_bind(&bs->sk);
	}
	mutex_unlock(&bertha_impls_lock);
}

/**
 * bertha_chunnel_sock_dag() - tell the types a bound socket's DAG changed
 * @bs: the socket, locked
 */
void bertha_chunnel_sock_dag(struct bertha_sock *bs)
{
	unsigned int i;

	for (i = 0; i < BERTHA_SOCK_TYPES_MAX && bs->sock_types[i]; i++)
		if (bs->sock_types[i]->sock_dag)
			bs->sock_types[i]->sock_dag(&bs->sk);
}

/**
 * bertha_chunnel_sock_release() - tell the types a socket is closing
 * @bs: the socket, locked
 */
void bertha_chunnel_sock_release(struct bertha_sock *bs)
{
	struct bertha_chunnel_type *t;
	unsigned int i;

	for (i = 0; i < BERTHA_SOCK_TYPES_MAX && bs->sock_types[i]; i++) {
		t = bs->sock_types[i];
		bs->sock_types[i] = NULL;
		if (t->sock_release)
			t->sock_release(&bs->sk);
		module_put(t->owner);
	}
}

/**
 * bertha_chunnel_sock_sendmsg() - sendto() a SOCK_DGRAM socket's types
 *	may answer: to an address that is none of its peers
 * @bs: the socket, locked
 * @msg: the message
 * @len: its length
 *
 * Return: -ENOENT when no type takes it, else what the type returned.
 */
int bertha_chunnel_sock_sendmsg(struct bertha_sock *bs, struct msghdr *msg,
				size_t len)
{
	unsigned int i;
	int err;

	for (i = 0; i < BERTHA_SOCK_TYPES_MAX && bs->sock_types[i]; i++) {
		if (!bs->sock_types[i]->sendmsg)
			continue;
		err = bs->sock_types[i]->sendmsg(&bs->sk, msg, len);
		if (err != -ENOENT)
			return err;
	}
	return -ENOENT;
}

/**
 * bertha_chunnel_port_rcv() - DATA for no connection of a port: a type's?
 * @port: the port
 * @skb: the datagram (data at the UDP header)
 * @conn_id: its header's connection id
 * @flags: its header's flags
 *
 * Context: softirq, under rcu_read_lock().
 * Return: true if a type took @skb.
 */
bool bertha_chunnel_port_rcv(struct bertha_port *port, struct sk_buff *skb,
			     u32 conn_id, u16 flags)
{
	struct bertha_sock *owner = READ_ONCE(port->listener);
	struct bertha_chunnel_type *t;

	if (owner && owner->sk.sk_type != SOCK_DGRAM)
		owner = NULL;
	list_for_each_entry_rcu(t, &bertha_types, list)
		if (t->port_rcv &&
		    t->port_rcv(&port->local, owner ? &owner->sk : NULL, skb,
				conn_id, flags))
			return true;
	return false;
}

/**
 * bertha_chunnel_count() - add to a counter of a node's type
 * @cc: the node; its type declared the counter
 * @counter: the index in the type's &bertha_chunnel_type.counters
 * @n: how much
 *
 * The node's socket and namespace count it.
 *
 * Context: any.
 */
void bertha_chunnel_count(const struct bertha_chunnel_conn *cc,
			  unsigned int counter, u64 n)
{
	bertha_chunnel_sock_count(cc->type, cc->sk, counter, n);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_count);

/**
 * bertha_chunnel_sock_count() - add to a type's counter of a socket
 * @type: the type
 * @sk: an AF_BERTHA socket
 * @counter: the index in @type's counters
 * @n: how much
 *
 * Context: any.
 */
void bertha_chunnel_sock_count(const struct bertha_chunnel_type *type,
			       struct sock *sk, unsigned int counter, u64 n)
{
	unsigned int slot;

	if (WARN_ON_ONCE(!type || counter >= type->ncounters))
		return;
	slot = type->counter_base + counter;
	atomic64_add(n, &bertha_sk(sk)->chunnel_cnt[slot]);
	atomic64_add(n, &bertha_net(sock_net(sk))->chunnel_cnt[slot]);
}
EXPORT_SYMBOL_GPL(bertha_chunnel_sock_count);

/**
 * bertha_chunnel_counters_walk() - call @fn for every counter of every type
 * @fn: called with the registry locked, with the type's name, the counter
 *	and its slot; a non-zero return stops the walk and is returned
 * @arg: for @fn
 *
 * Return: 0 or what @fn returned.
 */
int bertha_chunnel_counters_walk(int (*fn)(const char *type,
					   const struct bertha_chunnel_counter *c,
					   unsigned int slot, bool first,
					   void *arg),
				 void *arg)
{
	struct bertha_chunnel_type *t;
	unsigned int i;
	int err = 0;

	mutex_lock(&bertha_impls_lock);
	list_for_each_entry(t, &bertha_types, list) {
		for (i = 0; i < t->ncounters && !err; i++)
			err = fn(t->name, &t->counters[i], t->counter_base + i,
				 !i, arg);
		if (err)
			break;
	}
	mutex_unlock(&bertha_impls_lock);
	return err;
}

struct bertha_legacy {
	const atomic64_t *cnt;
	u64 *net;
	struct bertha_stats *sock;
};

static int bertha_counter_legacy(const char *type,
				 const struct bertha_chunnel_counter *c,
				 unsigned int slot, bool first, void *arg)
{
	struct bertha_legacy *l = arg;
	u64 v = atomic64_read(&l->cnt[slot]);

	if (l->net && c->net_legacy)
		l->net[c->net_legacy] += v;
	if (l->sock && c->sock_legacy)
		*(u64 *)((u8 *)l->sock + c->sock_legacy - 1) += v;
	return 0;
}

/**
 * bertha_chunnel_legacy_net() - the chunnel counters a namespace's stats
 *	used to report as attributes of their own
 * @bn: the namespace's state
 * @val: %BERTHA_STATS_A_MAX + 1 values, added to
 */
void bertha_chunnel_legacy_net(struct bertha_net *bn, u64 *val)
{
	struct bertha_legacy l = { .cnt = bn->chunnel_cnt, .net = val };

	bertha_chunnel_counters_walk(bertha_counter_legacy, &l);
}

/**
 * bertha_chunnel_legacy_sock() - the chunnel counters &struct bertha_stats
 *	has fields for (it is frozen)
 * @bs: the socket
 * @st: the stats, added to
 */
void bertha_chunnel_legacy_sock(struct bertha_sock *bs, struct bertha_stats *st)
{
	struct bertha_legacy l = { .cnt = bs->chunnel_cnt, .sock = st };

	bertha_chunnel_counters_walk(bertha_counter_legacy, &l);
}

/* bertha.ko's own registrations that are not chunnels of their own:
 * "identity" passes messages through unchanged (the tests' no-op
 * chunnel); "select" offers alternatives, of which negotiation itself
 * picks one.
 */
static struct bertha_chunnel_impl bertha_core_impls[] = {
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
};

/**
 * bertha_chunnel_init() - register bertha.ko's own implementations, then
 *	its built-in chunnels (kmod/chunnels/)
 *
 * Return: 0 or the error of registering one of them.
 */
int __init bertha_chunnel_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(bertha_core_impls); i++) {
		err = bertha_chunnel_register(&bertha_core_impls[i]);
		if (err)
			goto undo;
	}
	err = bertha_builtin_chunnels_init();
	if (!err)
		return 0;
undo:
	while (i--)
		bertha_chunnel_unregister(&bertha_core_impls[i]);
	return err;
}

/**
 * bertha_chunnel_exit() - withdraw them
 */
void bertha_chunnel_exit(void)
{
	int i;

	bertha_builtin_chunnels_exit();
	for (i = ARRAY_SIZE(bertha_core_impls); i--; )
		bertha_chunnel_unregister(&bertha_core_impls[i]);
}
