/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the listener's defence against floods of HELLOs (retry.c).
 */
#ifndef _BERTHA_RETRY_H
#define _BERTHA_RETRY_H

#include "bertha.h"

bool bertha_retry_wanted(const struct bertha_sock *listener);
u64 bertha_retry_token(const struct sockaddr_bertha *from, u32 client_id,
		       u64 cookie, u32 ago);
bool bertha_retry_token_ok(const struct nlattr *token,
			   const struct sockaddr_bertha *from, u32 client_id,
			   u64 cookie);
bool bertha_retry_early(struct bertha_port *port, struct sk_buff *skb);

#endif /* _BERTHA_RETRY_H */
