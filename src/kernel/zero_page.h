/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Does this kernel map the zero page at read faults?  Upstream kernels do
 * (the small zero page, and the huge zero page by PMD in a THP range when
 * use_zero_page is 1), but a kernel may be built or booted so that they
 * allocate instead.  So it is never assumed: a probe finds out once per
 * guard (per run of the program), in a short-lived child that read-faults
 * two fresh ranges and looks at them through pagemap and kpageflags
 * (KPF_ZERO_PAGE) and PAGEMAP_SCAN (PMD-mapped).
 */
#ifndef FSIM_KERNEL_ZERO_PAGE_H
#define FSIM_KERNEL_ZERO_PAGE_H

#include <stddef.h>

#include "host/guard.h"		/* struct kx_zero_page, kept per guard */

/**
 * kx_zero_probe() - what read faults map on this kernel
 * @g: the open guard; the result is kept in it, so the probe runs once
 * @z: receives the result
 *
 * Writes use_zero_page and the PMD size's THP mode through the guard only
 * when they would keep the probe from seeing the huge zero page (they are
 * the executor's defaults anyway).  Return: 0, or -1 with @err.
 */
int kx_zero_probe(struct kx_guard *g, struct kx_zero_page *z, char *err,
		  size_t len);

#endif
