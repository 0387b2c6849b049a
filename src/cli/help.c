// SPDX-License-Identifier: GPL-2.0-only
/* The command table and the help texts. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "exec/exec.h"
#include "config/profile.h"
#include "config/settings.h"

static const char run_usage[] =
	"usage: foliosim run FILE... [--profile P[,P...]|all] [--shared=PRED]\n"
	"                    [--set PATH=VALUE]... [--force POINT=true|false]...\n"
	"                    [--json] [--check] [--svg OUT.svg] [--trace]\n"
	"                    [--why] [--cost]\n"
	"\n"
	"Run each scenario file on the model.  With several profiles the\n"
	"results are shown side by side and rows that differ are marked '*'.\n"
	"\n"
	"  --profile P,...   kernel eras to follow (default v6.18); 'all' = every one\n"
	"  --shared=PRED     override khugepaged's shared predicate:\n"
	"                    page_mapcount|likely|maybe|exact|always|never\n"
	"  --set PATH=VALUE  a setting applied before the first statement\n"
	"  --force POINT=true|false\n"
	"                    force a khugepaged decision point (repeatable;\n"
	"                    'foliosim help points' lists them)\n"
	"  --json            one JSON object per scenario file\n"
	"  --check           run the invariant checker after every statement\n"
	"  --svg OUT.svg     draw the maps of the 'show' statements (without\n"
	"                    any: every region at the end) as a picture: a row\n"
	"                    of cells per PMD, a colour per page state, the\n"
	"                    profiles side by side (one scenario file only)\n"
	"  --trace           print every PMD scan of khugepaged and MADV_COLLAPSE\n"
	"                    (JSON: \"scans\"), as 'kernel --trace' does\n"
	"  --why             at the end, say for every PMD of every region why\n"
	"                    it is or is not a THP (JSON: \"why\"), as\n"
	"                    'kernel --why' does\n"
	"  --cost            the atomic updates of mapcount fields the run's rmap\n"
	"                    calls cost under each scheme: per-page (6.18),\n"
	"                    no_page_mapcount and total_mapped, counted for all\n"
	"                    three whatever the profile (JSON: \"cost\")\n"
	"\n"
	"A --trace line: 'pass N' (khugepaged's pass in the run) or 'madvise',\n"
	"the process, the PMD address, the kernel's SCAN_* result, the counts\n"
	"none_or_zero, swap (unmapped), shared and referenced of the scan so\n"
	"far, and the check that decided, e.g. '(none_or_zero 257 >\n"
	"max_ptes_none 256)'.  With --trace the model also holds the kernel\n"
	"executor's keeper (an mm with one THP, registered first, observed\n"
	"nowhere), so its khugepaged passes cover the same PMDs as the kernel's.\n"
	"\n"
	"A --why line: the process, the region, the PMD address and one of:\n"
	"'THP, collapsed by khugepaged pass N' (or MADV_COLLAPSE), 'THP from\n"
	"a fault, fork or move', 'the huge zero page, mapped by a read fault';\n"
	"'not collapsed: SCAN_* at ...' with the check\n"
	"that decided (its last scan), 'not a THP: collapsed by ..., split\n"
	"since'; 'not eligible: ...' (MADV_NOHUGEPAGE, the sysfs mode, a VMA\n"
	"boundary inside the PMD, no anon_vma, the mm not on khugepaged's\n"
	"list); 'eligible, never scanned'.  PMDs are khugepaged's: aligned,\n"
	"each once.  On the kernel, which shows no anon_vma and no khugepaged\n"
	"list, an eligible-looking PMD nothing scanned is 'never scanned:\n"
	"eligible as far as can be seen (...)'.\n"
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
	"                        [--force POINT=true|false]...\n"
	"                        [--max-procs P] [--max-pmds R] [--max-ops K]\n"
	"                        [--exhaustive K] [--out DIR] [--json]\n"
	"       foliosim explore --merge DIR... [--out DIR] [--json]\n"
	"       foliosim explore --against kernel [--seed S] [--runs N]\n"
	"                        [--time SECONDS] [--set PATH=VALUE]...\n"
	"                        [--max-ops K] [--why] [--out DIR] [--json]\n"
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
	"--exhaustive K runs every sequence of K statements from a small\n"
	"alphabet (fork, dontneed of halves, CoW of page 0, pageout, exit,\n"
	"khugepaged) after one written THP: 8^K runs.  --force POINT=V\n"
	"forces a khugepaged decision point in every profile's runs (see\n"
	"'foliosim help points').\n"
	"\n"
	"--against kernel (root, THP): search for scenarios where the model\n"
	"(profile v6.18) and this machine's kernel disagree, page by page.\n"
	"Each run generates a scenario over the whole language, sized for the\n"
	"kernel (up to 4 processes, regions of 1-4 MiB, mTHP sizes, fork,\n"
	"mremap, mprotect, every madvise, swap, KSM, khugepaged, shrink,\n"
	"tunables), and diffs it as 'foliosim diff' does, taking the test lock\n"
	"and the guard for that run only.  A disagreement is run twice more:\n"
	"the same end every time is a real difference, else nondeterministic.\n"
	"The first real one of each class (the first differing field, such as\n"
	"page:pmd, page:state:MODEL/KERNEL or vmstat:NAME) is shrunk with the\n"
	"kernel in the loop.  DIR gets one reproducer per class (CLASS.fsim,\n"
	"with the class, seed, run and the diff in its comment header) and\n"
	"summary.txt and summary.json (runs, agreement, classes, time).\n"
	"--runs and --time may be combined (the first limit ends it); the\n"
	"default is --time 600, --max-ops 20.  With --why each diff also\n"
	"compares the PMD scans and every PMD's verdict at the end (classes\n"
	"scan:... and why:MODEL/KERNEL), as 'diff --why' does.  Progress goes\n"
	"to a terminal only.  Exit 4 when the kernel cannot be used.\n";

static const char kernel_usage[] =
	"usage: foliosim kernel FILE... [--json] [--trace] [--why]\n"
	"                       [--trace-raw]\n"
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
	"  --trace     print every PMD scan of khugepaged and MADV_COLLAPSE as\n"
	"              'run --trace' does (JSON: \"scans\"), read from the\n"
	"              mm_khugepaged_scan_pmd tracepoint\n"
	"  --why       at the end, say for every PMD why it is or is not a THP\n"
	"              as 'run --why' does (JSON: \"why\"); eligibility is read\n"
	"              from smaps (THPeligible, VmFlags) and the sysfs modes\n"
	"  --trace-raw print the huge_memory trace events of each statement\n"
	"              (mm_khugepaged_scan_pmd, mm_collapse_huge_page) on stderr\n"
	"  --restore   undo what an interrupted run left behind, then exit\n"
	"\n"
	"Exit status: 0 all expectations held, 1 one failed, 2 bad input,\n"
	"3 data lost, 4 the kernel executor cannot run here (not root, no\n"
	"THP, no tracefs for --trace, ...), with the reason on stderr.\n"
	"\n"
	"The tracepoint has no shared count (printed '-', JSON null) and no\n"
	"address: a scan is given to a process by its mm (each actor teaches\n"
	"its mm with a MADV_COLLAPSE of an empty scratch PMD when it starts)\n"
	"and to a PMD by its pfn (looked up in the pagemaps read before each\n"
	"pass), by its place in a MADV_COLLAPSE range, or next to a scan of\n"
	"the same process in the same pass; otherwise '?'.  The keeper's scans\n"
	"are left out.\n";

static const char diff_usage[] =
	"usage: foliosim diff FILE... [--profile P] [--svg OUT.svg] [--trace]\n"
	"                     [--why]\n"
	"\n"
	"Run each scenario on the model (profile P, default v6.18) and on this\n"
	"machine's kernel, statement by statement, and compare after each one:\n"
	"per process, region and page the state (none, zero, present, swap),\n"
	"PMD mapping, folio order and which pages share a physical page; THPs\n"
	"per region; and the vmstat counters (the per-pass thp_scan_exceed_*\n"
	"counters as zero or non-zero).  At the first difference, print the\n"
	"statement and both maps side by side.  Where a probe finds that this\n"
	"kernel's read faults map no zero page (or no huge one), the model\n"
	"runs with model/zero_page=0 (or model/huge_zero_page=0).  The model\n"
	"holds the kernel executor's keeper, so khugepaged passes line up.\n"
	"\n"
	"  --profile P  the model's kernel era\n"
	"  --trace      also compare the PMD scans of every khugepaged pass and\n"
	"               MADV_COLLAPSE record by record (see 'help kernel'); the\n"
	"               first differing one is the verdict: scan:passes (another\n"
	"               pass, or one side scanned more), scan:pmd, scan:status\n"
	"               or scan:counts, with the check that decided, e.g.\n"
	"               'P PMD 0x40000000 pass 1: model v6.10 SCAN_SUCCEED,\n"
	"               kernel SCAN_EXCEED_SHARED_PTE'\n"
	"  --why        also (with the scans) compare every PMD's verdict at the\n"
	"               end, as 'run --why' and 'kernel --why' give it\n"
	"\n"
	"  --svg OUT.svg     draw the model's and the kernel's maps side by\n"
	"                    side where they first differ, the differing\n"
	"                    pages marked (or at the end when they agree)\n"
	"\n"
	"Exit status: 0 model and kernel agree, 1 they differ, 2 bad input,\n"
	"3 data lost, 4 the kernel executor cannot run here.\n";

static const char mutate_usage[] =
	"usage: foliosim mutate SUITE... [--profile P] [--json] [-j N]\n"
	"       foliosim mutate SUITE... --synthesize [--seed N] [--runs N]\n"
	"                [--time SECONDS] [--out DIR] [--mutant NAME]\n"
	"                [--model-only] [--profile P] [-j N]\n"
	"\n"
	"Mutation coverage: SUITE is scenario files or directories (searched\n"
	"for *.fsim).  Each mutant flips one thing: a khugepaged decision\n"
	"point forced true or forced false ('foliosim help points'), or the\n"
	"era's \"is it shared?\" predicate replaced by another one.  Every\n"
	"scenario runs under every mutant (profile P, default v6.18) and is\n"
	"compared with its unmutated run: a failed expectation kills the\n"
	"mutant (K); an end state that differs with no expectation failing\n"
	"is a gap the scenario could close by asserting more (d).  Prints the\n"
	"matrix, the surviving mutants and the score.  The result does not\n"
	"depend on -j (default: the number of CPUs).\n"
	"\n"
	"  --json   {\"profile\", \"scenarios\": [...], \"mutants\": [{\"name\",\n"
	"           \"killed\", \"killed_by\": [...], \"differs_unasserted\":\n"
	"           [...]}], \"killed\", \"total\"}\n"
	"\n"
	"--synthesize: for each mutant the suite leaves alive, search the\n"
	"explorer's generated scenarios (runs 0, 1, ... of the seed) for one\n"
	"whose end state differs between the mutant and the original, shrink\n"
	"it while it still differs, and add the expectations (at most three:\n"
	"THPs, swapped, present or shared pages of a process's region, then\n"
	"the khugepaged vmstat counters) that hold for the original and fail\n"
	"for the mutant.  Each candidate is run on the live kernel as\n"
	"'foliosim kernel' runs it (root; it takes the test lock and the run\n"
	"lock for that run only): a candidate whose expectations the kernel\n"
	"does not keep is discarded (and said so) and the search goes on.\n"
	"A kept killer is tried on the other survivors too.  Killers are\n"
	"written to DIR/<mutant>.fsim (':' as '-'), with a header saying what\n"
	"they kill, what differs and which kernel confirmed them.  Prints the\n"
	"matrix, the killers, the mutants left without one and why (not\n"
	"evaluated; never holds / always holds where evaluated, so forcing it\n"
	"changes nothing; reached with no change; the kernel disagreed with\n"
	"every candidate), and the score before (the suite) and after (the\n"
	"suite and the killers).  The killers depend only on the seed, --runs\n"
	"and the kernel's answers, not on -j.\n"
	"\n"
	"  --seed N        generator seed (default 1)\n"
	"  --runs N        generated scenarios searched at most (default 2000)\n"
	"  --time SECONDS  stop after the batch (32 runs) that uses it up\n"
	"  --out DIR       where killers go (default tests/scenarios/killers)\n"
	"  --mutant NAME   search for this mutant only\n"
	"  --model-only    do not confirm on the kernel (no root needed); the\n"
	"                  header says so\n"
	"\n"
	"Exit status: 0 done, 2 bad input, 4 the kernel cannot confirm here\n"
	"(not root, no THP; --model-only searches without it).\n";

static const char sweep_usage[] =
	"usage: foliosim sweep FILE --set PATH=A..B[:STEP] [--profile P,...|all]\n"
	"                      [--set PATH=VALUE]... [--svg OUT.svg] [--json]\n"
	"\n"
	"Run the scenario on the model for each value A, A+STEP, ... <= B of\n"
	"one numeric setting (e.g. khugepaged/max_ptes_none=0..511:64) under\n"
	"each profile, applied before the first statement (after the other\n"
	"--set), and report at the end of each run the RAM held by anonymous\n"
	"folios and the THP coverage (PMD-mapped KiB): a table, or one JSON\n"
	"object with --json.  Failed expectations are counted, not fatal.\n"
	"A scenario that sets PATH itself replaces the swept value from that\n"
	"statement on (with a warning).  Progress goes to a terminal only.\n"
	"\n"
	"  --svg OUT.svg     also plot both against the value, one line per\n"
	"                    profile and metric\n"
	"  --profile, --set, --shared, --check: as for run\n"
	"\n"
	"Exit status: 0 done, 2 bad input (unknown setting, bad or\n"
	"out-of-bounds range), 3 data lost or a model invariant broke.\n";

static const char help_usage[] =
	"usage: foliosim help [COMMAND | points]\n";

const struct cli_cmd cli_cmds[] = {
	{ "run", cmd_run, "run scenarios on the model, profiles side by side",
	  run_usage },
	{ "kernel", cmd_kernel, "run scenarios on this machine's kernel",
	  kernel_usage },
	{ "diff", cmd_diff, "compare the model with the kernel, statement by "
	  "statement", diff_usage },
	{ "explore", cmd_explore, "search for scenarios where eras disagree",
	  explore_usage },
	{ "mutate", cmd_mutate, "which scenarios notice a flipped decision",
	  mutate_usage },
	{ "sweep", cmd_sweep, "plot RAM and THP coverage against a setting",
	  sweep_usage },
	{ "fmt", cmd_fmt, "print scenarios in canonical form", fmt_usage },
	{ "snapshot", cmd_snapshot, "record the anonymous memory of running "
	  "processes", snapshot_usage },
	{ "whatif", cmd_whatif, "what khugepaged would do to a snapshot, per "
	  "era and setting", whatif_usage },
	{ "export", cmd_export, "a scenario as a standalone kernel selftest "
	  "(C)", export_usage },
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
	fputs("\n  (modifiers: 'foliosim help profiles')", f);
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

/* "foliosim help points": the decision points --force and mutate use. */
static void points(FILE *f)
{
	const char *name;
	int i;

	fputs("khugepaged's decision points (for --force POINT=true|false and\n"
	      "foliosim mutate).  Forced true, the condition holds every time\n"
	      "it is evaluated; forced false, never.\n\n", f);
	for (i = 0; (name = exec_point_name(i)); i++)
		fprintf(f, "  %-40s %s\n  %-40s   -> %s\n", name,
			exec_point_function(i), "", exec_point_result(i));
}

