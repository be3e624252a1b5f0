/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bertha.ko's built-in chunnels. Each registers through the exported
 * chunnel API (<bertha/chunnel.h>) exactly as another module would; this
 * header only lets builtin.c call their init and exit functions.
 */
#ifndef _BERTHA_CHUNNELS_BUILTIN_H
#define _BERTHA_CHUNNELS_BUILTIN_H

int bertha_reliable_init(void);
void bertha_reliable_exit(void);
int bertha_shard_init(void);
void bertha_shard_exit(void);

int bertha_builtin_chunnels_init(void);
void bertha_builtin_chunnels_exit(void);

#endif /* _BERTHA_CHUNNELS_BUILTIN_H */
