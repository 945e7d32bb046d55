/* The error object: see include/secshim/error.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "secshim/error.h"
#include "secshim/util.h"

static int
make_error_v (secshim_error_t *err, int status, const char *fmt, va_list ap)
{
  char *msg = NULL;
  if (err == NULL || *err != NULL)
    return -1;
  xvasprintf (&msg, fmt, ap);
  if (status > 0 && status < SECSHIM_EINPUT)
    {
      char *full = NULL;
      xasprintf (&full, "%s: %s", msg, strerror (status));
      free (msg);
      msg = full;
    }
  *err = xzalloc (sizeof **err);
  (*err)->status = status;
  (*err)->msg = msg;
  return -1;
}

int
secshim_make_error (secshim_error_t *err, int errno_, const char *fmt, ...)
{
  va_list ap;
  int ret;
  va_start (ap, fmt);
  ret = make_error_v (err, errno_, fmt, ap);
  va_end (ap);
  return ret;
}

int
secshim_error_wrap (secshim_error_t *err, const char *fmt, ...)
{
  va_list ap;
  char *prefix = NULL, *full = NULL;
  if (err == NULL || *err == NULL)
    return -1;
  va_start (ap, fmt);
  xvasprintf (&prefix, fmt, ap);
  va_end (ap);
  xasprintf (&full, "%s: %s", prefix, (*err)->msg);
  free (prefix);
  free ((*err)->msg);
  (*err)->msg = full;
  return -1;
}

void
secshim_error_release (secshim_error_t *err)
{
  if (err == NULL || *err == NULL)
    return;
  free ((*err)->msg);
  free (*err);
  *err = NULL;
}
