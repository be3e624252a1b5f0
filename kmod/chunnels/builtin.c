// SPDX-License-Identifier: GPL-2.0
/*
 * The chunnels bertha.ko carries: the list the module registers at load
 * and withdraws at unload. A new built-in chunnel is one file in this
 * folder and one line here; the core never names it.
 */
#include <linux/kernel.h>

#include "builtin.h"

static const struct {
	int (*init)(void);
	void (*exit)(void);
} bertha_builtins[] = {
	{ bertha_reliable_init, bertha_reliable_exit },
	{ bertha_shard_init, bertha_shard_exit },
};

/**
 * bertha_builtin_chunnels_init() - register every built-in chunnel
 *
 * Return: 0, or the first error (what was registered is withdrawn).
 */
int bertha_builtin_chunnels_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(bertha_builtins); i++) {
		err = bertha_builtins[i].init();
		if (err) {
			while (i--)
				bertha_builtins[i].exit();
			return err;
		}
	}
	return 0;
}

/**
 * bertha_builtin_chunnels_exit() - withdraw them, last first
 */
void bertha_builtin_chunnels_exit(void)
{
	int i;

	for (i = ARRAY_SIZE(bertha_builtins); i--; )
		bertha_builtins[i].exit();
}
