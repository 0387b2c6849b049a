// SPDX-License-Identifier: GPL-2.0-only
/*
 * Pictures and sweeps of the command line: "run --svg" draws the maps of
 * "show" (or of every region at the end), well-formed, with a rectangle
 * per run of equal cells and a legend entry per state present;
 * "sweep" reports RAM held and PMD-mapped KiB per value of a tunable,
 * as a table, JSON and a plot, with the answer known for a PMD with 256
 * empty PTEs (it collapses once max_ptes_none >= 256); bad ranges exit 2.
 * Runs ./foliosim; no root needed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/svgcheck.h"
#include "lib/tap.h"

static char dir[64];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return false;
	fputs(text, f);
	return !fclose(f);
}

static char *read_out(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return svgc_read(path);
}

/* Read @name and check it is well-formed; NULL (said) if not. */
static char *read_svg(const char *name)
{
	char err[256], *t = read_out(name);

	if (!t) {
		printf("# cannot read %s\n", name);
		return NULL;
	}
	if (!svgc_wellformed(t, err, sizeof(err))) {
		printf("# %s: not well-formed: %s\n", name, err);
		free(t);
		return NULL;
	}
	return t;
}

static bool test_checker(void)
{
	static const char *const bad[] = {
		"<svg><g></svg></g>",
		"<svg><rect x=1/></svg>",
		"<svg><text>a & b</text></svg>",
		"<svg/><svg/>",
		"<svg><g></svg>",
		"<html></html>",
		"<svg>x</svg>y",
		"<svg><text>&bogus;</text></svg>",
	};
	char err[256];
	size_t i;

	CHECK(svgc_wellformed("<?xml version=\"1.0\"?>\n<svg a='1' "
			      "b=\"&amp;\"><g><text>x &lt; y</text></g>"
			      "<rect/></svg>\n", err, sizeof(err)));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (svgc_wellformed(bad[i], err, sizeof(err))) {
			printf("# accepted: %s\n", bad[i]);
			return false;
		}
	}
	return true;
}

/*
 * The sweep example with max_ptes_none 200: PMDs 0 and 1 (448 and 320
 * empty PTEs) stay small pages then nothing, PMDs 2 and 3 collapse.
 */
static bool test_run_show(void)
{
	char *t;

	CHECK_INT(sh("./foliosim run examples/sweep/max_ptes_none.fsim "
		     "--profile all --set khugepaged/max_ptes_none=200 "
		     "--svg %s/show.svg >/dev/null", dir), ==, 0);
	t = read_svg("show.svg");
	CHECK(t);
	CHECK(strstr(t, ">show P R (line 17)</text>"));
	/* every profile has the same map: one column naming them all */
	CHECK(strstr(t, ">v6.9, v6.10, v6.15, v6.18</text>"));
	CHECK_INT(svgc_count(t, "<g class=\"panel\">"), ==, 1);
	/* a rectangle per run of equal cells, plus the legend's swatch */
	CHECK_INT(svgc_count(t, "class=\"thp\""), ==, 2 + 1);
	CHECK_INT(svgc_count(t, "class=\"excl\""), ==, 2 + 1);
	CHECK_INT(svgc_count(t, "class=\"none\""), ==, 2 + 1);
	CHECK(strstr(t, "width=\"128.00\" height=\"12.0\" class=\"excl\""));
	CHECK(strstr(t, ">H  PMD-mapped THP</text>"));
	CHECK(strstr(t, ">x  small page</text>"));
	CHECK(strstr(t, ">.  not mapped</text>"));
	CHECK(!strstr(t, "swapped out"));
	CHECK(!strstr(t, "differ"));
	CHECK(strstr(t, ">0x40600000</text>"));
	free(t);
	return true;
}

/* Without "show": each region at the end; a name needing escapes. */
static bool test_run_final(void)
{
	char *t, row[68];

	CHECK(write_file("a&b.fsim",
			 "set enabled always\nset use_zero_page 1\n"
			 "spawn P\nP mmap R 2M at 0x40000000\n"
			 "P mmap S 64K\nP read R[0:1]\n"
			 "P mmap T 64K\nP write T[0:4]\n"
			 "spawn C\nC mmap U 64K\n"));
	CHECK_INT(sh("./foliosim run '%s/a&b.fsim' --profile v6.18,v6.10 "
		     "--svg %s/final.svg >/dev/null", dir, dir), ==, 0);
	t = read_svg("final.svg");
	CHECK(t);
	CHECK(strstr(t, "a&amp;b.fsim</text>"));
	CHECK(strstr(t, ">P R at the end</text>"));
	CHECK(strstr(t, ">P T at the end</text>"));
	CHECK(!strstr(t, ">P S at the end</text>"));
	CHECK(!strstr(t, ">C U at the end</text>"));
	/* a read fault in a THP-enabled PMD maps the huge zero page */
	CHECK_INT(svgc_count(t, "class=\"huge-zero\""), ==, 1 + 1);
	CHECK(strstr(t, ">Z  huge zero page</text>"));
	/* a 16-page region is one row of 16 cells 64 wide: 4 written */
	CHECK(strstr(t, "width=\"256.00\" height=\"12.0\" class=\"excl\""));
	free(t);
	/* the text map says so too */
	CHECK(write_file("z.fsim", "set enabled always\nspawn P\n"
			 "P mmap R 2M\nP read R[0:1]\nshow P R\n"));
	CHECK_INT(sh("./foliosim run %s/z.fsim >%s/z.txt", dir, dir), ==, 0);
	t = read_out("z.txt");
	CHECK(t);
	CHECK(strstr(t, "  Z huge zero page  "));
	memset(row + 1, 'Z', 64);
	row[0] = ' ';
	row[65] = '\n';
	row[66] = 0;
	CHECK_INT(svgc_count(t, row), ==, 8);
	free(t);
	return true;
}

