/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the tests of the SVG pictures: a small XML well-formedness checker
 * (balanced tags, quoted attributes, known entities, one root <svg>) and
 * helpers to read a file and count what it holds.
 */
#ifndef FSIM_TESTS_SVGCHECK_H
#define FSIM_TESTS_SVGCHECK_H

#include <stdbool.h>
#include <stddef.h>

/* True if @text is one well-formed <svg> document; else why in @err. */
bool svgc_wellformed(const char *text, char *err, size_t len);
/* The whole file, NUL-terminated (caller frees), or NULL. */
char *svgc_read(const char *path);
/* How many times @needle occurs in @hay. */
int svgc_count(const char *hay, const char *needle);

#endif
