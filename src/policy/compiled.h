/* The validated-policy cache (src/policy/validated.c): internal to the
 * policy loader, plus a counter for tests. */
#ifndef SECSHIM_POLICY_VALIDATED_H
#define SECSHIM_POLICY_VALIDATED_H

#include <stdbool.h>

#include "secshim/error.h"
#include "secshim/policy.h"

/* Run the rules' validate steps of a fully loaded p, unless use_cache and a
 * stamp for exactly its bytes exists (then set p->validation_skipped).
 * With use_cache, a complete validation records the stamp. */
int policy_validate (struct policy *p, bool use_cache, secshim_error_t *err);

/* How many times the validate steps ran in this process (tests). */
unsigned policy_validate_runs (void);

#endif
