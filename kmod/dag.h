/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko: the chunnel DAG: validation, copies, and walks of a validated DAG.
 */
#ifndef _BERTHA_DAG_H
#define _BERTHA_DAG_H

#include "bertha.h"

int bertha_dag_check(const struct net *net, const struct bertha_dag *dag);
struct bertha_dag *bertha_dag_dup(const void *blob, u32 len, gfp_t gfp);
struct bertha_dag *bertha_dag_from_user(const struct net *net,
					sockptr_t optval, unsigned int optlen);
int bertha_dag_node_parse(const struct nlattr *node,
			  struct bertha_dag_node *out);
const struct nlattr *bertha_dag_entry(const struct nlattr *list,
				      unsigned int index);
const struct nlattr *bertha_dag_find_type(const struct bertha_dag *dag,
					  const char *type, bool *found);
void bertha_dag_binding_args(const struct bertha_dag *dag,
			     const struct bertha_binding_set *b,
			     const struct nlattr **args);

#endif /* _BERTHA_DAG_H */
