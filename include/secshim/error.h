/* Error object, after crun's libcrun_error_t.
 *
 * A fallible function returns int (>= 0 success, < 0 failure) or a pointer
 * (NULL on failure) and takes `secshim_error_t *err` last.  On failure it
 * builds the message at the point of failure with secshim_make_error() and
 * returns its result.  Only main.c prints errors, once.
 *
 * Messages name what was wrong, JSON fields by their dotted path:
 *   process.user.uid: 4294967296 is out of range for uint32  */
#ifndef SECSHIM_ERROR_H
#define SECSHIM_ERROR_H

#include <stdarg.h>

/* Status codes beyond errno values.  A policy refusal is not a system error. */
enum
{
  SECSHIM_EINPUT = 10000,  /* the document or argv cannot be understood */
  SECSHIM_EPOLICY = 10001, /* the policy refused the container */
  SECSHIM_ECONFIG = 10002, /* the policy file itself is unusable */
};

struct secshim_error_s
{
  int status; /* errno value, or one of the SECSHIM_E* codes */
  char *msg;
};
typedef struct secshim_error_s *secshim_error_t;

/* Sets *err (if err != NULL and *err == NULL) and returns -1.  If errno_ is a
 * real errno value (< SECSHIM_EINPUT, > 0) ": strerror" is appended. */
int secshim_make_error (secshim_error_t *err, int errno_, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

/* Prefix the existing message: "<context>: <old message>".  Returns -1. */
int secshim_error_wrap (secshim_error_t *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

void secshim_error_release (secshim_error_t *err);

#endif
