/* The cmocka runner: `csend_tests` runs every test, `csend_tests NAME` one
 * (a glob), `csend_tests --list` names them, one a line, for pytest.
 * Built twice: csend_tests (the contract) and, with CSEND_HARDENING,
 * csend_hardening_tests (fault injection, close races, hostile use). */
#include "support.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    /* SIGPIPE keeps its default action: a send that raised it would kill
     * the test, which is the point (MSG_NOSIGNAL). */
    signal(SIGPIPE, SIG_DFL);
#ifdef CSEND_HARDENING
    const struct {
        const struct CMUnitTest *tests;
        size_t count;
    } groups[] = {{fault_tests, fault_test_count},
                  {race_tests, race_test_count},
                  {hostile_tests, hostile_test_count}};
#else
    size_t nvec = 0;
    struct CMUnitTest *vectors = vector_tests(CSEND_VECTORS, &nvec);
    if (vectors == NULL)
        return 2;
    const struct {
        const struct CMUnitTest *tests;
        size_t count;
    } groups[] = {{vectors, nvec},
                  {behaviour_tests, behaviour_test_count},
                  {pending_tests, pending_test_count},
                  {error_tests, error_test_count},
                  {catalogue_tests, catalogue_test_count}};
#endif
    size_t total = 0;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        total += groups[g].count;
    struct CMUnitTest *all = calloc(total, sizeof *all);
    if (all == NULL)
        return 2;
    for (size_t g = 0, at = 0; g < sizeof groups / sizeof groups[0]; at += groups[g++].count)
        memcpy(all + at, groups[g].tests, groups[g].count * sizeof *all);

    int failed = 0;
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < total; i++)
            printf("%s\n", all[i].name);
    } else {
        if (argc > 1)
            cmocka_set_test_filter(argv[1]);
        failed = _cmocka_run_group_tests("csend", all, total, NULL, NULL);
    }
    free(all);
#ifndef CSEND_HARDENING
    free_vector_tests(vectors, nvec);
#endif
    return failed == 0 ? 0 : 1;
}
