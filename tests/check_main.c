/* check_main.c - runs every suite; quick mode ($GAHPO_TEST_QUICK, used by
 * make asan) leaves out the statistical comparisons with DEAP and the
 * convergence regression runs. */
#include <stdio.h>
#include <stdlib.h>

#include "suites.h"
#include "testutil.h"

int main(void)
{
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
    srunner_add_suite(sr, surrogate_suite());
    srunner_add_suite(sr, bbob_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, local_suite());
    srunner_add_suite(sr, resume_suite());
    srunner_add_suite(sr, rundir_suite());
    srunner_add_suite(sr, sweep_suite());
    srunner_add_suite(sr, slurm_suite());
    srunner_add_suite(sr, pbs_suite());
    srunner_add_suite(sr, chunks_suite());
    srunner_add_suite(sr, templates_suite());
    srunner_add_suite(sr, fuzz_suite());
    srunner_add_suite(sr, fault_suite());
    if (!tu_quick()) {
        srunner_add_suite(sr, convergence_suite());
        srunner_add_suite(sr, deap_suite());
    } else {
        fprintf(stderr, "quick mode: convergence and DEAP-equivalence suites "
                "left out (run make test for them)\n");
    }
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
