/* The cmocka runner: `csend_tests` runs every test, `csend_tests NAME` one
 * (a glob), `csend_tests --list` names them, one a line, for pytest. */
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
    size_t nvec = 0;
    struct CMUnitTest *vectors = vector_tests(CSEND_VECTORS, &nvec);
    size_t total = nvec + behaviour_test_count + error_test_count;
    struct CMUnitTest *all = calloc(total, sizeof *all);
    if (vectors == NULL || all == NULL)
        return 2;
    memcpy(all, vectors, nvec * sizeof *all);
    memcpy(all + nvec, behaviour_tests, behaviour_test_count * sizeof *all);
    memcpy(all + nvec + behaviour_test_count, error_tests, error_test_count * sizeof *all);

    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < total; i++)
            printf("%s\n", all[i].name);
        return 0;
    }
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    int failed = _cmocka_run_group_tests("csend", all, total, NULL, NULL);
    free(all);
    free(vectors);
    return failed == 0 ? 0 : 1;
}
