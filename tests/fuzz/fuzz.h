/* Shared helpers for the libFuzzer harnesses in tests/fuzz/.
 *
 * Each harness defines LLVMFuzzerTestOneInput (and optionally
 * LLVMFuzzerInitialize).  It is linked either with libFuzzer (clang
 * -fsanitize=fuzzer, see hack/fuzz.sh) or with replay_main.c (any compiler,
 * runs the harness over files named on the command line).
 *
 * A broken invariant calls FUZZ_ASSERT, which prints what broke and aborts:
 * libFuzzer then saves the input as a crash artifact. */
#ifndef SECSHIM_FUZZ_H
#define SECSHIM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "secshim/error.h"

/* Where the shipped policies live; hack/fuzz.sh passes the repository's. */
#ifndef FUZZ_POLICY_DIR
#define FUZZ_POLICY_DIR "policy"
#endif

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define FUZZ_ASSERT(cond, ...)                                                                                         \
  do                                                                                                                   \
    {                                                                                                                  \
      if (!(cond))                                                                                                     \
        {                                                                                                              \
          fprintf (stderr, "%s:%d: invariant `%s` broken: ", __FILE__, __LINE__, #cond);                               \
          fprintf (stderr, __VA_ARGS__);                                                                               \
          fputc ('\n', stderr);                                                                                        \
          abort ();                                                                                                    \
        }                                                                                                              \
    }                                                                                                                  \
  while (0)

/* Message of err or "(no message)", for FUZZ_ASSERT diagnostics. */
static inline const char *
fuzz_msg (secshim_error_t err)
{
  return err && err->msg ? err->msg : "(no message)";
}

#endif
