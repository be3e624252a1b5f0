/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libbertha: the userspace side of AF_BERTHA. So far: finding the address
 * family number the loaded bertha.ko registered.
 */
#ifndef LIBBERTHA_H
#define LIBBERTHA_H

/**
 * bertha_family() - the address family number of AF_BERTHA on this system
 *
 * Reads BERTHA_AF_SYSFS_PATH, which the loaded module publishes.
 *
 * Return: the family number; BERTHA_AF_DEFAULT if the module is not loaded
 * (socket() then gives the kernel a chance to autoload it through the
 * net-pf-N alias); -1 with errno set if the file exists but is unreadable.
 */
int bertha_family(void);

#endif /* LIBBERTHA_H */
