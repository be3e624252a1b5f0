/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API other kernel modules use to offer chunnel implementations to
 * bertha.ko (the paper's registration of implementations, §3.1).
 */
#ifndef _BERTHA_CHUNNEL_H
#define _BERTHA_CHUNNEL_H

#include <linux/list.h>
#include <linux/types.h>

#include <linux/bertha.h>

struct module;

/**
 * struct bertha_chunnel_impl - one implementation of a chunnel type
 * @type: the chunnel type it implements, as DAGs name it ("reliable")
 * @name: the implementation's name, unique within @type ("kernel")
 * @priority: higher is preferred when negotiation has a choice
 * @scope: where it runs (&enum bertha_scope)
 * @endpoints: whether one or both peers must run it
 * @capacity: how many connections it can serve at once; 0 for unlimited
 * @owner: the module providing it (THIS_MODULE)
 * @list: private to bertha.ko
 *
 * Names are 1 to %BERTHA_NAME_MAX - 1 characters of [a-z0-9_-]. The
 * structure must stay valid until bertha_chunnel_unregister() returns.
 */
struct bertha_chunnel_impl {
	const char *type;
	const char *name;
	u32 priority;
	enum bertha_scope scope;
	enum bertha_endpoints endpoints;
	u32 capacity;
	struct module *owner;
	struct list_head list;
};

int bertha_chunnel_register(struct bertha_chunnel_impl *impl);
void bertha_chunnel_unregister(struct bertha_chunnel_impl *impl);

#endif /* _BERTHA_CHUNNEL_H */