/* "foliosim help profiles": the eras and the proposal modifiers. */
static void profiles(FILE *f)
{
	const struct profile_modifier *mod;
	int i;

	fputs("A profile is an era, optionally with modifiers that add a\n"
	      "proposed change: ERA[+MOD]... (e.g. v6.18+total_mapped).\n"
	      "docs/profiles.md has every rule and its source.\n\neras:\n",
	      f);
	for (i = 0; i < fsim_nr_profiles; i++)
		fprintf(f, "  %-22s %s\n", fsim_profiles[i].name,
			fsim_profiles[i].kernels);
	fputs("\nmodifiers:\n", f);
	for (i = 0; i < profile_nr_modifiers; i++) {
		mod = &profile_modifiers[i];
		fprintf(f, "  +%-21s %s\n  %-22s %s%s\n", mod->name,
			mod->rule, "", mod->source,
			mod->merged ? "" : " (not merged)");
	}
}

int cmd_help(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		overview(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "points")) {
		points(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "profiles")) {
		profiles(stdout);
		return 0;
	}
	for (i = 0; i < cli_nr_cmds; i++)
		if (!strcmp(cli_cmds[i].name, argv[1])) {
			fputs(cli_cmds[i].usage, stdout);
			return 0;
		}
	return cli_error("no help for unknown command '%s'", argv[1]);
}
