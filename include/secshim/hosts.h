/* The implementations of struct host (host.h): the real host, the lexical
 * fake of the tests, and which one the runtime verbs use. */
#ifndef SECSHIM_HOSTS_H
#define SECSHIM_HOSTS_H

#include <stdbool.h>

#include "secshim/host.h"

/* The real host (lazy: nothing is probed until asked). */
const struct host *host_real (void);
/* The host the runtime verbs and `secshim check` judge and apply against:
 * host_real () unless host_set_current replaced it.  Tests replace it with
 * a host whose host-changing calls fail the test, to prove that check and
 * a refused container call none of them (tests/unit/test_side_effects.c). */
const struct host *host_current (void);
void host_set_current (const struct host *h);
/* A host with lexical canonicalisation only, no namespaces of its own, for
 * tests: apparmor/cgroupns flags as given. */
void host_fake_init (struct host *h, bool apparmor_enabled, bool cgroupns_supported);

#endif
