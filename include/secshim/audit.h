/* Decision records and runc-format error reporting.
 *
 * audit_record() appends one JSON line per decision to the policy's audit log
 * (single O_APPEND write, so concurrent secshims never interleave) and
 * optionally to syslog.  report_refusal() tells the person who typed
 * `docker run` why: one runc-format line appended to the --log file
 * ({"level":"error","msg":"secshim: ...","time":"<RFC3339>"}, or logrus text
 * with --log-format text) and the message on stderr.  Nothing here writes to
 * stdout. */
#ifndef SECSHIM_AUDIT_H
#define SECSHIM_AUDIT_H

#include <stdbool.h>

#include "secshim/error.h"
#include "secshim/policy.h"

struct audit_event
{
  const char *verb;
  const char *container_id;
  const char *bundle;          /* or the process.json path for exec */
  const struct policy *policy; /* may be NULL when the policy failed to load */
  const char *policy_path;
  const struct findings *findings; /* may be NULL */
  const char *outcome;             /* "allowed", "rewritten", "refused", "error" */
  const char *error;               /* message when outcome is refused/error, else NULL */
};

/* What the document says about its caller, for the record of this
 * process's one decision: the engine ("docker", "podman", "cri", "oci") and
 * the image name when an annotation carries it (NULL when not known). */
void audit_describe (const char *engine, const char *image);

/* Best effort: failures to log are returned but never block a decision
 * already taken (the caller decides). */
int audit_record (const struct audit_event *ev, secshim_error_t *err);

/* log_path / log_format from runc's global --log / --log-format (NULL ok). */
void report_refusal (const char *log_path, const char *log_format, const char *message);

/* A warn-action finding: a "warning" line in the --log file when there is
 * one (containerd reads only error lines, so it never fails a start), else
 * on stderr. */
void report_warning (const char *log_path, const char *log_format, const char *message);

/* Escape s as a JSON string body into a malloc'd buffer (invalid UTF-8 bytes
 * as \u00XX-style hex escapes of the byte value, control characters escaped). */
char *json_escape_for_log (const char *s);

#endif