static const char pmd256[] =
	"# 256 pages written: 256 empty PTEs\n"
	"set enabled madvise\n"
	"spawn P\nP mmap R 2M at 0x40000000\nP write R[0:256]\n"
	"P madvise R hugepage\nkhugepaged 2\nexpect P R thp = 1\n";

static bool test_sweep_table(void)
{
	char *t;
	long v;

	CHECK(write_file("pmd256.fsim", pmd256));
	CHECK_INT(sh("./foliosim sweep %s/pmd256.fsim --set "
		     "khugepaged/max_ptes_none=0..511:64 --profile v6.9,v6.18 "
		     ">%s/table.txt 2>%s/err.txt", dir, dir, dir), ==, 0);
	t = read_out("table.txt");
	CHECK(t);
	CHECK(strstr(t, "sweep khugepaged/max_ptes_none over "));
	CHECK(strstr(t, "value       v6.9:ram       v6.9:pmd      "
			"v6.18:ram      v6.18:pmd\n"));
	for (v = 0; v <= 448; v += 64) {
		char line[128];
		int kb = v >= 256 ? 2048 : 1024, pmd = v >= 256 ? 2048 : 0;

		snprintf(line, sizeof(line), "\n%12ld %14d %14d %14d %14d\n",
			 v, kb, pmd, kb, pmd);
		if (!strstr(t, line)) {
			printf("# no line%s", line);
			free(t);
			return false;
		}
	}
	free(t);
	/* not a terminal: no progress */
	t = read_out("err.txt");
	CHECK(t && !*t);
	free(t);
	return true;
}

static bool test_sweep_json(void)
{
	char *t;

	CHECK_INT(sh("./foliosim sweep %s/pmd256.fsim --set "
		     "khugepaged/max_ptes_none=255..256 --json >%s/s.json",
		     dir, dir), ==, 0);
	t = read_out("s.json");
	CHECK(t);
	CHECK(strstr(t, "\"set\": \"khugepaged/max_ptes_none\", "
			"\"values\": [255, 256], \"results\": [{\"profile\": "
			"\"v6.18\", \"points\": [{\"value\": 255, "
			"\"anon_kb\": 1024, \"pmd_mapped_kb\": 0, "
			"\"failed\": 1}, {\"value\": 256, \"anon_kb\": 2048, "
			"\"pmd_mapped_kb\": 2048, \"failed\": 0}]}]}\n"));
	free(t);
	return true;
}

/* The example where eras differ: one JSON result per profile. */
static bool test_sweep_profiles(void)
{
	char *t;

	CHECK_INT(sh("./foliosim sweep examples/sweep/max_ptes_shared.fsim "
		     "--set khugepaged/max_ptes_shared=0..256:256 "
		     "--profile all --json >%s/p.json", dir), ==, 0);
	t = read_out("p.json");
	CHECK(t);
	CHECK_INT(svgc_count(t, "{\"profile\": "), ==, 4);
	CHECK(strstr(t, "{\"profile\": \"v6.9\", \"points\": [{\"value\": 0, "
			"\"anon_kb\": 2052, \"pmd_mapped_kb\": 0, "));
	CHECK(strstr(t, "{\"profile\": \"v6.10\", \"points\": [{\"value\": 0, "
			"\"anon_kb\": 4096, \"pmd_mapped_kb\": 2048, "));
	CHECK(strstr(t, "{\"value\": 256, \"anon_kb\": 4096, "
			"\"pmd_mapped_kb\": 4096, \"failed\": 0}]}]}\n"));
	free(t);
	return true;
}

