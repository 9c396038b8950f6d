/* check_main.c - runs the suites, by layer: the unit suites of each module
 * first (no processes, no gahpo binary, no scheduler: seconds), then the
 * integration suites (the command, local processes, resume after kill -9,
 * Slurm and PBS, sweeps, fuzz smoke, fault injection), then the DEAP
 * comparison and the convergence runs.
 *   $GAHPO_TEST_UNIT=1   the unit suites only (make unit)
 *   $GAHPO_TEST_QUICK=1  all but the DEAP comparison and the convergence
 *                        runs (make quick, make asan) */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"
#include "testutil.h"

int main(void)
{
    const char *u = getenv("GAHPO_TEST_UNIT");
    int unit_only = u && *u && *u != '0';
    /* unit: one module each, in-process */
    SRunner *sr = srunner_create(space_suite());
    srunner_add_suite(sr, util_suite());
    srunner_add_suite(sr, strbuf_suite());
    srunner_add_suite(sr, job_suite());
    srunner_add_suite(sr, executor_suite());
    srunner_add_suite(sr, sched_suite());
    srunner_add_suite(sr, files_suite());
    srunner_add_suite(sr, ops_suite());
    srunner_add_suite(sr, settings_suite());
    srunner_add_suite(sr, engine_suite());
    srunner_add_suite(sr, steady_suite());
    srunner_add_suite(sr, csv_suite());
    srunner_add_suite(sr, problems_suite());
    srunner_add_suite(sr, bbob_suite());
    if (unit_only) {
        fprintf(stderr, "unit suites only (make test runs them all)\n");
    } else {
        /* integration: the command, processes, schedulers, files on disk */
        srunner_add_suite(sr, surrogate_suite());
        srunner_add_suite(sr, cli_suite());
        srunner_add_suite(sr, budget_suite());
        srunner_add_suite(sr, local_suite());
        srunner_add_suite(sr, resume_suite());
        srunner_add_suite(sr, rundir_suite());
        srunner_add_suite(sr, sweep_suite());
        srunner_add_suite(sr, configure_suite());
        srunner_add_suite(sr, tune_suite());
        srunner_add_suite(sr, compare_suite());
        srunner_add_suite(sr, slurm_suite());
        srunner_add_suite(sr, pbs_suite());
        srunner_add_suite(sr, chunks_suite());
        srunner_add_suite(sr, templates_suite());
        srunner_add_suite(sr, fuzz_suite());
        srunner_add_suite(sr, fault_suite());
    }
    if (!unit_only && !tu_quick()) {
        srunner_add_suite(sr, convergence_suite());
        srunner_add_suite(sr, deap_suite());
    } else if (!unit_only) {
        fprintf(stderr, "quick mode: convergence and DEAP-equivalence suites "
                "left out (run make test for them)\n");
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
