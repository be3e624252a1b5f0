// SPDX-License-Identifier: GPL-2.0
/*
 * berthactl: the names of the info attributes chunnels report for a
 * connection (BERTHA_BINDING_NODE_A_INFO), per chunnel type. The kernel
 * sends numbers whose meaning each chunnel documents; a type listed here
 * prints its attributes under these names and kinds, any other type (or an
 * attribute missing here) as attrN with a kind guessed from its length
 * (ctl_chunnel.c). Adding a chunnel's names is adding lines to the table.
 */
#define _GNU_SOURCE
#include <string.h>

#include <bertha/reliable.h>

#include "ctl.h"

static const struct chunnel_info_name info_names[] = {
	/* reliable: enum bertha_rel_info_attrs (<bertha/reliable.h>) */
	{ "reliable", BERTHA_REL_INFO_A_CWND, "cwnd", CHUNNEL_INFO_UNSIGNED },
	{ "reliable", BERTHA_REL_INFO_A_SRTT_US, "srtt-us", CHUNNEL_INFO_UNSIGNED },
	{ "reliable", BERTHA_REL_INFO_A_RTO_US, "rto-us", CHUNNEL_INFO_UNSIGNED },
	{ "reliable", BERTHA_REL_INFO_A_INFLIGHT, "inflight", CHUNNEL_INFO_UNSIGNED },
	{ "reliable", BERTHA_REL_INFO_A_SND_NXT, "snd-nxt", CHUNNEL_INFO_UNSIGNED },
	{ "reliable", BERTHA_REL_INFO_A_RCV_NXT, "rcv-nxt", CHUNNEL_INFO_UNSIGNED },
	{ NULL, 0, NULL, CHUNNEL_INFO_AUTO },
};

const struct chunnel_info_name *chunnel_info_name(const char *type, uint16_t attr)
{
	for (const struct chunnel_info_name *n = info_names; n->type; n++)
		if (n->attr == attr && !strcmp(n->type, type))
			return n;
	return NULL;
}
