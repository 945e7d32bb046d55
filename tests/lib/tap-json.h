/* JSON fixtures of the C unit tests: a document written in the test, or a
 * file of the repository.  Either yields NULL (and a TAP diagnostic) when it
 * does not parse, so the checks that use it fail rather than crash. */
#ifndef SECSHIM_TAP_JSON_H
#define SECSHIM_TAP_JSON_H

#include <stdlib.h>
#include <string.h>

#include "secshim/file.h"
#include "secshim/json.h"
#include "tap.h"

static inline struct json_value *
tap_json (const char *text)
{
  struct json_value *v = NULL;
  secshim_error_t err = NULL;
  if (json_parse (text, strlen (text), NULL, &v, &err) < 0)
    {
      tap_diag ("parse: %s", err->msg);
      secshim_error_release (&err);
    }
  return v;
}

static inline struct json_value *
tap_json_file (const char *path)
{
  char *buf = NULL;
  size_t len = 0;
  struct json_value *v = NULL;
  secshim_error_t err = NULL;
  if (read_data_file (path, 1 << 24, &buf, &len, &err) < 0 || json_parse (buf, len, NULL, &v, &err) < 0)
    {
      tap_diag ("%s: %s", path, err->msg);
      secshim_error_release (&err);
    }
  free (buf);
  return v;
}

#endif
