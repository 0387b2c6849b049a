// SPDX-License-Identifier: GPL-2.0-only
/* foliosim: command-line entry point. */
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("foliosim: under construction\n");
	return 0;
}
