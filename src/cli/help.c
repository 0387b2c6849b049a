// SPDX-License-Identifier: GPL-2.0-only
/* The command table and the help texts. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "model/profile.h"
#include "model/settings.h"

static const char run_usage[] =
	"usage: foliosim run FILE... [--profile P[,P...]|all] [--shared=PRED]\n"
	"                    [--set PATH=VALUE]... [--json] [--check]\n"
	"\n"
	"Run each scenario file on the model.  With several profiles the\n"
	"results are shown side by side and rows that differ are marked '*'.\n"
	"\n"
	"  --profile P,...   kernel eras to follow (default v6.18); 'all' = every one\n"
	"  --shared=PRED     override khugepaged's shared predicate:\n"
	"                    page_mapcount|likely|maybe|exact|always|never\n"
	"  --set PATH=VALUE  a setting applied before the first statement\n"
	"  --json            one JSON object per scenario file\n"
	"  --check           run the invariant checker after every statement\n"
	"\n"
	"Exit status: 0 all expectations held, 1 one failed, 2 bad input,\n"
	"3 data lost or a model invariant broke.\n";

static const char fmt_usage[] =
	"usage: foliosim fmt FILE...\n"
	"\n"
	"Parse each scenario and print it back in canonical form (the form\n"
	"the explorer writes reproducers in).  Exit 2 on a parse error.\n";

static const char explore_usage[] =
	"usage: foliosim explore [--profiles A,B[,...]] [--seed S]\n"
	"                        [--runs N | --time SECONDS] [-j THREADS]\n"
	"                        [--shard K/N] [--set PATH=VALUE]...\n"
	"                        [--max-procs P] [--max-pmds R] [--max-ops K]\n"
	"                        [--exhaustive K] [--out DIR] [--json]\n"
	"       foliosim explore --merge DIR... [--out DIR] [--json]\n"
	"\n"
	"Generate random scenarios from a seed, run each under every profile\n"
	"(\"exact\" = v6.18 with the exact shared predicate), and report where\n"
	"they differ: extra RAM, lost PMD THP coverage, or (against exact)\n"
	"false negatives/positives of khugepaged's shared predicate.  Each\n"
	"finding is shrunk to a minimal scenario, deduplicated, and written to\n"
	"DIR as a runnable .fsim with expect[profile] lines, plus summary.md\n"
	"and summary.json.  Defaults: --profiles v6.10,v6.18 --seed 1\n"
	"--runs 1000 -j 1 --max-procs 3 --max-pmds 2 --max-ops 12.\n"
	"With --runs the findings do not depend on -j; --shard K/N takes the\n"
	"runs i with i % N == K, so N machines can share one search, and\n"
	"--merge combines their DIRs: it replays the shrink decisions over\n"
	"the candidates every shard records (DIR/candidates.txt), so the\n"
	"merged findings and run counts equal those of the one search.\n"
	"--exhaustive K runs every sequence of\n"
	"K statements from a small alphabet (fork, dontneed of halves, CoW of\n"
	"page 0, pageout, exit, khugepaged) after one written THP: 8^K runs.\n";

static const char kernel_usage[] =
	"usage: foliosim kernel FILE... [--json] [--trace]\n"
	"       foliosim kernel --restore\n"
	"\n"
	"Run each scenario on this machine's kernel, as root: one process per\n"
	"scenario process, observed through pagemap, kpageflags, smaps and\n"
	"vmstat.  Each run starts from the kernel's default THP and KSM\n"
	"tunables; khugepaged and ksmd run only inside 'khugepaged' and 'ksm'\n"
	"statements.  Every setting changed is restored at exit, on a signal,\n"
	"and (after SIGKILL) by the next run or by --restore.  Where tracefs\n"
	"is not mounted, the run mounts it at /sys/kernel/tracing and unmounts\n"
	"it again in the same ways.\n"
	"\n"
	"  --json      one JSON object per scenario file\n"
	"  --trace     print the huge_memory trace events of each statement\n"
	"              (mm_khugepaged_scan_pmd, mm_collapse_huge_page) on stderr\n"
	"  --restore   undo what an interrupted run left behind, then exit\n"
	"\n"
	"Exit status: 0 all expectations held, 1 one failed, 2 bad input,\n"
	"3 data lost, 4 the kernel executor cannot run here (not root, no\n"
	"THP, no tracefs for --trace, ...), with the reason on stderr.\n";

static const char diff_usage[] =
	"usage: foliosim diff FILE... [--profile P]\n"
	"\n"
	"Run each scenario on the model (profile P, default v6.18) and on this\n"
	"machine's kernel, statement by statement, and compare after each one:\n"
	"per process, region and page the state (none, zero, present, swap),\n"
	"PMD mapping, folio order and which pages share a physical page; THPs\n"
	"per region; and the vmstat counters (the per-pass thp_scan_exceed_*\n"
	"counters as zero or non-zero).  At the first difference, print the\n"
	"statement and both maps side by side.  Where a probe finds that this\n"
	"kernel's read faults map no zero page (or no huge one), the model\n"
	"runs with model/zero_page=0 (or model/huge_zero_page=0).\n"
	"\n"
	"Exit status: 0 model and kernel agree, 1 they differ, 2 bad input,\n"
	"3 data lost, 4 the kernel executor cannot run here.\n";

static const char help_usage[] =
	"usage: foliosim help [COMMAND]\n";

const struct cli_cmd cli_cmds[] = {
	{ "run", cmd_run, "run scenarios on the model, profiles side by side",
	  run_usage },
	{ "kernel", cmd_kernel, "run scenarios on this machine's kernel",
	  kernel_usage },
	{ "diff", cmd_diff, "compare the model with the kernel, statement by "
	  "statement", diff_usage },
	{ "explore", cmd_explore, "search for scenarios where eras disagree",
	  explore_usage },
	{ "fmt", cmd_fmt, "print scenarios in canonical form", fmt_usage },
	{ "snapshot", cmd_snapshot, "record the anonymous memory of running "
	  "processes", snapshot_usage },
	{ "whatif", cmd_whatif, "what khugepaged would do to a snapshot, per "
	  "era and setting", whatif_usage },
	{ "help", cmd_help, "show help for a command", help_usage },
};

const int cli_nr_cmds = sizeof(cli_cmds) / sizeof(cli_cmds[0]);

static void overview(FILE *f)
{
	int i;

	fputs("usage: foliosim [COMMAND [ARGS]]\n\n"
	      "foliosim models Linux anonymous memory (folios, mapcounts, fork,\n"
	      "COW, swap, khugepaged) exactly, kernel era by kernel era.\n"
	      "Without a command it runs a built-in demo: the case where\n"
	      "folio_likely_mapped_shared() (6.10-6.14) lets khugepaged collapse\n"
	      "a THP that is still shared.\n\ncommands:\n", f);
	for (i = 0; i < cli_nr_cmds; i++)
		fprintf(f, "  %-8s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
	fputs("\nprofiles:", f);
	for (i = 0; i < fsim_nr_profiles; i++)
		fprintf(f, " %s (%s)", fsim_profiles[i].name,
			fsim_profiles[i].kernels);
	fputs("\nsettings (set PATH VALUE):", f);
	for (i = 0; i < fsim_nr_settings; i++)
		fprintf(f, "%s%s", i % 3 ? ", " : "\n  ", fsim_settings[i].path);
	fputs("\n\nSee man/foliosim.1 and docs/scenario-language.md.\n", f);
}

void cli_usage(FILE *f, const char *name)
{
	int i;

	for (i = 0; name && i < cli_nr_cmds; i++)
		if (!strcmp(cli_cmds[i].name, name)) {
			fputs(cli_cmds[i].usage, f);
			return;
		}
	overview(f);
}

int cmd_help(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		overview(stdout);
		return 0;
	}
	for (i = 0; i < cli_nr_cmds; i++)
		if (!strcmp(cli_cmds[i].name, argv[1])) {
			fputs(cli_cmds[i].usage, stdout);
			return 0;
		}
	return cli_error("no help for unknown command '%s'", argv[1]);
}