static bool test_sweep_svg(void)
{
	char *t;

	CHECK_INT(sh("./foliosim sweep %s/pmd256.fsim --set "
		     "khugepaged/max_ptes_none=0..511:32 --profile v6.10,v6.18 "
		     "--svg %s/plot.svg >/dev/null", dir, dir), ==, 0);
	CHECK_INT(sh("./foliosim sweep %s/pmd256.fsim --set "
		     "khugepaged/max_ptes_none=0..511:32 --profile v6.10,v6.18 "
		     "--svg %s/plot2.svg >/dev/null && cmp -s %s/plot.svg "
		     "%s/plot2.svg", dir, dir, dir, dir), ==, 0);
	t = read_svg("plot.svg");
	CHECK(t);
	CHECK_INT(svgc_count(t, "<polyline "), ==, 4);
	CHECK_INT(svgc_count(t, "<g class=\"series\""), ==, 4);
	CHECK_INT(svgc_count(t, "<circle "), ==, 4 * 16);
	CHECK(strstr(t, "class=\"label-x\">khugepaged/max_ptes_none</text>"));
	CHECK(strstr(t, "class=\"label-y\""));
	CHECK(strstr(t, "(KiB)</text>"));
	CHECK(strstr(t, "class=\"tick-x\">500</text>"));
	CHECK(strstr(t, "class=\"tick-y\">2000</text>"));
	CHECK(strstr(t, ">v6.10 RAM held</text>"));
	CHECK(strstr(t, ">v6.10 PMD-mapped</text>"));
	/* equal lines are drawn on top of each other: the legend says so */
	CHECK(strstr(t, ">v6.18 RAM held = v6.10</text>"));
	CHECK(strstr(t, ">v6.18 PMD-mapped = v6.10</text>"));
	free(t);
	return true;
}

static bool test_bad_ranges(void)
{
	static const struct {
		const char *args, *msg;
	} cases[] = {
		{ "--set khugepaged/max_ptes_none=0..600",
		  "khugepaged/max_ptes_none=600: " },
		{ "--set khugepaged/max_ptes_none=10..5", "bad range" },
		{ "--set khugepaged/max_ptes_none=0..10:0", "bad range" },
		{ "--set khugepaged/max_ptes_none=0..x", "bad range" },
		{ "--set khugepaged/max_ptes_none=0..10:", "bad range" },
		{ "--set khugepaged/max_ptes_none=..10", "bad range" },
		{ "--set khugepaged/nonsense=0..10", "unknown setting" },
		{ "--set enabled=0..1", "cannot be swept" },
		{ "--set khugepaged/max_ptes_none=0", "needs one --set" },
		{ "--set khugepaged/max_ptes_none=0..1 "
		  "--set khugepaged/max_ptes_swap=0..1", "only one" },
		{ "--set khugepaged/max_ptes_none=0..1 --profile v1",
		  "unknown profile" },
	};
	char path[256];
	size_t i;

	snprintf(path, sizeof(path), "%s/err.txt", dir);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *t;

		CHECK_INT(sh("./foliosim sweep %s/pmd256.fsim %s >/dev/null "
			     "2>%s", dir, cases[i].args, path), ==, 2);
		t = svgc_read(path);
		CHECK(t);
		if (!strstr(t, cases[i].msg)) {
			printf("# %s: said %s", cases[i].args, t);
			free(t);
			return false;
		}
		free(t);
	}
	CHECK_INT(sh("./foliosim sweep --set khugepaged/max_ptes_none=0..1 "
		     "2>/dev/null"), ==, 2);
	CHECK_INT(sh("./foliosim run %s/pmd256.fsim %s/pmd256.fsim --svg "
		     "%s/x.svg >/dev/null 2>&1", dir, dir, dir), ==, 2);
	CHECK_INT(sh("./foliosim run %s/pmd256.fsim --svg "
		     "%s/no/such/dir/x.svg >/dev/null 2>&1", dir, dir), ==, 2);
	return true;
}

/* A scenario that sets the swept tunable itself is warned about. */
static bool test_sweep_overridden(void)
{
	char *t;

	CHECK_INT(sh("./foliosim sweep "
		     "tests/scenarios/selftests/collapse_max_ptes_none."
		     "khugepaged.fsim --set khugepaged/max_ptes_none=0..1 "
		     ">/dev/null 2>%s/err.txt", dir), ==, 0);
	t = read_out("err.txt");
	CHECK(t);
	CHECK(strstr(t, "collapse_max_ptes_none.khugepaged.fsim:12:1: "
			"warning: the scenario sets khugepaged/max_ptes_none "
			"itself"));
	free(t);
	return true;
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/fsim-t5300-XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	TEST(test_checker(), "the XML checker accepts SVG and rejects "
	     "unbalanced tags, unquoted attributes, raw '&', two roots");
	TEST(test_run_show(), "run --svg: the show map, runs of cells, "
	     "legend entries of the states present");
	TEST(test_run_final(), "run --svg without show: every mapped region "
	     "at the end, the huge zero page, escaped names");
	TEST(test_sweep_table(), "sweep table: max_ptes_none >= 256 "
	     "collapses 256 empty PTEs; quiet when not a terminal");
	TEST(test_sweep_json(), "sweep --json: values, RAM, PMD-mapped, "
	     "failed expectations");
	TEST(test_sweep_profiles(), "sweep --profile all: v6.10 collapses "
	     "the shared THP at max_ptes_shared 0, the others do not");
	TEST(test_sweep_svg(), "sweep --svg: one line per profile and "
	     "metric, axes, legend; deterministic");
	TEST(test_bad_ranges(), "bad --set ranges and --svg uses exit 2 "
	     "with a clear message");
	TEST(test_sweep_overridden(), "sweep warns when the scenario sets "
	     "the swept tunable itself");
	sh("rm -rf %s", dir);
	return tap_done();
}
