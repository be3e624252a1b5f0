/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: setup and teardown requests to the helpers of userspace implementations.
 */
#ifndef _BERTHA_SETUP_H
#define _BERTHA_SETUP_H

#include "bertha.h"

struct bertha_exclusions;
bool bertha_excluded(const struct bertha_exclusions *ex, const char *type,
		     const char *name);
void bertha_setup_teardown(struct bertha_bound *n);
int bertha_setup_answer(const struct net *net, u32 portid, u32 id, u32 status);
void bertha_setup_owner_gone(const struct net *net, u32 portid);
void bertha_setup_abort(struct bertha_sock *bs);

#endif /* _BERTHA_SETUP_H */
